"""The AUC validation computes, and the validation table's shape."""

from __future__ import annotations

import numpy as np
import pytest

from npssim.diagnose.exports import simulate_exports
from npssim.diagnose.validation import auc, learn_weights, measure, summary, validate
from tests.conftest import TINY


def test_auc_of_a_perfect_and_a_reversed_ranking():
    truth = np.array([0.0, 0.1, 0.2, 0.6, 0.7, 0.9])
    assert auc(truth, truth) == 1.0
    assert auc(-truth, truth) == 0.0
    assert auc(np.ones(6), truth) == 0.5


def test_auc_positives_are_above_the_median_and_missing_values_drop():
    truth = np.array([0.0, 0.0, 0.0, 0.5, np.nan])
    score = np.array([1.0, 2.0, 3.0, 0.5, 9.0])
    # One positive (0.5) below all three negatives.
    assert auc(score, truth) == 0.0
    assert np.isnan(auc(score, np.zeros(5)))


def test_validate_gives_a_row_per_fingerprint_and_firm():
    small = {key: value for key, value in TINY.items() if key != "firm.accounts_per_rep"}
    from npssim.scenario import load_scenario

    scenario = load_scenario("nps_bonus", small)
    table = validate(scenarios=(scenario,), seeds=(1,), sizes=(25, 10))
    assert set(table["accounts_per_rep"]) == {25, 10}
    assert (table["fingerprint"] == "combined").sum() == 2
    assert table["flagged_share"].between(0, 1).all()
    assert summary(table)["fingerprint"].nunique() == table["fingerprint"].nunique()


def test_learned_weights_are_non_negative_and_unit():
    firms = [simulate_exports("nps_bonus", seed=seed, weeks=40) for seed in (7, 8)]
    weights = learn_weights(firms)
    values = np.array(list(weights.values()))
    assert (values >= 0).all()
    assert np.sqrt((values**2).sum()) == pytest.approx(1.0, abs=0.01)


def test_measure_on_an_honest_firm_has_no_auc():
    rows = measure(simulate_exports("baseline", seed=1, weeks=30))
    assert all(np.isnan(row["auc"]) for row in rows)
