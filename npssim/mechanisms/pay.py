"""The reps' pay plan: base salary, variable pay on sales, and the part of it that rides on NPS.

A rep is paid as B2B reps are (Chung, Steenburgh & Sudhir 2014): a base salary, and variable pay
split between a sales component (a commission on the revenue of the rep's accounts, or a quota
bonus on attainment) and, where the policy says so, an NPS bonus. The NPS bonus is funded from
variable pay: ``policy.incentives.nps_weight`` of the variable target moves from sales to the
score. So the plan itself bounds what a rep will trade away for a score: a discount costs the
rep the commission on it, a cost that falls as the NPS weight rises (Holmstrom & Milgrom 1991).

:class:`PayPlan` is the model's component for everything pay: what each rep is paid, what a
point of score is worth to each rep (the *stake*, computed once a week here and read by the
reps' choices), and what a unit of revenue given up costs a rep. A researcher changes how reps
are paid by subclassing it and naming the subclass in ``NPSModel.pay_class``.
"""

from __future__ import annotations

import numpy as np

from npssim import policy as rules
from npssim.scenario.schema import PolicyParams, RepParams

#: NPS points in the score's full range of a "unit" stake: a rep's drive is the share of its
#: quarterly variable target that 100 points of score would move (a unit of measure, not a
#: behaviour: it only expresses the stake in the dimensionless form effort reads).
DRIVE_POINTS = 100.0


class PayPlan:
    """What each rep is paid, and what a point of score and a unit of revenue are worth to them.

    Args:
        quota: Each rep slot's yearly quota (currency): ``policy.pay.quota_share`` of the list
            revenue of the book the slot starts with. A new hire inherits the slot's quota.

    Attributes:
        quota: As above.
        revenue: Revenue (at contract prices) of each rep's accounts so far this quarter.
        paid_variable: Each rep's variable pay (sales component and NPS bonus) at the last
            review, as a share of what its own book at quota and the bonus at target would pay:
            what imitation compares, so a big book alone is no sign of success.
    """

    def __init__(self, quota: np.ndarray) -> None:
        self.quota = np.asarray(quota, dtype=float)
        self.revenue = np.zeros(self.quota.size)
        self.paid_variable = np.zeros(self.quota.size)

    # ------------------------------------------------------------------ amounts

    @staticmethod
    def quarterly_variable_target(policy: PolicyParams) -> float:
        """A rep's variable pay at target for one quarter."""
        return policy.pay.variable_target * rules.WEEKS_PER_QUARTER / rules.WEEKS_PER_YEAR

    @staticmethod
    def weekly_salary(policy: PolicyParams) -> float:
        """A rep's base salary for one week."""
        return policy.pay.base_salary / rules.WEEKS_PER_YEAR

    def hour_value(self, policy: PolicyParams, hours_per_week: float) -> float:
        """What an hour of a rep's time is worth to the rep: on-target pay per account hour.

        An hour spent on a tactic is an hour not spent on the work the rep is paid for, so its
        opportunity cost is the pay an hour earns at target.
        """
        pay = policy.pay
        return (pay.base_salary + pay.variable_target) / (
            rules.WEEKS_PER_YEAR * max(hours_per_week, 1e-9)
        )

    def book_revenue(self, revenue: np.ndarray) -> None:
        """Add a week's revenue of each rep's accounts (at their contract prices)."""
        self.revenue += revenue

    def sales_pay(self, policy: PolicyParams) -> np.ndarray:
        """Each rep's sales component for the quarter now ending.

        Commission: ``(1 - nps_weight) x commission_rate`` of the revenue. Quota: the sales
        share of the quarterly variable target times attainment, paid at ``accelerator`` times
        the rate above quota and not at all below ``cliff``.
        """
        pay, weight = policy.pay, policy.incentives.nps_weight
        if pay.plan == "commission":
            return (1.0 - weight) * pay.commission_rate * self.revenue
        attainment = self.attainment()
        above = np.maximum(attainment - 1.0, 0.0)
        paid = np.minimum(attainment, 1.0) + pay.accelerator * above
        paid = np.where(attainment < pay.cliff, 0.0, paid)
        return (1.0 - weight) * self.quarterly_variable_target(policy) * paid

    def attainment(self) -> np.ndarray:
        """Each rep's revenue this quarter as a share of a quarter's quota."""
        quarter_quota = self.quota * rules.WEEKS_PER_QUARTER / rules.WEEKS_PER_YEAR
        return self.revenue / np.maximum(quarter_quota, 1e-9)

    def close_quarter(self, policy: PolicyParams, nps_bonus: np.ndarray) -> np.ndarray:
        """Pay the quarter's sales component, keep each rep's variable pay, start a new quarter.

        Args:
            policy: The policy in force.
            nps_bonus: Each rep's NPS bonus this quarter (after any forfeit).

        Returns:
            Each rep's sales component.
        """
        sales = self.sales_pay(policy)
        target = self.on_target_sales(policy) + rules.nps_bonus_target(policy)
        self.paid_variable = (sales + nps_bonus) / np.maximum(target, 1e-9)
        self.revenue[:] = 0.0
        return sales

    # ------------------------------------------------------------------ what things are worth

    def revenue_cost(self, policy: PolicyParams, reps: np.ndarray) -> np.ndarray:
        """What a unit of yearly revenue given up costs each of ``reps`` in sales pay.

        Under a commission it is the commission rate left after the NPS weight; under a quota,
        the sales share of variable pay per unit of quota, at the accelerated rate above quota,
        and nothing below a cliff the rep cannot reach anyway.
        """
        pay, weight = policy.pay, policy.incentives.nps_weight
        if pay.plan == "commission":
            return np.full(np.size(reps), (1.0 - weight) * pay.commission_rate)
        attainment = self.attainment()[reps]
        rate = pay.variable_target / np.maximum(self.quota[reps], 1e-9)
        rate = np.where(attainment >= 1.0, rate * pay.accelerator, rate)
        rate = np.where(attainment < pay.cliff, 0.0, rate)
        return (1.0 - weight) * rate

    def stake(
        self,
        policy: PolicyParams,
        params: RepParams,
        *,
        greed: np.ndarray,
        fear: np.ndarray,
        last_score: np.ndarray,
        on_plan: np.ndarray,
        manager_push: np.ndarray,
    ) -> np.ndarray:
        """What one more point of quarterly score is worth to each rep (currency per point).

        A point of the score the rep is judged on (its own, or its team's under a team target):
        the bonus slope, ``nps_bonus_target / (target - floor)``, weighed by greed (nothing once
        the last score earned the cap of a linear payout, or fell below its floor: reps far
        from a target give up, Chung, Steenburgh & Sudhir 2014) and by fear of losing it, which
        threats (rank-and-yank, a performance plan) amplify; a cliff concentrates it just short
        of the line (Schweitzer, Ordonez & Douma 2004). A manager measured on the team's score
        passes pressure down, worth ``manager_push`` of the variable target per 100 points to a
        fearful rep. How far one rep's work moves a team's score is the reps' concern
        (:meth:`~npssim.agents.RepRoster.decide`), not the stake's.

        Args:
            policy: The policy in force.
            params: The ``[reps]`` parameters.
            greed: Each rep's weight on the bonus, 0-1.
            fear: Each rep's weight on penalties, 0-1.
            last_score: Each rep's score at the last review (NaN before the first).
            on_plan: Whether each rep is on a performance plan.
            manager_push: Pressure passed down by each rep's manager.

        Returns:
            Each rep's stake: 0 where nothing rides on the score.
        """
        inc = policy.incentives
        slope = rules.nps_bonus_target(policy) / max(inc.target_nps - inc.floor_nps, 1e-9)
        threat = params.yank_threat * inc.rank_and_yank + params.plan_threat * on_plan
        if inc.payout == "linear":
            beyond = (last_score >= rules.capped_score(policy)) | (last_score < inc.floor_nps)
        else:
            beyond = False
        wanting = np.where(beyond, 0.0, greed)  # no score yet (NaN) is within the range
        if inc.payout == "cliff":
            gap = inc.target_nps - last_score
            near_miss = np.exp(-((np.nan_to_num(gap) / params.near_miss_width) ** 2)) * (gap >= 0)
            span = params.near_miss_peak - params.near_miss_floor
            shape = np.where(np.isnan(gap), 1.0, params.near_miss_floor + span * near_miss)
        else:
            shape = 1.0
        own = slope * (wanting + fear * (1.0 + threat)) * shape
        unit = self.quarterly_variable_target(policy) / DRIVE_POINTS
        return own + manager_push * fear * unit

    def drive(self, stake: np.ndarray, policy: PolicyParams, params: RepParams) -> np.ndarray:
        """The stake as a share of the quarterly variable target that 100 points would move.

        It is what effort reads. Under a team target a rep's extra service moves a score the
        whole team shares, and teammates free-ride: the drive keeps ``team_scope_factor`` of
        the stake.
        """
        unit = self.quarterly_variable_target(policy) / DRIVE_POINTS
        scope = 1.0 if policy.incentives.scope == "individual" else params.team_scope_factor
        return scope * stake / max(unit, 1e-9)

    def credit(self, reps: np.ndarray, amounts: np.ndarray) -> None:
        """Book concessions granted as credits against the contracts of ``reps``.

        The revenue the sales component is paid on falls by ``amounts``.
        """
        np.subtract.at(self.revenue, reps, amounts)

    def on_target_sales(self, policy: PolicyParams) -> np.ndarray:
        """Each rep's quarterly sales component at quota: what its own book should earn it."""
        pay, weight = policy.pay, policy.incentives.nps_weight
        if pay.plan == "commission":
            quarter_quota = self.quota * rules.WEEKS_PER_QUARTER / rules.WEEKS_PER_YEAR
            return (1.0 - weight) * pay.commission_rate * quarter_quota
        return np.full(self.quota.size, (1.0 - weight) * self.quarterly_variable_target(policy))
