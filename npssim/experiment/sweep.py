"""Sweeps: a grid over one or more parameters, every point run on the same replications.

Every design point runs the same replication seeds, so each point is compared with a reference
point replication by replication: the paired difference cancels the run-to-run spread that
both share, and its interval is that of the per-replication differences. On
``policy.incentives.nps_weight=0:1:5`` the unpaired intervals of net value are some sixty times
wider than the paired ones, wide enough to hide a steady decline. The levels, with their
unpaired intervals, stay in the table, the CSV and a figure of their own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from npssim.errors import InputError
from npssim.experiment import reporting
from npssim.experiment.analysis import HORIZON_TITLES, HORIZONS, interval
from npssim.experiment.api import ScenarioLike, execute_plan, make_plan
from npssim.experiment.design import grid, with_reference
from npssim.experiment.plan import DEFAULT_REPLICATIONS, intervention_week, windows
from npssim.experiment.results import ExperimentResults
from npssim.metrics import REGISTRY, SWEEP_DEFAULT, MetricSet
from npssim.model import NPSModel
from npssim.report import format_interval, plot_sweep
from npssim.report.document import Document
from npssim.report.tables import format_money, format_value, labelled

#: The metric a sweep's answer names the best point by: the firm's net money.
ANSWER_METRIC = "net_value"


class SweepResults(ExperimentResults):
    """Results of a sweep: the chosen metrics at every design point, against a reference point.

    Args:
        metrics: The metrics to tabulate and draw.
        horizon: Which horizon the table and figure read (``"long"`` by default).
        reference: Index of the design point every other is compared with.
    """

    def __init__(
        self,
        *args: Any,
        metrics: Sequence[str] = SWEEP_DEFAULT,
        horizon: str = "long",
        reference: int = 0,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.metrics = list(metrics)
        self.horizon = horizon
        self.reference = reference

    @property
    def period(self) -> str:
        """What the horizon covers, in compare's words ("second year")."""
        return period_title(self, self.horizon)

    @property
    def reference_point(self) -> dict[str, Any]:
        """The varied values at the reference point."""
        return dict(self.plan.points[self.reference])

    def table(self) -> pd.DataFrame:
        """The chosen metrics at every point: the level and the paired difference from reference.

        Returns:
            One row per design point and metric: ``point``, the varied parameters, ``metric``,
            ``mean``, ``ci_low``, ``ci_high`` (the level over replications), ``difference``,
            ``difference_low``, ``difference_high`` (the paired difference from the reference
            point and its interval; zero at the reference), ``n`` and ``reference`` (whether
            the row is the reference point).
        """
        frame = self.per_run(self.horizon)
        points = {point: group for point, group in frame.groupby("point", sort=True)}
        base = points[self.reference]
        rows = []
        for point, group in points.items():
            for metric in self.metrics:
                level = interval(group[metric].to_numpy(dtype=float))
                change = interval(
                    group[metric].to_numpy(dtype=float) - base[metric].to_numpy(dtype=float)
                )
                rows.append(
                    {
                        "point": point,
                        **self.plan.points[point],
                        "metric": metric,
                        "mean": level.mean,
                        "ci_low": level.low,
                        "ci_high": level.high,
                        "difference": change.mean,
                        "difference_low": change.low,
                        "difference_high": change.high,
                        "n": level.n,
                        "reference": point == self.reference,
                    }
                )
        return pd.DataFrame(rows)

    def extra_tables(self) -> dict[str, pd.DataFrame]:
        """The sweep table."""
        return {"sweep": self.table()}

    def figures(self) -> dict[str, Figure]:
        """Each metric's paired difference, and its level, against the first varied parameter."""
        first, *others = self.varied
        table = self.table()
        runs = self.plan.runs_text
        differences = table.drop(columns=["mean", "ci_low", "ci_high"]).rename(
            columns={
                "difference": "mean",
                "difference_low": "ci_low",
                "difference_high": "ci_high",
            }
        )
        return {
            "sweep": plot_sweep(
                differences,
                first,
                self.metrics,
                by=others,
                title=f"{self.plan.labels[0]}: {self.period}, paired "
                f"difference from {self._reference_text()}, mean and 95% interval over {runs}",
                reference=True,
                currency=self.currencies[self.plan.labels[0]],
                metric_set=self.metric_set,
            ),
            "sweep_levels": plot_sweep(
                table,
                first,
                self.metrics,
                by=others,
                title=f"{self.plan.labels[0]}: {self.period}, level, mean and "
                f"95% interval over {runs}",
                currency=self.currencies[self.plan.labels[0]],
                metric_set=self.metric_set,
            ),
        }

    def people_tables(self) -> list[tuple[str, pd.DataFrame]]:
        """The paired differences from the reference point, then the levels; a row per point."""
        table = self.table()
        runs = self.plan.runs_text
        differences, levels = [], []
        for point, group in table.groupby("point", sort=True):
            keys = {path: _plain(self.plan.points[point][path]) for path in self.varied}
            mark = {"": "reference" if point == self.reference else ""}
            change = {**keys, **mark}
            level = dict(keys)
            currency = self.currencies[self.plan.labels[0]]
            for item in group.itertuples():
                metric = self.metric_set.metric(item.metric)
                heading = labelled(metric, currency)
                change[heading] = format_interval(
                    metric, item.difference, item.difference_low, item.difference_high, True
                )
                level[heading] = format_interval(metric, item.mean, item.ci_low, item.ci_high)
            differences.append(change)
            levels.append(level)
        horizon = self.period
        name = self.plan.labels[0]
        return [
            (
                f"{name}: {horizon}, paired difference from {self._reference_text()}, mean ± "
                f"95% interval over {runs}",
                pd.DataFrame(differences),
            ),
            (
                f"{name}: {horizon} at each design point, mean ± 95% interval over {runs}",
                pd.DataFrame(levels),
            ),
        ]

    def answer(self) -> list[str]:
        """The line the output opens with: the point of most net money, how the metrics move.

        The best point is the one whose mean ``net_value`` is highest, with its paired
        difference from the reference point and that difference's interval; each chosen metric
        is given at its lowest and its highest point.
        """
        frame = self.per_run(self.horizon)
        runs = {point: group for point, group in frame.groupby("point", sort=True)}
        means = {point: float(group[ANSWER_METRIC].mean()) for point, group in runs.items()}
        best = max(means, key=means.__getitem__)
        currency = self.currencies[self.plan.labels[0]]
        if best == self.reference:
            line = f"most net value at the reference point ({self._point_text(best)})"
        else:
            change = interval(
                runs[best][ANSWER_METRIC].to_numpy(dtype=float)
                - runs[self.reference][ANSWER_METRIC].to_numpy(dtype=float)
            )
            line = (
                f"most net value at {self._point_text(best)}: "
                f"{format_money(change.mean, currency, signed=True)} against "
                f"{self._reference_text()} (95% interval "
                f"{format_money(change.low, currency, signed=True)} to "
                f"{format_money(change.high, currency, signed=True)})"
            )
        moves = []
        for name in self.metrics:
            if name == ANSWER_METRIC:
                continue
            metric = self.metric_set.metric(name)
            levels = {point: float(group[name].mean()) for point, group in runs.items()}
            low = min(levels, key=levels.__getitem__)
            high = max(levels, key=levels.__getitem__)
            moves.append(
                f"{labelled(metric, currency)} from {format_value(metric, levels[low])} at "
                f"{self._point_text(low)} to {format_value(metric, levels[high])} at "
                f"{self._point_text(high)}"
            )
        text = f"{self.period.capitalize()}: {line}."
        if moves:
            text += " Across the sweep: " + "; ".join(moves) + "."
        return [text]

    def how_to_read(self) -> list[str]:
        """Windows, accrual, the paired differences and the net money figure."""
        return [
            reporting.windows_note(self.plan.weeks)
            + f" This sweep's tables and figures read the {HORIZON_TITLES[self.horizon]}, here "
            f"the {self.period}.",
            reporting.ACCRUAL_NOTE,
            reporting.interval_note(paired=True, between="design point")
            + f" Every point is compared with {self._reference_text()}, whose own difference "
            "is zero.",
            "The levels' intervals are unpaired: they include the spread between replications "
            "that the paired differences cancel, so read changes from the differences.",
            reporting.NET_VALUE_NOTE,
        ]

    def report_sections(self, document: Document) -> None:
        """Say what was varied, and against which point."""
        document.paragraph(
            "Varied: "
            + "; ".join(
                f"`{path}` over {', '.join(_plain(v) for v in dict.fromkeys(self.design[path]))}"
                for path in self.varied
            )
            + f". Every design point ran the same replication seeds; each is compared with "
            f"{self._reference_text()}."
        )

    def _reference_text(self) -> str:
        return f"the reference point ({self._point_text(self.reference)})"

    def _point_text(self, point: int) -> str:
        """A design point as its varied values: ``nps_weight=0.5, anonymous=True``."""
        return ", ".join(
            f"{path.rsplit('.', 1)[-1]}={_plain(value)}"
            for path, value in self.plan.points[point].items()
        )


def _plain(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def period_title(results: ExperimentResults, horizon: str) -> str:
    """What a horizon covers for an experiment on one scenario, in compare's words.

    "second year" for the long run of a two-year run, "first 26 weeks after the change" for
    the short run of a scenario whose policy changes during the run: the titles
    :meth:`~npssim.experiment.results.ExperimentResults.periods` gives a comparison, with the
    short run starting where the scenario's own policy first changes (as ``per_run`` reads it).
    """
    scenario = results.scenarios[results.plan.labels[0]]
    first = windows(intervention_week(scenario), results.plan.weeks)["short"][0]
    return results.periods(first)[horizon]


def run_sweep(
    scenario: ScenarioLike,
    vary: Mapping[str, Sequence[Any]],
    *,
    metrics: Sequence[str] = SWEEP_DEFAULT,
    horizon: str = "long",
    reference: Mapping[str, Any] | None = None,
    replications: int = DEFAULT_REPLICATIONS,
    seed: int | None = None,
    weeks: int | None = None,
    overrides: Mapping[str, Any] | None = None,
    **execution: Any,
) -> SweepResults:
    """Run a scenario at every point of a grid of parameter values, paired with a reference.

    Args:
        scenario: The scenario file, bundled name or :class:`Scenario`.
        vary: Values by dotted parameter path; the grid is every combination.
        metrics: Metrics for the sweep table and figure.
        horizon: ``"short"``, ``"long"`` or ``"end"``.
        reference: The reference point's value of some varied parameters (the CLI's
            ``--reference``); the others take their first value. A value not in the sweep is
            added to it.
        replications: Replications per point.
        seed: Root seed.
        weeks: Weeks to simulate.
        overrides: Values set at every point, like ``--set``.
        **execution: ``executor``, ``workers``, ``out``, ``resume``, ``force``, ``progress``,
            ``on_finished``, ``model_class`` as in :func:`~npssim.experiment.run_experiment`.

    Returns:
        The sweep's results.
    """
    if "run.weeks" in vary:  # the runs are stacked week by week: they must be equally long
        raise InputError(
            "vary: run.weeks cannot be swept (a sweep's runs are compared week by week); "
            "give weeks=, once per sweep"
        )
    model = {"model_class": execution.pop("model_class")} if "model_class" in execution else {}
    model_class = model.get("model_class", NPSModel)
    check_outputs(metrics, horizon, metric_set=model_class.metric_set)
    vary, chosen = with_reference(vary, reference or {}, schema=model_class.scenario_schema)
    points = grid(vary)
    plan = make_plan(
        "sweep",
        [scenario],
        replications,
        seed,
        weeks,
        overrides,
        points=points,
        options={"metrics": list(metrics), "horizon": horizon, "reference": chosen},
        **model,
    )
    result = execute_plan(
        plan,
        results_type=SweepResults,
        metrics=metrics,
        horizon=horizon,
        reference=points.index(chosen),
        **execution,
    )
    assert isinstance(result, SweepResults)
    return result


def check_outputs(
    metrics: Sequence[str],
    horizon: str,
    option: str = "--metric",
    *,
    metric_set: MetricSet = REGISTRY,
) -> None:
    """Refuse unknown metric names (suggesting the closest) and unknown horizons.

    ``metric_set`` is the model class's (``NPSModel.metric_set``): its own metrics are known.
    """
    if horizon not in HORIZONS:
        raise InputError(f"--horizon: expected one of {', '.join(HORIZONS)}, got {horizon!r}")
    metric_set.check(metrics, option)
