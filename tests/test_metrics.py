import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from npssim import NPSModel, metrics
from npssim.metrics import (
    ALL_GIVEN_AWAY,
    CUMULATIVE,
    INTEGER,
    METRIC_BY_NAME,
    METRIC_NAMES,
    METRICS,
    as_flows,
    whole_over,
)
from npssim.tactics import TACTICS
from tests.conftest import tiny_scenario

#: The names DESIGN.md section 4 made a public contract.
DESIGN_NAMES = {
    "reported_nps", "true_nps", "nps_inflation", "response_rate", "share_cherry_picked",
    "share_coached", "share_bribed", "share_hostage", "concession_cost", "giveaway_cost",
    "bribe_cost", "revenue", "gross_margin", "accounts_active", "churned_accounts",
    "retention_rate", "genuine_effort", "savvy_share", "signal_validity", "bonus_paid",
    "unearned_bonus", "rep_stress", "rep_turnover", "honest_rep_share",
}  # fmt: skip
#: Model v2's price channel, the firm's whole bill, the goods an incentive can buy, the people.
MODEL_V2_NAMES = {
    "discount_cost", "discount_rate", "net_value", "service_quality", "followed_up",
    "bonus_cost", "measurement_cost", "acquisition_cost", "turnover_cost", "gaming_propensity",
    "disrupted_accounts",
}  # fmt: skip
#: What explains the ledger: the best a survey could do, and the renewals retention reads.
CONTEXT_NAMES = {"latent_signal_validity", "renewals_due"}
#: For leaders: what the decision summary's tiles read.
DECISION_NAMES = {"money_given_away", "concessions_to_powerful"}
#: Model v3: the pay plan's payments, the discounts traded for scores, each tactic's use.
MODEL_V3_NAMES = {
    "salary_paid", "commission_paid", "score_discount_cost",
    *(f"tactic_use_{tactic}" for tactic in TACTICS),
}  # fmt: skip
VIEWS = ("HEADLINE", "OVER_TIME", "MONEY_GIVEN_AWAY", "ALL_GIVEN_AWAY", "TACTICS", "PEOPLE",
         "SWEEP_DEFAULT", "DASHBOARD", "ACCUMULATING")  # fmt: skip


def test_the_registry_holds_every_public_name_once():
    assert set(METRIC_NAMES) == (
        DESIGN_NAMES | MODEL_V2_NAMES | MODEL_V3_NAMES | CONTEXT_NAMES | DECISION_NAMES
    )
    assert len(METRIC_NAMES) == len(set(METRIC_NAMES))


def test_every_metric_has_a_label_a_meaning_and_a_unit():
    for metric in METRICS:
        assert metric.label and metric.meaning and metric.unit, metric.name
        assert metric.label != metric.name and "_" not in metric.label, metric.name


def test_labels_are_distinct():
    labels = [metric.label for metric in METRICS]
    assert len(labels) == len(set(labels))


def test_a_side_with_a_verdict_has_a_better_direction():
    for metric in METRICS:
        assert (metric.better is None) == (metric.side in ("shown", "context")), metric.name


def test_counts_are_whole_numbers_of_accounts():
    assert set(INTEGER) == {
        "accounts_active", "churned_accounts", "followed_up", "disrupted_accounts", "renewals_due"
    }  # fmt: skip
    assert all(METRIC_BY_NAME[name].unit == "accounts" for name in INTEGER)


@pytest.mark.parametrize("view", VIEWS)
def test_every_view_names_registered_metrics(view):
    names = getattr(metrics, view)
    assert names and set(names) <= set(METRIC_NAMES)


def test_an_unknown_metric_suggests_the_closest():
    with pytest.raises(KeyError, match="did you mean 'nps_inflation'"):
        metrics.metric("nps_inflaton")


def test_a_count_is_whole_at_the_end_and_when_accrued_but_not_as_a_weekly_mean():
    assert whole_over("churned_accounts", "long") and whole_over("accounts_active", "end")
    assert not whole_over("accounts_active", "long") and not whole_over("true_nps", "end")


runs = st.lists(
    st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=12),
    min_size=1,
    max_size=4,
)


@given(runs)
def test_flows_add_up_to_the_running_totals_run_by_run(increments):
    frames = []
    for run, steps in enumerate(increments):
        totals = np.cumsum(steps)
        frames.append(
            pd.DataFrame(
                {
                    "replication": run,
                    "week": range(len(steps)),
                    "churned_accounts": totals,
                    "net_value": totals * 1.5,
                    "true_nps": np.arange(len(steps), dtype=float),
                }
            )
        )
    weekly = pd.concat(frames, ignore_index=True)
    flows = as_flows(weekly, by=["replication"])
    assert flows["churned_accounts"].dtype == np.int64
    assert flows["churned_accounts"].tolist() == [step for steps in increments for step in steps]
    again = flows.groupby("replication")["net_value"].cumsum()
    np.testing.assert_allclose(again, weekly["net_value"])
    pd.testing.assert_series_equal(flows["true_nps"], weekly["true_nps"])


def test_flows_of_one_run_need_no_run_columns():
    weekly = pd.DataFrame({"revenue": [10.0, 25.0, 45.0], "genuine_effort": [0.7, 0.7, 0.6]})
    assert as_flows(weekly)["revenue"].tolist() == [10.0, 15.0, 20.0]
    assert set(CUMULATIVE) >= {"revenue", "net_value", "renewals_due"}


def test_money_given_away_is_every_kind_of_money_given_away_together():
    model = NPSModel(tiny_scenario("nps_bonus"), seed=3)
    weekly = model.run()
    parts = weekly[list(ALL_GIVEN_AWAY)].sum(axis=1)
    assert weekly["money_given_away"].iloc[-1] > 0
    assert np.allclose(weekly["money_given_away"], parts)
