"""Sales reps: each owns a book of accounts and chooses how hard to work, and on what.

Weekly quantities (the effort chosen, tactic use, stress) live in :class:`RepRoster` as arrays
indexed by rep slot, so a week costs a few NumPy operations however many reps there are; every
change to a rep's state goes through one of the roster's methods, so a researcher can change how
reps behave by subclassing it (``NPSModel.roster_class``). The Mesa agent :class:`SalesRep` is a
thin object over its slot for the rare decisions: whether to grant a hostage-taker's demand. A
slot outlives its holder: when a rep leaves, a new hire with fresh traits takes the slot and the
book.
"""

from __future__ import annotations

from typing import Protocol

import mesa
import numpy as np
from scipy import special

from npssim import policy as rules
from npssim.agents.accounts import AccountBook, beta_quantile
from npssim.scenario.schema import FirmParams, PolicyParams, RepParams
from npssim.survey import group_order


class Approver(Protocol):
    """Whoever signs off a large concession: the rep's manager (:class:`~npssim.agents.Manager`)."""

    def approve(self, amount: float, policy: PolicyParams, draw: float) -> bool:
        """Whether a concession of ``amount`` is approved, given a uniform ``draw``."""
        ...


#: Reps with at least this integrity count as honest in ``honest_rep_share`` (a definition of
#: the metric, not a behaviour).
HONEST_LINE = 0.6
#: The longest tenure a starting rep is given, in quarters (250 years: "never leaves"). Drawn
#: tenures are capped here so a quit rate near zero stays a finite number of weeks.
LONGEST_TENURE_QUARTERS = 1_000.0
#: Uniform draws a hire's traits take: skill, integrity, greed, fear, then one per tactic.
HIRE_DRAWS = 4 + len(rules.TACTICS)


class RepRoster:
    """The hot state of every rep, as arrays indexed by slot.

    Attributes:
        manager: Manager slot of each rep.
        skill: Satisfaction an hour of genuine service buys (multiplier).
        integrity: Moral cost of gaming, 0-1; it also caps the gaming a rep can learn.
        greed: Weight on the bonus, 0-1.
        fear: Weight on penalties and losses, 0-1.
        stress: 0-1; lowers service quality and drives quitting.
        tenure: Weeks in the job; a new hire's service improves with it.
        on_plan: On a performance plan after a poor review.
        last_score: Score at the last review (NaN before the first).
        propensity: Learned inclination to use each tactic, shape (tactics, reps).
        drive: This week's stake in the score (the incentive drive).
        usage: This week's intensity of each tactic, shape (tactics, reps).
        usage_sum: Usage summed over the quarter's weeks (what learning reinforces).
        uses: Times each tactic was actually applied this quarter (what audits can find).
        effort: Share of the week's account hours the rep chooses to work (service and tactics).
        genuine_share: Share of this week's account hours spent on genuine service.
        overwork_sum: The quarter's summed overwork (effort beyond the no-stake share, scaled).
        giveaway_spent: Free services given this quarter (currency).
        promoters, detractors, responses: This quarter's survey counts per rep.
        honest_promoters, honest_detractors, honest_responses: The same counts for the honest
            answers of an unpicked sample: what the survey would have said without the tactics.
    """

    def __init__(self, count: int, team_size: int) -> None:
        self.count = count
        self.manager = np.arange(count) // team_size
        n_tactics = len(rules.TACTICS)
        self.skill = np.zeros(count)
        self.integrity = np.zeros(count)
        self.greed = np.zeros(count)
        self.fear = np.zeros(count)
        self.stress = np.zeros(count)
        self.tenure = np.zeros(count, dtype=np.int64)
        self.on_plan = np.zeros(count, dtype=bool)
        self.last_score = np.full(count, np.nan)
        self.propensity = np.zeros((n_tactics, count))
        self.drive = np.zeros(count)
        self.usage = np.zeros((n_tactics, count))
        self.usage_sum = np.zeros((n_tactics, count))
        self.uses = np.zeros((n_tactics, count), dtype=np.int64)
        self.effort = np.ones(count)
        self.genuine_share = np.ones(count)
        self.overwork_sum = np.zeros(count)
        self.giveaway_spent = np.zeros(count)
        self.promoters = np.zeros(count, dtype=np.int64)
        self.detractors = np.zeros(count, dtype=np.int64)
        self.responses = np.zeros(count, dtype=np.int64)
        self.honest_promoters = np.zeros(count, dtype=np.int64)
        self.honest_detractors = np.zeros(count, dtype=np.int64)
        self.honest_responses = np.zeros(count, dtype=np.int64)

    # ------------------------------------------------------------------ people

    def hire(
        self,
        draws: np.random.Generator | np.ndarray,
        slots: np.ndarray,
        params: RepParams,
        culture: np.ndarray | None = None,
    ) -> None:
        """Fill ``slots`` with new hires whose traits are drawn afresh.

        A new hire brings the firm's typical dispositions; with a team to join, they also take
        on ``hire_acculturation`` of its culture (its mean propensities). Selection and
        acculturation, not only learning, shape the culture over time (Smaldino & McElreath
        2016). Integrity caps what a hire takes on (:meth:`bound_by_integrity`).

        Args:
            draws: :data:`HIRE_DRAWS` uniforms per hire, one row each (so that a hire's traits
                can come from a stream of its own), or a generator to draw them from.
            slots: The slots to fill.
            params: The ``[reps]`` parameters.
            culture: The team culture each new hire joins, shape (tactics, slots); none for the
                founding roster.
        """
        n = slots.size
        if isinstance(draws, np.random.Generator):
            draws = draws.random((n, HIRE_DRAWS))
        conc = params.trait_concentration
        skill = params.skill_mean + params.skill_sd * special.ndtri(draws[:, 0])
        self.skill[slots] = np.maximum(params.skill_floor, skill)
        self.integrity[slots] = beta_quantile(params.integrity_mean, conc, draws[:, 1])
        self.greed[slots] = beta_quantile(params.greed_mean, conc, draws[:, 2])
        self.fear[slots] = beta_quantile(params.fear_mean, conc, draws[:, 3])
        initial = params.initial_propensity
        fresh = np.stack(
            [
                beta_quantile(
                    getattr(initial, tactic), params.propensity_concentration, draws[:, 4 + index]
                )
                for index, tactic in enumerate(rules.TACTICS)
            ]
        )
        if culture is not None:
            share = params.hire_acculturation
            fresh = (1.0 - share) * fresh + share * culture
        self.propensity[:, slots] = fresh
        self.bound_by_integrity(slots, params)
        self.stress[slots] = 0.0
        self.tenure[slots] = 0
        self.on_plan[slots] = False
        self.last_score[slots] = np.nan
        self.usage_sum[:, slots] = 0.0
        self.uses[:, slots] = 0
        self.overwork_sum[slots] = 0.0

    def settle_tenure(self, rng: np.random.Generator, params: RepParams, weeks: int) -> None:
        """Give the founding roster the tenures of a firm that has been running for years.

        With a quit chance of ``base_quit_rate`` a quarter, tenure in quarters is geometric in
        steady state: its draw by inverse CDF uses one uniform per rep.

        Args:
            rng: The reps' stream.
            params: The ``[reps]`` parameters.
            weeks: Weeks in a quarter.
        """
        uniform = rng.random(self.count)
        if params.base_quit_rate <= 0.0:
            quarters = np.full(self.count, LONGEST_TENURE_QUARTERS)
        elif params.base_quit_rate >= 1.0:
            quarters = np.zeros(self.count)
        else:
            with np.errstate(over="ignore", divide="ignore"):  # a rate of 1e-300: capped next
                drawn = np.floor(np.log1p(-uniform) / np.log1p(-params.base_quit_rate))
            quarters = np.minimum(drawn, LONGEST_TENURE_QUARTERS)
        self.tenure[:] = (quarters * weeks).astype(np.int64) + rng.integers(0, weeks, self.count)

    def bound_by_integrity(self, slots: np.ndarray, params: RepParams) -> None:
        """Cap each tactic's propensity at ``1 - integrity_bound x integrity x moral weight``.

        Intrinsic motivation bounds gaming (Braganza 2022): however well a tactic pays, a rep of
        high integrity does not learn to lean on it, least of all on the morally costly ones.
        """
        cap = 1.0 - params.integrity_bound * np.outer(
            rules.moral_weights(params), self.integrity[slots]
        )
        self.propensity[:, slots] = np.clip(self.propensity[:, slots], 0.0, np.maximum(cap, 0.0))

    # ------------------------------------------------------------------ the week

    def decide(
        self,
        policy: PolicyParams,
        params: RepParams,
        manager_push: np.ndarray,
        condone: np.ndarray,
        manager_audit_probability: np.ndarray,
        returns: np.ndarray,
    ) -> None:
        """Choose this week's effort, and how much of it goes to each tactic.

        Effort is a choice (Holmstrom & Milgrom 1991). With nothing riding on the score a rep
        works ``service_share`` of the account hours and keeps the rest for selling, admin and
        rest; a stake in the score raises the value of an hour of service, and against a
        convex private cost of effort (``effort_curvature``) the rep works more. Each tactic
        competes for the same hours: it is used, in proportion to the learned propensity, to the
        extent that its perceived score return (``returns``, set by survey design and candour)
        beats the score the same hours would buy in service, the moral cost (integrity, eased by
        a condoning manager) and, for auditable tactics, the expected penalty. Hours a tactic
        takes come out of genuine service.

        Args:
            policy: The policy in force.
            params: The ``[reps]`` parameters.
            manager_push: Pressure from each rep's manager.
            condone: How far each rep's manager condones gaming, 0-1.
            manager_audit_probability: Chance each rep's manager spot-checks them this quarter.
            returns: Each tactic's perceived return per unit of drive
                (:func:`npssim.policy.tactic_returns`).
        """
        drive = rules.incentive_drive(
            policy,
            params,
            greed=self.greed,
            fear=self.fear,
            last_score=self.last_score,
            on_plan=self.on_plan,
            manager_push=manager_push,
        )
        self.drive = drive
        moral = params.moral_cost_scale * self.integrity * (1.0 - condone)
        deter = rules.deterrence(policy, params, manager_audit_probability, self.greed, self.fear)
        hours = rules.time_weights(params)
        worth = returns - hours * params.service_response
        net = (
            worth[:, None] * drive[None, :]
            - rules.moral_weights(params)[:, None] * moral[None, :]
            - rules.AUDITABLE[:, None] * deter[None, :]
        )
        np.multiply(self.propensity, np.clip(net, 0.0, 1.0), out=self.usage)
        self.usage[returns <= 0.0] = 0.0
        self.usage_sum += self.usage
        # Summed by NumPy, not BLAS (@, np.dot): BLAS may order a sum by its thread count,
        # which Dask workers set to one, so the same run differed in its last bits there.
        tactic_time = (hours[:, None] * self.usage).sum(axis=0)
        self.effort = self.chosen_effort(drive, params)
        self.genuine_share = np.maximum(0.0, self.effort - tactic_time)
        self.overwork_sum += self.overwork(np.maximum(self.effort, tactic_time), params)
        self.tenure += 1

    def chosen_effort(self, drive: np.ndarray, params: RepParams) -> np.ndarray:
        """Share of the account hours a rep with this stake chooses to work.

        The marginal value of an hour rises from 1 to ``1 + service_response x drive``; the
        marginal private cost rises with effort to the power ``effort_curvature - 1``, scaled
        so that with no stake the rep works exactly ``service_share``.
        """
        gain = 1.0 + params.service_response * drive
        return np.minimum(1.0, params.service_share * gain ** (1.0 / (params.effort_curvature - 1)))

    def overwork(self, effort: np.ndarray, params: RepParams) -> np.ndarray:
        """Effort beyond the no-stake share, as a share of the hours kept back without a stake."""
        spare = 1.0 - params.service_share
        if spare <= 0.0:
            return np.zeros_like(effort)
        return np.clip((effort - params.service_share) / spare, 0.0, 1.0)

    def quality(self, params: RepParams) -> np.ndarray:
        """Quality of an hour of each rep's service, relative to a settled, unstressed rep.

        The service-profit chain (Heskett et al. 1994): a new hire ramps up to full quality
        over their first weeks, and stress takes quality away.
        """
        ramp = 1.0 - (1.0 - params.new_hire_quality) * np.exp(-self.tenure / params.ramp_weeks)
        return ramp * (1.0 - params.stress_service_loss * self.stress)

    def service_power(self, firm: FirmParams, params: RepParams) -> np.ndarray:
        """What each rep's service is worth per unit of log-hours: effect, skill and quality."""
        return firm.service_effect * self.skill * self.quality(params)

    def service_gain(
        self, firm: FirmParams, params: RepParams, hours: np.ndarray, slots: np.ndarray
    ) -> np.ndarray:
        """Weekly satisfaction gain per account from service hours (diminishing returns)."""
        power = self.service_power(firm, params)[slots]
        return power * np.log1p(hours / firm.service_hours_scale)

    def serve(
        self,
        book: AccountBook,
        firm: FirmParams,
        params: RepParams,
        book_sizes: np.ndarray,
        surveyed: np.ndarray | None = None,
    ) -> None:
        """Spend the week's genuine service hours on the book, raising latent satisfaction.

        Hours are shared evenly across a rep's accounts, except that a rep teaching to the test
        moves part of them onto the accounts about to be surveyed. The gain is worked out per
        rep and spread to the accounts, so a week costs one pass over the book.

        Args:
            book: The account book.
            firm: The ``[firm]`` parameters.
            params: The ``[reps]`` parameters.
            book_sizes: Active accounts per rep.
            surveyed: Rows invited this week, when reps can tell which they are.
        """
        per_account = self.genuine_share * firm.service_hours_per_rep / np.maximum(book_sizes, 1)
        power = self.service_power(firm, params)
        scale = firm.service_hours_scale
        if surveyed is None or surveyed.size == 0:
            book.serve((power * np.log1p(per_account / scale))[book.rep])
            return
        owners = book.rep[surveyed]
        invited = np.bincount(owners, minlength=self.count)
        teach = self.usage[rules.TEACH_TO_TEST] * (invited > 0)
        kept = per_account * (1.0 - teach)
        gain = (power * np.log1p(kept / scale))[book.rep]
        moved = teach * per_account * book_sizes / np.maximum(invited, 1)
        gain[surveyed] = power[owners] * np.log1p((kept + moved)[owners] / scale)
        self.uses[rules.TEACH_TO_TEST] += (invited > 0) & (teach > 0)
        book.serve(gain)

    def perceive(
        self, rng: np.random.Generator, book: AccountBook, rows: np.ndarray, noise: float
    ) -> np.ndarray:
        """A rep's read of each account's satisfaction: the truth, blurred."""
        return book.satisfaction[rows] + noise * rng.standard_normal(rows.size)

    def shun(
        self,
        rng: np.random.Generator,
        rows: np.ndarray,
        reps: np.ndarray,
        perceived: np.ndarray,
        params: RepParams,
    ) -> np.ndarray:
        """Flag the at-risk accounts a rep would rather keep out of the survey (cherry-picking).

        Returns:
            A mask over ``rows`` of the accounts to avoid inviting.
        """
        use = self.usage[rules.CHERRY_PICK, reps]
        return (perceived < params.at_risk_below) & (rng.random(rows.size) < use)

    def record_cherry_picks(self, reps: np.ndarray) -> None:
        """Count, for audits, the accounts each rep actually kept out of a sample."""
        self.uses[rules.CHERRY_PICK] += np.bincount(reps, minlength=self.count)

    def record_use(self, tactic: int, slot: int) -> None:
        """Count, for audits, one use of ``tactic`` by the rep in ``slot``."""
        self.uses[tactic, slot] += 1

    def aim(
        self,
        rng: np.random.Generator,
        tactic: int,
        reps: np.ndarray,
        visible: bool,
        blind_efficiency: float,
        record: bool = True,
    ) -> np.ndarray:
        """Which of the surveyed accounts a targeted tactic reaches this wave.

        A rep who cannot tell who was surveyed must spread the tactic thin, so it reaches the
        surveyed accounts with only ``blind_efficiency`` of its force. Uses are recorded for
        audits unless the caller records them itself (``record=False``).
        """
        chance = self.usage[tactic, reps] * (1.0 if visible else blind_efficiency)
        hit = rng.random(reps.size) < chance
        if record:
            self.uses[tactic] += np.bincount(reps[hit], minlength=self.count)
        return hit

    def give_away(
        self,
        rng: np.random.Generator,
        book: AccountBook,
        rows: np.ndarray,
        perceived: np.ndarray,
        visible: bool,
        params: RepParams,
        budget: float,
    ) -> tuple[np.ndarray, float]:
        """Give free services to at-risk surveyed accounts, to play safe, within the budget.

        The firm pays; the rep's commission does not. Gifts go out in row order until the rep's
        quarterly budget would be exceeded; after that, none more that wave. The gift buys a
        little real satisfaction (it fades) and some reciprocity in the answer.

        Returns:
            A mask over ``rows`` of accounts that received a giveaway, and the total cost.
        """
        reps = book.rep[rows]
        wants = (perceived < params.at_risk_below) & self.aim(
            rng, rules.GIVEAWAY, reps, visible, params.blind_efficiency, record=False
        )
        cost = np.where(wants, params.giveaway_size * book.acv[rows], 0.0)
        order = _by_rep_then_row(reps, rows)
        spent_before = _group_cumsum(reps[order], cost[order]) - cost[order]
        within = np.zeros(rows.size, dtype=bool)
        within[order] = self.giveaway_spent[reps[order]] + spent_before + cost[order] <= budget
        given = wants & within
        cost = np.where(given, cost, 0.0)
        self.giveaway_spent += np.bincount(reps, weights=cost, minlength=self.count)
        self.uses[rules.GIVEAWAY] += np.bincount(reps[given], minlength=self.count)
        return given, float(cost.sum())

    def plead(
        self,
        rng: np.random.Generator,
        rows: np.ndarray,
        reps: np.ndarray,
        visible: bool,
        blind_efficiency: float,
        resent_probability: float,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Coach surveyed customers: 'anything below a 10 is a fail for me'.

        Returns:
            Masks over ``rows``: pleaded with, and resented the plea.
        """
        pleaded = self.aim(rng, rules.COACH, reps, visible, blind_efficiency)
        resented = pleaded & (rng.random(rows.size) < resent_probability)
        return pleaded, resented

    def bribe(
        self, rng: np.random.Generator, reps: np.ndarray, visible: bool, blind_efficiency: float
    ) -> np.ndarray:
        """Offer gifts for a high score; returns a mask of bribed accounts."""
        return self.aim(rng, rules.BRIBE, reps, visible, blind_efficiency)

    def offer_discount(
        self, reps: np.ndarray, ordinary: np.ndarray, for_score: np.ndarray
    ) -> np.ndarray:
        """The discount each rep offers: the ordinary one, and their price for the score.

        A rep trades price for a customer's score as far as they are willing to concede this
        week (the ``concede`` tactic): not at all with nothing riding on the score, most when
        close to a cliff or a rank-and-yank line (through the drive).
        """
        return ordinary + self.usage[rules.CONCEDE, reps] * for_score

    def record_answers(self, reps: np.ndarray, scores: np.ndarray) -> None:
        """Add a wave's answers to each rep's quarterly tally."""
        self.responses, self.promoters, self.detractors = _tally(
            reps, scores, self.count, self.responses, self.promoters, self.detractors
        )

    def record_honest_answers(self, reps: np.ndarray, scores: np.ndarray) -> None:
        """Add the honest answers an unpicked sample would have given to the shadow tally."""
        self.honest_responses, self.honest_promoters, self.honest_detractors = _tally(
            reps,
            scores,
            self.count,
            self.honest_responses,
            self.honest_promoters,
            self.honest_detractors,
        )

    def record_review(self, slots: np.ndarray, score: np.ndarray, on_plan: np.ndarray) -> None:
        """Keep what a review decided: the score reps are judged on, and who is on a plan."""
        self.last_score[slots] = score
        self.on_plan[slots] = on_plan

    def start_quarter(self) -> None:
        """Clear the quarterly tallies after a review."""
        for tally in (
            self.usage_sum,
            self.uses,
            self.overwork_sum,
            self.giveaway_spent,
            self.promoters,
            self.detractors,
            self.responses,
            self.honest_promoters,
            self.honest_detractors,
            self.honest_responses,
        ):
            tally[...] = 0

    # ------------------------------------------------------------------ the quarter

    def gaming_intensity(self, params: RepParams, weeks: int) -> np.ndarray:
        """How far each rep gamed this quarter, 0-1: tactic use weighted by moral weight.

        Bribing counts for more than moving hours onto surveyed accounts; a rep who used every
        tactic fully all quarter scores 1.
        """
        weights = rules.moral_weights(params)
        total = max(float(weights.sum()), 1e-12)
        return (weights[:, None] * self.usage_sum).sum(axis=0) / (total * max(weeks, 1))

    def joining_culture(self, slots: np.ndarray) -> np.ndarray | None:
        """The culture each new hire into ``slots`` joins, shape (tactics, slots).

        It is the mean propensities of the teammates who stay; where a whole team leaves, the
        firm's; where everybody leaves, none.
        """
        staying = np.ones(self.count, dtype=bool)
        staying[slots] = False
        if not staying.any():
            return None
        teams = self.manager[staying]
        n_teams = int(self.manager.max()) + 1
        counts = np.bincount(teams, minlength=n_teams)
        sums = np.stack(
            [np.bincount(teams, weights=row[staying], minlength=n_teams) for row in self.propensity]
        )
        culture = np.where(counts > 0, sums / np.maximum(counts, 1), 0.0)[:, self.manager[slots]]
        lonely = counts[self.manager[slots]] == 0
        culture[:, lonely] = self.propensity[:, staying].mean(axis=1)[:, None]
        return culture

    def learn(
        self,
        teams: np.ndarray,
        payoff: np.ndarray,
        caught: np.ndarray,
        params: RepParams,
        rng: np.random.Generator,
        weeks: int,
    ) -> None:
        """Reinforce the tactics that paid, imitate better-paid teammates, drift to team norms.

        A rep whose pay beat the firm's mean strengthens the tactics they used this quarter in
        proportion; one below weakens them. Under a team target every teammate is paid alike,
        so the team as a whole learns from how its pay compares with other teams'. With some
        chance a rep copies part of the gap to the best-paid teammate's propensities, and every
        rep drifts toward the team's mean (``conformity``). A rep caught by an audit turns
        cautious and drops part of every propensity; integrity caps them all
        (:meth:`bound_by_integrity`).

        Args:
            teams: Every team's rep slots, one team per row.
            payoff: Each rep's bonus as a multiple of the target bonus (shaped like ``teams``).
            caught: Which reps an audit caught (shaped like ``teams``).
            params: The ``[reps]`` parameters.
            rng: The reviews' random stream.
            weeks: Weeks in the quarter (to turn summed usage into mean usage).
        """
        teams = np.atleast_2d(teams)
        payoff = np.reshape(payoff, teams.shape)
        caught = np.reshape(caught, teams.shape)
        advantage = payoff - payoff.mean()
        mean_usage = self.usage_sum[:, teams] / max(weeks, 1)
        prop = self.propensity[:, teams]  # tactics x teams x teammates
        prop += params.learning_rate * advantage[None] * mean_usage
        team_index = np.arange(teams.shape[0])
        best = np.argmax(payoff, axis=1)
        best_payoff = payoff[team_index, best][:, None]
        imitates = (rng.random(teams.shape) < params.imitation_rate) & (
            payoff < best_payoff - params.imitation_margin
        )
        team, mate = np.nonzero(imitates)
        best_prop = prop[:, team_index, best]  # tactics x teams
        prop[:, team, mate] += params.imitation_step * (best_prop[:, team] - prop[:, team, mate])
        prop += params.conformity * (prop.mean(axis=2, keepdims=True) - prop)
        prop[:, caught] *= 1.0 - params.caught_unlearning
        self.propensity[:, teams] = prop
        self.bound_by_integrity(teams.ravel(), params)

    def feel(
        self,
        slots: np.ndarray,
        score: np.ndarray,
        caught: np.ndarray,
        policy: PolicyParams,
        params: RepParams,
        weeks: int,
    ) -> None:
        """Update stress after a review.

        A shortfall against the target frightens in proportion to what rides on it, plans and
        audits sting, gaming against one's own integrity wears on a rep, and so does giving up
        the hours a rep would rather keep. ``slots``, ``score`` and ``caught`` may hold one team
        or several (as rows), like :meth:`learn`.
        """
        inc = policy.incentives
        span = max(inc.target_nps - inc.floor_nps, 1.0)
        measured = np.nan_to_num(score, nan=inc.target_nps)  # nothing measured, nothing missed
        shortfall = np.clip((inc.target_nps - measured) / span, 0.0, 1.0)
        exposure = (
            inc.nps_weight + inc.manager_nps_weight + params.yank_exposure * (inc.rank_and_yank)
        )
        strain = (
            self.fear[slots] * shortfall * exposure
            + params.plan_strain * self.on_plan[slots]
            + params.caught_strain * caught
            + params.dissonance_strain
            * self.integrity[slots]
            * self.gaming_intensity(params, weeks)[slots]
            + params.overwork_strain * self.overwork_sum[slots] / max(weeks, 1)
        )
        stress = self.stress[slots] * (1.0 - params.stress_decay) + strain
        self.stress[slots] = np.clip(stress, 0.0, 1.0)

    def quit_chance(self, params: RepParams, weeks: int) -> np.ndarray:
        """Chance each rep leaves this quarter.

        A base rate, plus stress, plus honest reps fleeing a gaming culture: their integrity
        times their teammates' mean tactic use this quarter.
        """
        gaming = self.gaming_intensity(params, weeks)
        team_gaming = np.bincount(self.manager, weights=gaming) / np.bincount(self.manager)
        chance = (
            params.base_quit_rate
            + params.stress_quit_rate * self.stress
            + params.honest_exit_rate * self.integrity * team_gaming[self.manager]
        )
        return np.clip(chance, 0.0, 1.0)


def _tally(
    reps: np.ndarray,
    scores: np.ndarray,
    count: int,
    responses: np.ndarray,
    promoters: np.ndarray,
    detractors: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Add answers to per-rep counts of responses, promoters (9-10) and detractors (0-6)."""
    return (
        responses + np.bincount(reps, minlength=count),
        promoters + np.bincount(reps[scores >= 9], minlength=count),
        detractors + np.bincount(reps[scores <= 6], minlength=count),
    )


def _by_rep_then_row(reps: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``np.lexsort((rows, reps))``; a survey's rows come sorted, so a stable sort of reps will do.

    :func:`~npssim.survey.group_order` sorts the reps stably with a radix sort, several times
    faster than a lexsort.
    """
    if rows.size > 1 and not np.all(rows[1:] > rows[:-1]):
        return np.lexsort((rows, reps))
    return group_order(reps, np.arange(reps.size))


def _group_cumsum(groups: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Running sum of ``values`` restarting at each new group (groups must be sorted)."""
    total = np.cumsum(values)
    if total.size == 0:
        return total
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    offsets = np.repeat(total[starts] - values[starts], np.diff(np.r_[starts, total.size]))
    return total - offsets


class SalesRep(mesa.Agent):
    """A sales rep: a thin Mesa agent over one slot of the :class:`RepRoster`.

    Attributes:
        slot: The rep's row in the roster (and the owner id of its book's accounts).
    """

    def __init__(self, model: mesa.Model, roster: RepRoster, slot: int) -> None:
        super().__init__(model)
        self.roster = roster
        self.slot = slot

    @property
    def integrity(self) -> float:
        """Moral cost of gaming, 0-1."""
        return float(self.roster.integrity[self.slot])

    @property
    def stress(self) -> float:
        """Current stress, 0-1."""
        return float(self.roster.stress[self.slot])

    @property
    def genuine_share(self) -> float:
        """Share of this week's account hours spent on genuine service."""
        return float(self.roster.genuine_share[self.slot])

    def propensity(self, tactic: str) -> float:
        """Learned inclination to use ``tactic`` (one of :data:`npssim.policy.TACTICS`)."""
        return float(self.roster.propensity[rules.TACTICS.index(tactic), self.slot])

    def consider_concession(
        self,
        amount: float,
        acv: float,
        policy: PolicyParams,
        manager: Approver,
        draws: tuple[float, float],
    ) -> bool:
        """Decide whether to buy a hostage-taker's good score with a concession.

        The firm's rules come first: a demand above the cap cannot be granted, and one above
        the approval threshold needs the manager. Within the rules the rep grants with the
        intensity their incentives and integrity set for conceding this week.

        Args:
            amount: The concession demanded (currency).
            acv: The account's annual contract value.
            policy: The policy in force.
            manager: The rep's manager, who approves large concessions.
            draws: Two uniform draws: the rep's choice and the manager's.

        Returns:
            True if the concession is granted.
        """
        rules_ = policy.concessions
        if amount > rules_.cap * acv:
            return False
        if draws[0] >= self.roster.usage[rules.CONCEDE, self.slot]:
            return False
        if amount > rules_.approval_threshold and not manager.approve(amount, policy, draws[1]):
            return False
        self.roster.record_use(rules.CONCEDE, self.slot)
        return True
