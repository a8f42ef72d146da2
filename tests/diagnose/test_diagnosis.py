"""The diagnosis: its answer, the size of the survey that settles it, what cannot be told apart."""

from __future__ import annotations

import math

import pytest

from npssim.diagnose import diagnose, settle_accounts, simulate_exports
from npssim.diagnose.diagnosis import indistinguishable
from tests.conftest import tiny_scenario


def test_settle_accounts_follows_the_variance_of_a_difference_of_proportions():
    # 50% promoters, 20% detractors: one answer's variance 0.5 + 0.2 - 0.3^2 = 0.61 (x 100^2).
    invited, margin = settle_accounts(0.5, 0.2, 10.0, 0.5, 10**9)
    assert margin == 5.0
    answers = 1.959964**2 * 0.61 * 100**2 / 25.0
    assert invited == pytest.approx(answers / 0.5, rel=1e-3)


def test_settle_accounts_grows_as_the_overstatement_shrinks_and_stops_at_the_book():
    small, _ = settle_accounts(0.5, 0.2, 4.0, 0.3, 10**9)
    large, _ = settle_accounts(0.5, 0.2, 16.0, 0.3, 10**9)
    assert small == pytest.approx(16 * large, rel=0.01)
    capped, _ = settle_accounts(0.5, 0.2, 1.0, 0.3, 2_000)
    assert capped == 2_000


def test_settle_accounts_corrects_for_a_finite_book():
    infinite, _ = settle_accounts(0.5, 0.2, 10.0, 1.0, 10**9)
    finite, _ = settle_accounts(0.5, 0.2, 10.0, 1.0, 2_000)
    assert finite < infinite
    n = 1.959964**2 * 0.61 * 100**2 / 25.0
    assert finite == math.ceil(n / (1 + (n - 1) / 2_000))


@pytest.fixture(scope="module")
def gamed():
    return simulate_exports(tiny_scenario("nps_bonus"), seed=5)


def test_diagnose_without_estimate_answers_in_four_sentences(gamed):
    diagnosis = diagnose(gamed.responses, gamed.accounts, estimate=False)
    assert diagnosis.overstatement is None and diagnosis.fitted_scenario is None
    lines = diagnosis.answer()
    assert len(lines) == 4
    assert "not estimated" in lines[0]
    assert f"{diagnosis.settle_accounts:,} accounts" in lines[3]
    assert diagnosis.flagged == int(diagnosis.reps["flagged"].sum())
    assert diagnosis.false_alarm_share == 0.05
    assert set(diagnosis.reps["rep_id"]) == set(gamed.responses["rep_id"])


def test_flagged_reps_get_their_expected_false_alarms_in_the_answer(gamed):
    responses = gamed.responses.copy()
    mine = responses["rep_id"] == responses["rep_id"].iloc[0]
    responses.loc[mine, "answered"] = True
    responses.loc[mine, "score"] = 10.0
    diagnosis = diagnose(responses, gamed.accounts, estimate=False, fdr=0.1)
    assert diagnosis.flagged >= 1
    assert "false alarms" in diagnosis.answer()[2]


def test_tactics_with_the_same_fingerprints_are_named_together():
    lines = indistinguishable()
    assert any("coach and bribe" in line for line in lines)
