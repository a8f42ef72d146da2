"""The ledger: the firm's books, closed each week into the named metrics.

:class:`Ledger` keeps the books (money, customers, people, the last survey wave, what the survey
said of the accounts that came up for renewal) and closes each week into one value per metric of
the registry (:mod:`npssim.metrics`). The ledger knows nothing of the model: the model records
events into it.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from npssim.metrics import INTEGER, METRIC_NAMES
from npssim.survey import nps
from npssim.tactics import TACTICS

#: The kinds of money the firm spends, as :meth:`Ledger.spend` books them.
COSTS: tuple[str, ...] = (
    "concession",
    "giveaway",
    "bribe",
    "acquisition",
    "turnover",
    "measurement",
)


_COUNTS = frozenset(INTEGER)
_SCORE_BINS = 11
_LATENT_BINS = 201
_WINDOW_WEEKS = 52


def auc_from_histograms(positive: np.ndarray, negative: np.ndarray) -> float:
    """Area under the ROC curve from two histograms over the same ordered bins.

    It is the chance that a random positive (a renewal) scores above a random negative (a
    churn), ties counting one half: the Mann-Whitney statistic, in O(bins).

    Returns:
        The AUC, or NaN when either class is empty.
    """
    n_pos, n_neg = positive.sum(), negative.sum()
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    below = np.cumsum(negative) - negative
    return float(np.sum(positive * (below + 0.5 * negative)) / (n_pos * n_neg))


class Ledger:
    """The firm's books, kept week by week, closed into the named metrics.

    Args:
        rep_positions: Number of rep slots (to express turnover per position).
        margin_rate: Gross margin on contract revenue.
    """

    def __init__(self, rep_positions: int, margin_rate: float) -> None:
        self.rep_positions = rep_positions
        self.margin_rate = margin_rate
        self.costs = dict.fromkeys(COSTS, 0.0)
        self.revenue = 0.0
        self.discounts = 0.0
        self.score_discounts = 0.0
        self.salary_paid = 0.0
        self.commission_paid = 0.0
        self.to_powerful = 0.0
        self.bonus_paid = 0.0
        self.bonus_cost = 0.0
        self.unearned_bonus = 0.0
        self.churned_accounts = 0
        self.renewals_due = 0
        self.renewals_kept = 0
        self.departures = 0
        self.followed_up = 0
        self.disrupted_accounts = 0
        self.wave: dict[str, float] = {
            "reported_nps": float("nan"),
            "response_rate": float("nan"),
            "share_cherry_picked": float("nan"),
            "share_coached": float("nan"),
            "share_bribed": float("nan"),
            "share_hostage": float("nan"),
        }
        self._window: deque[tuple[np.ndarray, np.ndarray]] = deque()
        self._scores = np.zeros((2, _SCORE_BINS))
        self._latent = np.zeros((2, _LATENT_BINS))

    @property
    def gross_margin(self) -> float:
        """Revenue times the margin rate, less the money given away."""
        given = self.costs["concession"] + self.costs["giveaway"] + self.costs["bribe"]
        return self.revenue * self.margin_rate - given

    @property
    def net_value(self) -> float:
        """The firm's money: gross margin less reps' pay, measurement, acquisition and turnover.

        Reps' pay is every payment of the pay plan: salaries, the sales component and the NPS
        bonus. Price discounts are already out of revenue, so out of the gross margin.
        """
        costs = self.costs
        return (
            self.gross_margin
            - self.salary_paid
            - self.commission_paid
            - self.bonus_cost
            - costs["measurement"]
            - costs["acquisition"]
            - costs["turnover"]
        )

    def spend(self, kind: str, amount: float) -> None:
        """Book money spent: one of :data:`COSTS`."""
        if amount < 0:
            raise ValueError(f"negative {kind} cost: {amount}")
        self.costs[kind] += amount

    def concede(self, amount: float, powerful: bool) -> None:
        """Book a concession granted to a hostage-taker, and whether it was a powerful one."""
        self.spend("concession", amount)
        if powerful:
            self.to_powerful += amount

    def earn(self, revenue: float, discounts: float = 0.0, score_discounts: float = 0.0) -> None:
        """Book a week's contract revenue and what discounts forwent of it.

        ``score_discounts`` is the part of ``discounts`` that reps traded for scores.
        """
        self.revenue += revenue
        self.discounts += discounts
        self.score_discounts += score_discounts

    def pay_salary(self, amount: float) -> None:
        """Book base salaries paid."""
        self.salary_paid += amount

    def pay_commission(self, amount: float) -> None:
        """Book the sales component of reps' variable pay (commission or quota bonus)."""
        self.commission_paid += amount

    def pay_bonus(self, paid: float, unearned: float, cost: float) -> None:
        """Book bonuses paid at a review.

        Args:
            paid: Bonuses paid.
            unearned: The part paid above what honest scores earned.
            cost: What the bonus costs the firm beyond the pay it replaces (may be negative
                when honest scores would have earned more, as when an audit forfeits a bonus).
        """
        self.bonus_paid += paid
        self.unearned_bonus += unearned
        self.bonus_cost += cost

    def record_departures(self, count: int, accounts: int) -> None:
        """Book reps who quit or were fired, and the accounts that lost their rep."""
        self.departures += count
        self.disrupted_accounts += accounts

    def record_follow_ups(self, count: int) -> None:
        """Book detractors called back by their manager."""
        self.followed_up += count

    def record_wave(
        self,
        *,
        invited: int,
        eligible: int,
        cherry_picked: int,
        scores: np.ndarray,
        coached: int,
        bribed: int,
        hostage: int,
    ) -> None:
        """Book a survey wave: what the firm collected and how much of it was touched.

        Args:
            invited: Surveys sent.
            eligible: Active accounts that could have been invited.
            cherry_picked: Accounts a rep deliberately kept out of the sample.
            scores: The answers collected.
            coached: Responses from accounts pleaded with.
            bribed: Responses from accounts bribed.
            hostage: Responses from accounts that demanded a concession.
        """
        responses = scores.size
        per_response = 1.0 / responses if responses else float("nan")
        self.wave = {
            "reported_nps": nps(scores),
            "response_rate": responses / invited if invited else float("nan"),
            "share_cherry_picked": cherry_picked / eligible if eligible else float("nan"),
            "share_coached": coached * per_response,
            "share_bribed": bribed * per_response,
            "share_hostage": hostage * per_response,
        }

    def record_renewals(
        self, reported: np.ndarray, latent: np.ndarray, renewed: np.ndarray
    ) -> None:
        """Book a week's renewal decisions, and what the survey had said about those accounts.

        Args:
            reported: Each renewing account's last reported score in the past year (NaN if it
                did not answer).
            latent: Each renewing account's latent satisfaction.
            renewed: Whether each account renewed.
        """
        self.renewals_due += renewed.size
        self.renewals_kept += int(np.count_nonzero(renewed))
        self.churned_accounts += int(renewed.size - np.count_nonzero(renewed))
        answered = ~np.isnan(reported)
        outcome = renewed[answered].astype(np.int64)
        # Counts by (outcome, bin), as flat indices: bincount's float counts are exact.
        cells = outcome * _SCORE_BINS + reported[answered].astype(np.int64)
        scores = np.bincount(cells, minlength=2 * _SCORE_BINS).astype(float)
        scores = scores.reshape(2, _SCORE_BINS)
        latent_bins = np.rint(np.clip(latent[answered], 0, 10) * 20).astype(np.int64)
        cells = outcome * _LATENT_BINS + latent_bins
        latent_hist = np.bincount(cells, minlength=2 * _LATENT_BINS).astype(float)
        latent_hist = latent_hist.reshape(2, _LATENT_BINS)
        self._window.append((scores, latent_hist))
        self._scores += scores
        self._latent += latent_hist
        if len(self._window) > _WINDOW_WEEKS:
            old_scores, old_latent = self._window.popleft()
            self._scores -= old_scores
            self._latent -= old_latent

    def signal_validity(self) -> float:
        """AUC of reported scores for renewal over the last 52 weeks (0.5 = no information)."""
        return auc_from_histograms(self._scores[1], self._scores[0])

    def latent_signal_validity(self) -> float:
        """The same AUC for the same accounts' latent satisfaction: the best a survey could do."""
        return auc_from_histograms(self._latent[1], self._latent[0])

    def close_week(
        self,
        *,
        true_nps: float,
        accounts_active: int,
        discount_rate: float,
        genuine_effort: float,
        service_quality: float,
        savvy_share: float,
        rep_stress: float,
        honest_rep_share: float,
        tactic_use: np.ndarray,
    ) -> dict[str, float]:
        """Close the week's books into one value per metric.

        Args:
            true_nps: Honest census NPS of the active accounts.
            accounts_active: Active accounts.
            discount_rate: Mean discount of active contracts, weighted by list value.
            genuine_effort: Mean share of rep time on genuine service.
            service_quality: Mean quality of reps' service hours.
            savvy_share: Share of active accounts that are savvy.
            rep_stress: Mean rep stress.
            honest_rep_share: Share of reps with high integrity.
            tactic_use: Reps' mean chance of using each tactic where it can, in
                :data:`~npssim.tactics.TACTICS` order.

        Returns:
            The metrics, keyed by the names in :data:`~npssim.metrics.METRIC_NAMES`, in that
            order; counts are ints, everything else floats.
        """
        values = {
            **self.wave,
            "true_nps": true_nps,
            "nps_inflation": self.wave["reported_nps"] - true_nps,
            "concession_cost": self.costs["concession"],
            "concessions_to_powerful": self.to_powerful,
            "giveaway_cost": self.costs["giveaway"],
            "bribe_cost": self.costs["bribe"],
            "discount_cost": self.discounts,
            "money_given_away": (
                self.costs["concession"]
                + self.costs["giveaway"]
                + self.costs["bribe"]
                + self.discounts
            ),
            "discount_rate": discount_rate,
            "revenue": self.revenue,
            "gross_margin": self.gross_margin,
            "net_value": self.net_value,
            "accounts_active": accounts_active,
            "churned_accounts": self.churned_accounts,
            "retention_rate": (
                self.renewals_kept / self.renewals_due if self.renewals_due else float("nan")
            ),
            "genuine_effort": genuine_effort,
            "service_quality": service_quality,
            "followed_up": self.followed_up,
            "savvy_share": savvy_share,
            "signal_validity": self.signal_validity(),
            "bonus_paid": self.bonus_paid,
            "unearned_bonus": self.unearned_bonus,
            "bonus_cost": self.bonus_cost,
            "measurement_cost": self.costs["measurement"],
            "acquisition_cost": self.costs["acquisition"],
            "turnover_cost": self.costs["turnover"],
            "rep_stress": rep_stress,
            "rep_turnover": self.departures / self.rep_positions,
            "honest_rep_share": honest_rep_share,
            "gaming_propensity": float(np.mean(tactic_use)),
            **{
                f"tactic_use_{name}": float(use)
                for name, use in zip(TACTICS, tactic_use, strict=True)
            },
            "score_discount_cost": self.score_discounts,
            "salary_paid": self.salary_paid,
            "commission_paid": self.commission_paid,
            "disrupted_accounts": self.disrupted_accounts,
            "latent_signal_validity": self.latent_signal_validity(),
            "renewals_due": self.renewals_due,
        }
        return {
            name: int(values[name]) if name in _COUNTS else float(values[name])
            for name in METRIC_NAMES
        }
