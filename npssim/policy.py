"""The firm's policy: what the incentive scheme pays, what it threatens, and how it changes.

These are the rules reps and managers respond to. They are pure functions of the policy values
and scores, so the agents and the review can share them and tests can check them in isolation.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np

from npssim.scenario import PolicyParams, Scenario
from npssim.scenario.paths import set_path
from npssim.scenario.schema import RepParams
from npssim.tactics import (
    BRIBE,
    CHERRY_PICK,
    COACH,
    CONCEDE,
    GIVEAWAY,
    TACTIC_TABLE,
    TACTICS,
    TEACH_TO_TEST,
)

__all__ = [
    "AUDITABLE",
    "BRIBE",
    "CHERRY_PICK",
    "COACH",
    "CONCEDE",
    "GIVEAWAY",
    "TACTICS",
    "TEACH_TO_TEST",
    "WEEKS_PER_QUARTER",
    "WEEKS_PER_YEAR",
    "PolicySchedule",
    "capped_score",
    "deterrence",
    "incentive_drive",
    "manager_stakes",
    "moral_weights",
    "payout",
    "rank_and_yank",
    "survey_is_visible",
    "tactic_returns",
    "time_weights",
]

#: Tactics an audit of survey practice can uncover (tampering, not business decisions).
AUDITABLE = np.array([tactic.auditable for tactic in TACTIC_TABLE])

WEEKS_PER_QUARTER = 13
WEEKS_PER_YEAR = 52


class PolicySchedule:
    """The policy in force, and the intervention timeline that changes it at given weeks.

    The scenario loader has already validated every timeline entry, so applying one cannot fail.
    """

    def __init__(self, scenario: Scenario) -> None:
        self.current: PolicyParams = scenario.policy.model_copy(deep=True)
        self._changes: dict[int, list[tuple[str, Any]]] = defaultdict(list)
        for entry in scenario.timeline:
            self._changes[entry.week].extend(entry.set.items())

    @property
    def change_weeks(self) -> list[int]:
        """Weeks at which the timeline changes the policy (to mark on plots)."""
        return sorted(self._changes)

    def apply(self, week: int) -> bool:
        """Apply the timeline's changes for ``week``.

        Args:
            week: The week about to be simulated.

        Returns:
            True when the policy changed.
        """
        changes = self._changes.get(week)
        if not changes:
            return False
        data = self.current.model_dump()
        for dotted, value in changes:
            set_path(
                data, dotted.removeprefix("policy."), value, source="timeline", root=PolicyParams
            )
        self.current = PolicyParams.model_validate(data)
        return True


def payout(scores: np.ndarray, policy: PolicyParams) -> np.ndarray:
    """Share of the target bonus paid for each NPS score.

    Linear pays from nothing at the floor to 100% at the target, capped at ``max_payout``; a
    cliff pays all or nothing at the target. A missing score (no responses) pays nothing.

    Args:
        scores: NPS scores, -100 to 100, NaN where nothing was measured.
        policy: The policy in force.

    Returns:
        Payout multiples of the same shape.
    """
    inc = policy.incentives
    scores = np.asarray(scores, dtype=float)
    if inc.payout == "cliff":
        paid = (scores >= inc.target_nps).astype(float)
    else:
        span = max(inc.target_nps - inc.floor_nps, 1e-9)
        paid = np.clip((scores - inc.floor_nps) / span, 0.0, inc.max_payout)
    return np.where(np.isnan(scores), 0.0, paid)


def incentive_drive(
    policy: PolicyParams,
    params: RepParams,
    *,
    greed: np.ndarray,
    fear: np.ndarray,
    last_score: np.ndarray,
    on_plan: np.ndarray,
    manager_push: np.ndarray,
) -> np.ndarray:
    """How much each rep has riding on the score: the stake that drives effort and tactics.

    The drive grows with the NPS weight in pay (through greed), with the threats attached to a
    low score (through fear: rank-and-yank, performance plans), and with pressure from managers
    measured on the team's score. A cliff payout concentrates the drive on reps just short of the
    line (Schweitzer, Ordonez & Douma 2004); a team target dilutes it (free-riding).

    A rep whose last score already earned the most a linear payout pays has no more to gain
    (greed drives them no further), though they still fear losing it.

    Args:
        policy: The policy in force.
        params: The ``[reps]`` parameters.
        greed: Each rep's weight on the bonus, 0-1.
        fear: Each rep's weight on penalties, 0-1.
        last_score: Each rep's score at the last review (NaN before the first).
        on_plan: Whether each rep is on a performance plan.
        manager_push: Pressure passed down by each rep's manager.

    Returns:
        The drive of each rep, 0 when NPS is an indicator only and nobody is measured on it.
    """
    inc = policy.incentives
    threat = params.yank_threat * inc.rank_and_yank + params.plan_threat * on_plan
    scope = 1.0 if inc.scope == "individual" else params.team_scope_factor
    capped = last_score >= capped_score(policy) if inc.payout == "linear" else False
    wanting = np.where(capped, 0.0, greed)  # no score yet (NaN) is not capped
    drive = (
        params.incentive_sensitivity * inc.nps_weight * (wanting + fear * (1.0 + threat)) * scope
    )
    if inc.payout == "cliff":
        gap = inc.target_nps - last_score
        near_miss = np.exp(-((np.nan_to_num(gap) / params.near_miss_width) ** 2)) * (gap >= 0)
        span = params.near_miss_peak - params.near_miss_floor
        shape = np.where(np.isnan(gap), 1.0, params.near_miss_floor + span * near_miss)
        drive = drive * shape  # no score yet: neutral
    return drive + manager_push * fear


def capped_score(policy: PolicyParams) -> float:
    """The score at which a linear payout reaches its cap (``max_payout`` times the target)."""
    inc = policy.incentives
    return inc.floor_nps + inc.max_payout * (inc.target_nps - inc.floor_nps)


def tactic_returns(policy: PolicyParams, params: RepParams, candor_mean: float) -> np.ndarray:
    """What each tactic at full use is worth to a rep's score, per unit of drive (0-1).

    This is where survey design and customers' candour enter a rep's choice: a tactic that the
    design makes impossible is worth nothing (cherry-picking where reps do not pick, teaching to
    the test where they cannot tell who was asked); a targeted tactic is worth
    ``blind_efficiency`` of itself where reps cannot tell who was asked; and a tactic that works
    by moving answers is worth less the more candid the customers are.

    Args:
        policy: The policy in force.
        params: The ``[reps]`` parameters.
        candor_mean: Customers' mean candour (``accounts.candor_mean``).

    Returns:
        One perceived return per tactic, in :data:`TACTICS` order.
    """
    visible = survey_is_visible(policy)
    rep_samples = policy.survey.sampler == "rep"
    returns = np.ones(len(TACTIC_TABLE))
    for index, tactic in enumerate(TACTIC_TABLE):
        if (tactic.needs_rep_sampling and not rep_samples) or (
            tactic.needs_visibility and not visible
        ):
            returns[index] = 0.0
            continue
        if tactic.targeted and not visible:
            returns[index] *= params.blind_efficiency
        if tactic.shifts_answer:
            returns[index] *= 1.0 - candor_mean
    return returns


def moral_weights(params: RepParams) -> np.ndarray:
    """The moral weight of each tactic, in :data:`TACTICS` order."""
    return np.array([getattr(params.moral_weight, name) for name in TACTICS])


def time_weights(params: RepParams) -> np.ndarray:
    """Share of the week each tactic takes at full use, in :data:`TACTICS` order."""
    return params.time_cost * np.array([getattr(params.time_weight, name) for name in TACTICS])


def manager_stakes(policy: PolicyParams) -> float:
    """How much a team's score matters to its manager, 0-1: their own NPS pay, or their reps'."""
    inc = policy.incentives
    return min(1.0, inc.manager_nps_weight + inc.nps_weight)


def deterrence(
    policy: PolicyParams,
    params: RepParams,
    manager_audit_probability: np.ndarray,
    greed: np.ndarray,
    fear: np.ndarray,
) -> np.ndarray:
    """Expected penalty a rep weighs before using an auditable tactic.

    Args:
        policy: The policy in force.
        params: The ``[reps]`` parameters.
        manager_audit_probability: Chance per quarter that each rep's manager spot-checks them.
        greed: Each rep's weight on the bonus (what a forfeit costs them).
        fear: Each rep's weight on penalties.

    Returns:
        The deterrence of each rep, in the same units as the drive.
    """
    audits = policy.audits
    risk = 1.0 - (1.0 - audits.probability) * (1.0 - manager_audit_probability)
    penalty = audits.forfeit * greed * policy.incentives.nps_weight + fear * (
        params.penalty_fear + params.firing_fear * audits.fire_on_detection
    )
    return params.deterrence_scale * risk * audits.detection * penalty


def rank_and_yank(
    scores: np.ndarray, yearly_fraction: float, rng: np.random.Generator
) -> np.ndarray:
    """Pick the reps fired this quarter for the lowest scores.

    Args:
        scores: Each rep's score this quarter (NaN counts as lowest).
        yearly_fraction: Share of reps fired per year; a quarter fires a quarter of it, a
            fractional rep rounded up or down at random so that the yearly share holds.
        rng: Breaks ties between equal scores and rounds the count.

    Returns:
        Indices of the reps to fire.
    """
    expected = len(scores) * yearly_fraction / 4.0
    whole = int(np.floor(expected))
    tie_break = rng.random(len(scores))
    count = whole + int(rng.random() < expected - whole)  # right on average, quarter by quarter
    if count <= 0:
        return np.empty(0, dtype=np.int64)
    order = np.lexsort((tie_break, np.nan_to_num(scores, nan=-1e9)))
    return np.sort(order[:count])


def survey_is_visible(policy: PolicyParams) -> bool:
    """Whether a rep can tell which customers were asked (so targeted tactics can aim)."""
    survey = policy.survey
    if survey.sampler == "third_party":
        return False
    return survey.sampler == "rep" or not survey.anonymous
