"""Fingerprints respond in the right direction on constructed tables; BH flags what it should."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from npssim.diagnose.fingerprints import (
    FINGERPRINT_NAMES,
    WEIGHTS,
    firm_fingerprints,
    flag,
    score_reps,
    standardised,
)


def constructed_firm(seed: int = 0, reps: int = 30, invites: int = 80, accounts: int = 30):
    """A firm of honest reps: like books, scores from one distribution, renewals at random."""
    rng = np.random.default_rng(seed)
    rows, books = [], []
    for r in range(reps):
        rep = f"R{r:03d}"
        ids = [f"A{r:03d}{a:03d}" for a in range(accounts)]
        churned = rng.random(accounts) < 0.15
        for a, account in enumerate(ids):
            books.append((account, rep, 10_000.0, 20.0, float(not churned[a]), 0.05))
        for i in range(invites):
            answered = bool(rng.random() < 0.35)
            score = float(np.clip(np.round(rng.normal(7.5, 1.8)), 0, 10)) if answered else np.nan
            rows.append((f"S{r}-{i}", ids[i % accounts], rep, int(i % 20), "rep", answered, score))
    responses = pd.DataFrame(
        rows,
        columns=["response_id", "account_id", "rep_id", "week", "invited_by", "answered", "score"],
    )
    accounts_table = pd.DataFrame(
        books,
        columns=["account_id", "rep_id", "annual_value", "renewal_week", "renewed", "discount"],
    )
    return responses, accounts_table


def test_a_rep_whose_scores_are_all_ten_gets_a_small_p_value():
    responses, accounts = constructed_firm()
    mine = (responses["rep_id"] == "R000") & responses["answered"]
    responses.loc[mine, "score"] = 10.0
    reps = score_reps(responses, accounts).set_index("rep_id")
    assert reps.loc["R000", "top_box_p"] < 0.001
    assert reps.loc["R000", "top_box"] > 0.3
    others = reps.drop(index="R000")["top_box_p"]
    assert reps.loc["R000", "top_box_p"] < others.min()


def test_a_rep_whose_customers_all_answer_is_flagged():
    responses, accounts = constructed_firm()
    mine = responses["rep_id"] == "R001"
    responses.loc[mine, "answered"] = True
    responses.loc[mine, "score"] = responses.loc[mine, "score"].fillna(9.0)
    reps = score_reps(responses, accounts).set_index("rep_id")
    assert reps.loc["R001", "response_rate"] == 1.0
    assert reps.loc["R001", "response_rate_p"] < 1e-6
    assert reps.loc["R001", "flagged"]
    assert reps["suspicion"].idxmax() == "R001"


def test_honest_firm_flags_nobody_often():
    flagged = [score_reps(*constructed_firm(seed))["flagged"].mean() for seed in range(5)]
    assert np.mean(flagged) <= 0.05


def test_invitations_kept_from_churners_show_as_at_risk():
    responses, accounts = constructed_firm()
    mine = accounts["rep_id"] == "R002"
    churners = set(accounts.loc[mine & (accounts["renewed"] == 0), "account_id"])
    kept_out = responses["account_id"].isin(churners)
    stayer = accounts.loc[mine & (accounts["renewed"] == 1), "account_id"]
    responses.loc[kept_out, "account_id"] = stayer.iloc[0]
    reps = score_reps(responses, accounts).set_index("rep_id")
    assert reps.loc["R002", "at_risk"] == 0.0
    assert reps.loc["R002", "at_risk_z"] > 1.5


def test_promoters_who_churn_show():
    responses, accounts = constructed_firm()
    mine = responses["rep_id"] == "R003"
    responses.loc[mine & responses["answered"], "score"] = 10.0
    accounts.loc[accounts["rep_id"] == "R003", "renewed"] = 0.0
    reps = score_reps(responses, accounts).set_index("rep_id")
    assert reps.loc["R003", "promoters_churn"] == 1.0
    assert reps.loc["R003", "promoters_churn_z"] > 3


def test_rep_triggered_answers_above_automated_ones_show():
    responses, accounts = constructed_firm()
    mine = responses["rep_id"] == "R004"
    late = mine & (responses["week"] >= 10)
    responses.loc[mine & ~late, "invited_by"] = "firm"
    responses.loc[late & responses["answered"], "score"] = 10.0
    reps = score_reps(responses, accounts).set_index("rep_id")
    assert reps.loc["R004", "rep_vs_automated"] > 1
    assert reps["rep_vs_automated"].drop(index="R004").isna().all()


def test_every_fingerprint_has_columns_and_a_weight():
    reps = score_reps(*constructed_firm())
    for name in FINGERPRINT_NAMES:
        assert {name, f"{name}_z", f"{name}_p"} <= set(reps.columns)
        assert WEIGHTS[name] >= 0
    firm = firm_fingerprints(reps)
    assert list(firm["name"]) == list(FINGERPRINT_NAMES)


def test_benjamini_hochberg_flags_by_rank():
    p = pd.Series([0.001, 0.01, 0.03, 0.5, np.nan])
    # BH at 5%: thresholds 0.0125, 0.025, 0.0375, 0.05 for the four present p-values.
    assert list(flag(p, 0.05)) == [True, True, True, False, False]
    assert list(flag(p, 0.01)) == [True, False, False, False, False]


def test_standardised_never_narrows_below_the_test():
    z = pd.Series([0.0] * 20 + [2.0])
    assert standardised(z).iloc[-1] == pytest.approx(2.0)
    wide = pd.Series(np.linspace(-6, 6, 21))
    assert standardised(wide).abs().max() < 6
