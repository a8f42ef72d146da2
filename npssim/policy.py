"""The firm's policy: what the incentive scheme pays, what it threatens, and how it changes.

These are the rules reps and managers respond to. They are pure functions of the policy values
and scores, so the agents and the review can share them and tests can check them in isolation.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np

from npssim.scenario import PolicyParams, Scenario

#: The score-management tactics a rep can use, in the order of every per-tactic array.
TACTICS: tuple[str, ...] = (
    "cherry_pick",
    "teach_to_test",
    "coach",
    "bribe",
    "concede",
    "giveaway",
)
CHERRY_PICK, TEACH_TO_TEST, COACH, BRIBE, CONCEDE, GIVEAWAY = range(len(TACTICS))

#: Relative moral cost of each tactic: bribing feels worse than a free service.
MORAL_WEIGHT = np.array([0.5, 0.15, 0.35, 1.0, 0.25, 0.1])
#: Relative share of the week each tactic takes at full use (sums to 1; see ``reps.time_cost``).
TIME_WEIGHT = np.array([0.1, 0.0, 0.4, 0.15, 0.1, 0.25])
#: Tactics an audit of survey practice can uncover (tampering, not business decisions).
AUDITABLE = np.array([True, False, True, True, False, False])

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
            *tables, leaf = dotted.split(".")[1:]
            node = data
            for table in tables:
                node = node[table]
            node[leaf] = value
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
    *,
    greed: np.ndarray,
    fear: np.ndarray,
    last_score: np.ndarray,
    on_plan: np.ndarray,
    sensitivity: float,
    team_scope_factor: float,
    manager_push: np.ndarray,
) -> np.ndarray:
    """How hard the scheme pushes each rep toward the score rather than the customer.

    The drive grows with the NPS weight in pay (through greed), with the threats attached to a
    low score (through fear: rank-and-yank, performance plans), and with pressure from managers
    measured on the team's score. A cliff payout concentrates the drive on reps just short of the
    line (Schweitzer, Ordóñez & Douma 2004); a team target dilutes it (free-riding).

    Args:
        policy: The policy in force.
        greed: Each rep's weight on the bonus, 0-1.
        fear: Each rep's weight on penalties, 0-1.
        last_score: Each rep's score at the last review (NaN before the first).
        on_plan: Whether each rep is on a performance plan.
        sensitivity: ``reps.incentive_sensitivity``.
        team_scope_factor: ``reps.team_scope_factor``.
        manager_push: Pressure passed down by each rep's manager.

    Returns:
        The drive of each rep, 0 when NPS is an indicator only and nobody is measured on it.
    """
    inc = policy.incentives
    threat = 2.0 * inc.rank_and_yank + 0.5 * on_plan
    scope = 1.0 if inc.scope == "individual" else team_scope_factor
    drive = sensitivity * inc.nps_weight * (greed + fear * (1.0 + threat)) * scope
    if inc.payout == "cliff":
        gap = inc.target_nps - last_score
        near_miss = np.exp(-((np.nan_to_num(gap) / 20.0) ** 2)) * (gap >= 0)
        shape = np.where(np.isnan(gap), 1.0, 0.6 + 1.4 * near_miss)  # no score yet: neutral
        drive = drive * shape
    return drive + manager_push * fear


def manager_stakes(policy: PolicyParams) -> float:
    """How much a team's score matters to its manager, 0-1: their own NPS pay, or their reps'."""
    inc = policy.incentives
    return min(1.0, inc.manager_nps_weight + inc.nps_weight)


def deterrence(
    policy: PolicyParams,
    manager_audit_probability: np.ndarray,
    greed: np.ndarray,
    fear: np.ndarray,
) -> np.ndarray:
    """Expected penalty a rep weighs before using an auditable tactic.

    Args:
        policy: The policy in force.
        manager_audit_probability: Chance per quarter that each rep's manager spot-checks them.
        greed: Each rep's weight on the bonus (what a forfeit costs them).
        fear: Each rep's weight on penalties.

    Returns:
        The deterrence of each rep, in the same units as the drive.
    """
    audits = policy.audits
    risk = 1.0 - (1.0 - audits.probability) * (1.0 - manager_audit_probability)
    penalty = audits.forfeit * greed * policy.incentives.nps_weight + fear * (
        0.5 + 2.0 * audits.fire_on_detection
    )
    return 2.0 * risk * audits.detection * penalty


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
