"""Pricing and renewals: what a contract costs, what part of it a rep trades for a score.

At a renewal or a new deal each account asks for an ordinary discount in proportion to its
power and, where its next answer counts for its rep, for a price in exchange for its score. The
rep trades as its pay makes it (the commission on the revenue given up against what it believes
the promised answer is worth), within the firm's rules (approval, caps). Then the contract
renews or churns on latent satisfaction and price.

:class:`Pricing` is the model's component for it (``NPSModel.pricing_class``): a researcher
changes how contracts are priced by subclassing it and overriding a public method.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from npssim import policy as rules
from npssim.agents.accounts import SAVVY_LINE, churn_chance


class Pricing:
    """The pricing of contracts and their renewals, run against the model's book and ledger.

    Args:
        model: The :class:`~npssim.NPSModel` whose contracts are priced.
    """

    def __init__(self, model: Any) -> None:
        self.model = model

    def price(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Negotiate the price of the contracts renewing or signed at ``rows`` (Larkin 2014).

        Each account asks for an ordinary discount in proportion to its power and, where its
        next answer counts for its rep, for a price in exchange for its score. The rep trades
        as its pay makes it (:meth:`RepRoster.willing_to_concede`): the commission on the
        revenue given up against what it believes the promised answer is worth. The firm's
        rules then apply: the part traded for the score needs the manager's approval above the
        approval threshold (a year's worth), and no contract may carry more than the discount
        cap. An account that got a price for its score owes its next answer
        ``tactic_effect.concede`` points (in proportion to what it got) if it keeps its word
        (``accounts.promise_kept``). A savvy account whose score demand is cut punishes the
        refusal (its satisfaction falls, so it is likelier to leave), and learns whether
        demanding pays.

        Args:
            rows: The contracts being priced (active accounts).

        Returns:
            The discount each contract carries for the next year, and the part of it traded
            for the score (both shares of the list price).
        """
        model = self.model
        params, policy, book, roster = model.params, model.policy, model.book, model.roster
        accounts, rules_ = params.accounts, policy.concessions
        owners = book.rep[rows]
        exposure = self.answer_counts() * self.threat_weight(owners)
        ordinary, for_score = book.ask_discount(rows, accounts, exposure)
        acv = book.acv[rows]
        draws = model.rngs["pricing"].random((3, rows.size))
        money = model.pay.revenue_cost(policy, owners) * for_score * acv
        willing = (for_score > 0) & roster.willing_to_concede(owners, money, draws[0], params.reps)
        offered = np.where(willing, for_score, 0.0)
        needs_approval = acv * offered > rules_.approval_threshold
        approved = draws[1] < model.approvals[roster.manager[owners]]
        ceiling = rules_.approval_threshold / np.maximum(acv, 1e-9)
        for_price = np.where(needs_approval & ~approved, np.minimum(offered, ceiling), offered)
        discount = np.minimum(rules_.discount_cap, ordinary + for_price)
        won = np.clip(discount - ordinary, 0.0, None)  # nothing when the cap binds first
        traded = won > 0
        roster.record_uses(rules.CONCEDE, owners[traded], params.reps)
        kept = draws[2][traded] < accounts.promise_kept
        share = won[traded] / for_score[traded]
        book.promise_score(rows[traded], kept * params.reps.tactic_effect.concede * share)
        savvy = (book.savvy[rows] >= SAVVY_LINE) & (for_score > 0)
        if savvy.any():
            denied = np.clip(for_score - won, 0.0, None) * savvy
            book.sour(rows, accounts.refusal_penalty * denied / accounts.score_discount)
            book.learn_from_demands(
                rows[savvy],
                1.0 - denied[savvy] / for_score[savvy],
                accounts.savvy_reinforcement,
                accounts.savvy_fade,
            )
        return discount, won

    def renew(self, week: int) -> None:
        """Contracts due this week are priced, then renew or churn on latent satisfaction."""
        model = self.model
        book, accounts = model.book, model.params.accounts
        due = book.due(week, rules.WEEKS_PER_YEAR)
        draws = model.rngs["renewals"].random(due.size)
        still = book.active[due]
        rows, draws = due[still], draws[still]
        if rows.size == 0:
            return
        revenue_before, discounts_before = book.revenue(rows)
        traded_before = book.score_discounts(rows)
        discount, for_score = self.price(rows)
        satisfaction = book.satisfaction[rows]
        disrupted = week - book.disrupted_week[rows] < accounts.disruption_weeks
        churns = draws < churn_chance(satisfaction, accounts, discount, disrupted)
        answered_recently = book.last_score_week[rows] > week - rules.WEEKS_PER_YEAR
        reported = np.where(answered_recently, book.last_score[rows], np.nan)
        model.tally.record_renewals(reported, satisfaction, ~churns)
        book.reprice(rows, discount, for_score)
        revenue_after, discounts_after = book.revenue(rows[~churns])
        model.book_revenue += revenue_after - revenue_before
        model.book_discounts += discounts_after - discounts_before
        model.book_score_discounts += book.score_discounts(rows[~churns]) - traded_before
        leaving = rows[churns]
        book.churn(leaving)
        model.release_accounts(leaving)

    def answer_counts(self) -> float:
        """How surely an account's next answer reaches its rep's score, 0-1.

        It does if the account is asked before the next review, and if the rep can tell
        whether it was: otherwise a threat is only ``blind_efficiency`` as credible.
        """
        model = self.model
        policy = model.policy
        survey = policy.survey
        waves = rules.WEEKS_PER_QUARTER / survey.wave_interval
        asked = 1.0 - (1.0 - survey.sample_fraction) ** waves
        seen = 1.0 if rules.survey_is_visible(policy) else model.params.reps.blind_efficiency
        return asked * seen

    def threat_weight(self, reps: np.ndarray) -> np.ndarray:
        """How much holding the score hostage is worth against each rep, 0-1.

        A threat to the score is worth as much as the rep has riding on it (their drive,
        capped at 1); even where nobody is paid on the score it keeps a little worth
        (``accounts.indicator_demand_share``): reps care how they look.
        """
        model = self.model
        floor = model.params.accounts.indicator_demand_share
        return floor + (1.0 - floor) * np.minimum(1.0, model.roster.drive[reps])
