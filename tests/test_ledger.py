import numpy as np
import pytest

from npssim.ledger import Ledger, auc_from_histograms
from npssim.metrics import INTEGER, METRIC_NAMES
from npssim.tactics import TACTICS


def close(ledger: Ledger) -> dict[str, float]:
    return ledger.close_week(
        true_nps=10.0,
        accounts_active=5,
        discount_rate=0.0,
        genuine_effort=1.0,
        service_quality=1.0,
        savvy_share=0.0,
        rep_stress=0.0,
        honest_rep_share=1.0,
        tactic_use=np.zeros(len(TACTICS)),
    )


def test_close_week_returns_every_metric_in_order():
    assert list(close(Ledger(10, 0.7))) == list(METRIC_NAMES)


def test_close_week_gives_counts_as_whole_numbers_and_the_rest_as_floats():
    closed = close(Ledger(10, 0.7))
    for name, value in closed.items():
        assert type(value) is (int if name in INTEGER else float), name


def test_inflation_is_reported_minus_true():
    ledger = Ledger(10, 0.7)
    ledger.record_wave(
        invited=4,
        eligible=8,
        cherry_picked=0,
        scores=np.array([10, 9, 9, 2]),
        coached=1,
        bribed=0,
        hostage=0,
    )
    values = close(ledger)
    assert values["reported_nps"] == 50.0
    assert values["nps_inflation"] == 40.0
    assert values["response_rate"] == 1.0
    assert values["share_coached"] == 0.25


def test_gross_margin_subtracts_money_given_away():
    ledger = Ledger(10, 0.5)
    ledger.earn(1000.0)
    ledger.spend("concession", 100.0)
    ledger.spend("giveaway", 50.0)
    ledger.spend("bribe", 10.0)
    ledger.spend("acquisition", 999.0)
    assert close(ledger)["gross_margin"] == 500.0 - 160.0


def test_discounts_are_out_of_revenue_and_counted_as_forgone():
    ledger = Ledger(10, 0.5)
    ledger.earn(900.0, discounts=100.0)
    values = close(ledger)
    assert values["revenue"] == 900.0 and values["discount_cost"] == 100.0
    assert values["gross_margin"] == 450.0


def test_net_value_is_margin_less_the_firm_s_other_bills():
    ledger = Ledger(10, 0.5)
    ledger.earn(1000.0)
    ledger.spend("giveaway", 50.0)
    ledger.spend("acquisition", 100.0)
    ledger.spend("turnover", 20.0)
    ledger.spend("measurement", 5.0)
    ledger.pay_bonus(paid=300.0, unearned=40.0, cost=30.0)
    values = close(ledger)
    assert values["net_value"] == 500.0 - 50.0 - 100.0 - 20.0 - 5.0 - 30.0
    assert values["bonus_paid"] == 300.0 and values["bonus_cost"] == 30.0
    assert values["unearned_bonus"] == 40.0


def test_every_payment_of_the_pay_plan_is_out_of_net_value():
    ledger = Ledger(10, 0.5)
    ledger.earn(1000.0, 0.0, 0.0)
    ledger.pay_salary(100.0)
    ledger.pay_commission(40.0)
    ledger.pay_bonus(paid=30.0, unearned=0.0, cost=30.0)
    values = close(ledger)
    assert values["net_value"] == 500.0 - 100.0 - 40.0 - 30.0
    assert values["salary_paid"] == 100.0 and values["commission_paid"] == 40.0


def test_discounts_traded_for_scores_are_booked_apart_within_all_discounts():
    ledger = Ledger(10, 0.5)
    ledger.earn(1000.0, 200.0, 50.0)
    values = close(ledger)
    assert values["discount_cost"] == 200.0 and values["score_discount_cost"] == 50.0


def test_each_tactic_s_use_is_its_own_metric_and_their_mean_the_culture():
    use = np.linspace(0.0, 0.5, len(TACTICS))
    values = Ledger(10, 0.5).close_week(
        true_nps=10.0, accounts_active=5, discount_rate=0.0, genuine_effort=1.0,
        service_quality=1.0, savvy_share=0.0, rep_stress=0.0, honest_rep_share=1.0,
        tactic_use=use,
    )  # fmt: skip
    assert [values[f"tactic_use_{name}"] for name in TACTICS] == pytest.approx(use.tolist())
    assert values["gaming_propensity"] == pytest.approx(use.mean())


def test_departures_count_the_accounts_that_lost_their_rep():
    ledger = Ledger(10, 0.5)
    ledger.record_departures(2, accounts=80)
    ledger.record_follow_ups(3)
    values = close(ledger)
    assert values["rep_turnover"] == 0.2 and values["disrupted_accounts"] == 80.0
    assert values["followed_up"] == 3.0


def test_negative_cost_is_refused():
    with pytest.raises(ValueError, match="negative"):
        Ledger(1, 0.5).spend("bribe", -1.0)


def test_auc_of_perfect_and_useless_signals():
    assert auc_from_histograms(np.array([0, 0, 5]), np.array([5, 0, 0])) == 1.0
    assert auc_from_histograms(np.array([1, 1, 1]), np.array([1, 1, 1])) == 0.5
    assert np.isnan(auc_from_histograms(np.array([0, 0]), np.array([1, 0])))


def test_signal_validity_forgets_renewals_older_than_a_year():
    ledger = Ledger(1, 0.5)
    ledger.record_renewals(np.array([10.0, 0.0]), np.array([9.0, 1.0]), np.array([True, False]))
    assert ledger.signal_validity() == 1.0
    for _ in range(52):
        ledger.record_renewals(np.array([]), np.array([]), np.array([], dtype=bool))
    assert np.isnan(ledger.signal_validity())


def test_renewals_without_a_score_count_for_retention_only():
    ledger = Ledger(1, 0.5)
    ledger.record_renewals(
        np.array([np.nan, np.nan]), np.array([9.0, 1.0]), np.array([True, False])
    )
    values = close(ledger)
    assert values["retention_rate"] == 0.5
    assert values["churned_accounts"] == 1.0
    assert np.isnan(values["signal_validity"])


def test_concessions_to_the_powerful_are_a_part_of_all_concessions():
    ledger = Ledger(10, 0.5)
    ledger.concede(100.0, powerful=True)
    ledger.concede(30.0, powerful=False)
    values = close(ledger)
    assert values["concession_cost"] == 130.0
    assert values["concessions_to_powerful"] == 100.0


def test_money_given_away_adds_every_kind_and_the_discounts():
    ledger = Ledger(10, 0.5)
    ledger.earn(1000.0, discounts=40.0)
    ledger.concede(100.0, powerful=False)
    ledger.spend("giveaway", 50.0)
    ledger.spend("bribe", 10.0)
    assert close(ledger)["money_given_away"] == 200.0
