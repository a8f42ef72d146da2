"""A small run's whole weekly ledger, pinned: speed-ups must not change results.

The pinned run exercises every mechanism (a mid-run switch to an NPS bonus, rep-picked samples,
every tactic, hostage-taking, renewal pricing, audits, closed-loop follow-up, rank-and-yank,
churn, acquisition, rep turnover and the disruption it causes). If a change to the model is
*meant* to change results, regenerate the file with ``python tests/test_pinned_run.py`` and say
why in the commit message.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from npssim import NPSModel, load_scenario

PINNED = Path(__file__).parent / "data" / "pinned_run.csv"

#: The pinned firm: intervention_week26 at 2 managers x 4 reps x 50 accounts, with safeguards on.
PINNED_SCENARIO = {
    "firm.managers": 2,
    "firm.reps_per_manager": 4,
    "firm.accounts_per_rep": 50,
    "run.weeks": 78,
    "policy.audits.probability": 0.25,
    "policy.follow_up.closed_loop": 0.5,
    "policy.incentives.rank_and_yank": 0.1,
    # Bribes are rare at the default moral weight; a firm of eight reps needs more to show one.
    "reps.moral_weight.bribe": 0.3,
    "reps.integrity_mean": 0.5,
}
PINNED_SEED = 20261122


def pinned_run() -> pd.DataFrame:
    """Every weekly metric of the pinned run."""
    model = NPSModel(load_scenario("intervention_week26", PINNED_SCENARIO), seed=PINNED_SEED)
    return model.run()


def test_same_seed_gives_the_pinned_ledger():
    expected = pd.read_csv(PINNED, index_col="week")
    actual = pinned_run()
    assert list(actual.columns) == list(expected.columns)
    # Summation order may move the last bits; any change in draws or logic moves far more.
    np.testing.assert_allclose(actual.to_numpy(), expected.to_numpy(), rtol=1e-9, atol=1e-9)


def test_pinned_run_exercises_the_gaming_mechanisms():
    last = pd.read_csv(PINNED, index_col="week").iloc[-1]
    for cost in ("concession_cost", "giveaway_cost", "bribe_cost", "unearned_bonus"):
        assert last[cost] > 0, cost
    assert last["rep_turnover"] > 0 and last["churned_accounts"] > 0


def test_pinned_run_exercises_the_goods_and_the_price_channel():
    pinned = pd.read_csv(PINNED, index_col="week")
    last = pinned.iloc[-1]
    for count in ("followed_up", "disrupted_accounts", "measurement_cost", "discount_cost"):
        assert last[count] > 0, count
    # The bonus starts at week 26: more service hours, and more price traded for scores.
    assert pinned["discount_rate"].iloc[-1] > pinned["discount_rate"].iloc[25]
    assert pinned["genuine_effort"].iloc[26:].max() != pinned["genuine_effort"].iloc[0]


if __name__ == "__main__":
    pinned_run().to_csv(PINNED, float_format="%.17g")
    print(f"wrote {PINNED}")
