"""The estimate through the model: its moments are the model's metrics, and it covers the truth."""

from __future__ import annotations

import numpy as np
import pytest

from npssim import NPSModel
from npssim.diagnose import simulate_exports
from npssim.diagnose.estimate import estimate_overstatement, firm_overrides, observed_moments
from npssim.scenario import load_scenario
from tests.conftest import tiny_scenario


@pytest.fixture(scope="module")
def tiny_firm():
    return simulate_exports(tiny_scenario("nps_bonus"), seed=4)


def test_moments_read_from_the_tables_are_the_models_metrics(tiny_firm):
    frame = NPSModel(tiny_scenario("nps_bonus"), seed=4).run()
    last = frame.iloc[-52:]
    moments = observed_moments(tiny_firm.responses, tiny_firm.accounts)
    assert moments["reported_nps"] == pytest.approx(last["reported_nps"].mean())
    assert moments["response_rate"] == pytest.approx(last["response_rate"].mean())
    assert len(frame) == 52  # the whole run is the last year: totals since week 0
    due = frame["renewals_due"].iloc[-1]
    lost = frame["churned_accounts"].iloc[-1]
    assert moments["retention_rate"] == pytest.approx(1 - lost / due)
    assert 0.0 <= moments["signal_validity"] <= 1.0


def test_the_firms_shape_comes_from_its_tables(tiny_firm):
    overrides = firm_overrides(tiny_firm.responses, tiny_firm.accounts, load_scenario("baseline"))
    assert overrides["firm.managers"] * overrides["firm.reps_per_manager"] == 8
    assert overrides["policy.survey.sampler"] == "rep"
    assert overrides["run.weeks"] == 52
    assert 15 <= overrides["firm.accounts_per_rep"] <= 35


@pytest.mark.slow
def test_estimate_covers_a_known_overstatement_on_a_tiny_firm(tiny_firm):
    estimate = estimate_overstatement(
        tiny_firm.responses,
        tiny_firm.accounts,
        scenario=tiny_scenario("baseline"),
        seed=11,
        replications=3,
        max_evaluations=8,
        workers=1,
    )
    interval = estimate.overstatement
    assert interval.low <= tiny_firm.overstatement <= interval.high
    assert interval.low <= interval.mean <= interval.high
    assert set(estimate.values) == {"policy.incentives.nps_weight", "reps.moral_cost"}
    assert np.isfinite(estimate.kept["overstatement"]).all()
    assert estimate.scenario.firm.managers * estimate.scenario.firm.reps_per_manager == 8
