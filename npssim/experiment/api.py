"""The Python API of experiments: run scenarios, sweep parameters, analyse sensitivity.

These functions are what the CLI calls, and what notebooks and researchers call directly::

    from npssim.experiment import run_experiment

    results = run_experiment(["baseline", "nps_bonus"], replications=20, seed=7)
    results.compare()  # paired differences, short and long run
    results.save("results/bonus")

:func:`simulate` is the one call outside tools (EMA Workbench, SALib, an optimiser) need: one
replication with these values and this seed, its metrics read over a window as the CLI reads
them.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Literal

import numpy as np

from npssim.errors import InputError
from npssim.experiment.analysis import HORIZONS, over_window
from npssim.experiment.engine import Callback, execute
from npssim.experiment.executors import ExecutorChoice, InlineExecutor
from npssim.experiment.firms import check_same_firm
from npssim.experiment.firms import counterfactual as counterfactual_of
from npssim.experiment.plan import (
    DEFAULT_REPLICATIONS,
    Kind,
    Plan,
    intervention_week,
    load_scenarios,
    unique_label,
    windows,
)
from npssim.experiment.results import ExperimentResults
from npssim.experiment.runs import RunTask, check_model_class, run_task
from npssim.experiment.store import RunStore
from npssim.files import FolderLock
from npssim.model import NPSModel
from npssim.scenario import Scenario, as_schema, load_scenario, with_overrides
from npssim.seeds import seed_from

__all__ = [
    "DEFAULT_REPLICATIONS",
    "choose_executor",
    "execute_plan",
    "make_plan",
    "run_experiment",
    "simulate",
    "where_runs_go",
]

ScenarioLike = str | Path | Scenario
ExecutorLike = ExecutorChoice | Executor | Literal["serial", "processes"] | None


def run_experiment(
    scenarios: ScenarioLike | Sequence[ScenarioLike],
    *,
    replications: int | None = None,
    seed: int | None = None,
    weeks: int | None = None,
    overrides: Mapping[str, Any] | None = None,
    executor: ExecutorLike = None,
    workers: int | None = None,
    out: str | Path | None = None,
    resume: bool = False,
    force: bool = False,
    progress: bool = False,
    on_finished: Callback | None = None,
    model_class: type[NPSModel] = NPSModel,
    replication: int | None = None,
    counterfactual: bool = False,
    different_firms: bool = False,
) -> ExperimentResults:
    """Run replications of one or more scenarios, paired by replication index.

    Args:
        scenarios: Scenario files, bundled names (``"nps_bonus"``) or :class:`Scenario`
            objects. The first is the baseline of comparisons.
        replications: Replications per scenario (:data:`DEFAULT_REPLICATIONS` by default).
        seed: Root seed; replication seeds are spawned from it (the first scenario's
            ``run.seed`` by default).
        weeks: Weeks to simulate, overriding every scenario's ``run.weeks``.
        overrides: Values set in every scenario by dotted path, like the CLI's ``--set``.
        executor: ``"serial"`` (this process), ``"processes"`` (a local pool, the default for
            many runs), an :class:`ExecutorChoice`, or any ``concurrent.futures.Executor`` you
            manage yourself (e.g. ``distributed.Client(...).get_executor()``).
        workers: Local worker processes (one per CPU by default).
        out: Store each run here as it finishes, so an interrupted experiment can resume.
            Nothing is written otherwise until you call :meth:`ExperimentResults.save`.
        resume: Complete the experiment already started in ``out``.
        force: Replace npssim's earlier results in ``out``.
        progress: Show a progress bar with the time left.
        on_finished: Called with (runs finished, runs in all) after each run.
        model_class: The model every run builds: :class:`~npssim.NPSModel` or a subclass of
            it (defined at the top level of a module, or of the script, for a process pool).
        replication: Run only this replication (its index), exactly as the experiment with the
            same root seed runs it (leave ``replications`` out).
        counterfactual: Compare the one scenario given with the same firm without its policy
            (:func:`~npssim.experiment.firms.counterfactual`, built after ``overrides`` and
            ``weeks`` apply), the baseline of the comparison.
        different_firms: Compare scenarios that differ outside the policy (firm size, accounts,
            reps, currency, assumptions, run length); without it such a comparison is refused
            (:func:`~npssim.experiment.firms.check_same_firm`), as it measures the firm.

    Returns:
        The results; identical for the same root seed whatever executor ran them.
    """
    sources = [scenarios] if isinstance(scenarios, str | Path | Scenario) else list(scenarios)
    if not sources:
        raise InputError("scenarios: give at least one scenario")
    if replication is not None:
        if replications not in (None, 1):
            raise InputError(
                f"replication={replication}: runs that one replication alone; leave out "
                f"replications={replications}"
            )
        replications = 1
    replications = DEFAULT_REPLICATIONS if replications is None else replications
    kind: Kind = "run" if len(sources) == 1 and not counterfactual else "compare"
    plan = make_plan(
        kind,
        sources,
        replications,
        seed,
        weeks,
        overrides,
        model_class=model_class,
        first_replication=replication or 0,
        counterfactual=counterfactual,
        different_firms=different_firms,
    )
    return execute_plan(
        plan,
        executor=executor,
        workers=workers,
        out=out,
        resume=resume,
        force=force,
        progress=progress,
        on_finished=on_finished,
    )


def make_plan(
    kind: Kind,
    sources: Sequence[ScenarioLike],
    replications: int,
    seed: int | None,
    weeks: int | None,
    overrides: Mapping[str, Any] | None,
    points: Sequence[dict[str, Any]] = ({},),
    options: dict[str, Any] | None = None,
    *,
    model_class: type[NPSModel] = NPSModel,
    first_replication: int = 0,
    counterfactual: bool = False,
    different_firms: bool = False,
) -> Plan:
    """Load the scenarios and build the plan of an experiment.

    A comparison (``kind="compare"``) is of one firm: each scenario is checked against the
    first (:func:`~npssim.experiment.firms.check_same_firm`) unless ``different_firms``. With
    ``counterfactual``, the one scenario given is compared with the same firm without its
    policy, put first as the baseline.
    """
    check_model_class(model_class, in_process=True)
    settings = dict(overrides or {})
    if weeks is not None:
        settings["run.weeks"] = weeks
    loaded, origins = load_scenarios(sources, settings, model_class.scenario_schema)
    if counterfactual:
        loaded, origins = with_counterfactual(loaded, origins)
    if kind == "compare":
        reference, *others = loaded.values()
        for scenario in others:
            check_same_firm(reference, scenario, different_firms=different_firms)
    root = seed if seed is not None else next(iter(loaded.values())).run.seed
    return Plan(
        kind=kind,
        scenarios=loaded,
        sources=origins,
        replications=replications,
        seed=root,
        points=tuple(points),
        options=options or {},
        model_class=model_class,
        first_replication=first_replication,
    )


def with_counterfactual(
    loaded: dict[str, Scenario], origins: dict[str, str]
) -> tuple[dict[str, Scenario], dict[str, str]]:
    """One loaded scenario, with the same firm without its policy put first (the baseline).

    Raises:
        InputError: More than one scenario was given.
    """
    if len(loaded) != 1:
        raise InputError(
            f"counterfactual: compares one scenario with its own firm without the policy; "
            f"got {len(loaded)} scenarios"
        )
    (label, scenario), (_, origin) = next(iter(loaded.items())), next(iter(origins.items()))
    without = counterfactual_of(scenario)
    other = unique_label(without.name, loaded)
    return {other: without, label: scenario}, {other: f"{origin} without its policy", label: origin}


def execute_plan(
    plan: Plan,
    *,
    executor: ExecutorLike = None,
    workers: int | None = None,
    out: str | Path | None = None,
    resume: bool = False,
    force: bool = False,
    progress: bool = False,
    on_finished: Callback | None = None,
    results_type: type[ExperimentResults] = ExperimentResults,
    description: str | None = None,
    **results_options: Any,
) -> ExperimentResults:
    """Run a plan's tasks (those not stored yet) and gather the results.

    Arguments are those of :func:`run_experiment`; ``results_type`` and ``results_options``
    let sweeps and sensitivity analyses return their own kind of results, and
    ``description`` names the progress bar (an analysis of several stages names each).
    """
    tasks = plan.tasks()
    choice, executor_text = choose_executor(executor, workers, len(tasks))
    check_model_class(plan.model_class, **where_runs_go(choice, len(tasks)))
    started = time.perf_counter()
    with FolderLock(out) if out is not None else contextlib.nullcontext():
        store = None
        if out is not None:  # only once every input is known to be good: nothing half-written
            store = RunStore(out)
            store.open(plan.identity(), resume=resume, force=force)
        runs, stored = execute(
            tasks,
            choice,
            store,
            progress=progress,
            description=description or f"{plan.kind}: {', '.join(plan.labels)}",
            on_finished=on_finished,
        )
    return results_type(
        plan,
        runs,
        executor=executor_text,
        wall_seconds=time.perf_counter() - started,
        resumed=stored,
        **results_options,
    )


def choose_executor(executor: ExecutorLike, workers: int | None, tasks: int) -> tuple[Any, str]:
    """Resolve the ``executor`` and ``workers`` arguments of the experiment functions.

    Returns:
        The executor the caller manages, or the :class:`ExecutorChoice` to open; and its
        description for the manifest.
    """
    if isinstance(executor, Executor):
        return executor, type(executor).__name__
    if executor is None or executor == "processes":
        choice = ExecutorChoice(workers=workers)
    elif executor == "serial":
        choice = ExecutorChoice(workers=1)
    elif isinstance(executor, ExecutorChoice):
        choice = executor
    else:
        raise InputError(
            f"executor: expected 'serial', 'processes' or an Executor, got {executor!r}"
        )
    return choice, choice.describe(tasks)


def where_runs_go(choice: Any, tasks: int) -> dict[str, bool]:
    """Whether the runs stay in this process, and whether they go to Dask (for model classes)."""
    if isinstance(choice, ExecutorChoice):
        dask = bool(choice.scheduler or choice.dask_local)
        return {"in_process": not dask and choice.local_workers(tasks) == 1, "dask": dask}
    # Threads share this process, so they build any class; another kind of executor (a
    # Dask client's) pickles classes as Dask does.
    in_process = isinstance(choice, InlineExecutor | ThreadPoolExecutor)
    return {
        "in_process": in_process,
        "dask": not in_process and not isinstance(choice, ProcessPoolExecutor),
    }


def simulate(
    scenario: ScenarioLike = "baseline",
    *,
    seed: int | None = None,
    model_class: type[NPSModel] = NPSModel,
    window: str = "long",
    reference: ScenarioLike | None = None,
    **params: Any,
) -> dict[str, float]:
    """One replication, its every metric read over a window as the CLI reads it.

    This is the whole adapter EMA Workbench, SALib or an optimiser needs: give the values (by
    dotted path) and a seed, get the outcomes. Over the ``"short"`` or ``"long"`` window money
    and counts are the amounts accrued in it, scores and shares its weekly means, and retention
    the share of its renewals kept; ``"end"`` is the ledger at the last week.

    Args:
        scenario: A scenario file, bundled name or :class:`Scenario` (the baseline by default).
        seed: The model seed; the scenario's ``run.seed`` by default. A replication seed from
            an experiment's manifest reproduces that replication.
        model_class: :class:`~npssim.NPSModel` or a subclass.
        window: ``"short"`` (the first two quarters after the policy changes: the scenario's
            first timeline change, or where it first differs from ``reference``, as given
            before ``params``), ``"long"`` (the last four quarters) or ``"end"``.
        reference: Read every metric against this policy instead: the same firm (every
            parameter given here that is not a policy value applies to both), the same seed,
            and the values are the paired differences ``scenario - reference``.
        **params: Parameter values by dotted path, e.g. ``**{"reps.integrity_mean": 0.8}``.
            Floats given to whole-number parameters are rounded (samplers give 3.333 for a
            whole number of weeks).

    Returns:
        Every metric of the model class (``model_class.metric_set``: the registry's, then any
        the class adds), by name; counts accrued over a window, and every count at the end,
        as ints.

    Raises:
        ScenarioError: A path is unknown or a value out of range (the message names it).
        ValueError: The window is not one of short, long, end; or the seed is not a whole
            number from 0 to 2**63-1.
    """
    if window not in HORIZONS:
        raise ValueError(f"simulate: window must be one of {', '.join(HORIZONS)}, got {window!r}")
    root = seed_from(seed, source="simulate")
    check_model_class(model_class, in_process=True)
    schema = model_class.scenario_schema
    base = _resolve(scenario, {}, schema)
    mine = _resolve(base, params, schema)
    theirs, base_reference = None, None
    if reference is not None:
        firm = {path: value for path, value in params.items() if not path.startswith("policy.")}
        base_reference = _resolve(reference, {}, schema)
        theirs = _resolve(base_reference, firm, schema)
        if theirs.run.weeks != mine.run.weeks:
            raise InputError(
                f"simulate: run.weeks: the scenario runs {mine.run.weeks} weeks and the "
                f"reference {theirs.run.weeks}; give run.weeks"
            )
    root = mine.run.seed if root is None else root
    # The short run starts where the scenarios as given part, not where a sampled value makes
    # them part: every evaluation of an outside tool reads the same weeks.
    start = intervention_week(base, base_reference)
    first, stop = windows(start, mine.run.weeks)[window]
    values = _read(mine, root, model_class, first, stop, window)
    if theirs is not None:
        values = values - _read(theirs, root, model_class, first, stop, window)
    metrics = model_class.metric_set
    return {
        name: int(value) if metrics.whole_over(name, window) else float(value)
        for name, value in zip(metrics.names, values, strict=True)
    }


def _resolve(scenario: ScenarioLike, params: Mapping[str, Any], schema: type[Scenario]) -> Scenario:
    if isinstance(scenario, Scenario):
        base = as_schema(scenario, schema, source="simulate")
    else:
        base = load_scenario(scenario, schema=schema)
    if not params:
        return base
    return with_overrides(base, params, source="simulate", round_integers=True)


def _read(
    scenario: Scenario,
    seed: int,
    model_class: type[NPSModel],
    first: int,
    stop: int,
    window: str,
) -> np.ndarray:
    result = run_task(RunTask(scenario.name, 0, 0, seed, scenario, model_class))
    cube = result.weekly[None, :, :]
    return over_window(cube, first, stop, window, model_class.metric_set)[0]
