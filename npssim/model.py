"""NPSModel: a firm of accounts, reps and managers, run week by week under an NPS policy.

One step is one week. Each week reps choose how hard to work and how much of it goes to
service or to the score, service and incidents move latent satisfaction, a survey wave may go out
(and be gamed), contracts renew at a negotiated price or churn on latent satisfaction, new
accounts are won, and every 13 weeks managers review their teams. The ledger closes the week into
the named metrics that DataCollector keeps.

Behaviour lives in the book of accounts, the roster of reps and the agents; each is a class
attribute of the model (``book_class``, ``roster_class``, ``account_class``, ``rep_class``,
``manager_class``), so a researcher changes a rule by subclassing the one that holds it.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

import mesa
import numpy as np
import pandas as pd
from scipy import special

from npssim import policy as rules
from npssim.agents.accounts import (
    SAVVY_LINE,
    Account,
    AccountBook,
    account_power,
    beta_with_mean,
    choose_weighted,
    churn_chance,
    draw_accounts,
    equilibrium_satisfaction,
)
from npssim.agents.managers import (
    Manager,
    conduct,
    review_teams,
    team_influence,
)
from npssim.agents.reps import HIRE_DRAWS, HONEST_LINE, RepRoster, SalesRep
from npssim.ledger import Ledger
from npssim.mechanisms import PayPlan, Pricing, SurveyWave
from npssim.metrics import METRIC_NAMES, DeclaredMetrics, Metric
from npssim.scenario import (
    PolicyParams,
    Scenario,
    ScenarioSchema,
    Section,
    as_schema,
    load_scenario,
    with_overrides,
)
from npssim.seeds import replication_seeds, seed_from
from npssim.survey import (
    census_nps,
)

#: Independent random streams, one per mechanism, spawned from the run's seed. Mechanisms whose
#: number of draws does not depend on the policy (incidents, renewals, acquisition, reviews,
#: pricing) therefore see the same random numbers under every policy: common random numbers for
#: paired comparisons.
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
    "pricing",
    "shadow",
)

#: The scenario a model runs when none is given: NPS as an indicator only.
DEFAULT_SCENARIO = "baseline"


def _reporter(name: str) -> Callable[[NPSModel], float]:
    def report(model: NPSModel) -> float:
        return model.metrics[name]

    report.__name__ = name
    return report


class LedgerCollector(mesa.DataCollector):
    """Mesa's DataCollector, with one model-level column per metric, filled in one pass.

    Mesa's own ``collect`` calls each reporter and deep-copies its value, a few microseconds a
    metric a week; the week's metrics are already plain floats in ``model.metrics``, so they
    are appended as they are. Anything else a user adds (agent reporters, other model
    reporters) is collected by Mesa's own method.

    Args:
        names: The metrics to collect, in column order: the model class's
            (``NPSModel.metric_set.names``), the registry's by default.
    """

    def __init__(self, names: Sequence[str] = METRIC_NAMES) -> None:
        super().__init__(model_reporters={name: _reporter(name) for name in names})
        self._ledger_reporters = dict(self.model_reporters)
        self._names = tuple(names)

    def collect(self, model: mesa.Model) -> None:
        """Append the week's metrics (Mesa's collection if reporters were added or changed)."""
        if (
            self.model_reporters != self._ledger_reporters
            or self.agent_reporters
            or self.agenttype_reporters
        ):
            super().collect(model)
            return
        steps = getattr(self, "_collection_steps", None)  # Mesa 3.5 keeps the time of each
        if steps is not None:
            steps.append(model.time)
        columns, metrics = self.model_vars, model.metrics
        for name in self._names:
            columns[name].append(metrics[name])


def batch_run_iteration() -> int | None:
    """The iteration of Mesa's ``batch_run`` that is building a model right now, if any.

    ``mesa.batch_run(..., iterations=n)`` builds each iteration's model with the same keyword
    arguments and, on Mesa 3.3, no seed at all (Mesa 3.5 passes ``seed=None``), so a model that
    only read its arguments would run ``n`` identical replications. The iteration is a local
    variable of the batch runner's worker function (``_model_run_func``) on both versions, in
    the calling process whether it runs serially or in a pool; reading it lets iteration ``i``
    run replication ``i`` of the scenario's root seed: distinct, reproducible, and the same
    replication ``npssim run SCENARIO --replication i`` runs.

    Returns:
        The iteration, or None when no batch runner is on the call stack.
    """
    frame = inspect.currentframe()
    try:
        while frame is not None:
            code = frame.f_code
            if code.co_name == "_model_run_func" and frame.f_globals.get("__name__") == (
                "mesa.batchrunner"
            ):
                iteration = frame.f_locals.get("iteration")
                return int(iteration) if isinstance(iteration, int) else None
            frame = frame.f_back
        return None
    finally:
        del frame


#: Above this mean a Poisson count is drawn from its normal approximation (its exact CDF's first
#: term, ``exp(-mean)``, underflows near 745; the approximation's error is negligible there).
POISSON_NORMAL_ABOVE = 500.0


def poisson_quantile(uniform: float, mean: float) -> int:
    """The Poisson count with the given mean at which its CDF first reaches ``uniform``.

    Inverse-CDF sampling: one uniform per draw, and a larger mean never gives a smaller count
    for the same uniform, which keeps paired comparisons paired.
    """
    if mean <= 0.0:
        return 0
    if mean > POISSON_NORMAL_ABOVE:
        return max(0, int(np.floor(mean + np.sqrt(mean) * special.ndtri(uniform) + 0.5)))
    term = np.exp(-mean)
    cdf, count = term, 0
    while cdf < uniform and term > 0.0:
        count += 1
        term *= mean / count
        cdf += term
    return count


def _is_mesa_scenario(value: object) -> bool:
    """Mesa 3.5's own scenario object (``mesa.experimental.scenarios``), as SolaraViz passes it."""
    return type(value).__module__.startswith("mesa.")


class NPSModel(mesa.Model):
    """A firm that may tie Net Promoter Score to performance reviews.

    Mesa-native: parameters are keyword arguments by dotted path, so Mesa's ``batch_run``,
    SolaraViz and EMA Workbench can set any of them::

        NPSModel()  # the bundled baseline
        NPSModel("nps_bonus", seed=7)
        NPSModel(**{"policy.incentives.nps_weight": 0.3, "reps.integrity_mean": 0.8})
        mesa.batch_run(NPSModel, {"policy.incentives.nps_weight": [0, 0.5]}, iterations=3)

    Args:
        scenario: The firm, its policy and run settings: a :class:`Scenario`, a scenario file or
            a bundled name; the bundled ``baseline`` when omitted. (A Mesa scenario object, as
            Mesa 3.5's SolaraViz passes on Reset, carries nothing npssim reads and is ignored.)
        seed: Root seed of every random draw. When neither it nor ``rng`` is given, the
            scenario's ``run.seed``; inside Mesa's ``batch_run``, iteration ``i`` runs
            replication ``i`` of that seed (see :func:`batch_run_iteration`).
        rng: Mesa's way of seeding: a whole number (the seed), or a NumPy ``Generator``,
            ``BitGenerator`` or ``SeedSequence`` to draw the seed from. Not with ``seed``.
        **params: Parameter values by dotted path, set on top of the scenario as ``--set``
            would (a timeline entry for the same path still applies from its week). Floats
            given to whole-number parameters are rounded, as samplers produce them.

    Raises:
        ScenarioError: A parameter path is unknown or a value out of range; the message names
            the parameter.
        ValueError: Both ``seed`` and ``rng`` were given, or the seed is not a whole number
            from 0 to 2**63-1.

    Attributes:
        params: The scenario the model was built from, every value resolved.
        seed: The root seed actually used.
        replication: The ``batch_run`` iteration this model is (its seed is that replication's),
            or None.
        running: False once the scenario's weeks are simulated (Mesa's runners stop there).
        week: Weeks simulated so far.
        closed: :meth:`close` was called; the model can be read but not stepped.
        book: The accounts' hot state (:class:`~npssim.agents.accounts.AccountBook`).
        roster: The reps' hot state (:class:`~npssim.agents.reps.RepRoster`).
        reps: The rep agents, by slot. (Accounts' agents are made on request:
            :meth:`account`, :meth:`account_agents`.)
        managers: The manager agents, by slot.
        approvals: Each manager's chance, this week, of approving a large discount or
            concession traded for a score (``Manager.approval_chance``).
        tally: The :class:`~npssim.ledger.Ledger` the week's events are booked into.
        metrics: The latest week's metrics, by name (:data:`~npssim.metrics.METRICS`).
        datacollector: Mesa's collector; one model-level column per metric.

    To change how agents behave, subclass the class that holds the rule and name it here in a
    subclass of the model: ``class StrictModel(NPSModel): manager_class = StrictManager``, or
    ``roster_class = MyRoster`` for the reps' weekly choices.
    """

    #: The classes the model builds; override them in a subclass to change behaviour.
    account_class: type[Account] = Account
    rep_class: type[SalesRep] = SalesRep
    manager_class: type[Manager] = Manager
    book_class: type[AccountBook] = AccountBook
    roster_class: type[RepRoster] = RepRoster
    pay_class: type[PayPlan] = PayPlan
    survey_class: type[SurveyWave] = SurveyWave
    pricing_class: type[Pricing] = Pricing
    #: Sections of parameters a subclass adds, by table name (``{"training": TrainingParams}``,
    #: each a :class:`~npssim.scenario.schema.Section`): read as ``self.params.training``.
    extra_params: ClassVar[Mapping[str, type[Section]]] = {}
    #: Metrics a subclass adds, each a :class:`~npssim.metrics.Metric` with ``compute``.
    extra_metrics: ClassVar[Sequence[Metric]] = ()
    #: Every metric a run of this class produces: the registry's, then ``extra_metrics``.
    metric_set = DeclaredMetrics()
    #: The schema this class's scenarios follow: the base one plus ``extra_params``.
    scenario_schema = ScenarioSchema()

    def __init__(
        self,
        scenario: Scenario | str | Path | None = None,
        *,
        seed: int | None = None,
        rng: Any = None,
        **params: Any,
    ) -> None:
        built = self.resolve_scenario(scenario, params)
        root = seed_from(seed, rng, source=type(self).__name__)
        self.replication: int | None = None
        if root is None:
            self.replication = batch_run_iteration()
            if self.replication is None:
                root = built.run.seed
            else:
                (root,) = replication_seeds(built.run.seed, 1, first=self.replication)
        super().__init__(rng=root)
        self.params = built
        self.seed = root
        sequences = dict(
            zip(STREAMS, np.random.SeedSequence(root).spawn(len(STREAMS)), strict=True)
        )
        self.rngs = {name: np.random.default_rng(sequence) for name, sequence in sequences.items()}
        self._hiring = sequences["hiring"]
        self.policy_schedule = rules.PolicySchedule(built)
        self.week = 0
        self.closed = False

        firm = built.firm
        n_reps = firm.managers * firm.reps_per_manager
        self.team_size = firm.reps_per_manager
        self.roster = self.roster_class(n_reps, firm.reps_per_manager)
        self.roster.hire(self.rngs["reps"], np.arange(n_reps), built.reps)
        self.roster.settle_tenure(self.rngs["reps"], built.reps, rules.WEEKS_PER_QUARTER)
        self.hires = np.zeros(n_reps, dtype=np.int64)
        integrity = beta_with_mean(
            self.rngs["reps"],
            built.managers.integrity_mean,
            built.reps.trait_concentration,
            firm.managers,
        )
        self.managers = [
            self.manager_class(self, i, float(value)) for i, value in enumerate(integrity)
        ]
        self.reps = [self.rep_class(self, self.roster, slot) for slot in range(n_reps)]
        self.approvals = self._approval_chances()

        n_accounts = n_reps * firm.accounts_per_rep
        self.initial_accounts = n_accounts
        self.book = self.book_class(
            capacity=int(n_accounts * (1 + firm.acquisition_rate * 2.5)) + 16
        )
        owners = np.repeat(np.arange(n_reps), firm.accounts_per_rep)
        columns = self._steady_book(owners)
        rows = self.book.add(n_accounts, created_week=np.full(n_accounts, -1), **columns)
        self.rep_mean_acv = np.bincount(owners, weights=columns["acv"], minlength=n_reps) / (
            np.maximum(np.bincount(owners, minlength=n_reps), 1)
        )
        #: Account agents made so far, by row: only for accounts a Python-level decision or
        #: a user has asked for (:meth:`account`), so churn and acquisition, which happen in
        #: bulk on the book, register nothing with Mesa.
        self._account_agents: dict[int, Account] = {}
        #: Yearly revenue of the active contracts at their prices, what discounts forgo, and
        #: what the parts of them traded for scores forgo.
        self.book_revenue, self.book_discounts = self.book.revenue(rows)
        self.book_score_discounts = 0.0
        list_revenue = np.bincount(owners, weights=columns["acv"], minlength=n_reps)
        self.pay = self.pay_class(built.policy.pay.quota_share * list_revenue)
        self.survey = self.survey_class(self)
        self.pricing = self.pricing_class(self)
        self.roster.expected_answers = self._expected_answers(rows)

        self.tally = Ledger(n_reps, firm.gross_margin_rate)
        self.metrics: dict[str, float] = {}
        self.datacollector = LedgerCollector(self.metric_set.names)

    @classmethod
    def resolve_scenario(
        cls, scenario: Scenario | str | Path | None, params: dict[str, Any]
    ) -> Scenario:
        """The scenario a model is built from: the given one with the keyword values set.

        It follows the class's :attr:`scenario_schema`, so a subclass's own parameters are
        read from files and keywords like the built-in ones.

        Raises:
            ScenarioError: A path is unknown or a value out of range (named after the class).
            TypeError: ``scenario`` is not a scenario, a file or a bundled name.
        """
        schema = cls.scenario_schema
        if scenario is None or _is_mesa_scenario(scenario):
            base = load_scenario(DEFAULT_SCENARIO, schema=schema)
        elif isinstance(scenario, Scenario):
            base = as_schema(scenario, schema, source=cls.__name__)
        elif isinstance(scenario, str | Path):
            base = load_scenario(scenario, schema=schema)
        else:
            raise TypeError(
                f"{cls.__name__}: scenario must be a Scenario, a scenario file or a bundled "
                f"name, got {type(scenario).__name__}"
            )
        if not params:
            return base
        return with_overrides(base, params, source=cls.__name__, round_integers=True)

    # ------------------------------------------------------------------ public interface

    @property
    def policy(self) -> PolicyParams:
        """The policy in force this week."""
        return self.policy_schedule.current

    @property
    def manager_integrity(self) -> np.ndarray:
        """Each manager's integrity, by manager slot (read from the agents, which own it)."""
        return np.array([manager.integrity for manager in self.managers])

    def step(self) -> None:
        """Simulate one week."""
        if self.closed:
            raise RuntimeError("this model was closed; build a new NPSModel to simulate again")
        week = self.week
        params, book, roster = self.params, self.book, self.roster
        self.policy_schedule.apply(week)
        policy = self.policy

        push, condone, audit = team_influence(self.managers, policy, params.managers, roster)
        stake = self.pay.stake(
            policy,
            params.reps,
            greed=roster.greed,
            fear=roster.fear,
            last_score=roster.last_score,
            on_plan=roster.on_plan,
            manager_push=push,
        )
        roster.decide(
            policy,
            params.reps,
            params.firm,
            stake=stake,
            drive=self.pay.drive(stake, policy, params.reps),
            hour_value=self.pay.hour_value(policy, params.firm.service_hours_per_rep),
            condone=condone,
            manager_audit_probability=audit,
            concession_money=self.pay.revenue_cost(policy, np.arange(roster.count))
            * params.accounts.concession_size
            * self.rep_mean_acv,
        )
        self.approvals = self._approval_chances()  # read by every pricing this week

        active = book.active_rows()
        book_sizes = np.bincount(book.rep[active], minlength=roster.count)
        visible = rules.survey_is_visible(policy)
        wave = week % policy.survey.wave_interval == 0
        tactics_rng = self.rngs["tactics"]
        if wave:
            invited, perceived, cherry_picked, unpicked = self.survey.invite(active)
            taught = roster.serve(
                tactics_rng,
                book,
                params.firm,
                params.reps,
                book_sizes,
                invited if visible else None,
            )
        else:
            roster.serve(tactics_rng, book, params.firm, params.reps, book_sizes)
        book.drift(self.rngs["service"], params.firm)
        book.forget_savvy(params.accounts.savvy_forgetting)
        if wave:
            if taught.size == 0:
                taught = np.zeros(invited.size)
            self.survey.answer(invited, perceived, cherry_picked, unpicked, active, visible, taught)

        self.pricing.renew(week)
        self._acquire(week)
        customers = book.active_rows()  # the week's customers from here on: reviews churn none
        self._earn(customers)
        if (week + 1) % rules.WEEKS_PER_QUARTER == 0:
            self._review_quarter()

        self.metrics = self._close_week(customers)
        self.datacollector.collect(self)
        self.week += 1
        self.running = self.week < self.params.run.weeks

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

    def metrics_frame(self, flows: bool = False) -> pd.DataFrame:
        """Weekly metrics as a DataFrame: one row per simulated week, one column per metric.

        Args:
            flows: Give each running total (money, counts) as the amount accrued in its week
                rather than since week 0 (:meth:`~npssim.metrics.MetricSet.as_flows`).
        """
        frame = self.datacollector.get_model_vars_dataframe()
        frame.index = pd.RangeIndex(len(frame), name="week")
        return self.metric_set.as_flows(frame) if flows else frame

    def ledger(self) -> dict[str, float]:
        """The metrics at the end of the weeks simulated so far, by name."""
        return dict(self.metrics) if self.metrics else self._close_week()

    def account(self, row: int) -> Account:
        """The Mesa agent of the account at ``row`` of the book, made on first request.

        Accounts live in the book's arrays; their agents exist only once asked for, so a
        million-account firm does not register a million agents with Mesa, and churn and
        acquisition, done in bulk each week, cost no registration. The model asks for the agents
        of the accounts that hold their score hostage (:meth:`Account.demand_concession`). An
        agent stays registered until its account churns.

        Raises:
            IndexError: There is no account at ``row``.
        """
        row = int(row)
        if not 0 <= row < self.book.size:
            raise IndexError(f"no account at row {row}: the book has {self.book.size} rows")
        agent = self._account_agents.get(row)
        if agent is None:
            agent = self.account_class(self, self.book, row)
            self._account_agents[row] = agent
        return agent

    def account_agents(self) -> list[Account]:
        """The agent of every current customer, in row order (made as :meth:`account` does)."""
        return [self.account(row) for row in self.book.active_rows()]

    @property
    def agents(self) -> mesa.agent.AgentSet:
        """Every agent, an agent for each current customer included (made on this request)."""
        self.account_agents()
        return super().agents

    @property
    def agents_by_type(self) -> dict[type[mesa.Agent], mesa.agent.AgentSet]:
        """Agents by class, an agent for each current customer included (made on this request)."""
        self.account_agents()
        return super().agents_by_type

    @property
    def agent_types(self) -> list[type]:
        """The classes of the model's agents, the account class included once there are any."""
        self.account_agents()
        return super().agent_types

    def release_accounts(self, rows: np.ndarray) -> None:
        """The accounts at ``rows`` churned: their agents, where any were made, leave the model."""
        if self._account_agents:
            for row in np.asarray(rows).tolist():
                agent = self._account_agents.get(row)
                if agent is not None:
                    agent.leave()

    def deregister_agent(self, agent: mesa.Agent) -> None:
        """Mesa's deregistration, which also forgets an account's agent once it is removed."""
        super().deregister_agent(agent)
        if isinstance(agent, Account) and self._account_agents.get(agent.row) is agent:
            del self._account_agents[agent.row]

    def _settled(self, baseline: np.ndarray, owners: np.ndarray) -> np.ndarray:
        """Satisfaction accounts would have settled at under their rep's no-stake service."""
        firm, reps = self.params.firm, self.params.reps
        hours = np.full(owners.size, reps.service_share * firm.service_hours_per_rep)
        hours /= firm.accounts_per_rep
        gain = self.roster.service_gain(firm, reps, hours, owners)
        return equilibrium_satisfaction(baseline, gain, firm)

    def _steady_book(self, owners: np.ndarray) -> dict[str, np.ndarray]:
        """Draw the starting book as it stands after years of churn and acquisition.

        Accounts are won from the acquisition distribution and lost at a yearly rate that
        depends on their satisfaction, so in steady state each kind of account is present in
        proportion to its expected lifetime, 1 / churn chance. Drawing candidates and keeping
        them with that weight starts the firm in its steady state instead of drifting toward it.
        Its contracts were signed before the run, when nothing rode on the score: they carry
        the ordinary discount.
        """
        params, rng = self.params, self.rngs["accounts"]

        def keep(baseline: np.ndarray, candidates_reps: np.ndarray) -> np.ndarray:
            settled = self._settled(baseline, candidates_reps)
            lifetime = 1.0 / churn_chance(settled, params.accounts)
            return choose_weighted(rng, lifetime / lifetime.sum(), owners.size)

        candidates = np.tile(owners, 3)
        columns = draw_accounts(
            rng, candidates.size, params.accounts, params.firm, candidates, keep
        )
        columns["rep"] = owners
        columns["satisfaction"] = self._settled(columns["baseline"], owners)
        mean_acv = np.bincount(owners, weights=columns["acv"]) / np.bincount(owners)
        columns["power"] = account_power(columns["acv"], mean_acv[owners], columns["outside"])
        columns["discount"] = np.minimum(
            params.policy.concessions.discount_cap,
            params.accounts.power_discount * columns["power"],
        )
        return columns

    def _approval_chances(self) -> np.ndarray:
        """Each manager's chance of approving a large discount traded for a score."""
        policy = self.policy
        return conduct(self.managers, "approval_chance", policy, self.params.managers)

    def _acquire(self, week: int) -> None:
        """Win new accounts at a negotiated price and a cost.

        The firm's steady rate, scaled by the selling time reps have left
        (:meth:`selling_time`): hours given to service or tactics beyond the no-stake share are
        hours not spent finding new business (Holmstrom & Milgrom 1991).
        """
        firm, rng = self.params.firm, self.rngs["acquisition"]
        rate = firm.acquisition_rate * self.initial_accounts / rules.WEEKS_PER_YEAR
        spare = 1.0 - self.params.reps.service_share
        most = (1.0 / spare if spare > 0.0 else 1.0) ** firm.selling_elasticity
        # One uniform a week sets, by inverse CDF, both the most accounts any policy could win
        # (every rep's hours left for selling) and the count this policy wins. The most are
        # drawn and the first ``count`` kept, so the stream's draws do not depend on the policy:
        # two policies win the same first accounts each week (common random numbers).
        uniform = float(rng.random())
        candidates = poisson_quantile(uniform, rate * most)
        # Never more than the most: near POISSON_NORMAL_ABOVE one count may be exact and the
        # other approximate, which can put them one apart the wrong way.
        mean = rate * self.selling_time() ** firm.selling_elasticity
        count = min(candidates, poisson_quantile(uniform, mean))
        if candidates == 0:
            return
        owners = rng.integers(0, self.roster.count, candidates)
        drawn = draw_accounts(rng, candidates, self.params.accounts, firm, owners)
        if count == 0:
            return
        owners = owners[:count]
        columns = {name: values[:count] for name, values in drawn.items()}
        columns["power"] = account_power(
            columns["acv"], self.rep_mean_acv[owners], columns["outside"]
        )
        columns["satisfaction"] = self._settled(columns["baseline"], owners)
        columns["renewal_offset"] = np.full(count, week % rules.WEEKS_PER_YEAR)
        rows = self.book.add(count, created_week=np.full(count, week), **columns)
        self.book.reprice(rows, *self.pricing.price(rows))
        revenue, discounts = self.book.revenue(rows)
        self.book_revenue += revenue
        self.book_discounts += discounts
        self.book_score_discounts += self.book.score_discounts(rows)
        self.tally.spend("acquisition", firm.acquisition_cost * float(columns["acv"].sum()))

    def _review_quarter(self) -> None:
        """Quarterly reviews: pay, audits, plans, learning, stress, quitting and firing."""
        params, policy, roster = self.params, self.policy, self.roster
        rng = self.rngs["reviews"]
        weeks = rules.WEEKS_PER_QUARTER
        n = roster.count
        teams = np.arange(n).reshape(len(self.managers), self.team_size)
        audit = conduct(self.managers, "audit_probability", policy, params.managers)
        review = review_teams(roster, teams, policy, params.managers, audit, rng)
        sales = self.pay.close_quarter(policy, review.bonus.ravel())
        self.tally.pay_commission(float(sales.sum()))
        self.tally.pay_bonus(review.paid, review.unearned, review.paid)
        self.tally.spend("measurement", policy.audits.cost * policy.audits.probability * n)
        scores, caught = review.score, review.caught
        roster.learn(teams, self.pay.paid_variable[teams], caught, params.reps, rng)
        roster.feel(teams, scores, caught, policy, params.reps, weeks)
        scores, caught = scores.ravel(), caught.ravel()
        leaving = rng.random(n) < roster.quit_chance(params.reps, weeks)
        leaving[rules.rank_and_yank(scores, policy.incentives.rank_and_yank, rng)] = True
        if policy.audits.fire_on_detection:
            leaving |= caught
        self._replace(np.flatnonzero(leaving))
        roster.start_quarter()

    def _replace(self, slots: np.ndarray) -> None:
        """Reps who quit or were fired are replaced by new hires, who join the team's culture.

        Their accounts lose the relationship (:meth:`AccountBook.disrupt`).
        """
        if slots.size == 0:
            return
        roster, book = self.roster, self.book
        culture = roster.joining_culture(slots)
        for slot in slots:
            self.reps[slot].remove()
            self.reps[slot] = self.rep_class(self, roster, int(slot))
        roster.hire(self._hire_draws(slots), slots, self.params.reps, culture)
        leaving = np.zeros(roster.count, dtype=bool)
        leaving[slots] = True
        active = book.active_rows()
        lost = active[leaving[book.rep[active]]]
        book.disrupt(lost, self.week, self.params.accounts.disruption_loss)
        self.tally.record_departures(int(slots.size), int(lost.size))
        self.tally.spend("turnover", self.params.firm.rep_turnover_cost * slots.size)

    def _hire_draws(self, slots: np.ndarray) -> np.ndarray:
        """The uniforms each new hire's traits come from: a stream per slot and hire.

        The k-th hire into a slot draws from a stream of its own, so a comparison of two
        policies meets the same people in the same order at each desk however many quit or are
        fired along the way (common random numbers for the people side as well).
        """
        entropy, key = self._hiring.entropy, self._hiring.spawn_key
        rows = []
        for slot in slots:
            sequence = np.random.SeedSequence(
                entropy, spawn_key=(*key, int(slot), self.hires[slot])
            )
            rows.append(np.random.default_rng(sequence).random(HIRE_DRAWS))
            self.hires[slot] += 1
        return np.array(rows)

    def _close_week(self, active: np.ndarray | None = None) -> dict[str, float]:
        book, roster = self.book, self.roster
        if active is None:
            active = book.active_rows()
        listed = self.book_revenue + self.book_discounts
        closed = self.tally.close_week(
            true_nps=census_nps(book.satisfaction[active]),
            accounts_active=int(active.size),
            discount_rate=self.book_discounts / listed if listed > 0 else 0.0,
            genuine_effort=float(roster.genuine_share.mean()),
            service_quality=float(roster.quality(self.params.reps).mean()),
            savvy_share=float(np.mean(book.savvy[active] >= SAVVY_LINE)) if active.size else 0.0,
            rep_stress=float(roster.stress.mean()),
            honest_rep_share=float(np.mean(roster.integrity >= HONEST_LINE)),
            tactic_use=roster.usage.mean(axis=1),
        )
        return self.metric_set.close(self, closed)

    def selling_time(self) -> float:
        """Reps' mean hours left for selling, relative to those they keep with no stake (1).

        The hours left are those neither the chosen effort nor last week's tactic uses took.
        """
        spare = 1.0 - self.params.reps.service_share
        if spare <= 0.0:
            return 1.0
        return float(np.mean(np.clip(1.0 - self.roster.worked, 0.0, 1.0))) / spare

    def _earn(self, active: np.ndarray) -> None:
        """Book the week's revenue, discounts and salaries, and each rep's revenue for pay.

        Args:
            active: The rows of this week's customers, after renewals and acquisitions.
        """
        book, weekly = self.book, 1.0 / rules.WEEKS_PER_YEAR
        self.tally.earn(
            self.book_revenue * weekly,
            self.book_discounts * weekly,
            self.book_score_discounts * weekly,
        )
        price = book.acv[active] * (1.0 - book.discount[active])
        self.pay.book_revenue(
            np.bincount(book.rep[active], weights=price, minlength=self.roster.count) * weekly
        )
        self.tally.pay_salary(self.roster.count * self.pay.weekly_salary(self.policy))

    def _expected_answers(self, rows: np.ndarray) -> np.ndarray:
        """Answers each rep can expect in a quarter from its starting book under the policy.

        A new roster has no quarter behind it; this is what it would count: each account's
        invitations a quarter times its chance of answering. After the first review each rep
        goes by its own last quarter (:meth:`RepRoster.learn`).
        """
        survey = self.policy.survey
        invitations = survey.sample_fraction * rules.WEEKS_PER_QUARTER / survey.wave_interval
        chance = self.survey.response_chance(self.book.satisfaction[rows])
        counts = np.bincount(
            self.book.rep[rows], weights=invitations * chance, minlength=self.roster.count
        )
        return np.maximum(counts, 1.0)
