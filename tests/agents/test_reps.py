import numpy as np
import pytest

from npssim import NPSModel
from npssim import policy as rules
from npssim.agents.accounts import AccountBook
from npssim.agents.reps import RepRoster
from npssim.scenario import PolicyParams
from npssim.scenario.schema import FirmParams, RepParams


def roster_of(count=2, **params) -> RepRoster:
    roster = RepRoster(count, team_size=count)
    roster.hire(np.random.default_rng(0), np.arange(count), RepParams(**params))
    return roster


def bonus_policy(**survey) -> PolicyParams:
    return PolicyParams.model_validate(
        {"incentives": {"nps_weight": 0.5}, "survey": {"sampler": "rep", **survey}}
    )


def decide(roster: RepRoster, policy: PolicyParams, params: RepParams | None = None) -> None:
    zero = np.zeros(roster.count)
    roster.decide(policy, params or RepParams(), zero, zero, zero)


def test_service_has_diminishing_returns():
    roster = roster_of(1)
    firm = FirmParams()
    gains = roster.service_gain(firm, np.array([0.0, 1.0, 2.0, 3.0]), np.zeros(4, int))
    steps = np.diff(gains)
    assert (steps > 0).all() and (np.diff(steps) < 0).all()


def test_no_gaming_without_incentives():
    roster = roster_of(4)
    decide(roster, PolicyParams())
    assert roster.usage.sum() == 0.0
    assert roster.genuine_share.tolist() == [1.0] * 4


def test_incentives_take_time_from_service():
    roster = roster_of(4, integrity_mean=0.1)
    decide(roster, bonus_policy())
    assert roster.usage.sum() > 0
    assert (roster.genuine_share < 1.0).all()


def test_integrity_restrains_gaming():
    honest = roster_of(50, integrity_mean=0.95)
    crooked = roster_of(50, integrity_mean=0.05)
    decide(honest, bonus_policy())
    decide(crooked, bonus_policy())
    assert honest.usage.mean() < crooked.usage.mean()


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
    book = AccountBook(4)
    book.add(4, active=np.ones(4, bool), satisfaction=np.full(4, 7.0), rep=np.zeros(4, np.int32))
    roster.serve(book, FirmParams(), np.array([4]), surveyed=np.array([0]))
    assert book.satisfaction[0] > 7.0
    assert (book.satisfaction[1:] == 7.0).all()


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


def test_learning_reinforces_tactics_that_paid():
    roster = roster_of(2)
    roster.propensity[:] = 0.5
    roster.usage_sum[:, 0] = 13.0  # rep 0 used every tactic fully all quarter
    roster.learn(
        np.arange(2),
        np.array([1.0, 0.0]),
        np.zeros(2, bool),
        RepParams(imitation_rate=0.0),
        np.random.default_rng(0),
        13,
    )
    assert (roster.propensity[:, 0] > 0.5).all()
    assert (roster.propensity[:, 1] == 0.5).all()


def test_reps_imitate_the_best_paid_teammate():
    roster = roster_of(2)
    roster.propensity[:, 0] = 1.0
    roster.propensity[:, 1] = 0.0
    roster.learn(
        np.arange(2),
        np.array([1.0, 0.0]),
        np.zeros(2, bool),
        RepParams(imitation_rate=1.0, learning_rate=0.0),
        np.random.default_rng(0),
        13,
    )
    assert roster.propensity[:, 1] == pytest.approx(np.full(6, 0.5))


def test_caught_reps_cut_their_propensities():
    roster = roster_of(2)
    roster.propensity[:] = 0.8
    roster.learn(
        np.arange(2),
        np.zeros(2),
        np.array([True, False]),
        RepParams(imitation_rate=0.0),
        np.random.default_rng(0),
        13,
    )
    assert roster.propensity[:, 0] == pytest.approx(np.full(6, 0.4))


def test_teams_learn_together_as_they_would_one_after_another():
    def fresh() -> RepRoster:
        roster = RepRoster(9, team_size=3)
        roster.hire(np.random.default_rng(0), np.arange(9), RepParams())
        roster.usage_sum[:] = np.random.default_rng(1).random(roster.usage_sum.shape) * 13
        return roster

    teams = np.arange(9).reshape(3, 3)
    payoff = np.random.default_rng(2).random((3, 3))
    caught = np.zeros((3, 3), bool)
    caught[1, 2] = True
    params = RepParams(imitation_rate=0.5)
    together, one_by_one = fresh(), fresh()
    together.learn(teams, payoff, caught, params, np.random.default_rng(3), 13)
    rng = np.random.default_rng(3)
    for team in range(3):
        one_by_one.learn(teams[team], payoff[team], caught[team], params, rng, 13)
    np.testing.assert_array_equal(together.propensity, one_by_one.propensity)


def test_shortfall_raises_stress():
    roster = roster_of(2, fear_mean=0.9)
    policy = bonus_policy()
    roster.feel(np.arange(2), np.array([60.0, -50.0]), np.zeros(2, bool), policy, RepParams())
    assert roster.stress[1] > roster.stress[0] == 0.0


def test_honest_reps_leave_gaming_teams_more():
    roster = roster_of(2)
    roster.integrity[:] = [0.9, 0.1]
    roster.stress[:] = 0.0
    roster.usage[:] = 0.8
    chance = roster.quit_chance(RepParams())
    assert chance[0] > chance[1]


def test_hire_gives_fresh_traits():
    roster = roster_of(3)
    roster.stress[:] = 1.0
    roster.propensity[:] = 1.0
    roster.hire(np.random.default_rng(9), np.array([1]), RepParams())
    assert roster.stress[1] == 0.0 and roster.stress[0] == 1.0
    assert roster.propensity[:, 1].max() < 1.0


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


def test_only_accounts_kept_out_count_as_cherry_picked():
    roster = roster_of(1)
    roster.usage[rules.CHERRY_PICK] = 1.0
    avoid = roster.shun(
        np.random.default_rng(0), np.arange(3), np.zeros(3, int), np.array([2.0, 9.0, 5.0])
    )
    assert avoid.tolist() == [True, False, True]
    assert roster.uses[rules.CHERRY_PICK, 0] == 0  # flagged, not yet kept out
    roster.record_cherry_picks(np.array([0]))
    assert roster.uses[rules.CHERRY_PICK, 0] == 1


def test_no_invitees_no_teaching_to_the_test():
    roster = roster_of(2)
    roster.usage[rules.TEACH_TO_TEST] = 1.0
    book = AccountBook(4)
    book.add(
        4,
        active=np.ones(4, bool),
        satisfaction=np.full(4, 7.0),
        rep=np.array([0, 0, 1, 1], np.int32),
    )
    roster.serve(book, FirmParams(), np.array([2, 2]), surveyed=np.array([0]))
    assert book.satisfaction[2] == book.satisfaction[3] > 7.0  # rep 1 served as usual


def test_missing_score_causes_no_stress():
    roster = roster_of(1, fear_mean=0.9)
    roster.feel(np.arange(1), np.array([np.nan]), np.zeros(1, bool), bonus_policy(), RepParams())
    assert roster.stress[0] == 0.0
