"""Calibration: fit uncertain parameters so the simulated firm matches a firm's own figures.

The method of simulated moments (McFadden 1989; Pakes & Pollard 1989). A firm observes a few
metrics (its reported NPS, its response rate, its retention); the model's free parameters are
chosen to make the same metrics, simulated, come out as observed. The fit minimises

    J(theta) = sum_j ((m_j(theta) - target_j) / s_j) ** 2

where ``m_j`` is metric ``j`` averaged over the replications at ``theta`` and ``s_j`` its
standard deviation across replications (pooled over the first, exploratory points). Every
candidate runs on the *same* replication seeds, common random numbers, so ``J`` changes only
because ``theta`` does, and the search does not chase noise.

The search is two-stage: a Latin hypercube over the free parameters' ranges, then a bounded
Nelder-Mead simplex (``scipy.optimize.minimize``) from the best point found. Each evaluation
runs its replications on the experiment's executor, so a process pool or Dask cluster speeds
it up like any other experiment.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize

from npssim.errors import InputError
from npssim.experiment.analysis import interval
from npssim.experiment.api import (
    ExecutorLike,
    ScenarioLike,
    choose_executor,
    make_plan,
    where_runs_go,
)
from npssim.experiment.defaults import CALIBRATION_EVALUATIONS
from npssim.experiment.design import (  # noqa: F401 (parse_target re-exported)
    Factor,
    check_free_count,
    latin_hypercube,
    parse_factor,
    parse_target,
)
from npssim.experiment.engine import execute
from npssim.experiment.executors import open_executor
from npssim.experiment.plan import CALIBRATION_REPLICATIONS, Plan
from npssim.experiment.results import ExperimentResults, resolved_toml
from npssim.experiment.runs import check_model_class
from npssim.experiment.sweep import check_outputs
from npssim.files import atomic_path
from npssim.model import NPSModel
from npssim.scenario import Scenario, with_overrides
from npssim.version import __version__

#: Model evaluations (candidate parameter sets) when no budget is given.
DEFAULT_EVALUATIONS = CALIBRATION_EVALUATIONS


def parse_free(text: str) -> Factor:
    """Parse ``path=lo:hi`` from the CLI's ``--free``, checked against the schema."""
    return parse_factor(text, option="--free")


@dataclass(frozen=True)
class CalibrationResult:
    """A fitted scenario and how well it fits.

    Attributes:
        scenario: The scenario with the fitted values set.
        values: The fitted value of each free parameter, by path.
        fit: One row per target: ``metric``, ``target``, ``simulated`` (mean over the
            replications at the fitted values), ``ci_low``/``ci_high`` (its 95% interval),
            ``std_error`` and ``error`` (simulated - target, in standard errors).
        objective: ``J`` at the fitted values (sum of squared standardised misfits).
        history: Every evaluated candidate: ``evaluation``, ``stage`` (explore or refine), the
            free parameters, ``objective`` and the simulated mean of each target metric.
        message: What the optimiser said when it stopped.
        settings: Replications, root seed, weeks and horizon of the fit.
    """

    scenario: Scenario
    values: dict[str, float]
    fit: pd.DataFrame
    objective: float
    history: pd.DataFrame
    message: str
    settings: dict[str, Any]

    @property
    def evaluations(self) -> int:
        """Candidate parameter sets simulated."""
        return len(self.history)

    def to_toml(self) -> str:
        """The fitted scenario as a TOML file, headed by the fit's quality as comments."""
        lines = [
            f"# Calibrated by npssim {__version__}: method of simulated moments with common",
            f"# random numbers, {self.settings['replications']} replications per candidate "
            f"(root seed {self.settings['seed']}), {self.evaluations} candidates, "
            f"{self.settings['horizon']} horizon.",
            "# Fitted: "
            + ", ".join(f"{path} = {value:.6g}" for path, value in self.values.items()),
            f"# Objective J = {self.objective:.4g} (sum of squared misfits in standard errors).",
            "# target                      observed     simulated (95% interval)      error",
        ]
        for row in self.fit.itertuples():
            lines.append(
                f"#   {row.metric:<26}{row.target:>10.4g}   {row.simulated:>10.4g} "
                f"({row.ci_low:.4g} to {row.ci_high:.4g})  {row.error:+.2f} se"
            )
        return "\n".join(lines) + "\n" + resolved_toml(self.scenario)

    def save(self, path: str | Path) -> Path:
        """Write :meth:`to_toml` to ``path`` (under a temporary name, then renamed)."""
        path = Path(path)
        with atomic_path(path) as temporary:
            temporary.write_text(self.to_toml(), encoding="utf-8")
        return path


def calibrate(
    scenario: ScenarioLike,
    targets: Mapping[str, float],
    free: Mapping[str, tuple[float, float]] | Sequence[Factor],
    *,
    replications: int = CALIBRATION_REPLICATIONS,
    max_evaluations: int = DEFAULT_EVALUATIONS,
    seed: int | None = None,
    weeks: int | None = None,
    horizon: str = "long",
    overrides: Mapping[str, Any] | None = None,
    executor: ExecutorLike = None,
    workers: int | None = None,
    progress: bool = False,
    model_class: type[NPSModel] = NPSModel,
) -> CalibrationResult:
    """Fit the free parameters of a scenario to observed values of some metrics.

    Args:
        scenario: The scenario file, bundled name or :class:`Scenario` to calibrate.
        targets: Observed values by metric name, e.g. ``{"reported_nps": 32}``.
        free: The parameters to fit and their ranges, ``{path: (lo, hi)}`` (or factors).
        replications: Replications per candidate; all candidates share their seeds.
        max_evaluations: Candidates to simulate at most (exploration and refinement).
        seed: Root seed of the replications (the scenario's ``run.seed`` by default).
        weeks: Weeks to simulate.
        horizon: Where the metrics are read: ``"long"`` (last four quarters), ``"short"`` or
            ``"end"``, as in the other experiments.
        overrides: Values fixed in the scenario before fitting, like ``--set``.
        executor: Where replications run, as in :func:`~npssim.experiment.run_experiment`.
        workers: Local worker processes.
        progress: Show a progress bar of the candidates.
        model_class: The model every candidate runs: :class:`~npssim.NPSModel` or a subclass.

    Returns:
        The fitted scenario, its fit to each target and the search history.

    Raises:
        InputError: A target or free parameter is malformed, unknown, given twice, or there are
            more free parameters than targets (the fit could not pin them down).
    """
    factors = _factors(free, model_class.scenario_schema)
    check_outputs(list(targets), horizon, option="--target", metric_set=model_class.metric_set)
    check_free_count(len(factors), len(targets), max_evaluations)
    base = make_plan(
        "run", [scenario], replications, seed, weeks, overrides, model_class=model_class
    )
    fitted_scenario = next(iter(base.scenarios.values()))
    explore = min(max(8, 4 * len(factors)), max_evaluations // 2)
    with _opened(executor, workers, replications * explore, model_class) as running:
        objective = _Objective(base, fitted_scenario, factors, targets, horizon, running, progress)
        objective.explore(latin_hypercube(len(factors), explore, base.seed))
        start = objective.best_unit()
        simplex = np.vstack([start] + [_step(start, axis) for axis in range(len(factors))])
        found = optimize.minimize(
            objective.refine,
            start,
            method="Nelder-Mead",
            bounds=[(0.0, 1.0)] * len(factors),
            options={
                "initial_simplex": simplex,
                "maxfev": max_evaluations - explore,
                "xatol": 0.005,
                "fatol": 1e-3,
            },
        )
    best = objective.best()
    values = objective.values(best.unit)
    fit = pd.DataFrame(
        [
            _fit_row(metric, target, best.runs[metric], objective.scale[metric])
            for metric, target in targets.items()
        ]
    )
    return CalibrationResult(
        scenario=with_overrides(fitted_scenario, values, source="--free"),
        values=values,
        fit=fit,
        objective=best.objective,
        history=objective.history(),
        message=str(found.message),
        settings={
            "replications": replications,
            "seed": base.seed,
            "weeks": fitted_scenario.run.weeks,
            "horizon": horizon,
            "model": base.identity()["model"],
        },
    )


@dataclass
class _Candidate:
    """One simulated candidate: where it is, what it gave, how far from the targets."""

    unit: np.ndarray
    stage: str
    runs: dict[str, np.ndarray]
    objective: float = math.nan


class _Objective:
    """Simulates candidates on common random numbers and scores them against the targets."""

    def __init__(
        self,
        base: Plan,
        scenario: Scenario,
        factors: Sequence[Factor],
        targets: Mapping[str, float],
        horizon: str,
        executor: Executor,
        progress: bool,
    ) -> None:
        self.base = base
        self.scenario = scenario
        self.factors = list(factors)
        self.targets = dict(targets)
        self.horizon = horizon
        self.replications = base.replications
        self.candidates: list[_Candidate] = []
        self.scale: dict[str, float] = {}
        self.executor = executor
        self.progress = progress

    def values(self, unit: np.ndarray) -> dict[str, float]:
        """Parameter values at a point of the unit cube (integers rounded)."""
        return {
            factor.path: factor.at(share) for factor, share in zip(self.factors, unit, strict=True)
        }

    def explore(self, units: np.ndarray) -> None:
        """Simulate the exploratory sample at once, then fix the scales from its spread."""
        self._simulate(list(units), "explore")
        for metric in self.targets:
            spread = [
                np.var(candidate.runs[metric], ddof=1)
                for candidate in self.candidates
                if candidate.runs[metric].size > 1
            ]
            sd = math.sqrt(float(np.mean(spread))) if spread else 0.0
            floor = 1e-3 * (abs(self.targets[metric]) + 1.0)
            self.scale[metric] = max(sd / math.sqrt(self.replications), floor)
        for candidate in self.candidates:
            candidate.objective = self._score(candidate)

    def refine(self, unit: np.ndarray) -> float:
        """The objective at one point, for the optimiser (cached by position)."""
        for candidate in self.candidates:
            if np.allclose(candidate.unit, unit, atol=1e-9, rtol=0):
                return candidate.objective
        (candidate,) = self._simulate([np.array(unit, dtype=float)], "refine")
        candidate.objective = self._score(candidate)
        return candidate.objective

    def best(self) -> _Candidate:
        return min(self.candidates, key=lambda candidate: candidate.objective)

    def best_unit(self) -> np.ndarray:
        return self.best().unit.copy()

    def history(self) -> pd.DataFrame:
        rows = []
        for number, candidate in enumerate(self.candidates):
            rows.append(
                {
                    "evaluation": number,
                    "stage": candidate.stage,
                    **self.values(candidate.unit),
                    "objective": candidate.objective,
                    **{metric: float(np.mean(candidate.runs[metric])) for metric in self.targets},
                }
            )
        return pd.DataFrame(rows)

    def _score(self, candidate: _Candidate) -> float:
        return float(
            sum(
                ((np.mean(candidate.runs[metric]) - target) / self.scale[metric]) ** 2
                for metric, target in self.targets.items()
            )
        )

    def _simulate(self, units: list[np.ndarray], stage: str) -> list[_Candidate]:
        points = [self.values(unit) for unit in units]
        plan = make_plan(
            "calibrate",
            [self.scenario],
            self.replications,
            self.base.seed,
            None,
            None,
            points=points,
            model_class=self.base.model_class,
        )
        runs, _ = execute(
            plan.tasks(),
            self.executor,
            progress=self.progress,
            description=f"calibrate: {stage} ({len(self.candidates) + len(units)} candidates)",
        )
        frame = ExperimentResults(plan, runs).per_run(self.horizon)
        made = []
        for index, unit in enumerate(units):
            rows = frame[frame["point"] == index]
            values = {metric: rows[metric].to_numpy(dtype=float) for metric in self.targets}
            made.append(_Candidate(np.asarray(unit, dtype=float), stage, values))
        self.candidates.extend(made)
        return made


def _factors(
    free: Mapping[str, tuple[float, float]] | Sequence[Factor], schema: type[Scenario] = Scenario
) -> list[Factor]:
    if isinstance(free, Mapping):
        factors = [
            parse_factor(f"{path}={low}:{high}", "--free", schema=schema)
            for path, (low, high) in free.items()
        ]
    else:
        factors = list(free)
    if not factors:
        raise InputError(
            "--free: give at least one free parameter, e.g. accounts.candor_mean=0.1:0.9"
        )
    paths = [factor.path for factor in factors]
    for path in paths:
        if paths.count(path) > 1:
            raise InputError(f"--free {path}: given twice")
    return factors


def _step(start: np.ndarray, axis: int) -> np.ndarray:
    """A vertex of the first simplex: 15% of the range along one axis, inward from a bound."""
    vertex = start.copy()
    vertex[axis] += 0.15 if start[axis] <= 0.5 else -0.15
    return vertex


def _fit_row(metric: str, target: float, runs: np.ndarray, scale: float) -> dict[str, Any]:
    stat = interval(runs)
    standard_error = stat.sd / math.sqrt(stat.n) if stat.n > 1 else math.nan
    return {
        "metric": metric,
        "target": target,
        "simulated": stat.mean,
        "ci_low": stat.low,
        "ci_high": stat.high,
        "std_error": standard_error,
        "error": (stat.mean - target) / scale,
    }


@contextlib.contextmanager
def _opened(
    executor: ExecutorLike, workers: int | None, tasks: int, model_class: type[NPSModel]
) -> Iterator[Executor]:
    """One executor for the whole fit: pools are started once, not for every candidate."""
    choice, _ = choose_executor(executor, workers, tasks)
    check_model_class(model_class, **where_runs_go(choice, tasks))
    if isinstance(choice, Executor):
        yield choice
        return
    with open_executor(choice, tasks) as running:
        yield running
