"""Sales reps: each owns a book of accounts and splits the week between service and the score.

Weekly quantities (the effort split, tactic use, stress) live in :class:`RepRoster` as arrays
indexed by rep slot, so a week costs a few NumPy operations however many reps there are. The
Mesa agent :class:`SalesRep` is a thin object over its slot for the rare decisions: whether to
grant a hostage-taker's demand, whether to quit. A slot outlives its holder: when a rep leaves,
a new hire with fresh traits takes the slot and the book.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from npssim import policy as rules
from npssim.agents.accounts import AccountBook, beta_with_mean
from npssim.scenario.schema import FirmParams, PolicyParams, RepParams

if TYPE_CHECKING:
    from npssim.agents.managers import Manager

#: Reps with at least this integrity count as honest in ``honest_rep_share``.
HONEST_LINE = 0.6
#: An account a rep reads below this is "at risk" of a low score (a passive or worse).
AT_RISK_BELOW = 7.0


class RepRoster:
    """The hot state of every rep, as arrays indexed by slot.

    Attributes:
        manager: Manager slot of each rep.
        skill: Satisfaction an hour of genuine service buys (multiplier).
        integrity: Moral cost of gaming, 0-1.
        greed: Weight on the bonus, 0-1.
        fear: Weight on penalties and losses, 0-1.
        stress: 0-1; drives quitting.
        tenure: Weeks in the job.
        on_plan: On a performance plan after a poor review.
        last_score: Score at the last review (NaN before the first).
        propensity: Learned inclination to use each tactic, shape (tactics, reps).
        usage: This week's intensity of each tactic, shape (tactics, reps).
        usage_sum: Usage summed over the quarter's weeks (what learning reinforces).
        uses: Times each tactic was actually applied this quarter (what audits can find).
        genuine_share: Share of this week's hours spent on genuine service.
        giveaway_spent: Free services given this quarter (currency).
        promoters, detractors, responses: This quarter's survey counts per rep.
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
        self.usage = np.zeros((n_tactics, count))
        self.usage_sum = np.zeros((n_tactics, count))
        self.uses = np.zeros((n_tactics, count), dtype=np.int64)
        self.genuine_share = np.ones(count)
        self.giveaway_spent = np.zeros(count)
        self.promoters = np.zeros(count, dtype=np.int64)
        self.detractors = np.zeros(count, dtype=np.int64)
        self.responses = np.zeros(count, dtype=np.int64)

    def hire(self, rng: np.random.Generator, slots: np.ndarray, params: RepParams) -> None:
        """Fill ``slots`` with new hires whose traits are drawn afresh.

        A new hire brings the firm's typical dispositions, not the culture the previous holder
        learned: that is how selection, not just learning, shapes the culture over time.
        """
        n = slots.size
        conc = params.trait_concentration
        self.skill[slots] = np.maximum(0.05, rng.normal(params.skill_mean, params.skill_sd, n))
        self.integrity[slots] = beta_with_mean(rng, params.integrity_mean, conc, n)
        self.greed[slots] = beta_with_mean(rng, params.greed_mean, conc, n)
        self.fear[slots] = beta_with_mean(rng, params.fear_mean, conc, n)
        initial = params.initial_propensity
        for index, tactic in enumerate(rules.TACTICS):
            self.propensity[index, slots] = beta_with_mean(rng, getattr(initial, tactic), 4.0, n)
        self.stress[slots] = 0.0
        self.tenure[slots] = 0
        self.on_plan[slots] = False
        self.last_score[slots] = np.nan
        self.usage_sum[:, slots] = 0.0
        self.uses[:, slots] = 0

    def decide(
        self,
        policy: PolicyParams,
        params: RepParams,
        manager_push: np.ndarray,
        condone: np.ndarray,
        manager_audit_probability: np.ndarray,
    ) -> None:
        """Set this week's tactic intensities and the share of time left for service.

        A tactic is used in proportion to the rep's learned propensity, once the incentive drive
        outweighs the moral cost (integrity, eased by a condoning manager) and, for tactics an
        audit can uncover, the expected penalty. Every tactic takes time from genuine service
        (Holmström & Milgrom's multitask trade-off).

        Args:
            policy: The policy in force.
            params: The ``[reps]`` parameters.
            manager_push: Pressure from each rep's manager.
            condone: How far each rep's manager condones gaming, 0-1.
            manager_audit_probability: Chance each rep's manager spot-checks them this quarter.
        """
        drive = rules.incentive_drive(
            policy,
            greed=self.greed,
            fear=self.fear,
            last_score=self.last_score,
            on_plan=self.on_plan,
            sensitivity=params.incentive_sensitivity,
            team_scope_factor=params.team_scope_factor,
            manager_push=manager_push,
        )
        moral = params.moral_cost_scale * self.integrity * (1.0 - condone)
        deter = rules.deterrence(policy, manager_audit_probability, self.greed, self.fear)
        net = (
            drive[None, :]
            - rules.MORAL_WEIGHT[:, None] * moral[None, :]
            - rules.AUDITABLE[:, None] * deter[None, :]
        )
        np.multiply(self.propensity, np.clip(net, 0.0, 1.0), out=self.usage)
        if policy.survey.sampler != "rep":
            self.usage[rules.CHERRY_PICK] = 0.0
        if not rules.survey_is_visible(policy):
            self.usage[rules.TEACH_TO_TEST] = 0.0
        self.usage_sum += self.usage
        self.genuine_share = 1.0 - params.time_cost * (rules.TIME_WEIGHT @ self.usage)
        self.tenure += 1

    def service_gain(self, firm: FirmParams, hours: np.ndarray, slots: np.ndarray) -> np.ndarray:
        """Weekly satisfaction gain per account from service hours (diminishing returns)."""
        return firm.service_effect * self.skill[slots] * np.log1p(hours / firm.service_hours_scale)

    def serve(
        self,
        book: AccountBook,
        firm: FirmParams,
        book_sizes: np.ndarray,
        surveyed: np.ndarray | None = None,
    ) -> None:
        """Spend the week's genuine service hours on the book, raising latent satisfaction.

        Hours are shared evenly across a rep's accounts, except that a rep teaching to the test
        moves part of them onto the accounts about to be surveyed.

        Args:
            book: The account book.
            firm: The ``[firm]`` parameters.
            book_sizes: Active accounts per rep.
            surveyed: Rows invited this week, when reps can tell which they are.
        """
        per_account = self.genuine_share * firm.service_hours_per_rep / np.maximum(book_sizes, 1)
        hours = per_account[book.rep]
        if surveyed is not None and surveyed.size:
            invited = np.bincount(book.rep[surveyed], minlength=self.count)
            teach = self.usage[rules.TEACH_TO_TEST] * (invited > 0)
            hours *= 1.0 - teach[book.rep]
            moved = teach * per_account * book_sizes / np.maximum(invited, 1)
            hours[surveyed] += moved[book.rep[surveyed]]
            self.uses[rules.TEACH_TO_TEST] += (invited > 0) & (teach > 0)
        gain = self.service_gain(firm, hours, book.rep)
        sat = book.satisfaction
        sat += gain * (10.0 - sat) / 10.0

    def perceive(
        self, rng: np.random.Generator, book: AccountBook, rows: np.ndarray, noise: float
    ) -> np.ndarray:
        """A rep's read of each account's satisfaction: the truth, blurred."""
        return book.satisfaction[rows] + noise * rng.standard_normal(rows.size)

    def shun(
        self, rng: np.random.Generator, rows: np.ndarray, reps: np.ndarray, perceived: np.ndarray
    ) -> np.ndarray:
        """Flag the at-risk accounts a rep would rather keep out of the survey (cherry-picking).

        Returns:
            A mask over ``rows`` of the accounts to avoid inviting.
        """
        use = self.usage[rules.CHERRY_PICK, reps]
        return (perceived < AT_RISK_BELOW) & (rng.random(rows.size) < use)

    def record_cherry_picks(self, reps: np.ndarray) -> None:
        """Count, for audits, the accounts each rep actually kept out of a sample."""
        np.add.at(self.uses[rules.CHERRY_PICK], reps, 1)

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
            np.add.at(self.uses[tactic], reps[hit], 1)
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
        wants = (perceived < AT_RISK_BELOW) & self.aim(
            rng, rules.GIVEAWAY, reps, visible, params.blind_efficiency, record=False
        )
        cost = np.where(wants, params.giveaway_size * book.acv[rows], 0.0)
        order = np.lexsort((rows, reps))
        spent_before = _group_cumsum(reps[order], cost[order]) - cost[order]
        within = np.zeros(rows.size, dtype=bool)
        within[order] = self.giveaway_spent[reps[order]] + spent_before + cost[order] <= budget
        given = wants & within
        cost = np.where(given, cost, 0.0)
        np.add.at(self.giveaway_spent, reps, cost)
        np.add.at(self.uses[rules.GIVEAWAY], reps[given], 1)
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

    def record_answers(self, reps: np.ndarray, scores: np.ndarray) -> None:
        """Add a wave's answers to each rep's quarterly tally."""
        n = self.count
        self.responses += np.bincount(reps, minlength=n)
        self.promoters += np.bincount(reps[scores >= 9], minlength=n)
        self.detractors += np.bincount(reps[scores <= 6], minlength=n)

    def start_quarter(self) -> None:
        """Clear the quarterly tallies after a review."""
        self.usage_sum[:] = 0.0
        self.uses[:] = 0
        self.giveaway_spent[:] = 0.0
        self.promoters[:] = 0
        self.detractors[:] = 0
        self.responses[:] = 0

    def gaming_intensity(self) -> np.ndarray:
        """Each rep's mean use of the tactics this week, 0-1 (how gaming their conduct looks)."""
        return self.usage.mean(axis=0)

    def learn(
        self,
        slots: np.ndarray,
        payoff: np.ndarray,
        caught: np.ndarray,
        params: RepParams,
        rng: np.random.Generator,
        weeks: int,
    ) -> None:
        """Reinforce the tactics that paid and imitate better-paid teammates.

        A rep whose bonus beat the team's mean strengthens the tactics they used this quarter
        in proportion; one below weakens them. With some chance a rep copies half the gap to
        the best-paid teammate's propensities. A rep caught by an audit halves every propensity.

        Args:
            slots: One team's rep slots, or several teams' as the rows of a 2-D array.
            payoff: Each rep's bonus as a multiple of the target bonus (shaped like ``slots``).
            caught: Which reps an audit caught (shaped like ``slots``).
            params: The ``[reps]`` parameters.
            rng: The reviews' random stream.
            weeks: Weeks in the quarter (to turn summed usage into mean usage).
        """
        teams = np.atleast_2d(slots)
        payoff = np.reshape(payoff, teams.shape)
        caught = np.reshape(caught, teams.shape)
        advantage = payoff - payoff.mean(axis=1, keepdims=True)
        mean_usage = self.usage_sum[:, teams] / max(weeks, 1)
        prop = self.propensity[:, teams]  # tactics x teams x teammates
        prop += params.learning_rate * advantage[None] * mean_usage
        team_index = np.arange(teams.shape[0])
        best = np.argmax(payoff, axis=1)
        best_payoff = payoff[team_index, best][:, None]
        imitates = (rng.random(teams.shape) < params.imitation_rate) & (payoff < best_payoff - 0.05)
        team, mate = np.nonzero(imitates)
        best_prop = prop[:, team_index, best]  # tactics x teams
        prop[:, team, mate] += 0.5 * (best_prop[:, team] - prop[:, team, mate])
        prop[:, caught] *= 0.5
        self.propensity[:, teams] = np.clip(prop, 0.0, 1.0)

    def feel(
        self,
        slots: np.ndarray,
        score: np.ndarray,
        caught: np.ndarray,
        policy: PolicyParams,
        params: RepParams,
    ) -> None:
        """Update stress after a review.

        A shortfall against the target frightens in proportion to what rides on it, plans and
        audits sting, and gaming against one's own integrity wears on a rep. ``slots``,
        ``score`` and ``caught`` may hold one team or several (as rows), like :meth:`learn`.
        """
        inc = policy.incentives
        span = max(inc.target_nps - inc.floor_nps, 1.0)
        measured = np.nan_to_num(score, nan=inc.target_nps)  # nothing measured, nothing missed
        shortfall = np.clip((inc.target_nps - measured) / span, 0.0, 1.0)
        exposure = inc.nps_weight + inc.manager_nps_weight + 2.0 * inc.rank_and_yank
        strain = (
            self.fear[slots] * shortfall * exposure
            + 0.3 * self.on_plan[slots]
            + 0.3 * caught
            + 0.5 * self.integrity[slots] * self.gaming_intensity()[slots]
        )
        stress = self.stress[slots] * (1.0 - params.stress_decay) + strain
        self.stress[slots] = np.clip(stress, 0.0, 1.0)

    def quit_chance(self, params: RepParams) -> np.ndarray:
        """Chance each rep leaves this quarter.

        A base rate, plus stress, plus honest reps fleeing a gaming culture: their integrity
        times their teammates' mean tactic use.
        """
        gaming = self.gaming_intensity()
        team_gaming = np.bincount(self.manager, weights=gaming) / np.bincount(self.manager)
        chance = (
            params.base_quit_rate
            + params.stress_quit_rate * self.stress
            + params.honest_exit_rate * self.integrity * team_gaming[self.manager]
        )
        return np.clip(chance, 0.0, 1.0)


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
        """Share of this week's hours spent on genuine service."""
        return float(self.roster.genuine_share[self.slot])

    def propensity(self, tactic: str) -> float:
        """Learned inclination to use ``tactic`` (one of :data:`npssim.policy.TACTICS`)."""
        return float(self.roster.propensity[rules.TACTICS.index(tactic), self.slot])

    def consider_concession(
        self,
        amount: float,
        acv: float,
        policy: PolicyParams,
        manager: Manager,
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
        self.roster.uses[rules.CONCEDE, self.slot] += 1
        return True
