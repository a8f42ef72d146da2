"""Simulated exports: they reconcile with the model's ledger, and recording changes nothing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from npssim import NPSModel
from npssim.diagnose.exports import (
    ACCOUNT_COLUMNS,
    RESPONSE_COLUMNS,
    recording_model,
    rep_ids,
    simulate_exports,
    write_exports,
)
from npssim.policy import TACTICS
from tests.conftest import tiny_scenario


@pytest.fixture(scope="module")
def gamed():
    return simulate_exports(tiny_scenario("nps_bonus"), seed=3)


def test_recording_leaves_every_metric_unchanged():
    scenario = tiny_scenario("nps_bonus")
    plain = NPSModel(scenario, seed=3).run()
    recorded = recording_model(NPSModel)(scenario, seed=3).run()
    pd.testing.assert_frame_equal(plain, recorded)


def test_tables_have_the_contracted_columns(gamed):
    assert tuple(gamed.responses.columns) == RESPONSE_COLUMNS
    assert tuple(gamed.accounts.columns) == ACCOUNT_COLUMNS
    assert list(gamed.truth.columns[:4]) == ["rep_id", "gaming_share", "answers", "touched"]
    assert [f"use_{name}" for name in TACTICS] == list(gamed.truth.columns[4:])
    answered = gamed.responses["answered"]
    assert gamed.responses.loc[answered, "score"].between(0, 10).all()
    assert gamed.responses.loc[~answered, "score"].isna().all()
    assert set(gamed.responses["invited_by"]) == {"rep"}


def test_waves_reconcile_with_the_ledger():
    scenario = tiny_scenario("nps_bonus")
    model = recording_model(NPSModel)(scenario, seed=3)
    frame = model.run()
    exports = simulate_exports(scenario, seed=3)
    per_week = exports.responses.groupby("week")
    rate = per_week["answered"].mean()
    np.testing.assert_allclose(rate.to_numpy(), frame.loc[rate.index, "response_rate"])
    scores = exports.responses.dropna(subset=["score"])
    nps = scores.groupby("week")["score"].apply(lambda s: 100 * (np.mean(s >= 9) - np.mean(s <= 6)))
    np.testing.assert_allclose(nps.to_numpy(), frame.loc[nps.index, "reported_nps"])


def test_renewals_reconcile_with_the_ledger():
    scenario = tiny_scenario("nps_bonus")
    frame = NPSModel(scenario, seed=3).run()
    accounts = simulate_exports(scenario, seed=3).accounts
    due = accounts["renewal_week"].notna()
    assert due.sum() == frame["renewals_due"].iloc[-1]
    assert (accounts["renewed"] == 0).sum() == frame["churned_accounts"].iloc[-1]
    assert accounts.loc[~due, "renewed"].isna().all()


def test_truth_counts_answers_and_what_touched_them(gamed):
    truth = gamed.truth.set_index("rep_id")
    answers = gamed.responses.groupby("rep_id")["answered"].sum()
    pd.testing.assert_series_equal(
        truth.loc[answers.index, "answers"], answers, check_names=False, check_dtype=False
    )
    assert (truth["touched"] <= truth["answers"]).all()
    shares = truth["touched"] / truth["answers"]
    np.testing.assert_allclose(truth["gaming_share"].dropna(), shares.dropna())


def test_no_tactics_no_gaming():
    from tests.conftest import NO_TACTICS

    honest = simulate_exports(tiny_scenario("nps_bonus", NO_TACTICS), seed=3)
    assert honest.truth["touched"].sum() == 0
    assert honest.truth.filter(like="use_").to_numpy().sum() == 0


def test_third_party_invitations_are_marked():
    exports = simulate_exports(tiny_scenario("third_party_survey"), seed=3, weeks=12)
    assert set(exports.responses["invited_by"]) == {"third_party"}


def test_rep_ids_name_each_holder_of_a_desk():
    assert list(rep_ids(np.array([7, 7, 12]), np.array([0, 1, 2]))) == ["R007", "R007.1", "R012.2"]


def test_write_exports_writes_the_tables(gamed, tmp_path):
    written = write_exports(gamed, tmp_path / "out", parquet=False)
    assert [path.name for path in written] == ["responses.csv", "accounts.csv", "truth.csv"]
    back = pd.read_csv(tmp_path / "out" / "responses.csv")
    assert len(back) == len(gamed.responses)
    assert back["answered"].dtype == bool
