"""The one-line set-up every answer opens with."""

from npssim.report.setup import Setup, setup_line

SETUP = Setup(
    managers=10,
    reps=80,
    accounts=4000,
    currency="USD",
    policy_start=0,
    window="second year",
    first_week=52,
    last_week=103,
    replications="30 replications",
    seed=42,
    samples=40,
)


def test_the_set_up_names_firm_start_window_replications_seed_and_sample():
    assert setup_line(SETUP) == (
        "Set-up: firm of 10 managers, 80 reps, 4,000 accounts (USD); policy from week 0; "
        "window second year, weeks 52-103; 30 replications, root seed 42; assumptions: 40 "
        "plausible firms, 1 replication each."
    )


def test_without_a_spread_the_set_up_says_the_assumptions_were_not_sampled():
    class Results:
        def setup(self) -> Setup:
            return Setup(**{**SETUP.__dict__, "samples": 0})

    assert setup_line(Results()).endswith(
        "assumptions: not sampled (the scenario's own values only)."
    )
