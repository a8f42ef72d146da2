"""NPSModel: a firm of accounts, reps and managers, run week by week under an NPS policy.

One step is one week. Each week reps split their time between service and the score, service
and incidents move latent satisfaction, a survey wave may go out (and be gamed), contracts
renew or churn on latent satisfaction alone, new accounts are won, and every 13 weeks managers
review their teams. The ledger closes the week into the named metrics that DataCollector keeps.
"""

from __future__ import annotations

from collections.abc import Callable

import mesa
import numpy as np
import pandas as pd

from npssim import policy as rules
from npssim.agents.accounts import (
    SAVVY_LINE,
    Account,
    AccountBook,
    account_power,
    beta_with_mean,
    churn_chance,
    draw_accounts,
    equilibrium_satisfaction,
    spread_savvy,
)
from npssim.agents.managers import Manager, TeamReview, team_influence
from npssim.agents.reps import HONEST_LINE, RepRoster, SalesRep
from npssim.ledger import METRIC_NAMES, Ledger
from npssim.scenario import PolicyParams, Scenario
from npssim.survey import (
    DETRACTOR_LATENT,
    DETRACTOR_MAX,
    PROMOTER_LATENT,
    answer,
    census_nps,
    draw_sample,
    grouped_nps,
    respond,
)

#: Independent random streams, one per mechanism, spawned from the run's seed. Mechanisms whose
#: number of draws does not depend on the policy (incidents, renewals, acquisition, reviews)
#: therefore see the same random numbers under every policy: common random numbers for paired
#: comparisons.
STREAMS: tuple[str, ...] = (
    "accounts",
    "reps",
    "service",
    "survey",
    "tactics",
    "renewals",
    "acquisition",
    "reviews",
    "hiring",
)

#: What :meth:`NPSModel.diagnostics` reports beside the ledger, in this order.
DIAGNOSTIC_NAMES: tuple[str, ...] = (
    "latent_signal_validity",
    "acquisition_cost",
    "turnover_cost",
    "renewals_due",
)

#: Demand chance of savvy accounts when NPS is not in anyone's pay: they seldom bother.
_INDICATOR_STAKES = 0.2
#: Extra chance that a customer pleaded with or bribed answers (the rep makes sure they do).
_NUDGED_RESPONSE = 0.5


def _reporter(name: str) -> Callable[[NPSModel], float]:
    def report(model: NPSModel) -> float:
        return model.metrics[name]

    report.__name__ = name
    return report


class NPSModel(mesa.Model):
    """A firm that may tie Net Promoter Score to performance reviews.

    Args:
        scenario: The firm, its policy and run settings; the defaults when omitted.
        seed: Root seed of every random draw; ``scenario.run.seed`` when omitted.

    Attributes:
        params: The scenario the model was built from.
        seed: The root seed actually used.
        week: Weeks simulated so far.
        closed: :meth:`close` was called; the model can be read but not stepped.
        book: The accounts' hot state (:class:`~npssim.agents.accounts.AccountBook`).
        roster: The reps' hot state (:class:`~npssim.agents.reps.RepRoster`).
        reps: The rep agents, by slot.
        managers: The manager agents, by slot.
        books: The :class:`~npssim.ledger.Ledger` the week's events are booked into.
        metrics: The latest week's metrics, by name.
        datacollector: Mesa's collector; one column per metric in :data:`METRIC_NAMES`.

    To change how agents behave, subclass an agent and name it here in a subclass of the model:
    ``class StrictModel(NPSModel): manager_class = StrictManager``.
    """

    #: The agent classes the model builds; override them in a subclass to change behaviour.
    account_class: type[Account] = Account
    rep_class: type[SalesRep] = SalesRep
    manager_class: type[Manager] = Manager

    def __init__(self, scenario: Scenario | None = None, *, seed: int | None = None) -> None:
        params = scenario if scenario is not None else Scenario()
        seed = params.run.seed if seed is None else int(seed)
        super().__init__(rng=seed)
        self.params = params
        self.seed = seed
        sequences = np.random.SeedSequence(seed).spawn(len(STREAMS))
        self.rngs = {
            name: np.random.default_rng(seq) for name, seq in zip(STREAMS, sequences, strict=True)
        }
        self.policy_schedule = rules.PolicySchedule(params)
        self.week = 0
        self.closed = False

        firm = params.firm
        n_reps = firm.managers * firm.reps_per_manager
        self.team_size = firm.reps_per_manager
        self.roster = RepRoster(n_reps, firm.reps_per_manager)
        self.roster.hire(self.rngs["reps"], np.arange(n_reps), params.reps)
        integrity = beta_with_mean(
            self.rngs["reps"],
            params.managers.integrity_mean,
            params.reps.trait_concentration,
            firm.managers,
        )
        self.managers = [
            self.manager_class(self, i, float(value)) for i, value in enumerate(integrity)
        ]
        self.reps = [self.rep_class(self, self.roster, slot) for slot in range(n_reps)]

        n_accounts = n_reps * firm.accounts_per_rep
        self.initial_accounts = n_accounts
        self.book = AccountBook(capacity=int(n_accounts * (1 + firm.acquisition_rate * 2.5)) + 16)
        owners = np.repeat(np.arange(n_reps), firm.accounts_per_rep)
        columns = self._steady_book(owners)
        rows = self.book.add(n_accounts, created_week=np.full(n_accounts, -1), **columns)
        self.rep_mean_acv = np.bincount(owners, weights=columns["acv"], minlength=n_reps) / (
            np.maximum(np.bincount(owners, minlength=n_reps), 1)
        )
        self.account_agents: list[Account | None] = [
            self.account_class(self, self.book, r) for r in rows
        ]
        self.book_value = float(columns["acv"].sum())

        self.books = Ledger(n_reps, firm.gross_margin_rate)
        self.metrics: dict[str, float] = {}
        self.datacollector = mesa.DataCollector(
            model_reporters={name: _reporter(name) for name in METRIC_NAMES}
        )

    # ------------------------------------------------------------------ public interface

    @property
    def policy(self) -> PolicyParams:
        """The policy in force this week."""
        return self.policy_schedule.current

    def step(self) -> None:
        """Simulate one week."""
        if self.closed:
            raise RuntimeError("this model was closed; build a new NPSModel to simulate again")
        week = self.week
        params, book, roster = self.params, self.book, self.roster
        self.policy_schedule.apply(week)
        policy = self.policy

        push, condone, audit = team_influence(self.managers, policy, params.managers, roster)
        roster.decide(policy, params.reps, push, condone, audit)

        active = book.active_rows()
        book_sizes = np.bincount(book.rep[active], minlength=roster.count)
        visible = rules.survey_is_visible(policy)
        wave = week % policy.survey.wave_interval == 0
        if wave:
            invited, perceived, cherry_picked = self._invite(active)
            roster.serve(book, params.firm, book_sizes, invited if visible else None)
        else:
            roster.serve(book, params.firm, book_sizes)
        book.drift(self.rngs["service"], params.firm)
        book.forget_savvy(params.accounts.savvy_forgetting)
        if wave:
            self._survey(invited, perceived, cherry_picked, active, visible)

        self._renew(week)
        self._acquire(week)
        self.books.earn(self.book_value / rules.WEEKS_PER_YEAR)
        if (week + 1) % rules.WEEKS_PER_QUARTER == 0:
            self._review_quarter()

        self.metrics = self._close_week()
        self.datacollector.collect(self)
        self.week += 1

    def run(self, weeks: int | None = None) -> pd.DataFrame:
        """Simulate ``weeks`` weeks (the scenario's ``run.weeks`` by default).

        Returns:
            The weekly metrics so far (see :meth:`metrics_frame`).
        """
        for _ in range(self.params.run.weeks if weeks is None else weeks):
            self.step()
        return self.metrics_frame()

    def close(self) -> None:
        """Let go of what Mesa keeps for this model; do not step the model afterwards.

        Mesa 3.3 keeps every model that ever made an agent in a class-level registry of agent
        ids (``mesa.Agent._ids``, mesa#3179, fixed in Mesa 3.4), so a process that builds
        thousands of models, as an experiment does, would hold all of them in memory until it
        exits. Experiments close each model once its ledger is read. On Mesa versions without
        that registry this only marks the model closed.
        """
        registry = getattr(mesa.Agent, "_ids", None)
        if isinstance(registry, dict):
            registry.pop(self, None)
        self.closed = True

    def metrics_frame(self) -> pd.DataFrame:
        """Weekly metrics as a DataFrame: one row per simulated week, one column per metric."""
        frame = self.datacollector.get_model_vars_dataframe()
        frame.index = pd.RangeIndex(len(frame), name="week")
        return frame

    def ledger(self) -> dict[str, float]:
        """The metrics at the end of the weeks simulated so far, by name."""
        return dict(self.metrics) if self.metrics else self._close_week()

    def diagnostics(self) -> dict[str, float]:
        """Quantities that explain the ledger but are not part of its public contract.

        ``latent_signal_validity`` is the renewal AUC of the same accounts' latent satisfaction,
        to read beside ``signal_validity``; the costs not in the ledger feed net-value figures;
        ``renewals_due`` (cumulative) lets retention be read over a window of weeks.
        """
        return {
            "latent_signal_validity": self.books.latent_signal_validity(),
            "acquisition_cost": self.books.costs["acquisition"],
            "turnover_cost": self.books.costs["turnover"],
            "renewals_due": float(self.books.renewals_due),
        }

    # ------------------------------------------------------------------ the week's parts

    def _settled(self, baseline: np.ndarray, owners: np.ndarray) -> np.ndarray:
        """Satisfaction the accounts would have settled at under full genuine service."""
        firm = self.params.firm
        hours = np.full(owners.size, firm.service_hours_per_rep / firm.accounts_per_rep)
        gain = self.roster.service_gain(firm, hours, owners)
        return equilibrium_satisfaction(baseline, gain, firm)

    def _steady_book(self, owners: np.ndarray) -> dict[str, np.ndarray]:
        """Draw the starting book as it stands after years of churn and acquisition.

        Accounts are won from the acquisition distribution and lost at a yearly rate that
        depends on their satisfaction, so in steady state each kind of account is present in
        proportion to its expected lifetime, 1 / churn chance. Drawing candidates and keeping
        them with that weight starts the firm in its steady state instead of drifting toward it.
        """
        params, rng = self.params, self.rngs["accounts"]

        def keep(baseline: np.ndarray, candidates_reps: np.ndarray) -> np.ndarray:
            settled = self._settled(baseline, candidates_reps)
            lifetime = 1.0 / churn_chance(settled, params.accounts)
            return rng.choice(
                baseline.size, owners.size, replace=False, p=lifetime / lifetime.sum()
            )

        candidates = np.tile(owners, 3)
        columns = draw_accounts(
            rng, candidates.size, params.accounts, params.firm, candidates, keep
        )
        columns["rep"] = owners
        columns["satisfaction"] = self._settled(columns["baseline"], owners)
        mean_acv = np.bincount(owners, weights=columns["acv"]) / np.bincount(owners)
        columns["power"] = account_power(columns["acv"], mean_acv[owners], columns["outside"])
        return columns

    def _invite(self, active: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
        """Pick this wave's sample; where reps pick, they may keep at-risk accounts out."""
        policy, book, roster = self.policy, self.book, self.roster
        perceived = roster.perceive(
            self.rngs["tactics"], book, active, self.params.reps.perception_noise
        )
        avoid = None
        if policy.survey.sampler == "rep":
            avoid = roster.shun(self.rngs["tactics"], active, book.rep[active], perceived)
        invited, left_out = draw_sample(
            self.rngs["survey"],
            active,
            book.rep[active],
            roster.count,
            policy.survey.sample_fraction,
            avoid,
        )
        roster.record_cherry_picks(book.rep[left_out])
        position = np.searchsorted(active, invited)
        return invited, perceived[position], int(left_out.size)

    def _survey(
        self,
        invited: np.ndarray,
        perceived: np.ndarray,
        cherry_picked: int,
        active: np.ndarray,
        visible: bool,
    ) -> None:
        """Run a survey wave: giveaways, hostage demands, pleas and bribes, then the answers."""
        params, policy, book, roster = self.params, self.policy, self.book, self.roster
        accounts, reps = params.accounts, params.reps
        tactics_rng, survey_rng = self.rngs["tactics"], self.rngs["survey"]
        owners = book.rep[invited]

        given, giveaway_cost = roster.give_away(
            tactics_rng,
            book,
            invited,
            perceived,
            visible,
            reps,
            policy.concessions.giveaway_budget,
        )
        self.books.spend("giveaway", giveaway_cost)
        lifted = invited[given]
        book.satisfaction[lifted] = np.minimum(
            10.0, book.satisfaction[lifted] + accounts.giveaway_lift
        )

        demanded, granted = self._take_hostages(invited, active)

        pleaded, resented = roster.plead(
            tactics_rng,
            invited,
            owners,
            visible,
            reps.blind_efficiency,
            accounts.resent_probability,
        )
        soured = invited[resented]
        book.satisfaction[soured] = np.maximum(
            0.0, book.satisfaction[soured] - accounts.resent_penalty
        )
        bribed = roster.bribe(tactics_rng, owners, visible, reps.blind_efficiency)
        self.books.spend("bribe", float(np.count_nonzero(bribed)) * reps.bribe_amount)

        push = (
            (pleaded & ~resented) * accounts.coach_shift
            + bribed * accounts.bribe_shift
            + given * accounts.giveaway_shift
        )
        shift = push * (1.0 - book.candor[invited])
        satisfaction = book.satisfaction[invited]
        responds = respond(
            survey_rng,
            satisfaction,
            accounts.response_rate,
            accounts.nonresponse_bias,
            policy.survey.reminders,
        )
        nudged = (pleaded | bribed) & (survey_rng.random(invited.size) < _NUDGED_RESPONSE)
        responds |= nudged | demanded
        scores = answer(survey_rng, satisfaction, accounts.answer_noise, shift)
        top = np.where(survey_rng.random(invited.size) < 0.6, 10, 9).astype(scores.dtype)
        scores = np.where(granted, np.maximum(scores, top), scores)
        scores = np.where(demanded & ~granted, np.minimum(scores, accounts.punitive_score), scores)

        rows, collected = invited[responds], scores[responds]
        book.last_score[rows] = collected
        book.last_score_week[rows] = self.week
        roster.record_answers(book.rep[rows], collected)
        self.books.record_wave(
            invited=invited.size,
            eligible=active.size,
            cherry_picked=cherry_picked,
            scores=collected,
            coached=int(np.count_nonzero(pleaded & responds)),
            bribed=int(np.count_nonzero(bribed & responds)),
            hostage=int(np.count_nonzero(demanded & responds)),
        )
        self._follow_up(rows[collected <= DETRACTOR_MAX])

    def _take_hostages(
        self, invited: np.ndarray, active: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Savvy, powerful accounts demand a concession before answering; reps grant or refuse.

        Returns:
            Masks over ``invited``: demanded, and granted.
        """
        params, policy, book = self.params, self.policy, self.book
        accounts = params.accounts
        rng = self.rngs["tactics"]
        inc = policy.incentives
        stakes = 1.0 if inc.nps_weight > 0 or inc.manager_nps_weight > 0 else _INDICATOR_STAKES
        chance = accounts.demand_rate * book.savvy[invited] * book.power[invited] * stakes
        demanded = rng.random(invited.size) < chance
        granted = np.zeros(invited.size, dtype=bool)
        which = np.flatnonzero(demanded)
        if which.size == 0:
            return demanded, granted
        sizes = rng.standard_normal(which.size)
        draws = rng.random((which.size, 2))
        for k, position in enumerate(which):
            account = self.account_agents[invited[position]]
            rep = self.reps[account.rep_slot]
            amount = account.demand_concession(accounts.concession_size, float(sizes[k]))
            ok = rep.consider_concession(
                amount,
                account.acv,
                policy,
                self.managers[rep.slot // self.team_size],
                (float(draws[k, 0]), float(draws[k, 1])),
            )
            if ok:
                self.books.spend("concession", amount)
            granted[position] = ok
            account.learn_from_demand(ok, accounts.savvy_reinforcement, accounts.savvy_fade)
        territory_of = self.roster.manager
        successes = np.bincount(
            territory_of[book.rep[invited[granted]]], minlength=len(self.managers)
        )
        if successes.any():
            spread_savvy(
                rng,
                book,
                active,
                territory_of[book.rep[active]],
                successes,
                accounts.savvy_spread,
            )
        return demanded, granted

    def _follow_up(self, detractors: np.ndarray) -> None:
        """Closed loop: managers call detractors back and fix causes (a real good)."""
        if self.policy.follow_up.closed_loop <= 0 or detractors.size == 0:
            return
        chance = np.array([m.follow_up_chance(self.policy) for m in self.managers])
        team = self.roster.manager[self.book.rep[detractors]]
        called = detractors[self.rngs["tactics"].random(detractors.size) < chance[team]]
        managers = self.params.managers
        book = self.book
        book.baseline[called] = np.minimum(10.0, book.baseline[called] + managers.closed_loop_fix)
        book.satisfaction[called] = np.minimum(
            10.0, book.satisfaction[called] + managers.closed_loop_lift
        )

    def _renew(self, week: int) -> None:
        """Contracts due this week renew or churn, on latent satisfaction only."""
        book, accounts = self.book, self.params.accounts
        due = np.flatnonzero(
            (book.renewal_offset == week % rules.WEEKS_PER_YEAR) & (book.created_week < week)
        )
        draws = self.rngs["renewals"].random(due.size)
        still = book.active[due]
        rows, draws = due[still], draws[still]
        satisfaction = book.satisfaction[rows]
        churns = draws < churn_chance(satisfaction, accounts)
        answered_recently = book.last_score_week[rows] > week - rules.WEEKS_PER_YEAR
        reported = np.where(answered_recently, book.last_score[rows], np.nan)
        self.books.record_renewals(reported, satisfaction, ~churns)
        for row in rows[churns]:
            agent = self.account_agents[row]
            if agent is not None:
                agent.leave()
                self.account_agents[row] = None
        self.book_value -= float(book.acv[rows[churns]].sum())

    def _acquire(self, week: int) -> None:
        """Win new accounts at the firm's steady rate; each costs a share of its value."""
        firm, rng = self.params.firm, self.rngs["acquisition"]
        count = int(
            rng.poisson(firm.acquisition_rate * self.initial_accounts / rules.WEEKS_PER_YEAR)
        )
        if count == 0:
            return
        owners = rng.integers(0, self.roster.count, count)
        columns = draw_accounts(rng, count, self.params.accounts, firm, owners)
        columns["power"] = account_power(
            columns["acv"], self.rep_mean_acv[owners], columns["outside"]
        )
        columns["satisfaction"] = self._settled(columns["baseline"], owners)
        columns["renewal_offset"] = np.full(count, week % rules.WEEKS_PER_YEAR)
        rows = self.book.add(count, created_week=np.full(count, week), **columns)
        self.account_agents.extend(self.account_class(self, self.book, row) for row in rows)
        value = float(columns["acv"].sum())
        self.book_value += value
        self.books.spend("acquisition", firm.acquisition_cost * value)

    def _review_quarter(self) -> None:
        """Quarterly reviews: bonuses, audits, plans, learning, stress, quitting and firing."""
        params, policy, roster, book = self.params, self.policy, self.roster, self.book
        rng = self.rngs["reviews"]
        active = book.active_rows()
        owners = book.rep[active]
        satisfaction = book.satisfaction[active]
        n = roster.count
        true_score = grouped_nps(
            np.bincount(owners[satisfaction >= PROMOTER_LATENT], minlength=n),
            np.bincount(owners[satisfaction < DETRACTOR_LATENT], minlength=n),
            np.bincount(owners, minlength=n),
        )
        teams = roster.manager[owners]
        m = len(self.managers)
        true_team = grouped_nps(
            np.bincount(teams[satisfaction >= PROMOTER_LATENT], minlength=m),
            np.bincount(teams[satisfaction < DETRACTOR_LATENT], minlength=m),
            np.bincount(teams, minlength=m),
        )
        reviews: list[TeamReview] = []
        for manager in self.managers:
            slots = np.arange(manager.index * self.team_size, (manager.index + 1) * self.team_size)
            reviews.append(
                manager.review(
                    roster,
                    slots,
                    true_score[slots],
                    float(true_team[manager.index]),
                    policy,
                    params.managers,
                    rng,
                )
            )
        bonus_target = max(policy.incentives.bonus_target, 1e-9)
        for review in reviews:
            self.books.pay_bonus(
                float(review.bonus.sum()) + review.manager_bonus,
                float(review.unearned.sum()) + review.manager_unearned,
            )
        # Every team learns and feels at once: one row of the arrays per team.
        teams = np.stack([review.slots for review in reviews])
        scores = np.stack([review.score for review in reviews])
        caught = np.stack([review.caught for review in reviews])
        payoff = np.stack([review.bonus for review in reviews]) / bonus_target
        roster.learn(teams, payoff, caught, params.reps, rng, rules.WEEKS_PER_QUARTER)
        roster.feel(teams, scores, caught, policy, params.reps)
        scores, caught = scores.ravel(), caught.ravel()
        leaving = rng.random(n) < roster.quit_chance(params.reps)
        leaving[rules.rank_and_yank(scores, policy.incentives.rank_and_yank, rng)] = True
        if policy.audits.fire_on_detection:
            leaving |= caught
        self._replace(np.flatnonzero(leaving))
        roster.start_quarter()

    def _replace(self, slots: np.ndarray) -> None:
        """Reps who quit or were fired are replaced by new hires with fresh traits."""
        if slots.size == 0:
            return
        for slot in slots:
            self.reps[slot].remove()
            self.reps[slot] = self.rep_class(self, self.roster, int(slot))
        self.roster.hire(self.rngs["hiring"], slots, self.params.reps)
        self.books.record_departures(int(slots.size))
        self.books.spend("turnover", self.params.firm.rep_turnover_cost * slots.size)

    def _close_week(self) -> dict[str, float]:
        book, roster = self.book, self.roster
        active = book.active_rows()
        return self.books.close_week(
            true_nps=census_nps(book.satisfaction[active]),
            accounts_active=int(active.size),
            genuine_effort=float(roster.genuine_share.mean()),
            savvy_share=float(np.mean(book.savvy[active] >= SAVVY_LINE)) if active.size else 0.0,
            rep_stress=float(roster.stress.mean()),
            honest_rep_share=float(np.mean(roster.integrity >= HONEST_LINE)),
        )
