"""The field's standard tools, driven from npssim's schema and metric registry with no glue.

- **Mesa's** ``batch_run`` needs nothing here: :class:`~npssim.NPSModel` takes every parameter
  by dotted path and each ``batch_run`` iteration runs its own replication.
- **EMA Workbench**: :func:`ema_model` builds a ``ReplicatorModel`` whose uncertainties and
  levers carry the schema's bounds, whole-number types and choices, and whose outcomes are
  registry metrics with their better direction, read over a window as the CLI reads them.
- **SALib**: :func:`salib_problem` builds a ``ProblemSpec`` with the schema's bounds; its
  :meth:`NPSProblem.evaluate` runs the model at every sampled row, so SALib's fluent chain
  ``sample_morris(...).evaluate().analyze_morris()`` works as it does for any Python model.

Each evaluation is :func:`npssim.simulate`: one replication with the given values and seed,
optionally read against a reference policy on the same seed (a paired difference). Every
experiment's replications share their seeds, so changes between design points are not noise.
EMA Workbench and SALib are dependencies; on Python 3.11 pip installs EMA Workbench 2.5, whose
PRIM break-even uses, and driving npssim from EMA Workbench needs EMA Workbench 3 (Python 3.12+).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from SALib import ProblemSpec

from npssim.errors import InputError
from npssim.experiment.api import ExecutorLike, choose_executor, simulate, where_runs_go
from npssim.experiment.design import Factor, parse_factor
from npssim.experiment.executors import open_executor
from npssim.experiment.runs import check_model_class
from npssim.experiment.sweep import check_outputs
from npssim.metrics import HEADLINE, Metric
from npssim.model import NPSModel
from npssim.scenario import Scenario, load_scenario
from npssim.seeds import replication_seeds, seed_from

ScenarioLike = str | Path | Scenario
FactorLike = str | Factor

__all__ = ["NPSProblem", "Simulation", "ema_model", "ema_names", "salib_problem"]


@dataclass(frozen=True)
class Simulation:
    """One evaluation as outside tools call it: keyword values in, outcomes out.

    A plain, picklable callable, so EMA Workbench's and SALib's parallel evaluators can send
    it to worker processes.

    Attributes:
        scenario: The scenario every evaluation starts from.
        window: Where metrics are read: ``"short"``, ``"long"`` or ``"end"``.
        reference: A policy to read the metrics against (paired differences), or None.
        model_class: The model to build.
        fixed: Values set in every evaluation, by dotted path.
        outcomes: The metrics to return (every one when empty).
    """

    scenario: ScenarioLike = "baseline"
    window: str = "long"
    reference: ScenarioLike | None = None
    model_class: type[NPSModel] = NPSModel
    fixed: Mapping[str, Any] = field(default_factory=dict)
    outcomes: tuple[str, ...] = ()

    def __call__(self, seed: int | None = None, **values: Any) -> dict[str, float]:
        """Simulate one replication at ``values`` (dotted paths) with ``seed``."""
        result = simulate(
            self.scenario,
            seed=seed,
            model_class=self.model_class,
            window=self.window,
            reference=self.reference,
            **{**self.fixed, **values},
        )
        if not self.outcomes:
            return result
        return {name: result[name] for name in self.outcomes}


def ema_names(paths: Sequence[str]) -> dict[str, str]:
    """The EMA Workbench name of each parameter path: its shortest unambiguous ending.

    EMA Workbench 3 requires names that are Python identifiers, so dots become underscores;
    ``policy.incentives.nps_weight`` is ``nps_weight`` unless another chosen path also ends in
    ``nps_weight``, when both keep their table (``incentives_nps_weight``). The dotted path is
    kept as the parameter's ``variable_name``, which is what the model receives.
    """
    names: dict[str, str] = {}
    for path in paths:
        parts = path.split(".")
        for length in range(1, len(parts) + 1):
            ending = parts[-length:]
            others = [other.split(".")[-length:] for other in paths if other != path]
            if ending not in others:
                names[path] = "_".join(ending)
                break
        else:
            names[path] = path.replace(".", "_")
    return names


def ema_model(
    uncertainties: Sequence[FactorLike],
    levers: Sequence[FactorLike] = (),
    outcomes: Sequence[str] | str = HEADLINE,
    *,
    scenario: ScenarioLike = "baseline",
    reference: ScenarioLike | None = None,
    window: str = "long",
    replications: int = 1,
    seed: int | None = None,
    model_class: type[NPSModel] = NPSModel,
    fixed: Mapping[str, Any] | None = None,
    name: str = "npssim",
) -> Any:
    """An EMA Workbench model of npssim: uncertainties, levers and outcomes from the schema.

    Args:
        uncertainties: Parameters no one controls (the firm, its customers, its people), as
            ``"path"`` (the schema's range, or every choice), ``"path=lo:hi"`` or
            ``"path=v1,v2"``, or :class:`~npssim.experiment.design.Factor` objects.
        levers: Policy parameters the firm chooses, written the same way.
        outcomes: Registry metrics to report (the headline goods and bads by default); each is
            a ``ScalarOutcome`` to maximise, minimise or just report, by its better direction,
            averaged over the replications.
        scenario: The scenario every experiment starts from.
        reference: Read every outcome against this policy instead: the same firm (the
            uncertainties apply to both), the same seeds, outcomes the paired differences.
        window: ``"short"``, ``"long"`` (the default) or ``"end"``, as in the CLI.
        replications: Replications per experiment, on seeds shared by every experiment
            (common random numbers), spawned from ``seed``.
        seed: Root seed of the replications (the scenario's ``run.seed`` by default).
        model_class: :class:`~npssim.NPSModel` or a subclass (defined in a module, for
            EMA's multiprocessing evaluator).
        fixed: Values set in every experiment, by dotted path.
        name: The model's name in EMA Workbench (a Python identifier).

    Returns:
        An ``ema_workbench.ReplicatorModel``, ready for ``perform_experiments``.

    Raises:
        InputError: EMA Workbench is not installed, a parameter or outcome is unknown, a range
            is missing or out of bounds, or a parameter is given twice.
    """
    try:
        import ema_workbench as ema
    except ImportError:
        ema = None
    if ema is None or int(str(ema.__version__).split(".")[0]) < 3:
        raise InputError(
            "ema_model: needs EMA Workbench 3, which needs Python 3.12 or newer; install npssim "
            "there (pip installs EMA Workbench 2.5 on Python 3.11)"
        )
    check_model_class(model_class, in_process=True)
    schema = model_class.scenario_schema
    factors = {
        "uncertainties": _factors(uncertainties, "ema_model", True, schema),
        "levers": _factors(levers, "ema_model", True, schema),
    }
    paths = [factor.path for group in factors.values() for factor in group]
    _check_distinct(paths, "ema_model")
    outcomes = _names(outcomes)
    metric_set = model_class.metric_set
    check_outputs(outcomes, window, option="ema_model: outcomes", metric_set=metric_set)
    names = ema_names(paths)
    base = _scenario(scenario)
    model = ema.ReplicatorModel(
        name,
        function=Simulation(
            base, window, _reference(reference), model_class, dict(fixed or {}), tuple(outcomes)
        ),
    )
    model.uncertainties = [_ema_parameter(ema, f, names[f.path]) for f in factors["uncertainties"]]
    model.levers = [_ema_parameter(ema, f, names[f.path]) for f in factors["levers"]]
    model.outcomes = [
        ema.ScalarOutcome(metric, kind=_ema_kind(ema, metric_set.by_name[metric]), function=np.mean)
        for metric in outcomes
    ]
    root = _root(base, fixed, seed, replications, "ema_model")
    model.replications = [{"seed": value} for value in replication_seeds(root, replications)]
    return model


def _ema_parameter(ema: Any, factor: Factor, name: str) -> Any:
    if factor.categorical:
        if set(factor.choices) == {False, True}:
            return ema.BooleanParameter(name, variable_name=factor.path)
        return ema.CategoricalParameter(name, list(factor.choices), variable_name=factor.path)
    if factor.integer:
        return ema.IntegerParameter(
            name, int(factor.lower), int(factor.upper), variable_name=factor.path
        )
    return ema.RealParameter(name, factor.lower, factor.upper, variable_name=factor.path)


def _ema_kind(ema: Any, metric: Metric) -> int:
    better = metric.better
    outcome = ema.ScalarOutcome
    return {"higher": outcome.MAXIMIZE, "lower": outcome.MINIMIZE}.get(better, outcome.INFO)


class NPSProblem(ProblemSpec):
    """SALib's ``ProblemSpec`` for npssim: :meth:`evaluate` runs the model at every sample.

    Build it with :func:`salib_problem`. Everything else is SALib's own fluent API::

        problem.sample_morris(8, seed=1).evaluate().analyze_morris(seed=1)

    Attributes:
        simulation: What one evaluation runs.
        replications: Replications averaged per sampled row, on seeds shared by every row.
        seed: Root seed of those replications.
    """

    def __init__(
        self, spec: Mapping[str, Any], simulation: Simulation, replications: int, seed: int
    ) -> None:
        super().__init__(dict(spec))
        self.simulation = simulation
        self.replications = replications
        self.seed = seed

    def evaluate(
        self,
        func: Any = None,
        *args: Any,
        executor: ExecutorLike = None,
        workers: int | None = None,
        **kwargs: Any,
    ) -> NPSProblem:
        """Run the model at every sampled row (or ``func``, as SALib would), and keep results.

        Each row's result is, for every output, its mean over :attr:`replications`; the rows
        share their replication seeds.

        Args:
            func: A model function of the sample matrix, to use SALib's own evaluation
                instead.
            *args: Passed to ``func``.
            executor: ``"serial"``, ``"processes"`` (the default for many runs) or any
                ``concurrent.futures.Executor``, as in :func:`~npssim.experiment.run_experiment`.
            workers: Local worker processes (one per CPU by default).
            **kwargs: Passed to ``func``.

        Returns:
            This problem, with ``results`` set (one column per output).
        """
        if func is not None:
            return super().evaluate(func, *args, **kwargs)
        if self.samples is None:
            raise InputError("evaluate: sample the problem first, e.g. sample_morris(8)")
        names, outputs = list(self["names"]), list(self["outputs"])
        seeds = replication_seeds(self.seed, self.replications)
        calls = [dict(zip(names, row, strict=True)) for row in np.asarray(self.samples)]
        jobs = [(values, seed) for values in calls for seed in seeds]
        choice, _ = choose_executor(executor, workers, len(jobs))
        check_model_class(self.simulation.model_class, **where_runs_go(choice, len(jobs)))
        run = functools.partial(_evaluate, self.simulation)
        if isinstance(choice, Executor):
            found = list(choice.map(run, jobs))
        else:
            with open_executor(choice, len(jobs)) as running:
                found = list(running.map(run, jobs))
        values = np.array([[result[name] for name in outputs] for result in found], dtype=float)
        means = values.reshape(len(calls), len(seeds), len(outputs)).mean(axis=1)
        self.results = means[:, 0] if len(outputs) == 1 else means
        return self


def _evaluate(simulation: Simulation, job: tuple[dict[str, Any], int]) -> dict[str, float]:
    values, seed = job
    return simulation(seed=seed, **values)


def salib_problem(
    factors: Sequence[FactorLike],
    outputs: Sequence[str] | str = ("net_value",),
    *,
    scenario: ScenarioLike = "baseline",
    reference: ScenarioLike | None = None,
    window: str = "long",
    replications: int = 1,
    seed: int | None = None,
    model_class: type[NPSModel] = NPSModel,
    fixed: Mapping[str, Any] | None = None,
) -> NPSProblem:
    """A SALib problem over scenario parameters, whose ``evaluate()`` runs npssim.

    Args:
        factors: The parameters, as ``"path"`` (the schema's range) or ``"path=lo:hi"``, or
            :class:`~npssim.experiment.design.Factor` objects. Whole-number parameters are
            sampled as reals by SALib and rounded when run (Morris's levels include both
            ends; a Sobol' sample gives the two end values half the weight of the others,
            which ``npssim sensitivity`` corrects by widening their range half a unit).
        outputs: Registry metrics to analyse (net money by default).
        scenario: The scenario every row starts from.
        reference: Read the outputs against this policy instead (paired differences; the
            factors that are not policy values apply to both).
        window: ``"short"``, ``"long"`` (the default) or ``"end"``, as in the CLI.
        replications: Replications averaged per row, on seeds every row shares.
        seed: Root seed of the replications (the scenario's ``run.seed`` by default).
        model_class: :class:`~npssim.NPSModel` or a subclass.
        fixed: Values set in every row, by dotted path.

    Returns:
        An :class:`NPSProblem`: a SALib ``ProblemSpec`` with ``names`` (the dotted paths),
        ``bounds`` and ``outputs`` set.

    Raises:
        InputError: A parameter or output is unknown, not numeric, out of bounds, without a
            range where the schema gives none, or given twice.
    """
    chosen = _factors(factors, "salib_problem", schema=model_class.scenario_schema)
    if not chosen:
        raise InputError("salib_problem: give at least one factor, e.g. reps.integrity_mean")
    _check_distinct([factor.path for factor in chosen], "salib_problem")
    outputs = _names(outputs)
    check_outputs(
        outputs, window, option="salib_problem: outputs", metric_set=model_class.metric_set
    )
    base = _scenario(scenario)
    spec = {
        "names": [factor.path for factor in chosen],
        "bounds": [[factor.lower, factor.upper] for factor in chosen],
        "outputs": list(outputs),
    }
    simulation = Simulation(base, window, _reference(reference), model_class, dict(fixed or {}))
    root = _root(base, fixed, seed, replications, "salib_problem")
    return NPSProblem(spec, simulation, replications, root)


def _factors(
    items: Sequence[FactorLike],
    source: str,
    categorical: bool = False,
    schema: type[Scenario] = Scenario,
) -> list[Factor]:
    if isinstance(items, str):
        items = [items]
    return [
        item
        if isinstance(item, Factor)
        else parse_factor(item, source, categorical=categorical, schema=schema)
        for item in items
    ]


def _names(names: Sequence[str] | str) -> list[str]:
    """Metric names, a bare name taken as a list of one."""
    return [names] if isinstance(names, str) else list(names)


def _root(
    base: Scenario,
    fixed: Mapping[str, Any] | None,
    seed: int | None,
    replications: int,
    source: str,
) -> int:
    """The root seed of an outside tool's replications, checked, and their number checked."""
    if isinstance(replications, bool) or not isinstance(replications, int) or replications < 1:
        raise InputError(f"{source}: replications must be a whole number of at least 1")
    try:
        root = seed_from(seed, source=source)
    except ValueError as err:
        raise InputError(str(err)) from None
    if root is not None:
        return root
    return int((fixed or {}).get("run.seed", base.run.seed))


def _check_distinct(paths: Sequence[str], source: str) -> None:
    for path in paths:
        if paths.count(path) > 1:
            raise InputError(f"{source}: {path}: is given more than once")


def _reference(reference: ScenarioLike | None) -> Scenario | None:
    """The reference loaded once, not at every evaluation."""
    return None if reference is None else _scenario(reference)


def _scenario(scenario: ScenarioLike) -> Scenario:
    return scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
