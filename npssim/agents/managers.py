"""Sales managers: they pass pressure down, condone or audit gaming, and run the reviews.

Managers are few, so each is an ordinary Mesa agent. Their weekly influence on reps (pressure,
condoning, the chance of a spot-check) and their follow-up of detractors are gathered into arrays
by :func:`team_influence` from each manager's own methods; the quarterly reviews of every team run
at once in :func:`review_teams`, one team per row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import mesa
import numpy as np

from npssim import policy as rules
from npssim.agents.reps import RepRoster
from npssim.scenario.schema import ManagerParams, PolicyParams
from npssim.survey import grouped_nps


@dataclass
class TeamReview:
    """What the quarterly reviews decided, one row per team and one column per teammate.

    Attributes:
        slots: The teams' rep slots.
        score: The score each rep was judged on (their own NPS or the team's).
        honest_score: What honest answers from an unpicked sample would have scored.
        bonus: Bonus paid to each rep.
        deserved: Bonus the honest score would have earned.
        caught: Whether an audit caught each rep.
        manager_bonus: Each manager's own NPS bonus.
        manager_deserved: Each manager's bonus on the team's honest score.
    """

    slots: np.ndarray
    score: np.ndarray
    honest_score: np.ndarray
    bonus: np.ndarray
    deserved: np.ndarray
    caught: np.ndarray
    manager_bonus: np.ndarray
    manager_deserved: np.ndarray

    @property
    def paid(self) -> float:
        """Everything the reviews paid in NPS bonuses, reps' and managers'."""
        return float(self.bonus.sum() + self.manager_bonus.sum())

    @property
    def earned(self) -> float:
        """What the same bonuses would have paid on the honest scores."""
        return float(self.deserved.sum() + self.manager_deserved.sum())

    @property
    def unearned(self) -> float:
        """Bonus paid above what the honest scores earned, person by person (never negative)."""
        reps = np.maximum(0.0, self.bonus - self.deserved).sum()
        managers = np.maximum(0.0, self.manager_bonus - self.manager_deserved).sum()
        return float(reps + managers)


def approval_chance(
    integrity: np.ndarray | float, policy: PolicyParams, params: ManagerParams
) -> np.ndarray | float:
    """Chance a manager approves a large concession or discount.

    A complicit manager approves; the more their own pay rides on the score, the readier they
    are. A manager of full integrity approves none traded for a score.
    """
    stakes = rules.manager_stakes(policy)
    return (1.0 - integrity) * (params.approval_base + (1.0 - params.approval_base) * stakes)


class Manager(mesa.Agent):
    """A sales manager with a team of reps.

    The manager's conduct is a handful of short methods, read once a week (or once a review) for
    every manager at a time, so a subclass changes it everywhere it applies.

    Attributes:
        index: The manager's slot (reps ``index * team_size`` onward are the team).
        integrity: 0-1. Low integrity condones gaming when the score matters to the manager;
            high integrity spot-checks survey practice and follows up detractors.
    """

    def __init__(self, model: mesa.Model, index: int, integrity: float) -> None:
        super().__init__(model)
        self.index = index
        self.integrity = integrity

    def approval_chance(self, policy: PolicyParams) -> float:
        """Chance this manager approves a large concession or discount traded for a score."""
        return float(approval_chance(self.integrity, policy, self.model.params.managers))

    def approve(self, amount: float, policy: PolicyParams, draw: float) -> bool:
        """Approve a large concession? A complicit manager whose pay rides on the score will."""
        return draw < self.approval_chance(policy)

    def audit_probability(self, params: ManagerParams) -> float:
        """Chance per quarter that this manager spot-checks a rep's survey practice."""
        return params.audit_probability * self.integrity

    def pressure(self, policy: PolicyParams) -> float:
        """Pressure on the score this manager passes down: more the more their pay rides on it."""
        return self.model.params.managers.push_scale * policy.incentives.manager_nps_weight

    def condoning(self, policy: PolicyParams) -> float:
        """How far this manager condones their reps' gaming, 0-1."""
        return float(condoning(self.integrity, policy, self.model.params.managers))

    def follow_up_chance(self, policy: PolicyParams) -> float:
        """Chance this manager calls a detractor back to fix the cause (closed loop)."""
        chance = follow_up_chances(
            np.array([self.integrity]),
            policy,
            self.model.params.managers,
            np.array([self.condoning(policy)]),
        )
        return float(chance[0])


def review_teams(
    roster: RepRoster,
    teams: np.ndarray,
    policy: PolicyParams,
    params: ManagerParams,
    manager_audit: np.ndarray,
    rng: np.random.Generator,
) -> TeamReview:
    """Run every team's quarterly review at once: scores, audits, bonuses, performance plans.

    The score is each rep's own NPS or the team's, as policy says; the bonus follows the payout
    rule; an audit (the firm's, or the manager's spot-check) that uncovers gaming forfeits the
    bonus. What the same rule would have paid on the honest answers of an unpicked sample is
    kept beside it: the difference is the bonus paid for inflated scores.

    Args:
        roster: The reps' state.
        teams: Every team's rep slots, one team per row (row ``m`` is manager ``m``'s team).
        policy: The policy in force.
        params: The ``[managers]`` parameters.
        manager_audit: Each manager's chance per quarter of spot-checking a rep.
        rng: The reviews' random stream.

    Returns:
        The reviews' decisions and payments.
    """
    inc = policy.incentives
    score, team_score = _scores(
        roster.promoters[teams], roster.detractors[teams], roster.responses[teams], inc.scope
    )
    honest, honest_team = _scores(
        roster.honest_promoters[teams],
        roster.honest_detractors[teams],
        roster.honest_responses[teams],
        inc.scope,
    )

    used = roster.uses[:, teams] > 0  # tactics x teams x teammates
    found = policy.audits.detection * (used & rules.AUDITABLE[:, None, None])
    detect = 1.0 - np.prod(1.0 - found, axis=0)
    audit_chance = 1.0 - (1.0 - policy.audits.probability) * (1.0 - manager_audit[:, None])
    draws = rng.random((2, teams.size))
    caught = (draws[0].reshape(teams.shape) < audit_chance) & (
        draws[1].reshape(teams.shape) < detect
    )

    scale = rules.nps_bonus_target(policy)
    bonus = scale * rules.payout(score, policy)
    bonus = np.where(caught, bonus * (1.0 - policy.audits.forfeit), bonus)
    deserved = scale * rules.payout(honest, policy)

    manager_scale = params.bonus_target * inc.manager_nps_weight
    roster.record_review(
        teams.ravel(),
        score.ravel(),
        (inc.nps_weight > 0) & (score.ravel() < inc.plan_threshold),
    )
    return TeamReview(
        slots=teams,
        score=score,
        honest_score=honest,
        bonus=bonus,
        deserved=deserved,
        caught=caught,
        manager_bonus=manager_scale * rules.payout(team_score, policy),
        manager_deserved=manager_scale * rules.payout(honest_team, policy),
    )


def _scores(
    promoters: np.ndarray, detractors: np.ndarray, responses: np.ndarray, scope: str
) -> tuple[np.ndarray, np.ndarray]:
    """Each rep's score (own, or the team's under a team target), and each team's score.

    The counts are one team per row. A rep with no responses of their own is judged on the
    team's score.
    """
    team = grouped_nps(promoters.sum(axis=1), detractors.sum(axis=1), responses.sum(axis=1))
    if scope == "team":
        return np.repeat(team[:, None], promoters.shape[1], axis=1), team
    own = grouped_nps(promoters, detractors, responses)
    return np.where(np.isnan(own), team[:, None], own), team


#: The bulk form of each of :class:`Manager`'s conduct methods: the same arithmetic over every
#: manager's integrity at once, used while no manager's class overrides the method (or, for
#: the follow-up, the condoning it reads).
_BULK_CONDUCT: dict[str, Callable[[np.ndarray, PolicyParams, ManagerParams], np.ndarray]] = {
    "pressure": lambda integrity, policy, params: np.full(
        integrity.size, params.push_scale * policy.incentives.manager_nps_weight
    ),
    "condoning": lambda integrity, policy, params: np.broadcast_to(
        condoning(integrity, policy, params), integrity.shape
    ),
    "audit_probability": lambda integrity, policy, params: params.audit_probability * integrity,
    "approval_chance": lambda integrity, policy, params: np.broadcast_to(
        approval_chance(integrity, policy, params), integrity.shape
    ),
    "follow_up_chance": lambda integrity, policy, params: follow_up_chances(
        integrity, policy, params
    ),
}

#: Methods whose result another conduct method reads, so overriding them changes it too.
_READS = {"follow_up_chance": ("condoning",)}


def conduct(
    managers: Sequence[Manager], method: str, policy: PolicyParams, params: ManagerParams
) -> np.ndarray:
    """Every manager's answer to one of :class:`Manager`'s conduct methods, by manager slot.

    Managers are asked one by one only when a subclass overrides the method: otherwise the
    same arithmetic runs once over every manager's integrity (:data:`_BULK_CONDUCT`), which
    gives the same numbers without a Python call per manager per week.

    Args:
        managers: The managers, by manager slot.
        method: ``pressure``, ``condoning``, ``audit_probability``, ``approval_chance`` or
            ``follow_up_chance``.
        policy: The policy in force.
        params: The ``[managers]`` parameters.
    """
    names = (method, *_READS.get(method, ()))
    kinds = {type(manager) for manager in managers}
    if all(getattr(kind, name) is getattr(Manager, name) for kind in kinds for name in names):
        integrity = np.fromiter((m.integrity for m in managers), float, len(managers))
        return _BULK_CONDUCT[method](integrity, policy, params)
    argument = params if method == "audit_probability" else policy
    return np.array([getattr(manager, method)(argument) for manager in managers], dtype=float)


def team_influence(
    managers: Sequence[Manager], policy: PolicyParams, params: ManagerParams, roster: RepRoster
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each rep's pressure, condoning and spot-check chance, from their manager's own methods.

    Each manager is asked once (:meth:`Manager.pressure`, :meth:`Manager.condoning`,
    :meth:`Manager.audit_probability`, through :func:`conduct`), so a subclass that changes
    one of them changes what every rep in the team feels.

    Args:
        managers: The managers, by manager slot.
        policy: The policy in force.
        params: The ``[managers]`` parameters.
        roster: The reps (for who reports to whom).

    Returns:
        Per rep: pressure passed down, how far gaming is condoned (0-1), and the chance per
        quarter of a spot-check by the manager.
    """
    team = roster.manager
    return (
        conduct(managers, "pressure", policy, params)[team],
        conduct(managers, "condoning", policy, params)[team],
        conduct(managers, "audit_probability", policy, params)[team],
    )


def condoning(
    integrity: np.ndarray | float, policy: PolicyParams, params: ManagerParams
) -> np.ndarray | float:
    """How far managers condone gaming (0-1): those of low integrity whose pay rides on it."""
    return params.condone_effect * (1.0 - integrity) * rules.manager_stakes(policy)


def follow_up_chances(
    integrity: np.ndarray,
    policy: PolicyParams,
    params: ManagerParams,
    condone: np.ndarray | None = None,
) -> np.ndarray:
    """Chance each manager calls a detractor back to fix the cause (closed loop).

    Policy sets the share asked for; a manager of lower integrity does less of it, a manager
    measured on the score does more (a good an incentive can buy), and a manager who condones
    gaming does less again. Where answers are anonymous, only the detractors who agreed to be
    contacted can be reached; an independent survey firm that is not anonymous passes the
    detractors' names to managers, not to reps.

    Args:
        integrity: Each manager's integrity, by manager slot.
        policy: The policy in force.
        params: The ``[managers]`` parameters.
        condone: How far each manager condones gaming (:func:`condoning` by default).

    Returns:
        One chance per manager.
    """
    stakes = rules.manager_stakes(policy)
    if condone is None:
        condone = condoning(integrity, policy, params)
    chance = (
        policy.follow_up.closed_loop
        * (1.0 - params.follow_up_integrity * (1.0 - integrity))
        * (1.0 + params.follow_up_stake_gain * stakes)
        * (1.0 - condone)
    )
    if policy.survey.anonymous:
        chance = chance * policy.follow_up.anonymous_reach
    return np.clip(chance, 0.0, 1.0)
