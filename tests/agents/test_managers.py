import numpy as np
import pytest

from npssim import NPSModel
from npssim import policy as rules
from npssim.agents.managers import (
    Manager,
    approval_chance,
    conduct,
    follow_up_chances,
    review_teams,
    team_influence,
)
from npssim.agents.reps import RepRoster
from npssim.scenario import PolicyParams
from npssim.scenario.schema import ManagerParams, RepParams

TEAM = np.arange(3)[None, :]


def roster_with(promoters, detractors, responses, honest=None, uses=None) -> RepRoster:
    """Three reps in one team, with this quarter's tallies (honest ones as reported if unset)."""
    roster = RepRoster(3, team_size=3)
    roster.hire(np.random.default_rng(0), np.arange(3), RepParams())
    roster.promoters[:], roster.detractors[:], roster.responses[:] = (
        promoters,
        detractors,
        responses,
    )
    honest = honest or (promoters, detractors, responses)
    roster.honest_promoters[:], roster.honest_detractors[:], roster.honest_responses[:] = honest
    if uses is not None:
        roster.uses[:] = uses
    return roster


def reviewed(policy: PolicyParams, roster: RepRoster, audit: float = 0.0):
    return review_teams(
        roster, TEAM, policy, ManagerParams(), np.array([audit]), np.random.default_rng(0)
    )


def bonus_policy(**extra) -> PolicyParams:
    data = {
        "incentives": {
            "nps_weight": 0.5,
            "target_nps": 50.0,
            "floor_nps": 0.0,
            **extra.pop("incentives", {}),
        },
        # A quarterly bonus of 500 at full payout: half of a quarter of 4,000.
        "pay": {"variable_target": 4_000.0},
    }
    data.update(extra)
    return PolicyParams.model_validate(data)


def test_individual_scope_pays_each_rep_on_own_score():
    review = reviewed(bonus_policy(), roster_with([10, 5, 0], [0, 0, 0], [10, 10, 10]))
    assert review.score.ravel().tolist() == [100.0, 50.0, 0.0]
    assert review.bonus.ravel().tolist() == pytest.approx([750.0, 500.0, 0.0])


def test_team_scope_pays_everyone_the_team_score():
    policy = bonus_policy(incentives={"scope": "team"})
    review = reviewed(policy, roster_with([10, 5, 0], [0, 0, 0], [10, 10, 10]))
    assert review.score.ravel().tolist() == [50.0, 50.0, 50.0]


def test_a_rep_without_responses_is_judged_on_the_team_score():
    review = reviewed(bonus_policy(), roster_with([10, 0, 0], [0, 0, 0], [10, 10, 0]))
    assert review.score.ravel().tolist() == [100.0, 0.0, 50.0]


def test_bonus_above_what_honest_answers_earn_is_unearned():
    honest = ([0, 5, 10], [0, 0, 0], [10, 10, 10])
    review = reviewed(bonus_policy(), roster_with([10, 10, 10], [0, 0, 0], [10, 10, 10], honest))
    assert review.deserved.ravel().tolist() == pytest.approx([0.0, 500.0, 750.0])
    assert review.unearned == pytest.approx(750.0 + 250.0)


def test_honest_scores_earn_the_whole_bonus():
    review = reviewed(bonus_policy(), roster_with([8, 5, 1], [1, 1, 1], [10, 10, 10]))
    assert review.paid == pytest.approx(review.earned)
    assert review.unearned == 0.0


def test_indicator_only_pays_no_bonus():
    review = reviewed(PolicyParams(), roster_with([10, 10, 10], [0, 0, 0], [10, 10, 10]))
    assert review.paid == 0.0 and review.unearned == 0.0


def test_managers_are_paid_on_the_team_score():
    policy = bonus_policy(incentives={"manager_nps_weight": 0.5})
    review = reviewed(policy, roster_with([10, 5, 0], [0, 0, 0], [10, 10, 10]))
    target = ManagerParams().bonus_target
    assert review.manager_bonus.tolist() == pytest.approx([0.5 * target * 1.0])


def test_audit_catches_auditable_tactics_and_forfeits_bonus():
    policy = bonus_policy(audits={"probability": 1.0, "detection": 1.0, "forfeit": 1.0})
    uses = np.zeros((len(rules.TACTICS), 3), int)
    uses[rules.COACH, 0] = 3  # auditable
    uses[rules.GIVEAWAY, 1] = 3  # a business decision, not tampering
    review = reviewed(policy, roster_with([10, 10, 10], [0, 0, 0], [10, 10, 10], uses=uses))
    assert review.caught.ravel().tolist() == [True, False, False]
    assert review.bonus[0, 0] == 0.0 and review.bonus[0, 1] > 0.0


def test_a_forfeited_bonus_saves_the_pay_honest_scores_would_have_earned():
    policy = bonus_policy(audits={"probability": 1.0, "detection": 1.0, "forfeit": 1.0})
    uses = np.zeros((len(rules.TACTICS), 3), int)
    uses[rules.COACH] = 1
    review = reviewed(policy, roster_with([10, 10, 10], [0, 0, 0], [10, 10, 10], uses=uses))
    assert review.paid == 0.0 and review.earned > 0.0


def test_poor_score_puts_rep_on_plan():
    policy = bonus_policy(incentives={"plan_threshold": 20.0})
    roster = roster_with([1, 9, 5], [5, 0, 0], [10, 10, 10])
    reviewed(policy, roster)
    assert roster.on_plan.tolist() == [True, False, False]
    assert roster.last_score.tolist() == pytest.approx([-40.0, 90.0, 50.0])


def test_reviews_of_many_teams_match_reviews_one_team_at_a_time():
    rng = np.random.default_rng(3)
    roster = RepRoster(12, team_size=4)
    roster.hire(rng, np.arange(12), RepParams())
    roster.responses[:] = rng.integers(1, 20, 12)
    roster.promoters[:] = rng.integers(0, 1, 12) + roster.responses // 2
    roster.detractors[:] = roster.responses // 4
    roster.honest_responses[:] = roster.responses
    roster.honest_promoters[:] = roster.promoters // 2
    policy = bonus_policy(incentives={"manager_nps_weight": 0.3})
    teams = np.arange(12).reshape(3, 4)
    together = review_teams(
        roster, teams, policy, ManagerParams(), np.zeros(3), np.random.default_rng(0)
    )
    for team in range(3):
        alone = review_teams(
            roster, teams[team : team + 1], policy, ManagerParams(), np.zeros(1),
            np.random.default_rng(0),
        )  # fmt: skip
        np.testing.assert_allclose(alone.bonus[0], together.bonus[team])
        np.testing.assert_allclose(alone.manager_bonus[0], together.manager_bonus[team])


def test_managers_condone_only_when_the_score_matters():
    model = NPSModel(seed=0)
    managers = model.managers
    _, condone, _ = team_influence(managers, PolicyParams(), ManagerParams(), model.roster)
    assert condone.max() == 0.0
    _, condone, _ = team_influence(managers, bonus_policy(), ManagerParams(), model.roster)
    assert condone.max() > 0.0


def test_measured_managers_push_their_reps():
    model = NPSModel(seed=0)
    measured = PolicyParams.model_validate({"incentives": {"manager_nps_weight": 0.5}})
    push, _, _ = team_influence(model.managers, measured, ManagerParams(), model.roster)
    assert (push > 0).all()


def test_honest_managers_spot_check_more():
    model = NPSModel(seed=0)
    for manager in model.managers:
        manager.integrity = 0.0
    model.managers[0].integrity = 1.0
    _, _, audit = team_influence(model.managers, PolicyParams(), ManagerParams(), model.roster)
    team = model.roster.manager
    assert audit[team == 0].min() > audit[team == 1].max()


def test_each_rep_feels_what_their_own_manager_s_methods_say():
    class Lenient(Manager):
        def condoning(self, policy):
            return 0.9

        def audit_probability(self, params):
            return 0.0

    class LenientFirm(NPSModel):
        manager_class = Lenient

    model = LenientFirm(seed=0)
    _, condone, audit = team_influence(
        model.managers, PolicyParams(), ManagerParams(), model.roster
    )
    assert (condone == 0.9).all() and (audit == 0.0).all()


def test_complicit_managers_approve_more_when_their_stake_grows():
    params = ManagerParams()
    honest = approval_chance(1.0, bonus_policy(), params)
    indifferent = approval_chance(0.2, PolicyParams(), params)
    staked = approval_chance(0.2, bonus_policy(incentives={"manager_nps_weight": 0.5}), params)
    assert honest == 0.0 and staked > indifferent > 0.0


def test_follow_up_grows_with_managers_stake_and_integrity():
    params = ManagerParams(condone_effect=0.0)
    asked = {"follow_up": {"closed_loop": 0.5}}
    indicator = PolicyParams.model_validate(asked)
    measured = PolicyParams.model_validate({**asked, "incentives": {"manager_nps_weight": 0.5}})
    integrity = np.array([0.2, 0.9])
    low, high = follow_up_chances(integrity, indicator, params)
    assert high > low
    assert (follow_up_chances(integrity, measured, params) > [low, high]).all()


def test_condoning_gaming_takes_follow_up_away():
    measured = PolicyParams.model_validate(
        {"follow_up": {"closed_loop": 0.5}, "incentives": {"manager_nps_weight": 0.5}}
    )
    integrity = np.array([0.3])
    condoning = follow_up_chances(integrity, measured, ManagerParams(condone_effect=0.9))
    strict = follow_up_chances(integrity, measured, ManagerParams(condone_effect=0.0))
    assert condoning[0] < strict[0]


def test_anonymous_answers_reach_only_detractors_who_agree_to_a_call():
    data = {"follow_up": {"closed_loop": 0.5, "anonymous_reach": 0.4}}
    named = PolicyParams.model_validate(data)
    anonymous = PolicyParams.model_validate({**data, "survey": {"anonymous": True}})
    integrity = np.array([0.8])
    assert follow_up_chances(integrity, anonymous, ManagerParams())[0] == pytest.approx(
        0.4 * follow_up_chances(integrity, named, ManagerParams())[0]
    )


def test_no_follow_up_unless_policy_asks_for_it():
    assert follow_up_chances(np.array([1.0]), bonus_policy(), ManagerParams())[0] == 0.0


@pytest.mark.parametrize(
    "method",
    ["pressure", "condoning", "audit_probability", "approval_chance", "follow_up_chance"],
)
def test_managers_asked_in_bulk_answer_as_when_asked_one_by_one(method):
    model = NPSModel("nps_bonus", seed=3, **{"policy.follow_up.closed_loop": 0.5})
    policy, params = model.policy, model.params.managers
    argument = params if method == "audit_probability" else policy
    one_by_one = [getattr(manager, method)(argument) for manager in model.managers]
    assert conduct(model.managers, method, policy, params).tolist() == one_by_one


def test_overriding_condoning_changes_every_managers_follow_up():
    class Complicit(Manager):
        def condoning(self, policy):
            return 1.0

    class ComplicitFirm(NPSModel):
        manager_class = Complicit

    model = ComplicitFirm(seed=0, **{"policy.follow_up.closed_loop": 0.5})
    chances = conduct(model.managers, "follow_up_chance", model.policy, model.params.managers)
    assert (chances == 0.0).all()
