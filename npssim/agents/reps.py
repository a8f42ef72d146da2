"""Sales reps: each owns a book of accounts and chooses how hard to work, and on what.

A rep acts in its own interest as its pay, costs and beliefs make it. Each week it chooses how
hard to work and, at each chance to use a tactic, whether the tactic's expected pay (its belief
about what one use achieves, times what a point of score is worth under the pay plan) beats what
the use costs it: hours, conscience, the risk of being caught and, for a concession, the
commission it gives up. What a use achieves happens in the simulation, and the rep learns it:
each quarter its beliefs move toward what its own uses were seen to achieve (experience-weighted
attraction, Camerer & Ho 1999), it copies some of the beliefs of better-paid teammates (Boyd &
Richerson 1985), and drifts toward the team's norms. A tactic that buys nothing dies out; one
that pays spreads.

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
from npssim.tactics import TACTIC_TABLE


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


def contribution(scores: np.ndarray) -> np.ndarray:
    """Each answer's contribution to an NPS: +100 for a promoter (9-10), -100 for a detractor.

    The mean contribution of a set of answers is their NPS, so a tactic's effect on one answer,
    in these points, is what a rep learns (its share of the quarter's score is that over the
    number of answers).
    """
    scores = np.asarray(scores)
    return 100.0 * ((scores >= 9).astype(float) - (scores <= 6))


def table(values: object) -> np.ndarray:
    """A per-tactic scenario table (``reps.tactic_effect`` and the like) as an array."""
    return np.array([getattr(values, name) for name in rules.TACTICS], dtype=float)


class RepRoster:
    """The hot state of every rep, as arrays indexed by slot.

    Attributes:
        manager: Manager slot of each rep.
        skill: Satisfaction an hour of genuine service buys (multiplier).
        integrity: 0-1: how much of a tactic's moral cost the rep feels.
        greed: Weight on the bonus, 0-1.
        fear: Weight on penalties and losses, 0-1.
        stress: 0-1; lowers service quality and drives quitting.
        tenure: Weeks in the job; a new hire's service improves with it.
        on_plan: On a performance plan after a poor review.
        last_score: Score at the last review (NaN before the first).
        belief: What each rep expects one use of each tactic to add to one answer's NPS
            contribution, shape (tactics, reps): learned from what its uses achieved.
        experience: How many uses' worth of evidence each belief rests on, shape (tactics, reps).
        expected_answers: Answers each rep expects in a quarter (its last quarter's count).
        judged_answers: Answers in the score each rep is judged on: its own, or under a team
            target its team's. One answer moved by ``x`` contribution points moves that score
            by ``x`` over this.
        stake: What a point of quarterly score is worth to each rep this week (currency), from
            the pay plan (:meth:`~npssim.agents.PayPlan.stake`).
        drive: The stake as a share of the quarterly variable target that 100 points move.
        usage: This week's chance that a rep uses each tactic where it has the chance, shape
            (tactics, reps).
        usage_sum: Usage summed over the quarter's weeks (how far a rep gamed).
        uses: Times each tactic was used this quarter (what audits can find, what learning
            counts).
        gain_sum: What this quarter's uses achieved, summed, in NPS contribution points.
        answers_seen: How many answers those gains were read from this quarter (a use whose
            customer never answered achieved nothing, and the rep knows it).
        hours_spent: Hours this week's tactic uses took (they come out of next week's service).
        effort: Share of the week's account hours the rep chooses to work (service and tactics).
        worked: Share of the week's account hours actually worked: the effort, or more where
            last week's tactic uses took more.
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
        self.belief = np.zeros((n_tactics, count))
        self.experience = np.zeros((n_tactics, count))
        self.expected_answers = np.ones(count)
        self.judged_answers = np.ones(count)
        self.stake = np.zeros(count)
        self.drive = np.zeros(count)
        self.usage = np.zeros((n_tactics, count))
        self.usage_sum = np.zeros((n_tactics, count))
        self.uses = np.zeros((n_tactics, count), dtype=np.int64)
        self.gain_sum = np.zeros((n_tactics, count))
        self.answers_seen = np.zeros((n_tactics, count))
        self.hours_spent = np.zeros(count)
        self.effort = np.ones(count)
        self.worked = np.ones(count)
        self.genuine_share = np.ones(count)
        self.overwork_sum = np.zeros(count)
        self.giveaway_spent = np.zeros(count)
        self.promoters = np.zeros(count, dtype=np.int64)
        self.detractors = np.zeros(count, dtype=np.int64)
        self.responses = np.zeros(count, dtype=np.int64)
        self.honest_promoters = np.zeros(count, dtype=np.int64)
        self.honest_detractors = np.zeros(count, dtype=np.int64)
        self.honest_responses = np.zeros(count, dtype=np.int64)
        #: What one use of each tactic costs each rep beyond money, refreshed by :meth:`decide`.
        self._use_cost = np.zeros((n_tactics, count))

    # ------------------------------------------------------------------ people

    def hire(
        self,
        draws: np.random.Generator | np.ndarray,
        slots: np.ndarray,
        params: RepParams,
        culture: np.ndarray | None = None,
    ) -> None:
        """Fill ``slots`` with new hires whose traits are drawn afresh.

        A new hire brings the firm's typical dispositions and folk beliefs about the tactics
        (``prior_belief``, spread by ``belief_concentration``, worth ``prior_weight`` uses of
        experience); with a team to join, they also take on ``hire_acculturation`` of its
        culture (its mean beliefs). Selection and acculturation, not only learning, shape the
        culture over time (Smaldino & McElreath 2016).

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
        prior = table(params.prior_belief)
        # A belief around the prior, from 0 to twice it: the Beta's mean is a half.
        fresh = np.stack(
            [
                2.0
                * prior[index]
                * beta_quantile(0.5, params.belief_concentration, draws[:, 4 + index])
                for index in range(prior.size)
            ]
        )
        if culture is not None:
            share = params.hire_acculturation
            fresh = (1.0 - share) * fresh + share * culture
        self.belief[:, slots] = fresh
        self.experience[:, slots] = params.prior_weight
        self.stress[slots] = 0.0
        self.tenure[slots] = 0
        self.on_plan[slots] = False
        self.last_score[slots] = np.nan
        self.usage_sum[:, slots] = 0.0
        self.uses[:, slots] = 0
        self.gain_sum[:, slots] = 0.0
        self.answers_seen[:, slots] = 0.0
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

    # ------------------------------------------------------------------ the week

    def decide(
        self,
        policy: PolicyParams,
        params: RepParams,
        firm: FirmParams,
        *,
        stake: np.ndarray,
        drive: np.ndarray,
        hour_value: float,
        condone: np.ndarray,
        manager_audit_probability: np.ndarray,
        concession_money: np.ndarray | float = 0.0,
    ) -> None:
        """Choose this week's effort, and at each chance to use a tactic, whether to.

        Effort is a choice (Holmstrom & Milgrom 1991): with nothing riding on the score a rep
        works ``service_share`` of the account hours; a stake raises the value of an hour of
        service and, against a convex private cost (``effort_curvature``), the rep works more.

        A tactic is a trade (:meth:`use_value` against :meth:`use_cost`): a rep uses it at a
        chance where its expected gain in pay beats what the use costs it plus an idiosyncratic
        hassle, an exponential draw of mean ``choice_noise`` (a random-utility choice). So the
        chance of use is ``1 - exp(-net / choice_noise)`` where the net is positive, and
        nothing otherwise: a tactic a rep believes buys nothing, or whose costs outweigh what
        the score pays, is not used. Hours this week's uses take come out of next week's
        genuine service.

        Args:
            policy: The policy in force.
            params: The ``[reps]`` parameters.
            firm: The ``[firm]`` parameters.
            stake: What a point of score is worth to each rep (:meth:`PayPlan.stake`).
            drive: The same stake, dimensionless (:meth:`PayPlan.drive`).
            hour_value: What an hour of a rep's time is worth to the rep.
            condone: How far each rep's manager condones gaming, 0-1.
            manager_audit_probability: Chance each rep's manager spot-checks them this quarter.
            concession_money: What a typical concession costs each rep in pay (the commission
                on it): this week's chance of conceding is for such a concession; each real one
                is weighed at its own price (:meth:`willing_to_concede`).
        """
        self.stake = stake
        if policy.incentives.scope == "team":
            team_answers = np.bincount(self.manager, weights=self.expected_answers)
            self.judged_answers = team_answers[self.manager]
        else:
            self.judged_answers = self.expected_answers
        self.drive = drive
        self._use_cost = self.use_cost(
            policy, params, hour_value, condone, manager_audit_probability
        )
        possible = self.reach(policy, params)
        reach = np.where(possible > 0, possible, 1.0)[:, None]
        net = self.use_value() - self._use_cost / reach
        net[rules.CONCEDE] -= concession_money
        self.usage = self.chance_of_use(net, params) * (possible > 0)[:, None]
        self.usage_sum += self.usage
        tactic_share = self.hours_spent / max(firm.service_hours_per_rep, 1e-9)
        self.hours_spent[:] = 0.0
        self.effort = self.chosen_effort(drive, params)
        self.genuine_share = np.maximum(0.0, self.effort - tactic_share)
        self.worked = np.maximum(self.effort, tactic_share)
        self.overwork_sum += self.overwork(self.worked, params)
        self.tenure += 1

    def reach(self, policy: PolicyParams, params: RepParams) -> np.ndarray:
        """Per tactic, the share of a rep's uses that reach a customer whose answer counts.

        0 where the survey design rules the tactic out (cherry-picking where reps do not pick
        the sample, teaching to the test where they cannot tell who was asked);
        ``blind_efficiency`` for a targeted tactic where reps cannot tell who was asked, so
        each use that reaches a surveyed customer costs the rep that many times more; else 1.
        """
        visible = rules.survey_is_visible(policy)
        rep_samples = policy.survey.sampler == "rep"
        reach = np.ones(len(TACTIC_TABLE))
        for index, tactic in enumerate(TACTIC_TABLE):
            if (tactic.needs_rep_sampling and not rep_samples) or (
                tactic.needs_visibility and not visible
            ):
                reach[index] = 0.0
            elif tactic.targeted and not visible:
                reach[index] = params.blind_efficiency
        return reach

    def use_value(self, slots: np.ndarray | slice = slice(None)) -> np.ndarray:
        """What each rep expects one use of each tactic to add to its pay, shape (tactics, reps).

        The belief (contribution points to one answer) over the answers in the score the rep
        is judged on is the points of score one use buys; times the stake, currency. Under a
        team target one answer is a smaller part of a larger score.
        """
        per_point = self.stake[slots] / np.maximum(self.judged_answers[slots], 1.0)
        return self.belief[:, slots] * per_point

    def use_cost(
        self,
        policy: PolicyParams,
        params: RepParams,
        hour_value: float,
        condone: np.ndarray,
        manager_audit_probability: np.ndarray,
    ) -> np.ndarray:
        """What one use of each tactic costs each rep beyond money, shape (tactics, reps).

        Its hours at what an hour of the rep's time is worth; its moral weight times
        ``moral_cost`` times the rep's integrity, eased where the manager condones gaming; and
        for a tactic an audit can find, the chance of an audit (the firm's or the manager's)
        times detection times what being caught costs the rep (the forfeited bonus and, weighed
        by fear, ``penalty_fear`` and, where gaming found means dismissal, ``firing_fear``
        quarters of pay), spread over the quarter's answers and scaled by ``deterrence_scale``.
        """
        audits = policy.audits
        hours = table(params.tactic_hours)[:, None] * hour_value
        moral = (
            table(params.moral_weight)[:, None]
            * params.moral_cost
            * (self.integrity * (1.0 - condone))[None, :]
        )
        audit_chance = 1.0 - (1.0 - audits.probability) * (1.0 - manager_audit_probability)
        quarter_pay = (policy.pay.base_salary + policy.pay.variable_target) * (
            rules.WEEKS_PER_QUARTER / rules.WEEKS_PER_YEAR
        )
        caught_cost = (
            audits.forfeit * rules.nps_bonus_target(policy) * self.greed
            + self.fear
            * (params.penalty_fear + params.firing_fear * audits.fire_on_detection)
            * quarter_pay
        )
        risk = (
            params.deterrence_scale
            * audit_chance
            * audits.detection
            * caught_cost
            / np.maximum(self.expected_answers, 1.0)
        )
        return hours + moral + rules.AUDITABLE[:, None] * risk[None, :]

    def chance_of_use(self, net: np.ndarray, params: RepParams) -> np.ndarray:
        """The chance that a use's net gain beats an exponential hassle of mean choice_noise."""
        return -np.expm1(-np.maximum(net, 0.0) / params.choice_noise)

    def willing_to_concede(
        self, reps: np.ndarray, money: np.ndarray, draws: np.ndarray, params: RepParams
    ) -> np.ndarray:
        """Whether each rep trades a concession for a score, giving up ``money`` of its pay.

        The same choice as every tactic's (:meth:`decide`), with the pay the concession costs
        the rep (the commission on the revenue given up) added to the use's cost: a concession
        that the rep's expected pay does not justify is never granted.

        Args:
            reps: The rep of each concession.
            money: What each concession costs its rep in pay.
            draws: One uniform per concession.
            params: The ``[reps]`` parameters.
        """
        concede = rules.CONCEDE
        net = (
            self.belief[concede, reps]
            * self.stake[reps]
            / np.maximum(self.judged_answers[reps], 1.0)
            - self._use_cost[concede, reps]
            - money
        )
        return draws < self.chance_of_use(net, params)

    def spend_hours(self, tactic: int, reps: np.ndarray, params: RepParams) -> None:
        """Book the hours uses of ``tactic`` by ``reps`` (one entry a use) take this week."""
        hours = getattr(params.tactic_hours, rules.TACTICS[tactic])
        if hours > 0.0 and np.size(reps):
            self.hours_spent += hours * np.bincount(reps, minlength=self.count)

    def record_gains(self, tactic: int, reps: np.ndarray, gains: np.ndarray) -> None:
        """Add what uses of ``tactic`` achieved to each rep's quarter.

        Each gain is read from one answer (contribution points).
        """
        if np.size(reps):
            self.gain_sum[tactic] += np.bincount(reps, weights=gains, minlength=self.count)
            self.answers_seen[tactic] += np.bincount(reps, minlength=self.count)

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
        rng: np.random.Generator,
        book: AccountBook,
        firm: FirmParams,
        params: RepParams,
        book_sizes: np.ndarray,
        surveyed: np.ndarray | None = None,
    ) -> np.ndarray:
        """Spend the week's genuine service hours on the book, raising latent satisfaction.

        Hours are shared evenly across a rep's accounts, except that a rep who teaches to the
        test this wave (a chance of use like any tactic's) moves ``tactic_effect.teach_to_test``
        of the hours for the rest of the book onto the accounts about to be surveyed. The gain
        is worked out per rep and spread to the accounts, so a week costs one pass over the book.

        Args:
            rng: The tactics' stream (whether each rep teaches to the test this wave).
            book: The account book.
            firm: The ``[firm]`` parameters.
            params: The ``[reps]`` parameters.
            book_sizes: Active accounts per rep.
            surveyed: Rows invited this week, when reps can tell which they are.

        Returns:
            The satisfaction the moved hours added to each of ``surveyed`` (zeros where nobody
            taught to the test; empty when nothing was surveyed).
        """
        per_account = self.genuine_share * firm.service_hours_per_rep / np.maximum(book_sizes, 1)
        power = self.service_power(firm, params)
        scale = firm.service_hours_scale
        if surveyed is None or surveyed.size == 0:
            book.serve((power * np.log1p(per_account / scale))[book.rep])
            return np.zeros(0)
        owners = book.rep[surveyed]
        invited = np.bincount(owners, minlength=self.count)
        tries = (rng.random(self.count) < self.usage[rules.TEACH_TO_TEST]) & (invited > 0)
        teach = params.tactic_effect.teach_to_test * tries
        kept = per_account * (1.0 - teach)
        gain = (power * np.log1p(kept / scale))[book.rep]
        moved = teach * per_account * book_sizes / np.maximum(invited, 1)
        taught_gain = power[owners] * np.log1p((kept + moved)[owners] / scale)
        untaught_gain = power[owners] * np.log1p(per_account[owners] / scale)
        gain[surveyed] = taught_gain
        self.record_uses(rules.TEACH_TO_TEST, np.flatnonzero(tries), params)
        room = (10.0 - book.satisfaction[surveyed]) / 10.0  # as AccountBook.serve scales a gain
        book.serve(gain)
        return np.where(tries[owners], (taught_gain - untaught_gain) * room, 0.0)

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
    ) -> tuple[np.ndarray, np.ndarray]:
        """The at-risk accounts a rep tries to keep out of the survey, and those it manages to.

        Returns:
            Masks over ``rows``: tried (a use of ``cherry_pick``), and kept out (each try
            succeeds with chance ``tactic_effect.cherry_pick``).
        """
        use = self.usage[rules.CHERRY_PICK, reps]
        draws = rng.random((2, rows.size))
        tried = (perceived < params.at_risk_below) & (draws[0] < use)
        return tried, tried & (draws[1] < params.tactic_effect.cherry_pick)

    def record_uses(self, tactic: int, reps: np.ndarray, params: RepParams) -> None:
        """Count uses of ``tactic`` by ``reps`` (one entry a use), and the hours they take."""
        if np.size(reps):
            self.uses[tactic] += np.bincount(reps, minlength=self.count)
            self.spend_hours(tactic, reps, params)

    def aim(
        self,
        rng: np.random.Generator,
        tactic: int,
        reps: np.ndarray,
        visible: bool,
        blind_efficiency: float,
    ) -> np.ndarray:
        """Which of the surveyed accounts a targeted tactic reaches this wave.

        A rep who cannot tell who was surveyed must spread the tactic thin, so it reaches the
        surveyed accounts with only ``blind_efficiency`` of its force (what it costs the rep is
        counted in :meth:`decide`, where its cost per use reaching a surveyed customer rises by
        the same factor).
        """
        chance = self.usage[tactic, reps] * (1.0 if visible else blind_efficiency)
        return rng.random(reps.size) < chance

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
            rng, rules.GIVEAWAY, reps, visible, params.blind_efficiency
        )
        cost = np.where(wants, params.giveaway_size * book.acv[rows], 0.0)
        order = _by_rep_then_row(reps, rows)
        spent_before = _group_cumsum(reps[order], cost[order]) - cost[order]
        within = np.zeros(rows.size, dtype=bool)
        within[order] = self.giveaway_spent[reps[order]] + spent_before + cost[order] <= budget
        given = wants & within
        cost = np.where(given, cost, 0.0)
        self.giveaway_spent += np.bincount(reps, weights=cost, minlength=self.count)
        self.record_uses(rules.GIVEAWAY, reps[given], params)
        return given, float(cost.sum())

    def plead(
        self,
        rng: np.random.Generator,
        rows: np.ndarray,
        reps: np.ndarray,
        visible: bool,
        params: RepParams,
        resent_probability: float,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Coach surveyed customers: 'anything below a 10 is a fail for me'.

        Returns:
            Masks over ``rows``: pleaded with, and resented the plea.
        """
        pleaded = self.aim(rng, rules.COACH, reps, visible, params.blind_efficiency)
        resented = pleaded & (rng.random(rows.size) < resent_probability)
        self.record_uses(rules.COACH, reps[pleaded], params)
        return pleaded, resented

    def bribe(
        self, rng: np.random.Generator, reps: np.ndarray, visible: bool, params: RepParams
    ) -> np.ndarray:
        """Offer gifts for a high score; returns a mask of bribed accounts."""
        bribed = self.aim(rng, rules.BRIBE, reps, visible, params.blind_efficiency)
        self.record_uses(rules.BRIBE, reps[bribed], params)
        return bribed

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
            self.gain_sum,
            self.answers_seen,
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
        weights = table(params.moral_weight)
        total = max(float(weights.sum()), 1e-12)
        return (weights[:, None] * self.usage_sum).sum(axis=0) / (total * max(weeks, 1))

    def joining_culture(self, slots: np.ndarray) -> np.ndarray | None:
        """The culture each new hire into ``slots`` joins, shape (tactics, slots).

        It is the mean beliefs of the teammates who stay; where a whole team leaves, the
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
            [np.bincount(teams, weights=row[staying], minlength=n_teams) for row in self.belief]
        )
        culture = np.where(counts > 0, sums / np.maximum(counts, 1), 0.0)[:, self.manager[slots]]
        lonely = counts[self.manager[slots]] == 0
        culture[:, lonely] = self.belief[:, staying].mean(axis=1)[:, None]
        return culture

    def learn(
        self,
        teams: np.ndarray,
        paid: np.ndarray,
        caught: np.ndarray,
        params: RepParams,
        rng: np.random.Generator,
    ) -> None:
        """Update each rep's beliefs from what its uses achieved, and from better-paid teammates.

        Each rep reads what its uses of each tactic achieved this quarter: their mean gain,
        each answer it was read from blurred by ``outcome_noise`` (reps judge a tactic by
        comparing the answers it touched with others; a use whose customer never answered
        plainly achieved nothing). It moves its belief toward that in
        proportion to the new evidence against the old, which keeps ``belief_memory`` of its
        weight a quarter: experience-weighted attraction (Camerer & Ho 1999). Reps talk:
        what teammates' uses achieved counts as ``peer_evidence`` of a rep's own (observational
        learning), so a rep learns of a tactic it did not use; a tactic nobody in the team used
        keeps its belief. With some chance a rep then copies part of the gap
        to the beliefs of the teammate whose variable pay was highest (success-biased
        imitation, Boyd & Richerson 1985), every rep drifts toward the team's mean
        (``conformity``), and a rep an audit caught turns cautious and drops part of every
        belief. The answers of the quarter also set how many answers a rep expects next.

        Args:
            teams: Every team's rep slots, one team per row.
            paid: Each rep's variable pay this quarter, in quarterly variable targets (shaped
                like ``teams``).
            caught: Which reps an audit caught (shaped like ``teams``).
            params: The ``[reps]`` parameters.
            rng: The reviews' random stream.
        """
        teams = np.atleast_2d(teams)
        uses = self.with_peers(self.uses.astype(float), teams, params.peer_evidence)
        answers = self.with_peers(self.answers_seen, teams, params.peer_evidence)
        gains = self.with_peers(self.gain_sum, teams, params.peer_evidence)
        noise = rng.standard_normal(uses.shape) * params.outcome_noise * np.sqrt(answers)
        seen = np.divide(gains + noise, uses, out=np.zeros_like(uses), where=uses > 0)
        kept = params.belief_memory * self.experience
        weight = kept + uses
        updated = np.divide(
            kept * self.belief + uses * seen, weight, out=self.belief.copy(), where=weight > 0
        )
        self.belief = np.where(uses > 0, updated, self.belief)
        self.experience = np.where(uses > 0, weight, self.experience)
        self.expected_answers = np.maximum(self.responses.astype(float), 1.0)

        paid = np.reshape(paid, teams.shape)
        caught = np.reshape(caught, teams.shape)
        belief = self.belief[:, teams]  # tactics x teams x teammates
        team_index = np.arange(teams.shape[0])
        best = np.argmax(paid, axis=1)
        best_paid = paid[team_index, best][:, None]
        imitates = (rng.random(teams.shape) < params.imitation_rate) & (
            paid < best_paid - params.imitation_margin
        )
        team, mate = np.nonzero(imitates)
        best_belief = belief[:, team_index, best]  # tactics x teams
        belief[:, team, mate] += params.imitation_step * (
            best_belief[:, team] - belief[:, team, mate]
        )
        belief += params.conformity * (belief.mean(axis=2, keepdims=True) - belief)
        belief[:, caught] *= 1.0 - params.caught_unlearning
        self.belief[:, teams] = belief

    def with_peers(self, own: np.ndarray, teams: np.ndarray, weight: float) -> np.ndarray:
        """Each rep's evidence, shape (tactics, reps): its own plus ``weight`` of its teammates'.

        Args:
            own: Each rep's own count or sum, shape (tactics, reps).
            teams: Every team's rep slots, one team per row.
            weight: How much a teammate's evidence counts against one's own.
        """
        if weight <= 0.0:
            return own
        team_total = own[:, teams].sum(axis=2, keepdims=True)  # tactics x teams x 1
        pooled = own.copy()
        pooled[:, teams] = own[:, teams] + weight * (team_total - own[:, teams])
        return pooled

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

    def belief(self, tactic: str) -> float:
        """What the rep expects one use of ``tactic`` to add to an answer (contribution points)."""
        return float(self.roster.belief[rules.TACTICS.index(tactic), self.slot])

    def usage(self, tactic: str) -> float:
        """This week's chance that the rep uses ``tactic`` where it has the chance."""
        return float(self.roster.usage[rules.TACTICS.index(tactic), self.slot])

    def consider_concession(
        self,
        amount: float,
        acv: float,
        policy: PolicyParams,
        params: RepParams,
        manager: Approver,
        revenue_cost: float,
        draws: tuple[float, float],
    ) -> bool:
        """Decide whether to buy a hostage-taker's good score with a concession.

        The firm's rules come first: a demand above the cap cannot be granted, and one above
        the approval threshold needs the manager. Within the rules the rep grants only where
        its expected pay justifies it (:meth:`RepRoster.willing_to_concede`): the concession is
        a credit against the contract, so it costs the rep the commission on ``amount``.

        Args:
            amount: The concession demanded (currency).
            acv: The account's annual contract value.
            policy: The policy in force.
            params: The ``[reps]`` parameters.
            manager: The rep's manager, who approves large concessions.
            revenue_cost: What a unit of revenue given up costs this rep in pay
                (:meth:`~npssim.agents.PayPlan.revenue_cost`).
            draws: Two uniform draws: the rep's choice and the manager's.

        Returns:
            True if the concession is granted.
        """
        rules_ = policy.concessions
        if amount > rules_.cap * acv:
            return False
        slot = np.array([self.slot])
        willing = self.roster.willing_to_concede(
            slot, np.array([revenue_cost * amount]), np.array([draws[0]]), params
        )
        if not willing[0]:
            return False
        if amount > rules_.approval_threshold and not manager.approve(amount, policy, draws[1]):
            return False
        self.roster.record_uses(rules.CONCEDE, slot, params)
        return True
