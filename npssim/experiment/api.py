"""The Python API of experiments: run scenarios, sweep parameters, analyse sensitivity.

These functions are what the CLI calls, and what notebooks and researchers call directly::

    from npssim.experiment import run_experiment

    results = run_experiment(["baseline", "nps_bonus"], replications=20, seed=7)
    results.compare()  # paired differences, short and long run
    results.save("results/bonus")
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor
from pathlib import Path
from typing import Any, Literal

from npssim.errors import InputError
from npssim.experiment.engine import Callback, execute
from npssim.experiment.executors import ExecutorChoice
from npssim.experiment.plan import Kind, Plan, load_scenarios
from npssim.experiment.results import ExperimentResults
from npssim.experiment.store import RunStore
from npssim.scenario import Scenario

#: Replications when none are asked for: enough for intervals of useful width on most metrics.
DEFAULT_REPLICATIONS = 20

ScenarioLike = str | Path | Scenario
ExecutorLike = ExecutorChoice | Executor | Literal["serial", "processes"] | None


def run_experiment(
    scenarios: ScenarioLike | Sequence[ScenarioLike],
    *,
    replications: int = DEFAULT_REPLICATIONS,
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
) -> ExperimentResults:
    """Run replications of one or more scenarios, paired by replication index.

    Args:
        scenarios: Scenario files, bundled names (``"nps_bonus"``) or :class:`Scenario`
            objects. The first is the baseline of comparisons.
        replications: Replications per scenario.
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

    Returns:
        The results; identical for the same root seed whatever executor ran them.
    """
    sources = [scenarios] if isinstance(scenarios, str | Path | Scenario) else list(scenarios)
    if not sources:
        raise InputError("scenarios: give at least one scenario")
    kind: Kind = "run" if len(sources) == 1 else "compare"
    plan = make_plan(kind, sources, replications, seed, weeks, overrides)
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
) -> Plan:
    """Load the scenarios and build the plan of an experiment."""
    settings = dict(overrides or {})
    if weeks is not None:
        settings["run.weeks"] = weeks
    loaded, origins = load_scenarios(sources, settings)
    root = seed if seed is not None else next(iter(loaded.values())).run.seed
    return Plan(
        kind=kind,
        scenarios=loaded,
        sources=origins,
        replications=replications,
        seed=root,
        points=tuple(points),
        options=options or {},
    )


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
    **results_options: Any,
) -> ExperimentResults:
    """Run a plan's tasks (those not stored yet) and gather the results.

    Arguments are those of :func:`run_experiment`; ``results_type`` and ``results_options``
    let sweeps and sensitivity analyses return their own kind of results.
    """
    tasks = plan.tasks()
    store = None
    if out is not None:
        store = RunStore(out)
        store.open(plan.identity(), resume=resume, force=force)
    choice, description = choose_executor(executor, workers, len(tasks))
    started = time.perf_counter()
    runs, stored = execute(
        tasks,
        choice,
        store,
        progress=progress,
        description=f"{plan.kind}: {', '.join(plan.labels)}",
        on_finished=on_finished,
    )
    return results_type(
        plan,
        runs,
        executor=description,
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
