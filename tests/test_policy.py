import numpy as np
import pytest

from npssim import policy as rules
from npssim.agents.reps import RepRoster
from npssim.mechanisms.pay import PayPlan
from npssim.scenario import PolicyParams, validate_scenario
from npssim.scenario.schema import RepParams


def make_policy(**incentives) -> PolicyParams:
    return PolicyParams.model_validate({"incentives": incentives})


def test_linear_payout_runs_from_floor_to_target_and_caps():
    policy = make_policy(floor_nps=0.0, target_nps=50.0, max_payout=1.5)
    paid = rules.payout(np.array([-10.0, 0.0, 25.0, 50.0, 100.0]), policy)
    assert paid.tolist() == pytest.approx([0.0, 0.0, 0.5, 1.0, 1.5])


def test_cliff_payout_is_all_or_nothing():
    policy = make_policy(payout="cliff", target_nps=40.0)
    assert rules.payout(np.array([39.9, 40.0, 80.0]), policy).tolist() == [0.0, 1.0, 1.0]


def test_missing_score_pays_nothing():
    assert rules.payout(np.array([np.nan]), make_policy()).tolist() == [0.0]


def drive(policy, params=None, **kw):
    args = dict(
        greed=np.array([0.5]),
        fear=np.array([0.5]),
        last_score=np.array([np.nan]),
        on_plan=np.array([False]),
        manager_push=np.array([0.0]),
    )
    args.update(kw)
    params = params or RepParams(team_scope_factor=0.4)
    plan = PayPlan(np.ones(1))
    return float(plan.drive(plan.stake(policy, params, **args), policy, params)[0])


def test_indicator_only_creates_no_drive():
    assert drive(make_policy(nps_weight=0.0)) == 0.0


def test_drive_grows_with_nps_weight():
    assert drive(make_policy(nps_weight=0.2)) < drive(make_policy(nps_weight=0.6))


def test_team_scope_dilutes_the_drive_to_work():
    individual = drive(make_policy(nps_weight=0.5))
    team = drive(make_policy(nps_weight=0.5, scope="team"))
    assert team == pytest.approx(0.4 * individual)


def test_rank_and_yank_adds_fear():
    assert drive(make_policy(nps_weight=0.5, rank_and_yank=0.2)) > drive(
        make_policy(nps_weight=0.5)
    )


def test_cliff_drive_peaks_just_short_of_target():
    policy = make_policy(nps_weight=0.5, payout="cliff", target_nps=50.0)
    near = drive(policy, last_score=np.array([45.0]))
    far = drive(policy, last_score=np.array([-20.0]))
    above = drive(policy, last_score=np.array([70.0]))
    assert near > far and near > above


def test_audits_deter_only_the_tactics_an_audit_can_find():
    roster = RepRoster(1, team_size=1)
    roster.hire(np.random.default_rng(0), np.arange(1), RepParams())
    quiet = make_policy(nps_weight=0.5)
    audited = PolicyParams.model_validate(
        {"incentives": {"nps_weight": 0.5}, "audits": {"probability": 0.5}}
    )
    zero = np.zeros(1)
    added = roster.use_cost(audited, RepParams(), 100.0, zero, zero) - roster.use_cost(
        quiet, RepParams(), 100.0, zero, zero
    )
    assert (added[rules.AUDITABLE] > 0).all() and (added[~rules.AUDITABLE] == 0).all()


def test_a_rep_at_the_payout_cap_wants_no_more_but_still_fears():
    policy = make_policy(nps_weight=0.5, target_nps=40.0, floor_nps=0.0, max_payout=1.5)
    capped = drive(policy, last_score=np.array([60.0]))  # 1.5 x 40: the most it pays
    below = drive(policy, last_score=np.array([59.0]))
    fear_only = drive(policy, greed=np.array([0.0]), last_score=np.array([59.0]))
    assert capped == pytest.approx(fear_only) and below > capped > 0.0


def test_cliff_width_and_peak_are_parameters():
    policy = make_policy(nps_weight=0.5, payout="cliff", target_nps=50.0)
    narrow = RepParams(near_miss_width=2.0)
    assert drive(policy, narrow, last_score=np.array([40.0])) < drive(
        policy, last_score=np.array([40.0])
    )


def test_tactic_tables_come_from_the_scenario():
    params = RepParams.model_validate(
        {"moral_weight": {"bribe": 3.0}, "tactic_hours": {"coach": 0.5}}
    )
    assert params.moral_weight.bribe == 3.0 and params.tactic_hours.coach == 0.5


def test_rank_and_yank_fires_the_lowest_scores():
    rng = np.random.default_rng(0)
    scores = np.array([10.0, -5.0, 30.0, np.nan, 0.0, 50.0, 60.0, 70.0])
    fired = rules.rank_and_yank(scores, yearly_fraction=1.0, rng=rng)
    assert sorted(fired.tolist()) == [1, 3]


def test_no_rank_and_yank_fires_nobody():
    assert rules.rank_and_yank(np.arange(10.0), 0.0, np.random.default_rng(0)).size == 0


@pytest.mark.parametrize(
    ("sampler", "anonymous", "visible"),
    [
        ("rep", False, True),
        ("rep", True, True),
        ("random", False, True),
        ("random", True, False),
        ("third_party", False, False),
    ],
)
def test_survey_visibility(sampler, anonymous, visible):
    policy = PolicyParams.model_validate({"survey": {"sampler": sampler, "anonymous": anonymous}})
    assert rules.survey_is_visible(policy) is visible


def test_schedule_applies_timeline_at_its_week():
    scenario = validate_scenario(
        {"timeline": [{"week": 5, "set": {"policy.incentives.nps_weight": 0.4}}]}
    )
    schedule = rules.PolicySchedule(scenario)
    assert schedule.change_weeks == [5]
    assert not schedule.apply(4)
    assert schedule.current.incentives.nps_weight == 0.0
    assert schedule.apply(5)
    assert schedule.current.incentives.nps_weight == 0.4


def test_schedule_does_not_mutate_scenario():
    scenario = validate_scenario(
        {"timeline": [{"week": 0, "set": {"policy.survey.sampler": "random"}}]}
    )
    rules.PolicySchedule(scenario).apply(0)
    assert scenario.policy.survey.sampler == "rep"


def test_cliff_drive_is_neutral_before_the_first_score():
    cliff = make_policy(nps_weight=0.5, payout="cliff")
    linear = make_policy(nps_weight=0.5)
    assert drive(cliff) == pytest.approx(drive(linear))


def test_rank_and_yank_fires_the_yearly_share_on_average():
    rng = np.random.default_rng(1)
    fired = [rules.rank_and_yank(np.arange(100.0), 0.10, rng).size for _ in range(4000)]
    assert np.mean(fired) * 4 == pytest.approx(10.0, abs=0.1)
