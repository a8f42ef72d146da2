"""The firm's policy: what the incentive scheme pays, what it threatens, and how it changes.

These are the firm's rules, pure functions of the policy values and scores, so that the pay plan,
the reps and the review share them and tests can check them in isolation. How a rep *responds*
to them (the stake, the tactics' worth) lives with the rep (:class:`~npssim.agents.RepRoster`)
and the pay plan (:class:`~npssim.agents.PayPlan`).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np

from npssim.scenario import PolicyParams, Scenario
from npssim.scenario.paths import set_path
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
    "manager_stakes",
    "nps_bonus_target",
    "payout",
    "rank_and_yank",
    "survey_is_visible",
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


def capped_score(policy: PolicyParams) -> float:
    """The score at which a linear payout reaches its cap (``max_payout`` times the target)."""
    inc = policy.incentives
    return inc.floor_nps + inc.max_payout * (inc.target_nps - inc.floor_nps)


def manager_stakes(policy: PolicyParams) -> float:
    """How much a team's score matters to its manager, 0-1: their own NPS pay, or their reps'."""
    inc = policy.incentives
    return min(1.0, inc.manager_nps_weight + inc.nps_weight)


def nps_bonus_target(policy: PolicyParams) -> float:
    """A rep's quarterly NPS bonus at full payout: the NPS weight's share of variable pay."""
    quarters_per_year = WEEKS_PER_YEAR / WEEKS_PER_QUARTER
    return policy.incentives.nps_weight * policy.pay.variable_target / quarters_per_year


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
