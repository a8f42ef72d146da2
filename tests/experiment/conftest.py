"""Small experiments that run in well under a second."""

from __future__ import annotations

#: A firm of 6 reps and 120 accounts, run for 30 weeks.
SMALL = {
    "firm.managers": 2,
    "firm.reps_per_manager": 3,
    "firm.accounts_per_rep": 20,
    "run.weeks": 30,
}
