"""Break-even analysis: what would have to be true for a policy to pay for the firm.

A leader does not ask for indices; they ask "under which circumstances does this pay, and when
does it lose?". The answer is read from the paired difference in the firm's net money
(``net_value``) between the policy and its baseline over the long run (the second year: the
last 52 weeks, so per year), at points that move the *uncertain assumptions* (the schema's
``plausible`` ranges, named by what a firm could measure to pin them):

1. **screen** (:mod:`npssim.experiment.screening`): a Morris screen over every uncertain
   assumption (and ``--assume`` additions), cheap and paired, ranks them by ``mu_star``; the
   strongest (``carry``) and every ``--assume``'d one are carried on.
2. **tornado**: the centre (every assumption at the scenario's value) and each carried
   assumption alone at the low and the high end of its range. The swing says which matter,
   and a sign change along one is a break-even value (:meth:`BreakevenResults.flip_condition`).
3. **heatmap** (the map): a grid over the two carried assumptions with the largest swings.
4. **discovery** (:mod:`npssim.experiment.discovery`): a Latin hypercube over the carried
   assumptions, and PRIM's box of where the policy pays.

This module orchestrates them. Each stage is an ordinary experiment
(:class:`~npssim.experiment.plan.Plan` of the baseline and the policy, one design point per
row), executed by :func:`~npssim.experiment.api.execute_plan`: replication *i* of both scenarios
at every point shares its seed, so the differences are paired; runs are stored as they finish
and the results are the same whatever executor ran them. With ``out``, each stage stores its
runs in its own sub-experiment folder (``out/screen``, ``out/tornado``, ``out/heatmap``,
``out/discovery``), and ``out/manifest.json`` records the whole analysis' identity:
``resume=True`` checks it, then completes each stage in turn, so an interruption in any stage
resumes where it stopped (each stage is derived from the stored runs of those before it, so it
comes out the same).
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from npssim.errors import InputError
from npssim.experiment.analysis import HORIZONS
from npssim.experiment.api import (
    ExecutorLike,
    ScenarioLike,
    choose_executor,
    execute_plan,
    make_plan,
    where_runs_go,
)
from npssim.experiment.breakeven_results import (  # noqa: F401 (re-exported)
    OUTCOME,
    SIDES,
    BreakevenResults,
    StageResults,
    break_even_values,
    factor_value,
    identity,
)
from npssim.experiment.defaults import (
    BREAKEVEN_CARRY,
    BREAKEVEN_GRID,
    BREAKEVEN_MIN_GRID,
    BREAKEVEN_MIN_SAMPLES,
    BREAKEVEN_MIN_TRAJECTORIES,
    BREAKEVEN_REPLICATIONS,
    BREAKEVEN_SAMPLES,
    BREAKEVEN_SCREEN_REPLICATIONS,
    BREAKEVEN_TRAJECTORIES,
)
from npssim.experiment.design import (  # noqa: F401 (parse_assumptions re-exported)
    Factor,
    parse_assumptions,
    parse_factor,
)
from npssim.experiment.discovery import (  # noqa: F401 (re-exported where they were)
    INSTALL_HINT,
    PRIM_DENSITY,
    PRIM_MAX_DIMENSIONS,
    PrimBox,
    find_box,
    load_prim,
    prim_outcome,
    prim_statement,
    sample_points,
)
from npssim.experiment.firms import check_same_firm
from npssim.experiment.plan import Plan
from npssim.experiment.runs import check_model_class
from npssim.experiment.screening import (
    Screen,
    carried,
    screen_design,
    screen_indices,
    screened_factors,
)
from npssim.experiment.store import RunStore
from npssim.files import FolderLock
from npssim.model import NPSModel
from npssim.scenario import Scenario

__all__ = [
    "DEFAULT_CARRY",
    "DEFAULT_GRID",
    "DEFAULT_REPLICATIONS",
    "DEFAULT_SAMPLES",
    "DEFAULT_TRAJECTORIES",
    "MIN_GRID",
    "MIN_SAMPLES",
    "BreakevenResults",
    "parse_assumptions",
    "run_breakeven",
]

#: Replications per scenario and design point, levels per axis of the heatmap, and
#: Latin-hypercube points of the scenario discovery (see :mod:`npssim.experiment.defaults`).
DEFAULT_REPLICATIONS = BREAKEVEN_REPLICATIONS
DEFAULT_GRID = BREAKEVEN_GRID
DEFAULT_SAMPLES = BREAKEVEN_SAMPLES
DEFAULT_CARRY = BREAKEVEN_CARRY
DEFAULT_TRAJECTORIES = BREAKEVEN_TRAJECTORIES
DEFAULT_SCREEN_REPLICATIONS = BREAKEVEN_SCREEN_REPLICATIONS
MIN_GRID = BREAKEVEN_MIN_GRID
MIN_SAMPLES = BREAKEVEN_MIN_SAMPLES
MIN_TRAJECTORIES = BREAKEVEN_MIN_TRAJECTORIES
#: The stages, in order; each is a sub-experiment folder of the output folder.
STAGES = ("screen", "tornado", "heatmap", "discovery")
#: What the progress bar calls each stage.
STAGE_TITLES = {
    "screen": "screen",
    "tornado": "tornado",
    "heatmap": "map",
    "discovery": "discovery",
}
#: Streams of the root seed that draw the Latin hypercube and the Morris design (apart from
#: the replication seeds).
_LHS_STREAM = 3
_SCREEN_STREAM = 4


# ---------------------------------------------------------------------- inputs


def run_breakeven(
    policy: ScenarioLike,
    baseline: ScenarioLike = "baseline",
    assumptions: Sequence[str] | None = None,
    *,
    replications: int = DEFAULT_REPLICATIONS,
    grid: int = DEFAULT_GRID,
    samples: int = DEFAULT_SAMPLES,
    carry: int = DEFAULT_CARRY,
    trajectories: int = DEFAULT_TRAJECTORIES,
    screen_replications: int = DEFAULT_SCREEN_REPLICATIONS,
    only_assumed: bool = False,
    different_firms: bool = False,
    seed: int | None = None,
    weeks: int | None = None,
    overrides: Mapping[str, Any] | None = None,
    horizon: str = "long",
    executor: ExecutorLike = None,
    workers: int | None = None,
    out: str | Path | None = None,
    resume: bool = False,
    force: bool = False,
    progress: bool = False,
    model_class: type[NPSModel] = NPSModel,
) -> BreakevenResults:
    """What would have to be true for a policy to pay: screen, tornado, map, scenario discovery.

    Args:
        policy: The policy's scenario file, bundled name or :class:`Scenario`.
        baseline: What it is compared with (the bundled ``baseline`` by default): the same
            firm under another policy (see ``different_firms``).
        assumptions: ``"path=lo:hi"`` or bare ``"path"`` (its plausible range), as ``--assume``:
            each is added to the screen (or its range replaces the plausible one) and carried
            into the later stages whatever its rank. None: the screen moves every uncertain
            assumption of the schema at its plausible range.
        replications: Replications per scenario and point of the tornado, map and discovery.
        grid: Levels per axis of the map (at least :data:`MIN_GRID`).
        samples: Latin-hypercube points of the scenario discovery (at least
            :data:`MIN_SAMPLES`).
        carry: How many of the screen's strongest assumptions (by mu_star) are carried on.
        trajectories: Morris trajectories of the screen (at least :data:`MIN_TRAJECTORIES`);
            the screen runs ``trajectories x (assumptions + 1)`` points.
        screen_replications: Replications per scenario and point of the screen.
        only_assumed: Screen only the ``assumptions`` given, not every uncertain one.
        different_firms: Allow a baseline that differs from the policy in more than the policy
            (firm, accounts, reps, managers, run, timeline); refused otherwise.
        seed: Root seed (the policy's ``run.seed`` by default); it also draws the Morris
            design and the hypercube.
        weeks: Weeks to simulate.
        overrides: Values set in both scenarios, like ``--set``.
        horizon: The window the outcome is read over: ``"long"`` (the last 52 weeks, per
            year), ``"short"`` or ``"end"``.
        executor: As in :func:`~npssim.experiment.run_experiment`.
        workers: Local worker processes.
        out: Store each stage's runs in ``out/<stage>`` as they finish (nothing is written
            until every input is checked; the report is written by :meth:`~BreakevenResults.save`).
        resume: Complete the analysis already started in ``out``.
        force: Replace npssim's earlier results in ``out``.
        progress: Show a progress bar per stage, named by the stage.
        model_class: The model every run builds.

    Returns:
        The results; the same for the same root seed whatever executor ran them.

    Raises:
        InputError: An input is wrong (the message names the option and the parameter).
    """
    if horizon not in HORIZONS:
        raise InputError(f"--horizon: expected one of {', '.join(HORIZONS)}, got {horizon!r}")
    if grid < MIN_GRID:
        raise InputError(f"--grid: must be at least {MIN_GRID}, got {grid}")
    if samples < MIN_SAMPLES:
        raise InputError(
            f"--samples: must be at least {MIN_SAMPLES} for scenario discovery, got {samples}"
        )
    if trajectories < MIN_TRAJECTORIES:
        raise InputError(f"--trajectories: must be at least {MIN_TRAJECTORIES}, got {trajectories}")
    if carry < 1:
        raise InputError(f"--carry: must be at least 1, got {carry}")
    schema = model_class.scenario_schema
    factors, assumed = screened_factors(assumptions, schema, only_assumed=only_assumed)
    named_sources = not isinstance(policy, Scenario) and not isinstance(baseline, Scenario)
    if named_sources and Path(str(policy)).stem == Path(str(baseline)).stem:
        raise InputError(f"--baseline {baseline}: is the policy itself; give another")
    base = make_plan(
        "breakeven",
        [baseline, policy],
        replications,
        seed,
        weeks,
        overrides,
        model_class=model_class,
    )
    baseline_label, policy_label = base.labels
    if base.scenarios[baseline_label] == base.scenarios[policy_label]:
        raise InputError(f"--baseline {baseline}: is the same scenario as the policy")
    check_same_firm(
        base.scenarios[policy_label],
        base.scenarios[baseline_label],
        different_firms=different_firms,
    )
    design_seed = int(np.random.SeedSequence([base.seed, _SCREEN_STREAM]).generate_state(1)[0])
    morris = screen_design(factors, trajectories, design_seed)
    screen_plan = dataclasses.replace(
        _stage(base, "screen", morris.overrides()), replications=screen_replications
    )
    tasks = screen_plan.tasks()  # every value checked against the schema: nothing written
    choice, description = choose_executor(executor, workers, len(tasks))
    check_model_class(model_class, **where_runs_go(choice, len(tasks)))
    folder = Path(out) if out is not None else None
    by_path = {factor.path: factor for factor in factors}
    # One writer for the whole analysis: its stages' folders and, after it, the report.
    with FolderLock(folder) if folder is not None else contextlib.nullcontext():
        if folder is not None:
            RunStore(folder).open(
                identity(
                    screen_plan, policy_label, baseline_label, factors, assumed, carry,
                    replications, grid, samples, horizon,
                ),
                resume=resume,
                force=force,
            )  # fmt: skip
        started = time.perf_counter()
        execution = {"executor": executor, "workers": workers, "progress": progress}

        def execute(name: str, plan: Plan) -> StageResults:
            result = execute_plan(
                plan,
                results_type=StageResults,
                out=None if folder is None else folder / name,
                resume=resume,
                force=force,
                description=f"breakeven {STAGE_TITLES[name]}: {policy_label} vs {baseline_label}",
                **execution,
            )
            assert isinstance(result, StageResults)
            return result

        stages = {"screen": execute("screen", screen_plan)}
        outputs = stages["screen"].paired(policy_label, baseline_label, horizon).mean(axis=1)
        indices = screen_indices(morris, outputs)
        kept = carried(indices, carry, assumed)
        screen = Screen(morris, indices, kept)
        chosen = [by_path[path] for path in kept]
        tornado_points = [{}] + [
            {factor.path: factor_value(factor, share)} for factor in chosen for share in (0.0, 1.0)
        ]
        stages["tornado"] = execute("tornado", _stage(base, "tornado", tornado_points))
        settings = {
            "screen": screen,
            "grid": grid,
            "samples": samples,
            "carry": carry,
            "assumed": assumed,
        }
        partial = BreakevenResults(
            policy_label, baseline_label, chosen, horizon, stages, axes=None, **settings
        )
        axes: tuple[str, str] | None = None
        if len(chosen) > 1:
            order = list(partial.swings().index)
            x, y = by_path[order[0]], by_path[order[1]]
            axes = (x.path, y.path)
            levels = np.linspace(0.0, 1.0, grid)
            points = [
                {x.path: factor_value(x, a), y.path: factor_value(y, b)}
                for b in levels
                for a in levels
            ]
            stages["heatmap"] = execute("heatmap", _stage(base, "heatmap", points))
        lhs_seed = int(np.random.SeedSequence([base.seed, _LHS_STREAM]).generate_state(1)[0])
        points = sample_points(chosen, samples, lhs_seed)
        stages["discovery"] = execute("discovery", _stage(base, "discovery", points))
        return BreakevenResults(
            policy_label,
            baseline_label,
            chosen,
            horizon,
            stages,
            axes=axes,
            wall_seconds=time.perf_counter() - started,
            executor=description,
            **settings,
        )


def _stage(base: Plan, name: str, points: Sequence[dict[str, Any]]) -> Plan:
    return dataclasses.replace(base, points=tuple(points), options={**base.options, "stage": name})
