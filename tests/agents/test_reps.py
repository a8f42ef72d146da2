import numpy as np
import pytest

from npssim import NPSModel
from npssim import policy as rules
from npssim.agents.accounts import AccountBook
from npssim.agents.reps import HIRE_DRAWS, RepRoster, _by_rep_then_row
from npssim.scenario import PolicyParams
from npssim.scenario.schema import FirmParams, RepParams

WEEKS = 13


def roster_of(count=2, **params) -> RepRoster:
    roster = RepRoster(count, team_size=count)
    roster.hire(np.random.default_rng(0), np.arange(count), RepParams(**params))
    return roster


def bonus_policy(weight: float = 0.5, **survey) -> PolicyParams:
    return PolicyParams.model_validate(
        {"incentives": {"nps_weight": weight}, "survey": {"sampler": "rep", **survey}}
    )


def decide(roster: RepRoster, policy: PolicyParams, params: RepParams | None = None) -> None:
    params = params or RepParams()
    zero = np.zeros(roster.count)
    returns = rules.tactic_returns(policy, params, candor_mean=0.5)
    roster.decide(policy, params, zero, zero, zero, returns)


def book_of(count: int, reps, satisfaction: float = 7.0) -> AccountBook:
    book = AccountBook(count)
    book.add(
        count,
        active=np.ones(count, bool),
        satisfaction=np.full(count, satisfaction),
        rep=np.asarray(reps, np.int32),
    )
    return book


# ---------------------------------------------------------------------- effort and service


def test_service_has_diminishing_returns():
    roster = roster_of(1)
    gains = roster.service_gain(
        FirmParams(), RepParams(), np.array([0.0, 1.0, 2.0, 3.0]), np.zeros(4, int)
    )
    steps = np.diff(gains)
    assert (steps > 0).all() and (np.diff(steps) < 0).all()


def test_without_a_stake_reps_give_service_only_part_of_their_hours():
    roster = roster_of(4)
    decide(roster, PolicyParams(), RepParams(service_share=0.7))
    assert roster.usage.sum() == 0.0
    assert roster.genuine_share.tolist() == pytest.approx([0.7] * 4)


def test_a_stake_raises_service_effort_where_no_tactic_pays():
    no_tactics = {"initial_propensity": dict.fromkeys(rules.TACTICS, 0.0)}
    params = RepParams(service_response=0.5, **no_tactics)
    roster = roster_of(4, **no_tactics)
    decide(roster, PolicyParams(), params)
    unpaid = roster.genuine_share.copy()
    decide(roster, bonus_policy(0.3, sampler="third_party"), params)
    assert roster.usage.sum() == 0.0
    assert (roster.genuine_share > unpaid).all()


def test_effort_does_not_respond_when_service_response_is_zero():
    no_tactics = {"initial_propensity": dict.fromkeys(rules.TACTICS, 0.0)}
    params = RepParams(service_response=0.0, **no_tactics)
    roster = roster_of(4, **no_tactics)
    decide(roster, bonus_policy(0.5, sampler="third_party"), params)
    assert roster.genuine_share.tolist() == pytest.approx([params.service_share] * 4)


def test_effort_rises_with_the_stake_at_a_falling_rate():
    roster = roster_of(1)
    params = RepParams()
    drive = np.array([0.0, 0.5, 1.0, 1.5])
    effort = roster.chosen_effort(drive, params)
    assert (np.diff(effort) > 0).all() and (np.diff(effort, 2) < 0).all()
    assert effort[0] == pytest.approx(params.service_share)


def test_a_more_convex_cost_of_effort_buys_less_effort():
    roster = roster_of(1)
    drive = np.array([1.0])
    gentle = roster.chosen_effort(drive, RepParams(effort_curvature=2.0))
    steep = roster.chosen_effort(drive, RepParams(effort_curvature=5.0))
    assert gentle > steep > RepParams().service_share


def test_nobody_works_more_than_all_their_hours():
    roster = roster_of(1)
    assert roster.chosen_effort(np.array([100.0]), RepParams())[0] == 1.0


def test_tactics_take_their_hours_from_service():
    roster = roster_of(4, integrity_mean=0.1)
    params = RepParams(integrity_mean=0.1)
    decide(roster, bonus_policy(), params)
    tactic_time = rules.time_weights(params) @ roster.usage
    assert roster.usage.sum() > 0
    np.testing.assert_allclose(roster.genuine_share, roster.effort - tactic_time)


def test_a_large_stake_on_a_gameable_survey_draws_effort_from_service():
    params = RepParams()
    small, large = roster_of(50), roster_of(50)
    decide(small, bonus_policy(0.05), params)
    decide(large, bonus_policy(1.0), params)
    assert small.genuine_share.mean() > params.service_share > large.genuine_share.mean()


def test_stress_lowers_the_quality_of_service():
    roster = roster_of(2)
    roster.tenure[:] = 10_000
    roster.stress[:] = [0.0, 1.0]
    quality = roster.quality(RepParams(stress_service_loss=0.25))
    assert quality.tolist() == pytest.approx([1.0, 0.75])


def test_new_hires_ramp_up_to_full_quality():
    roster = roster_of(3)
    roster.tenure[:] = [0, 13, 1_000]
    quality = roster.quality(RepParams(new_hire_quality=0.5, ramp_weeks=13.0))
    assert quality[0] == pytest.approx(0.5)
    assert quality[0] < quality[1] < quality[2] == pytest.approx(1.0)


def test_overwork_strains_reps():
    roster = roster_of(2)
    roster.overwork_sum[:] = [0.0, WEEKS]  # rep 1 gave up all spare hours all quarter
    roster.feel(np.arange(2), np.full(2, np.nan), np.zeros(2, bool), PolicyParams(),
                RepParams(overwork_strain=0.1), WEEKS)  # fmt: skip
    assert roster.stress[0] == 0.0 and roster.stress[1] == pytest.approx(0.1)


def test_founding_reps_have_the_tenures_of_a_settled_firm():
    roster = roster_of(4_000)
    roster.settle_tenure(np.random.default_rng(1), RepParams(base_quit_rate=0.04), WEEKS)
    # Geometric quarters with mean (1 - p) / p, plus half a quarter on average.
    expected = WEEKS * (0.96 / 0.04) + (WEEKS - 1) / 2
    assert roster.tenure.mean() == pytest.approx(expected, rel=0.05)


# ---------------------------------------------------------------------- tactics


def test_integrity_restrains_gaming():
    honest = roster_of(50, integrity_mean=0.95)
    crooked = roster_of(50, integrity_mean=0.05)
    decide(honest, bonus_policy())
    decide(crooked, bonus_policy())
    assert honest.usage.mean() < crooked.usage.mean()


def test_integrity_caps_what_a_rep_can_learn():
    roster = roster_of(2)
    roster.integrity[:] = [0.9, 0.1]
    roster.propensity[:] = 1.0
    params = RepParams(integrity_bound=1.5)
    roster.bound_by_integrity(np.arange(2), params)
    cap = 1.0 - 1.5 * rules.moral_weights(params)[:, None] * roster.integrity[None, :]
    np.testing.assert_allclose(roster.propensity, np.clip(cap, 0.0, 1.0))
    assert roster.propensity[rules.BRIBE, 0] == 0.0


def test_cherry_picking_only_where_reps_pick():
    roster = roster_of(4, integrity_mean=0.1)
    decide(roster, bonus_policy(sampler="random"))
    assert roster.usage[rules.CHERRY_PICK].sum() == 0.0
    decide(roster, bonus_policy(sampler="rep"))
    assert roster.usage[rules.CHERRY_PICK].sum() > 0.0


def test_teaching_to_the_test_needs_to_know_who_is_surveyed():
    roster = roster_of(4, integrity_mean=0.1)
    decide(roster, bonus_policy(sampler="third_party"))
    assert roster.usage[rules.TEACH_TO_TEST].sum() == 0.0


def test_teaching_to_the_test_moves_service_to_surveyed_accounts():
    roster = roster_of(1)
    roster.usage[rules.TEACH_TO_TEST] = 1.0
    book = book_of(4, np.zeros(4))
    roster.serve(book, FirmParams(), RepParams(), np.array([4]), surveyed=np.array([0]))
    assert book.satisfaction[0] > 7.0
    assert (book.satisfaction[1:] == 7.0).all()


def test_no_invitees_no_teaching_to_the_test():
    roster = roster_of(2)
    roster.usage[rules.TEACH_TO_TEST] = 1.0
    book = book_of(4, [0, 0, 1, 1])
    roster.serve(book, FirmParams(), RepParams(), np.array([2, 2]), surveyed=np.array([0]))
    assert book.satisfaction[2] == book.satisfaction[3] > 7.0  # rep 1 served as usual


def test_giveaways_stop_at_budget():
    roster = roster_of(1)
    roster.usage[rules.GIVEAWAY] = 1.0
    book = AccountBook(10)
    book.add(10, active=np.ones(10, bool), acv=np.full(10, 1000.0), rep=np.zeros(10, np.int32))
    rows = np.arange(10)
    params = RepParams(giveaway_size=0.1)
    given, cost = roster.give_away(
        np.random.default_rng(0), book, rows, np.full(10, 3.0), True, params, budget=350.0
    )
    assert given.sum() == 3 and cost == pytest.approx(300.0)
    assert roster.giveaway_spent[0] == pytest.approx(300.0)


def test_giveaways_only_to_accounts_at_risk():
    roster = roster_of(1)
    roster.usage[rules.GIVEAWAY] = 1.0
    book = AccountBook(2)
    book.add(2, active=np.ones(2, bool), acv=np.full(2, 1000.0), rep=np.zeros(2, np.int32))
    given, _ = roster.give_away(
        np.random.default_rng(0), book, np.arange(2), np.array([9.0, 4.0]), True, RepParams(), 1e9
    )
    assert given.tolist() == [False, True]


def test_blind_reps_aim_with_less_force():
    roster = roster_of(1)
    roster.usage[rules.COACH] = 1.0
    reps = np.zeros(10_000, int)
    seen = roster.aim(np.random.default_rng(0), rules.COACH, reps, True, 0.3).mean()
    blind = roster.aim(np.random.default_rng(0), rules.COACH, reps, False, 0.3).mean()
    assert seen == 1.0 and blind == pytest.approx(0.3, abs=0.02)


def test_some_pleas_are_resented():
    roster = roster_of(1)
    roster.usage[rules.COACH] = 1.0
    rows = np.arange(10_000)
    pleaded, resented = roster.plead(
        np.random.default_rng(0), rows, np.zeros_like(rows), True, 1.0, 0.2
    )
    assert pleaded.all() and resented.mean() == pytest.approx(0.2, abs=0.02)


def test_only_accounts_kept_out_count_as_cherry_picked():
    roster = roster_of(1)
    roster.usage[rules.CHERRY_PICK] = 1.0
    avoid = roster.shun(
        np.random.default_rng(0),
        np.arange(3),
        np.zeros(3, int),
        np.array([2.0, 9.0, 5.0]),
        RepParams(at_risk_below=7.0),
    )
    assert avoid.tolist() == [True, False, True]
    assert roster.uses[rules.CHERRY_PICK, 0] == 0  # flagged, not yet kept out
    roster.record_cherry_picks(np.array([0]))
    assert roster.uses[rules.CHERRY_PICK, 0] == 1


def test_reps_trade_price_for_scores_as_far_as_they_concede():
    roster = roster_of(2)
    roster.usage[rules.CONCEDE] = [0.0, 0.5]
    offered = roster.offer_discount(np.arange(2), np.full(2, 0.02), np.full(2, 0.1))
    assert offered.tolist() == pytest.approx([0.02, 0.07])


def test_honest_answers_are_tallied_apart_from_the_reported_ones():
    roster = roster_of(2)
    roster.record_answers(np.array([0, 0, 1]), np.array([10, 9, 3]))
    roster.record_honest_answers(np.array([0, 1]), np.array([7, 3]))
    assert roster.promoters.tolist() == [2, 0] and roster.honest_promoters.tolist() == [0, 0]
    assert roster.honest_detractors.tolist() == [0, 1]
    roster.start_quarter()
    assert roster.honest_responses.sum() == 0 and roster.responses.sum() == 0


# ---------------------------------------------------------------------- learning and culture


def learn(roster, payoff, caught=None, **params):
    teams = np.arange(roster.count).reshape(-1, 2)
    caught = np.zeros(teams.shape, bool) if caught is None else np.reshape(caught, teams.shape)
    roster.learn(teams, np.reshape(payoff, teams.shape), caught,
                 RepParams(**params), np.random.default_rng(0), WEEKS)  # fmt: skip


def test_learning_reinforces_tactics_that_paid():
    roster = roster_of(2)
    roster.integrity[:] = 0.0
    roster.propensity[:] = 0.5
    roster.usage_sum[:, 0] = 13.0  # rep 0 used every tactic fully all quarter
    learn(roster, [1.0, 0.0], imitation_rate=0.0, conformity=0.0)
    assert (roster.propensity[:, 0] > 0.5).all()
    assert (roster.propensity[:, 1] == 0.5).all()


def test_a_team_learns_from_its_pay_against_other_teams():
    roster = roster_of(4)
    roster.integrity[:] = 0.0
    roster.propensity[:] = 0.5
    roster.usage_sum[:] = 13.0
    learn(roster, [1.0, 1.0, 0.0, 0.0], imitation_rate=0.0, conformity=0.0)
    assert (roster.propensity[:, :2] > 0.5).all() and (roster.propensity[:, 2:] < 0.5).all()


def test_reps_imitate_the_best_paid_teammate():
    roster = roster_of(2)
    roster.integrity[:] = 0.0
    roster.propensity[:, 0] = 1.0
    roster.propensity[:, 1] = 0.0
    learn(roster, [1.0, 0.0], imitation_rate=1.0, learning_rate=0.0, conformity=0.0)
    assert roster.propensity[:, 1] == pytest.approx(np.full(6, 0.5))


def test_reps_drift_toward_their_team_s_norms():
    roster = roster_of(2)
    roster.integrity[:] = 0.0
    roster.propensity[:, 0] = 0.8
    roster.propensity[:, 1] = 0.2
    learn(roster, [0.0, 0.0], imitation_rate=0.0, learning_rate=0.0, conformity=0.5)
    assert roster.propensity[:, 0] == pytest.approx(np.full(6, 0.65))
    assert roster.propensity[:, 1] == pytest.approx(np.full(6, 0.35))


def test_caught_reps_cut_their_propensities():
    roster = roster_of(2)
    roster.integrity[:] = 0.0
    roster.propensity[:] = 0.8
    learn(roster, [0.0, 0.0], caught=[True, False], imitation_rate=0.0, conformity=0.0)
    assert roster.propensity[:, 0] == pytest.approx(np.full(6, 0.4))
    assert roster.propensity[:, 1] == pytest.approx(np.full(6, 0.8))


def test_new_hires_take_on_their_team_s_culture():
    params = RepParams(hire_acculturation=1.0, integrity_mean=0.0)
    roster = roster_of(2)
    culture = np.full((len(rules.TACTICS), 1), 0.9)
    roster.hire(np.random.default_rng(1), np.array([1]), params, culture)
    assert roster.propensity[:, 1] == pytest.approx(np.full(6, 0.9))


def test_hire_gives_fresh_traits():
    roster = roster_of(3)
    roster.stress[:] = 1.0
    roster.propensity[:] = 1.0
    roster.hire(np.random.default_rng(9), np.array([1]), RepParams())
    assert roster.stress[1] == 0.0 and roster.stress[0] == 1.0
    assert roster.propensity[:, 1].max() < 1.0


def test_a_hire_s_traits_come_only_from_its_own_draws():
    first, second = roster_of(3), roster_of(3)
    draws = np.random.default_rng(4).random((1, HIRE_DRAWS))
    first.hire(draws, np.array([2]), RepParams())
    second.hire(draws, np.array([2]), RepParams())
    assert first.integrity[2] == second.integrity[2] and first.skill[2] == second.skill[2]


def test_shortfall_raises_stress():
    roster = roster_of(2, fear_mean=0.9)
    policy = bonus_policy()
    roster.feel(np.arange(2), np.array([60.0, -50.0]), np.zeros(2, bool), policy, RepParams(),
                WEEKS)  # fmt: skip
    assert roster.stress[1] > roster.stress[0] == 0.0


def test_missing_score_causes_no_stress():
    roster = roster_of(1, fear_mean=0.9)
    roster.feel(np.arange(1), np.array([np.nan]), np.zeros(1, bool), bonus_policy(), RepParams(),
                WEEKS)  # fmt: skip
    assert roster.stress[0] == 0.0


def test_honest_reps_leave_gaming_teams_more():
    roster = roster_of(2)
    roster.integrity[:] = [0.9, 0.1]
    roster.stress[:] = 0.0
    roster.usage_sum[:] = 0.8 * WEEKS
    chance = roster.quit_chance(RepParams(), WEEKS)
    assert chance[0] > chance[1]


# ---------------------------------------------------------------------- the rep agent


def test_concession_above_cap_is_refused():
    model = NPSModel(seed=0)
    rep, manager = model.reps[0], model.managers[0]
    model.roster.usage[rules.CONCEDE, 0] = 1.0
    policy = PolicyParams.model_validate({"concessions": {"cap": 0.1}})
    assert not rep.consider_concession(2000.0, 10_000.0, policy, manager, (0.0, 0.0))
    assert rep.consider_concession(500.0, 10_000.0, policy, manager, (0.0, 0.0))


def test_large_concession_needs_manager_approval():
    model = NPSModel(seed=0)
    rep, manager = model.reps[0], model.managers[0]
    model.roster.usage[rules.CONCEDE, 0] = 1.0
    policy = PolicyParams.model_validate({"concessions": {"cap": 1.0, "approval_threshold": 100.0}})
    manager.integrity = 1.0  # an honest manager never approves
    assert not rep.consider_concession(500.0, 10_000.0, policy, manager, (0.0, 0.0))
    manager.integrity = 0.0
    assert rep.consider_concession(500.0, 10_000.0, policy, manager, (0.0, 0.0))


@pytest.mark.parametrize("sorted_rows", [True, False])
def test_giveaway_order_is_by_rep_then_row(sorted_rows):
    rng = np.random.default_rng(4)
    reps = rng.integers(0, 30, 500)
    rows = np.arange(500) * 3 if sorted_rows else rng.permutation(1_500)[:500]
    np.testing.assert_array_equal(_by_rep_then_row(reps, rows), np.lexsort((rows, reps)))
