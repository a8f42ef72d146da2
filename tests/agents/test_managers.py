import numpy as np
import pytest

from npssim import NPSModel
from npssim import policy as rules
from npssim.agents.managers import team_influence
from npssim.scenario import PolicyParams
from npssim.scenario.schema import ManagerParams


def reviewed(policy: PolicyParams, promoters, detractors, responses, true_score, uses=None):
    model = NPSModel(seed=0)
    roster = model.roster
    slots = np.arange(3)
    roster.promoters[slots] = promoters
    roster.detractors[slots] = detractors
    roster.responses[slots] = responses
    if uses is not None:
        roster.uses[:, slots] = uses
    manager = model.managers[0]
    return manager.review(
        roster,
        slots,
        np.asarray(true_score, float),
        float(np.mean(true_score)),
        policy,
        ManagerParams(audit_probability=0.0),
        np.random.default_rng(0),
    )


def bonus_policy(**extra) -> PolicyParams:
    data = {
        "incentives": {
            "nps_weight": 0.5,
            "bonus_target": 1000.0,
            "target_nps": 50.0,
            "floor_nps": 0.0,
            **extra.pop("incentives", {}),
        }
    }
    data.update(extra)
    return PolicyParams.model_validate(data)


def test_individual_scope_pays_each_rep_on_own_score():
    review = reviewed(bonus_policy(), [10, 5, 0], [0, 0, 0], [10, 10, 10], [50, 50, 50])
    assert review.score.tolist() == [100.0, 50.0, 0.0]
    assert review.bonus.tolist() == pytest.approx([750.0, 500.0, 0.0])


def test_team_scope_pays_everyone_the_team_score():
    policy = bonus_policy(incentives={"scope": "team"})
    review = reviewed(policy, [10, 5, 0], [0, 0, 0], [10, 10, 10], [50, 50, 50])
    assert review.score.tolist() == [50.0, 50.0, 50.0]


def test_bonus_for_inflation_is_unearned():
    review = reviewed(bonus_policy(), [10, 10, 10], [0, 0, 0], [10, 10, 10], [0, 50, 100])
    assert review.unearned.tolist() == pytest.approx([750.0, 250.0, 0.0])


def test_indicator_only_pays_no_bonus():
    review = reviewed(PolicyParams(), [10, 10, 10], [0, 0, 0], [10, 10, 10], [0, 0, 0])
    assert review.bonus.sum() == 0.0 and review.unearned.sum() == 0.0


def test_audit_catches_auditable_tactics_and_forfeits_bonus():
    policy = bonus_policy(audits={"probability": 1.0, "detection": 1.0, "forfeit": 1.0})
    uses = np.zeros((len(rules.TACTICS), 3), int)
    uses[rules.COACH, 0] = 3  # auditable
    uses[rules.GIVEAWAY, 1] = 3  # a business decision, not tampering
    review = reviewed(policy, [10, 10, 10], [0, 0, 0], [10, 10, 10], [0, 0, 0], uses)
    assert review.caught.tolist() == [True, False, False]
    assert review.bonus[0] == 0.0 and review.bonus[1] > 0.0


def test_poor_score_puts_rep_on_plan():
    policy = bonus_policy(incentives={"plan_threshold": 20.0})
    model_review = reviewed(policy, [1, 9, 5], [5, 0, 0], [10, 10, 10], [0, 0, 0])
    assert model_review.score[0] < 20.0


def test_managers_condone_only_when_the_score_matters():
    model = NPSModel(seed=0)
    _, condone, _ = team_influence(model.managers, PolicyParams(), ManagerParams(), model.roster)
    assert condone.max() == 0.0
    _, condone, _ = team_influence(model.managers, bonus_policy(), ManagerParams(), model.roster)
    assert condone.max() > 0.0


def test_measured_managers_push_their_reps():
    model = NPSModel(seed=0)
    measured = PolicyParams.model_validate({"incentives": {"manager_nps_weight": 0.5}})
    push, _, _ = team_influence(model.managers, measured, ManagerParams(), model.roster)
    assert (push > 0).all()


def test_honest_managers_spot_check_more():
    model = NPSModel(seed=0)
    model.managers[0].integrity, model.managers[1].integrity = 1.0, 0.0
    _, _, audit = team_influence(model.managers, PolicyParams(), ManagerParams(), model.roster)
    team = model.roster.manager
    assert audit[team == 0].min() > audit[team == 1].max()
