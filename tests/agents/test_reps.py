import numpy as np
import pytest

from npssim import NPSModel
from npssim import policy as rules
from npssim.agents.accounts import AccountBook
from npssim.agents.reps import HIRE_DRAWS, RepRoster, _by_rep_then_row, contribution, table
from npssim.mechanisms.pay import PayPlan
from npssim.scenario import PolicyParams
from npssim.scenario.schema import FirmParams, RepParams

WEEKS = 13
NO_TACTICS = {"prior_belief": dict.fromkeys(rules.TACTICS, 0.0)}


def roster_of(count=2, **params) -> RepRoster:
    roster = RepRoster(count, team_size=count)
    roster.hire(np.random.default_rng(0), np.arange(count), RepParams(**params))
    return roster


def bonus_policy(weight: float = 0.5, **survey) -> PolicyParams:
    return PolicyParams.model_validate(
        {"incentives": {"nps_weight": weight}, "survey": {"sampler": "rep", **survey}}
    )


def decide(
    roster: RepRoster,
    policy: PolicyParams,
    params: RepParams | None = None,
    *,
    stake: np.ndarray | None = None,
) -> None:
    """One week's choice, with the stake the pay plan gives (or the one given)."""
    params = params or RepParams()
    zero = np.zeros(roster.count)
    plan = PayPlan(np.full(roster.count, 1e6))
    if stake is None:
        stake = plan.stake(
            policy,
            params,
            greed=roster.greed,
            fear=roster.fear,
            last_score=roster.last_score,
            on_plan=roster.on_plan,
            manager_push=zero,
        )
    roster.decide(
        policy,
        params,
        FirmParams(),
        stake=stake,
        drive=plan.drive(stake, policy, params),
        hour_value=plan.hour_value(policy, FirmParams().service_hours_per_rep),
        condone=zero,
        manager_audit_probability=zero,
    )


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
    params = RepParams(service_response=0.5, **NO_TACTICS)
    roster = roster_of(4, **NO_TACTICS)
    decide(roster, PolicyParams(), params)
    unpaid = roster.genuine_share.copy()
    decide(roster, bonus_policy(0.3, sampler="third_party"), params)
    assert roster.usage.sum() == 0.0
    assert (roster.genuine_share > unpaid).all()


def test_effort_does_not_respond_when_service_response_is_zero():
    params = RepParams(service_response=0.0, **NO_TACTICS)
    roster = roster_of(4, **NO_TACTICS)
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


def test_the_hours_a_week_s_uses_take_come_out_of_next_week_s_service():
    roster = roster_of(2)
    params = RepParams(tactic_hours={"coach": 2.0})
    roster.record_uses(rules.COACH, np.array([1, 1, 1]), params)  # three pleas by rep 1
    assert roster.hours_spent.tolist() == [0.0, 6.0]
    decide(roster, PolicyParams(), params)
    hours = FirmParams().service_hours_per_rep
    np.testing.assert_allclose(roster.genuine_share, roster.effort - np.array([0.0, 6.0 / hours]))
    decide(roster, PolicyParams(), params)  # the hours were spent once
    np.testing.assert_allclose(roster.genuine_share, roster.effort)


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


def test_nothing_riding_on_the_score_means_no_tactic_is_used():
    roster = roster_of(20, integrity_mean=0.0)
    decide(roster, PolicyParams())
    assert roster.stake.sum() == 0.0 and roster.usage.sum() == 0.0


def test_a_rep_uses_a_tactic_only_where_its_expected_pay_beats_its_cost():
    roster = roster_of(3)
    roster.integrity[:] = 0.0
    roster.belief[:] = 50.0
    roster.expected_answers[:] = 10.0
    stake = np.array([0.0, 1.0, 100.0])  # a point of score worth nothing, 1, 100
    decide(roster, bonus_policy(), stake=stake)
    value = roster.use_value()
    cost = roster.use_cost(
        bonus_policy(),
        RepParams(),
        PayPlan(np.ones(3)).hour_value(bonus_policy(), FirmParams().service_hours_per_rep),
        np.zeros(3),
        np.zeros(3),
    )
    reach = roster.reach(bonus_policy(), RepParams())[:, None]
    unprofitable = value - cost / reach <= 0
    assert (roster.usage[unprofitable] == 0).all()
    assert (roster.usage[:, 2] > roster.usage[:, 1]).all()


def test_use_grows_with_the_belief_and_falls_with_the_moral_cost():
    policy = bonus_policy()
    low, high = roster_of(10, integrity_mean=0.3), roster_of(10, integrity_mean=0.3)
    low.belief[:] = 20.0
    high.belief[:] = 80.0
    decide(low, policy)
    decide(high, policy)
    assert high.usage.sum() > low.usage.sum()
    cheap, dear = roster_of(10, integrity_mean=0.3), roster_of(10, integrity_mean=0.3)
    decide(cheap, policy, RepParams(moral_cost=1_000.0))
    decide(dear, policy, RepParams(moral_cost=20_000.0))
    assert cheap.usage.sum() > dear.usage.sum()


def test_chance_of_use_is_the_chance_the_net_gain_beats_an_exponential_hassle():
    roster = roster_of(1)
    params = RepParams(choice_noise=100.0)
    chance = roster.chance_of_use(np.array([-50.0, 0.0, 100.0]), params)
    assert chance.tolist() == pytest.approx([0.0, 0.0, 1.0 - np.exp(-1.0)])


def test_where_reps_cannot_tell_who_was_asked_a_targeted_use_costs_more():
    roster = roster_of(1)
    seen = roster.reach(bonus_policy(), RepParams(blind_efficiency=0.25))
    blind = roster.reach(bonus_policy(sampler="third_party"), RepParams(blind_efficiency=0.25))
    assert seen[rules.COACH] == 1.0 and blind[rules.COACH] == 0.25
    assert blind[rules.CHERRY_PICK] == 0.0 and blind[rules.TEACH_TO_TEST] == 0.0


def test_no_concession_is_granted_that_the_rep_s_pay_does_not_justify():
    roster = roster_of(2)
    roster.integrity[:] = 0.0
    roster.belief[rules.CONCEDE] = 100.0
    roster.expected_answers[:] = 10.0
    decide(roster, bonus_policy(), stake=np.full(2, 50.0))  # one use worth 500
    params = RepParams()
    zero_draws = np.zeros(2)  # the most willing draw there is
    affordable = roster.willing_to_concede(np.arange(2), np.zeros(2), zero_draws, params)
    too_dear = roster.willing_to_concede(np.arange(2), np.full(2, 501.0), zero_draws, params)
    assert affordable.all() and not too_dear.any()


def test_the_more_a_concession_costs_in_commission_the_fewer_are_granted():
    roster = roster_of(1)
    roster.integrity[:] = 0.0
    roster.belief[rules.CONCEDE] = 100.0
    roster.expected_answers[:] = 10.0
    decide(roster, bonus_policy(), stake=np.full(1, 50.0))
    draws = np.random.default_rng(2).random(5_000)
    reps = np.zeros(5_000, int)
    cheap = roster.willing_to_concede(reps, np.full(5_000, 10.0), draws, RepParams()).mean()
    dear = roster.willing_to_concede(reps, np.full(5_000, 200.0), draws, RepParams()).mean()
    assert cheap > dear


def test_under_a_team_target_an_answer_is_a_smaller_part_of_the_score_judged():
    roster = RepRoster(4, team_size=2)
    roster.hire(np.random.default_rng(0), np.arange(4), RepParams())
    roster.expected_answers[:] = [3.0, 5.0, 2.0, 2.0]
    team = PolicyParams.model_validate({"incentives": {"nps_weight": 0.5, "scope": "team"}})
    decide(roster, team, stake=np.ones(4))
    assert roster.judged_answers.tolist() == [8.0, 8.0, 4.0, 4.0]
    decide(roster, bonus_policy(), stake=np.ones(4))
    assert roster.judged_answers.tolist() == [3.0, 5.0, 2.0, 2.0]


def test_an_answer_s_contribution_is_what_it_adds_to_an_nps():
    scores = np.array([10, 9, 8, 7, 6, 0])
    assert contribution(scores).tolist() == [100, 100, 0, 0, -100, -100]
    assert contribution(scores).mean() == pytest.approx(0.0)


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


def serve(roster, book, sizes, surveyed, params=None):
    rng = np.random.default_rng(0)
    return roster.serve(rng, book, FirmParams(), params or RepParams(), sizes, surveyed)


def test_teaching_to_the_test_moves_service_to_surveyed_accounts():
    roster = roster_of(1)
    roster.usage[rules.TEACH_TO_TEST] = 1.0
    book = book_of(4, np.zeros(4))
    params = RepParams(tactic_effect={"teach_to_test": 1.0})
    untaught = book_of(4, np.zeros(4))
    RepRoster.serve(roster_of(1), np.random.default_rng(0), untaught, FirmParams(), params,
                    np.array([4]))  # fmt: skip
    taught = serve(roster, book, np.array([4]), np.array([0]), params)
    assert book.satisfaction[0] > 7.0
    assert (book.satisfaction[1:] == 7.0).all()
    # What the moved hours added is what the rep reads as the tactic's effect.
    assert taught[0] == pytest.approx(book.satisfaction[0] - untaught.satisfaction[0])
    assert roster.uses[rules.TEACH_TO_TEST, 0] == 1


def test_teaching_to_the_test_to_no_effect_moves_nothing_but_is_still_a_use():
    roster = roster_of(1)
    roster.usage[rules.TEACH_TO_TEST] = 1.0
    book = book_of(4, np.zeros(4))
    params = RepParams(tactic_effect={"teach_to_test": 0.0})
    taught = serve(roster, book, np.array([4]), np.array([0]), params)
    assert taught.tolist() == [0.0] and roster.uses[rules.TEACH_TO_TEST, 0] == 1
    assert book.satisfaction[0] == book.satisfaction[1]


def test_no_invitees_no_teaching_to_the_test():
    roster = roster_of(2)
    roster.usage[rules.TEACH_TO_TEST] = 1.0
    book = book_of(4, [0, 0, 1, 1])
    serve(roster, book, np.array([2, 2]), np.array([0]))
    assert book.satisfaction[2] == book.satisfaction[3] > 7.0  # rep 1 served as usual
    assert roster.uses[rules.TEACH_TO_TEST].tolist() == [1, 0]


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
        np.random.default_rng(0), rows, np.zeros_like(rows), True, RepParams(), 0.2
    )
    assert pleaded.all() and resented.mean() == pytest.approx(0.2, abs=0.02)
    assert roster.uses[rules.COACH, 0] == rows.size


def test_cherry_picking_tries_only_at_risk_accounts_and_succeeds_as_its_effect_says():
    roster = roster_of(1)
    roster.usage[rules.CHERRY_PICK] = 1.0
    perceived = np.tile([2.0, 9.0], 5_000)
    rows = np.arange(perceived.size)
    for effect, share in ((1.0, 1.0), (0.4, 0.4), (0.0, 0.0)):
        params = RepParams(at_risk_below=7.0, tactic_effect={"cherry_pick": effect})
        tried, kept_out = roster.shun(
            np.random.default_rng(0), rows, np.zeros_like(rows), perceived, params
        )
        assert tried.tolist() == (perceived < 7.0).tolist()
        assert kept_out.sum() / tried.sum() == pytest.approx(share, abs=0.02)


def test_honest_answers_are_tallied_apart_from_the_reported_ones():
    roster = roster_of(2)
    roster.record_answers(np.array([0, 0, 1]), np.array([10, 9, 3]))
    roster.record_honest_answers(np.array([0, 1]), np.array([7, 3]))
    assert roster.promoters.tolist() == [2, 0] and roster.honest_promoters.tolist() == [0, 0]
    assert roster.honest_detractors.tolist() == [0, 1]
    roster.start_quarter()
    assert roster.honest_responses.sum() == 0 and roster.responses.sum() == 0


# ---------------------------------------------------------------------- learning and culture


def learn(roster, paid=None, caught=None, **params):
    teams = np.arange(roster.count).reshape(-1, 2)
    paid = np.zeros(teams.shape) if paid is None else np.reshape(paid, teams.shape)
    caught = np.zeros(teams.shape, bool) if caught is None else np.reshape(caught, teams.shape)
    quiet = {"imitation_rate": 0.0, "conformity": 0.0, "peer_evidence": 0.0, "outcome_noise": 0.0}
    roster.learn(teams, paid, caught, RepParams(**{**quiet, **params}), np.random.default_rng(0))


def used(roster, tactic, rep, times, gain_each, answered=None):
    """``rep`` used ``tactic`` ``times`` times, ``answered`` of them read from an answer."""
    answered = times if answered is None else answered
    roster.uses[tactic, rep] += times
    roster.record_gains(tactic, np.full(answered, rep), np.full(answered, gain_each))


def test_beliefs_move_toward_what_the_uses_achieved():
    roster = roster_of(2)
    roster.belief[:] = 50.0
    roster.experience[:] = 4.0
    used(roster, rules.COACH, 0, 12, 10.0)
    learn(roster, belief_memory=0.5)
    # (0.5 x 4 x 50 + 12 x 10) / (0.5 x 4 + 12)
    assert roster.belief[rules.COACH, 0] == pytest.approx((100.0 + 120.0) / 14.0)
    assert roster.belief[rules.COACH, 1] == 50.0  # not used, nothing learned
    assert roster.experience[rules.COACH, 0] == pytest.approx(14.0)


def test_a_tactic_that_achieves_nothing_loses_its_belief():
    roster = roster_of(2)
    roster.belief[:] = 60.0
    roster.experience[:] = 5.0
    beliefs = []
    for _quarter in range(4):
        used(roster, rules.BRIBE, 0, 5, 0.0)
        learn(roster)
        roster.start_quarter()
        beliefs.append(roster.belief[rules.BRIBE, 0])
    assert (np.diff(beliefs) < 0).all() and beliefs[-1] < 0.15 * 60.0


def test_a_use_whose_customer_never_answered_counts_as_achieving_nothing():
    roster = roster_of(2)
    roster.belief[:] = 40.0
    roster.experience[:] = 0.0
    used(roster, rules.CONCEDE, 0, 4, 80.0, answered=1)
    learn(roster)
    assert roster.belief[rules.CONCEDE, 0] == pytest.approx(20.0)


def test_the_noise_in_what_a_rep_reads_grows_with_the_answers_read():
    spreads = []
    for answered in (1, 16):
        beliefs = []
        for seed in range(400):
            roster = roster_of(2)
            roster.experience[:] = 0.0
            used(roster, rules.COACH, 0, 16, 0.0, answered=answered)
            teams = np.arange(2).reshape(1, 2)
            roster.learn(teams, np.zeros((1, 2)), np.zeros((1, 2), bool),
                         RepParams(imitation_rate=0.0, conformity=0.0, peer_evidence=0.0,
                                   outcome_noise=80.0), np.random.default_rng(seed))  # fmt: skip
            beliefs.append(roster.belief[rules.COACH, 0])
        spreads.append(np.std(beliefs))
    # The mean of 16 uses read from n answers: s.d. 80 x sqrt(n) / 16.
    assert spreads[0] == pytest.approx(80.0 / 16, rel=0.15)
    assert spreads[1] == pytest.approx(80.0 * 4 / 16, rel=0.15)


def test_reps_learn_from_what_teammates_uses_achieved():
    roster = roster_of(2)
    roster.belief[:] = 50.0
    roster.experience[:] = 0.0
    used(roster, rules.COACH, 0, 10, 0.0)
    learn(roster, peer_evidence=0.5)
    assert roster.belief[rules.COACH, 1] == pytest.approx(0.0)  # heard it achieved nothing


def test_reps_imitate_the_best_paid_teammate():
    roster = roster_of(2)
    roster.belief[:, 0] = 100.0
    roster.belief[:, 1] = 0.0
    learn(roster, [1.0, 0.0], imitation_rate=1.0)
    assert roster.belief[:, 1] == pytest.approx(np.full(6, 50.0))


def test_reps_drift_toward_their_team_s_norms():
    roster = roster_of(2)
    roster.belief[:, 0] = 80.0
    roster.belief[:, 1] = 20.0
    learn(roster, conformity=0.5)
    assert roster.belief[:, 0] == pytest.approx(np.full(6, 65.0))
    assert roster.belief[:, 1] == pytest.approx(np.full(6, 35.0))


def test_caught_reps_cut_their_beliefs():
    roster = roster_of(2)
    roster.belief[:] = 80.0
    learn(roster, caught=[True, False])
    assert roster.belief[:, 0] == pytest.approx(np.full(6, 40.0))
    assert roster.belief[:, 1] == pytest.approx(np.full(6, 80.0))


def test_a_quarter_s_answers_set_how_many_a_rep_expects_next():
    roster = roster_of(2)
    roster.record_answers(np.array([0, 0, 0, 1]), np.array([9, 9, 3, 10]))
    learn(roster)
    assert roster.expected_answers.tolist() == [3.0, 1.0]


def test_new_hires_take_on_their_team_s_culture():
    params = RepParams(hire_acculturation=1.0, integrity_mean=0.0)
    roster = roster_of(2)
    culture = np.full((len(rules.TACTICS), 1), 90.0)
    roster.hire(np.random.default_rng(1), np.array([1]), params, culture)
    assert roster.belief[:, 1] == pytest.approx(np.full(6, 90.0))


def test_new_hires_bring_folk_beliefs_around_the_prior():
    roster = roster_of(2_000, belief_concentration=50.0)
    prior = table(RepParams().prior_belief)
    np.testing.assert_allclose(roster.belief.mean(axis=1), prior, rtol=0.05)
    assert (roster.experience == RepParams().prior_weight).all()


def test_hire_gives_fresh_traits():
    roster = roster_of(3)
    roster.stress[:] = 1.0
    roster.belief[:] = 1_000.0
    roster.hire(np.random.default_rng(9), np.array([1]), RepParams())
    assert roster.stress[1] == 0.0 and roster.stress[0] == 1.0
    assert roster.belief[:, 1].max() < 1_000.0


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


def willing_rep(model):
    roster = model.roster
    roster.integrity[0] = 0.0
    roster.belief[rules.CONCEDE, 0] = 100.0
    roster.stake[0] = 1_000.0
    roster.expected_answers[0] = 1.0
    return model.reps[0], model.managers[0]


def test_concession_above_cap_is_refused():
    model = NPSModel(seed=0)
    rep, manager = willing_rep(model)
    params = model.params.reps
    policy = PolicyParams.model_validate({"concessions": {"cap": 0.1}})
    assert not rep.consider_concession(2000.0, 10_000.0, policy, params, manager, 0.0, (0.0, 0.0))
    assert rep.consider_concession(500.0, 10_000.0, policy, params, manager, 0.0, (0.0, 0.0))
    assert model.roster.uses[rules.CONCEDE, 0] == 1


def test_a_concession_whose_commission_outweighs_the_score_is_refused():
    model = NPSModel(seed=0)
    rep, manager = willing_rep(model)
    params = model.params.reps
    policy = PolicyParams.model_validate({"concessions": {"cap": 1.0}})
    # The score is worth 100,000 to the rep; a concession of 5,000 at a rate of 30 costs 150,000.
    assert not rep.consider_concession(5_000.0, 1e6, policy, params, manager, 30.0, (0.0, 0.0))
    assert rep.consider_concession(5_000.0, 1e6, policy, params, manager, 0.03, (0.0, 0.0))


def test_large_concession_needs_manager_approval():
    model = NPSModel(seed=0)
    rep, manager = willing_rep(model)
    params = model.params.reps
    policy = PolicyParams.model_validate({"concessions": {"cap": 1.0, "approval_threshold": 100.0}})
    manager.integrity = 1.0  # an honest manager never approves
    assert not rep.consider_concession(500.0, 10_000.0, policy, params, manager, 0.0, (0.0, 0.0))
    manager.integrity = 0.0
    assert rep.consider_concession(500.0, 10_000.0, policy, params, manager, 0.0, (0.0, 0.0))


@pytest.mark.parametrize("sorted_rows", [True, False])
def test_giveaway_order_is_by_rep_then_row(sorted_rows):
    rng = np.random.default_rng(4)
    reps = rng.integers(0, 30, 500)
    rows = np.arange(500) * 3 if sorted_rows else rng.permutation(1_500)[:500]
    np.testing.assert_array_equal(_by_rep_then_row(reps, rows), np.lexsort((rows, reps)))
