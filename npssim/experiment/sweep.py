"""Sweeps: a grid over one or more parameters, every point run with the same replications.

Every design point uses the same replication seeds, so differences between points are paired
(common random numbers) and the curves are smoother than independent runs would give.
"""

from __future__ import annotations

import difflib
import itertools
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from npssim.errors import InputError
from npssim.experiment.analysis import COLUMNS, HORIZON_TITLES, HORIZONS
from npssim.experiment.api import ScenarioLike, execute_plan, make_plan
from npssim.experiment.results import ExperimentResults
from npssim.ledger import METRIC_BY_NAME
from npssim.report import format_interval, plot_sweep
from npssim.report.document import Document
from npssim.report.tables import REPORTED_METRICS
from npssim.scenario import iter_params, parse_assignment

#: Metrics a sweep shows when none are named: the headline goods and bads.
DEFAULT_SWEEP_METRICS: tuple[str, ...] = (
    "nps_inflation",
    "true_nps",
    "retention_rate",
    "net_value",
)
#: Most points one --vary range may ask for, so a typo cannot ask for a million runs.
MAX_STEPS = 1_000


def parse_vary(text: str) -> tuple[str, list[Any]]:
    """Parse ``path=v1,v2,v3`` (a list of values) or ``path=lo:hi:n`` (``n`` evenly spaced).

    Raises:
        InputError: The text is malformed (range values not numbers, ``n`` below 2, ...).
    """
    path, value = parse_assignment(text)
    raw = text.partition("=")[2].strip()
    if isinstance(value, str) and raw.count(":") == 2:
        try:
            lower, upper = float(raw.split(":")[0]), float(raw.split(":")[1])
            steps = int(raw.split(":")[2])
        except ValueError:
            raise InputError(
                f"--vary {text}: expected path=lo:hi:n with numbers, e.g. "
                "policy.incentives.nps_weight=0:1:5"
            ) from None
        if not 2 <= steps <= MAX_STEPS:
            raise InputError(f"--vary {text}: n must be between 2 and {MAX_STEPS}, got {steps}")
        values = np.linspace(lower, upper, steps)
        if _is_integer(path):
            return path, sorted({round(float(v)) for v in values})
        return path, [round(float(v), 12) for v in values]
    parts = [part.strip() for part in raw.split(",")]
    if not raw or any(not part for part in parts):
        raise InputError(
            f"--vary {text}: expected path=v1,v2,... or path=lo:hi:n, e.g. "
            "policy.incentives.nps_weight=0,0.5,1"
        )
    return path, [parse_assignment(f"{path}={part}")[1] for part in parts]


def _is_integer(path: str) -> bool:
    for info in iter_params():
        if info.path == path:
            return isinstance(info.default, int) and not isinstance(info.default, bool)
    return False


def grid(vary: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    """Every combination of the varied values, the first parameter changing slowest."""
    if not vary:
        raise InputError("--vary: give at least one parameter to vary")
    paths = list(vary)
    return [dict(zip(paths, values, strict=True)) for values in itertools.product(*vary.values())]


class SweepResults(ExperimentResults):
    """Results of a sweep: the chosen metrics at every design point.

    Args:
        metrics: The metrics to tabulate and draw.
        horizon: Which horizon the table and figure read (``"long"`` by default).
    """

    def __init__(
        self, *args: Any, metrics: Sequence[str] = DEFAULT_SWEEP_METRICS, horizon: str = "long",
        **kwargs: Any,
    ) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        self.metrics = list(metrics)
        self.horizon = horizon

    def table(self) -> pd.DataFrame:
        """Mean and interval of the chosen metrics at every design point (first scenario)."""
        summary = self.summary([self.horizon])
        chosen = summary[summary["metric"].isin(self.metrics)]
        return chosen.drop(columns=["sd"]).reset_index(drop=True)

    def extra_tables(self) -> dict[str, pd.DataFrame]:
        """The sweep table."""
        return {"sweep": self.table()}

    def figures(self) -> dict[str, Figure]:
        """Each chosen metric against the first varied parameter."""
        first, *others = self.varied
        return {
            "sweep": plot_sweep(
                self.table(),
                first,
                self.metrics,
                by=others,
                title=f"{self.plan.labels[0]}: {HORIZON_TITLES[self.horizon]}, mean and 95% "
                f"interval over {self.plan.replications} replications",
            )
        }

    def people_tables(self) -> list[tuple[str, pd.DataFrame]]:
        """One row per design point, one column per chosen metric."""
        table = self.table()
        by_name = {metric.name: metric for metric in REPORTED_METRICS}
        rows = []
        for point, group in table.groupby("point", sort=True):
            row = {path: _plain(self.plan.points[point][path]) for path in self.varied}
            for item in group.itertuples():
                row[item.metric] = format_interval(
                    by_name[item.metric], item.mean, item.ci_low, item.ci_high
                )
            rows.append(row)
        title = (
            f"{self.plan.labels[0]}: {HORIZON_TITLES[self.horizon]} at each design point, "
            f"mean ± 95% interval over {self.plan.replications} replications"
        )
        return [(title, pd.DataFrame(rows))]

    def report_sections(self, document: Document) -> None:
        """Say what was varied."""
        document.paragraph(
            "Varied: "
            + "; ".join(
                f"`{path}` over {', '.join(_plain(v) for v in dict.fromkeys(self.design[path]))}"
                for path in self.varied
            )
            + ". Every design point ran the same replication seeds."
        )


def _plain(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def run_sweep(
    scenario: ScenarioLike,
    vary: Mapping[str, Sequence[Any]],
    *,
    metrics: Sequence[str] = DEFAULT_SWEEP_METRICS,
    horizon: str = "long",
    replications: int = 20,
    seed: int | None = None,
    weeks: int | None = None,
    overrides: Mapping[str, Any] | None = None,
    **execution: Any,
) -> SweepResults:
    """Run a scenario at every point of a grid of parameter values.

    Args:
        scenario: The scenario file, bundled name or :class:`Scenario`.
        vary: Values by dotted parameter path; the grid is every combination.
        metrics: Metrics for the sweep table and figure.
        horizon: ``"short"``, ``"long"`` or ``"end"``.
        replications: Replications per point.
        seed: Root seed.
        weeks: Weeks to simulate.
        overrides: Values set at every point, like ``--set``.
        **execution: ``executor``, ``workers``, ``out``, ``resume``, ``force``, ``progress``,
            ``on_finished`` as in :func:`~npssim.experiment.run_experiment`.

    Returns:
        The sweep's results.
    """
    check_outputs(metrics, horizon)
    plan = make_plan(
        "sweep",
        [scenario],
        replications,
        seed,
        weeks,
        overrides,
        points=grid(vary),
        options={"metrics": list(metrics), "horizon": horizon},
    )
    result = execute_plan(
        plan, results_type=SweepResults, metrics=metrics, horizon=horizon, **execution
    )
    assert isinstance(result, SweepResults)
    return result


def check_outputs(metrics: Sequence[str], horizon: str) -> None:
    """Refuse unknown metric names (suggesting the closest) and unknown horizons."""
    option = "--metric"
    if horizon not in HORIZONS:
        raise InputError(f"--horizon: expected one of {', '.join(HORIZONS)}, got {horizon!r}")
    if not metrics:
        raise InputError(f"{option}: give at least one metric")
    for name in metrics:
        if name not in COLUMNS:
            close = difflib.get_close_matches(name, COLUMNS, n=1)
            hint = (
                f"; did you mean {close[0]!r}?" if close else f" (see: {', '.join(METRIC_BY_NAME)})"
            )
            raise InputError(f"{option} {name}: unknown metric{hint}")
