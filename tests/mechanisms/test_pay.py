import numpy as np
import pytest

from npssim import policy as rules
from npssim.mechanisms.pay import DRIVE_POINTS, PayPlan
from npssim.scenario import PolicyParams
from npssim.scenario.schema import RepParams

QUARTER = rules.WEEKS_PER_QUARTER / rules.WEEKS_PER_YEAR


def policy(weight: float = 0.5, **pay) -> PolicyParams:
    return PolicyParams.model_validate(
        {
            "incentives": {"nps_weight": weight, "target_nps": 40.0, "floor_nps": 0.0},
            "pay": {"variable_target": 80_000.0, **pay},
        }
    )


def stake(plan: PayPlan, pol: PolicyParams, params: RepParams | None = None, **traits):
    n = plan.quota.size
    args = {
        "greed": np.full(n, 0.5),
        "fear": np.full(n, 0.5),
        "last_score": np.full(n, np.nan),
        "on_plan": np.zeros(n, bool),
        "manager_push": np.zeros(n),
        **traits,
    }
    return plan.stake(pol, params or RepParams(), **args)


def test_the_nps_bonus_is_the_nps_weight_s_share_of_variable_pay():
    assert rules.nps_bonus_target(policy(0.25)) == pytest.approx(0.25 * 80_000.0 * QUARTER)


def test_commission_is_paid_on_revenue_less_the_nps_weight_s_share():
    plan = PayPlan(np.array([1e6, 1e6]))
    plan.book_revenue(np.array([100_000.0, 200_000.0]))
    sales = plan.close_quarter(policy(0.5, commission_rate=0.04), np.zeros(2))
    assert sales.tolist() == pytest.approx([2_000.0, 4_000.0])
    assert plan.revenue.sum() == 0.0  # a new quarter


def test_raising_the_nps_weight_lowers_what_a_discount_costs_a_rep():
    plan = PayPlan(np.array([1e6]))
    costs = [
        plan.revenue_cost(policy(w, commission_rate=0.03), np.array([0]))[0] for w in (0, 0.5, 1)
    ]
    assert costs == pytest.approx([0.03, 0.015, 0.0])


def test_a_quota_pays_attainment_with_an_accelerator_and_a_cliff():
    quarter_quota = 100_000.0
    plan = PayPlan(np.full(3, quarter_quota / QUARTER))
    plan.book_revenue(np.array([40_000.0, 100_000.0, 120_000.0]))
    pol = policy(0.0, plan="quota", accelerator=2.0, cliff=0.5)
    sales = plan.sales_pay(pol)
    target = 80_000.0 * QUARTER
    assert sales.tolist() == pytest.approx([0.0, target, target * (1.0 + 2.0 * 0.2)])
    # Above quota a unit of revenue is worth the accelerated rate; below the cliff, nothing.
    plan.revenue[:] = [40_000.0, 90_000.0, 120_000.0]
    rates = plan.revenue_cost(pol, np.arange(3))
    assert rates[0] == 0.0 and rates[1] > 0.0 and rates[2] == pytest.approx(2.0 * rates[1])


def test_nothing_rides_on_the_score_without_an_nps_weight_or_pressure():
    plan = PayPlan(np.ones(4))
    assert (stake(plan, policy(0.0)) == 0.0).all()


def test_the_stake_is_the_bonus_slope_weighed_by_greed_and_fear():
    plan = PayPlan(np.ones(1))
    pol = policy(0.5)
    slope = rules.nps_bonus_target(pol) / 40.0
    got = stake(plan, pol, greed=np.array([0.3]), fear=np.array([0.2]))
    assert got[0] == pytest.approx(slope * (0.3 + 0.2))


def test_a_rep_already_at_the_cap_wants_no_more_but_still_fears_losing_it():
    plan = PayPlan(np.ones(2))
    pol = policy(0.5)
    capped = stake(plan, pol, last_score=np.array([10.0, 90.0]), fear=np.zeros(2))
    assert capped[0] > 0.0 and capped[1] == 0.0


def test_a_team_target_keeps_the_point_s_worth_but_dilutes_the_drive_to_work():
    plan = PayPlan(np.ones(1))
    own = stake(plan, policy(0.5))
    team = PolicyParams.model_validate({**policy(0.5).model_dump(), "incentives": {
        **policy(0.5).incentives.model_dump(), "scope": "team"}})  # fmt: skip
    params = RepParams(team_scope_factor=0.4)
    shared = stake(plan, team, params)
    assert shared[0] == pytest.approx(own[0])
    assert plan.drive(shared, team, params)[0] == pytest.approx(
        0.4 * plan.drive(own, policy(0.5), params)[0]
    )


def test_a_rep_below_the_floor_gives_up_on_the_bonus_but_still_fears():
    plan = PayPlan(np.ones(2))
    pol = policy(0.5)
    below = stake(plan, pol, last_score=np.array([-10.0, 10.0]), fear=np.zeros(2))
    assert below[0] == 0.0 and below[1] > 0.0
    feared = stake(plan, pol, last_score=np.array([-10.0, -10.0]), greed=np.zeros(2))
    assert (feared > 0.0).all()


def test_a_concession_credited_to_a_contract_lowers_the_commission_paid():
    plan = PayPlan(np.array([1e6, 1e6]))
    plan.book_revenue(np.array([100_000.0, 100_000.0]))
    plan.credit(np.array([1, 1]), np.array([2_000.0, 3_000.0]))
    sales = plan.close_quarter(policy(0.5, commission_rate=0.04), np.zeros(2))
    assert sales.tolist() == pytest.approx([2_000.0, 0.02 * 95_000.0])


def test_success_is_pay_against_what_the_rep_s_own_book_should_earn():
    quarter = np.array([100_000.0, 400_000.0])
    plan = PayPlan(quarter / QUARTER)  # a small and a big book, each exactly at quota
    plan.book_revenue(quarter)
    plan.close_quarter(policy(0.0, commission_rate=0.04), np.zeros(2))
    assert plan.paid_variable.tolist() == pytest.approx([1.0, 1.0])


def test_threats_and_pressure_raise_the_stake_of_fearful_reps():
    plan = PayPlan(np.ones(2))
    pol = policy(0.5)
    calm = stake(plan, pol, fear=np.array([0.0, 1.0]))
    pushed = stake(plan, pol, fear=np.array([0.0, 1.0]), manager_push=np.ones(2))
    assert pushed[0] == calm[0] and pushed[1] > calm[1]
    on_plan = stake(plan, pol, on_plan=np.array([False, True]))
    assert on_plan[1] > on_plan[0]


def test_drive_is_the_stake_per_share_of_variable_pay_on_a_hundred_points():
    plan = PayPlan(np.ones(1))
    pol = policy(0.5)
    unit = 80_000.0 * QUARTER / DRIVE_POINTS
    assert plan.drive(np.array([2.0 * unit]), pol, RepParams())[0] == pytest.approx(2.0)


def test_an_hour_is_worth_on_target_pay_per_account_hour():
    plan = PayPlan(np.ones(1))
    pol = policy(0.5, base_salary=52_000.0)
    assert plan.hour_value(pol, 10.0) == pytest.approx((52_000.0 + 80_000.0) / 520.0)
