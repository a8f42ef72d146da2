"""Sales managers: they pass pressure down, condone or audit gaming, and run the reviews.

Managers are few, so each is an ordinary Mesa agent. Their weekly influence on reps (pressure,
condoning, the chance of a spot-check) is gathered into arrays by :func:`team_influence`; their
quarterly review of a team is plain Python over that team's slots.
"""

from __future__ import annotations

from dataclasses import dataclass

import mesa
import numpy as np

from npssim import policy as rules
from npssim.agents.reps import RepRoster
from npssim.scenario.schema import ManagerParams, PolicyParams
from npssim.survey import grouped_nps


@dataclass
class TeamReview:
    """What one manager's quarterly review decided for each rep of the team (by team order)."""

    slots: np.ndarray
    score: np.ndarray
    true_score: np.ndarray
    bonus: np.ndarray
    unearned: np.ndarray
    caught: np.ndarray
    manager_bonus: float
    manager_unearned: float


class Manager(mesa.Agent):
    """A sales manager with a team of reps.

    Attributes:
        index: The manager's slot (reps ``index * team_size`` onward are the team).
        integrity: 0-1. Low integrity condones gaming when the score matters to the manager;
            high integrity spot-checks survey practice and follows up detractors.
    """

    def __init__(self, model: mesa.Model, index: int, integrity: float) -> None:
        super().__init__(model)
        self.index = index
        self.integrity = integrity

    def approve(self, amount: float, policy: PolicyParams, draw: float) -> bool:
        """Approve a large concession? A complicit manager whose pay rides on the score will."""
        chance = (1.0 - self.integrity) * (0.5 + 0.5 * rules.manager_stakes(policy))
        return draw < chance

    def follow_up_chance(self, policy: PolicyParams) -> float:
        """Chance this manager calls back a detractor, where policy asks for closed loops."""
        return policy.follow_up.closed_loop * (0.5 + 0.5 * self.integrity)

    def review(
        self,
        roster: RepRoster,
        slots: np.ndarray,
        true_score: np.ndarray,
        true_team: float,
        policy: PolicyParams,
        params: ManagerParams,
        rng: np.random.Generator,
    ) -> TeamReview:
        """Run the quarterly review of a team: scores, audits, bonuses, performance plans.

        The score is each rep's own NPS or the team's, as policy says; the bonus follows the
        payout rule; an audit (firm or manager) that uncovers gaming forfeits the bonus. The
        "unearned" bonus is what was paid above the bonus the honest census would have earned.

        Args:
            roster: The reps' state.
            slots: The team's rep slots.
            true_score: Honest census NPS of each team member's book.
            true_team: Honest census NPS of the whole team's accounts.
            policy: The policy in force.
            params: The ``[managers]`` parameters.
            rng: The reviews' random stream.

        Returns:
            The review's decisions and payments.
        """
        inc = policy.incentives
        promoters = roster.promoters[slots]
        detractors = roster.detractors[slots]
        responses = roster.responses[slots]
        team_score = grouped_nps(promoters.sum(), detractors.sum(), responses.sum())
        own_score = grouped_nps(promoters, detractors, responses)
        own_score = np.where(np.isnan(own_score), team_score, own_score)
        if inc.scope == "team":
            score = np.full(slots.size, team_score, dtype=float)
            honest = np.full(slots.size, true_team)
        else:
            score, honest = own_score, true_score

        used = roster.uses[:, slots] > 0
        detect = 1.0 - np.prod(
            1.0 - policy.audits.detection * (used & rules.AUDITABLE[:, None]), axis=0
        )
        audit_chance = 1.0 - (1.0 - policy.audits.probability) * (
            1.0 - self.audit_probability(params)
        )
        caught = (rng.random(slots.size) < audit_chance) & (rng.random(slots.size) < detect)

        scale = inc.bonus_target * inc.nps_weight
        bonus = scale * rules.payout(score, policy)
        bonus = np.where(caught, bonus * (1.0 - policy.audits.forfeit), bonus)
        deserved = scale * rules.payout(honest, policy)
        unearned = np.maximum(0.0, bonus - deserved)

        manager_scale = params.bonus_target * inc.manager_nps_weight
        manager_bonus = manager_scale * float(rules.payout(np.array([team_score]), policy)[0])
        manager_deserved = manager_scale * float(rules.payout(np.array([true_team]), policy)[0])

        roster.on_plan[slots] = (inc.nps_weight > 0) & (score < inc.plan_threshold)
        roster.last_score[slots] = score
        return TeamReview(
            slots=slots,
            score=score,
            true_score=honest,
            bonus=bonus,
            unearned=unearned,
            caught=caught,
            manager_bonus=manager_bonus,
            manager_unearned=max(0.0, manager_bonus - manager_deserved),
        )

    def audit_probability(self, params: ManagerParams) -> float:
        """Chance per quarter that this manager spot-checks a rep's survey practice."""
        return params.audit_probability * self.integrity


def team_influence(
    managers: list[Manager], policy: PolicyParams, params: ManagerParams, roster: RepRoster
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each rep's pressure, condoning and spot-check chance, from their manager.

    Returns:
        Per rep: pressure passed down, how far gaming is condoned (0-1), and the chance per
        quarter of a spot-check by the manager.
    """
    integrity = np.array([m.integrity for m in managers])
    stakes = rules.manager_stakes(policy)
    push = params.push_scale * policy.incentives.manager_nps_weight * np.ones(len(managers))
    condone = params.condone_effect * (1.0 - integrity) * stakes
    audit = params.audit_probability * integrity
    team = roster.manager
    return push[team], condone[team], audit[team]
