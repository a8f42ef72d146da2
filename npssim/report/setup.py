"""One question, one number: the one-line set-up every answer opens with.

The same question ("what does this policy do to the firm's money?") gave different numbers in
the report, the notebooks, break-even and the dashboard, because their set-ups differed and
nothing said so. Every output that answers it opens with this line, so two numbers that
disagree show at once why: the firm (managers, reps, accounts), the week the policy starts, the
window the answer is read over, the replications and root seed, and the assumption sample.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Setup:
    """What an answer was computed on.

    Attributes:
        managers: Sales managers of the firm (``firm.managers``).
        reps: Reps (managers x reps per manager).
        accounts: Accounts (reps x accounts per rep).
        currency: The firm's currency.
        policy_start: The first week the policies differ from the baseline.
        window: What the window is called ("second year").
        first_week: The window's first week.
        last_week: Its last week.
        replications: How the replications read ("30 replications").
        seed: The root seed.
        samples: Plausible firms of the assumption spread (0 when it was not run).
        sample_replications: Replications per plausible firm.
    """

    managers: int
    reps: int
    accounts: int
    currency: str
    policy_start: int
    window: str
    first_week: int
    last_week: int
    replications: str
    seed: int
    samples: int = 0
    sample_replications: int = 1


class HasSetup(Protocol):
    """Anything that can say what it was computed on (an experiment's results)."""

    def setup(self) -> Setup:
        """The set-up of its answer."""
        ...


def setup_line(results: HasSetup | Setup) -> str:
    """The set-up in one line, e.g. for the top of a terminal answer, a report or a notebook.

    Args:
        results: An experiment's results (anything with ``setup()``) or a :class:`Setup`.

    Returns:
        "Set-up: firm of 10 managers, 80 reps, 4,000 accounts (USD); policy from week 0; window
        second year, weeks 52-103; 30 replications, root seed 42; assumptions: 40 plausible
        firms, 1 replication each."
    """
    setup = results if isinstance(results, Setup) else results.setup()
    if setup.samples:
        each = "replication" if setup.sample_replications == 1 else "replications"
        sample = (
            f"assumptions: {setup.samples} plausible firms, {setup.sample_replications} {each} each"
        )
    else:
        sample = "assumptions: not sampled (the scenario's own values only)"
    return (
        f"Set-up: firm of {setup.managers:,} managers, {setup.reps:,} reps, "
        f"{setup.accounts:,} accounts ({setup.currency}); policy from week {setup.policy_start}; "
        f"window {setup.window}, weeks {setup.first_week}-{setup.last_week}; "
        f"{setup.replications}, root seed {setup.seed}; {sample}."
    )
