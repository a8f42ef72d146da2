"""Figures: one function per figure, so a figure looks the same in the CLI, notebooks and app.

Figures are drawn from the ledger's output (weekly frames, experiment summaries), never from a
model. Every figure follows the same house style: weeks on the x axis, the metric's unit on the
y axis, the mean over replications as a line with the 10-90% range of replications as a band,
policy changes as dashed vertical lines, and one legend.

Figures are plain :class:`matplotlib.figure.Figure` objects, made without pyplot: they hold no
global state (so the dashboard can draw them from several threads), they show in Jupyter when
they are a cell's value, and :func:`save_figure` writes them to PNG.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from npssim.files import atomic_path
from npssim.metrics import METRIC_BY_NAME, REGISTRY, MetricSet
from npssim.metrics import label as metric_label

#: Quantiles of the band drawn around the mean over replications.
BAND = (0.1, 0.9)
BAND_LABEL = "10-90% of replications"
BAND_ENTRY = f"shaded: {BAND_LABEL}"

_COLORS = ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple", "tab:brown",
           "tab:pink", "tab:olive", "tab:cyan", "tab:gray")  # fmt: skip


def as_timeseries(weekly: pd.DataFrame, scenario: str = "run") -> pd.DataFrame:
    """One run's weekly metrics in the tidy form the figures read.

    Args:
        weekly: One row per week, indexed by week (as :meth:`NPSModel.run` returns).
        scenario: The label the run gets in legends and panel titles.

    Returns:
        Columns scenario, replication (0), week and one per metric.
    """
    frame = weekly.reset_index(drop=True)
    if "week" not in frame.columns:
        frame.insert(0, "week", np.asarray(weekly.index))
    frame.insert(0, "replication", 0)
    frame.insert(0, "scenario", scenario)
    return frame


def save_figure(figure: Figure, path: str | Path, dpi: int = 120) -> None:
    """Save a figure as PNG atomically (an interrupted save leaves no half-written file)."""
    with atomic_path(path) as temporary:
        figure.savefig(temporary, format="png", dpi=dpi)


# ---------------------------------------------------------------------- the house style


def _check(frame: pd.DataFrame, columns: Sequence[str], what: str = "metrics") -> None:
    """Refuse, with the name of what is missing, what a figure cannot be drawn from."""
    if not columns:
        raise ValueError(f"{what}: name at least one to draw")
    if frame.empty:
        raise ValueError("no rows to draw: the frame is empty")
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(f"{what}: no column {', '.join(map(repr, missing))} in the frame")


def _figure(width: float, height: float) -> Figure:
    return Figure(figsize=(width, height), layout="constrained")


def _panels(figure: Figure, count: int, max_columns: int = 3, **shared: bool) -> np.ndarray:
    """A grid of axes for ``count`` panels; the spare cells of the last row are hidden."""
    columns = min(count, max_columns)
    rows = math.ceil(count / columns)
    grid = figure.subplots(rows, columns, squeeze=False, **shared)
    for axes in grid.flat[count:]:
        axes.set_visible(False)
    return grid


def _sized_figure(
    panels: int, single: tuple[float, float] = (7, 4.2), width: float = 4.4, height: float = 3.2
) -> Figure:
    """A figure sized for its panels: one panel wide on its own, up to three a row."""
    if panels == 1:
        return _figure(*single)
    columns = min(panels, 3)
    return _figure(width * columns + 0.4, height * math.ceil(panels / columns) + 0.9)


def axis_label(
    metric: str, over_weeks: bool = True, currency: str = "", metric_set: MetricSet = REGISTRY
) -> str:
    """The y-axis label of a metric: its unit, and (week by week) whether it is a running total.

    Args:
        metric: A ledger metric, or ``latent_signal_validity``.
        over_weeks: The axis shows the metric week by week; False for a value read over a
            window (a sweep's or a comparison's), where a running total is an amount accrued.
        currency: The firm's currency, named on money's axes instead of "currency".
        metric_set: The model class's metrics (``NPSModel.metric_set``), for its own metrics'
            units.
    """
    info = metric_set.by_name.get(metric)
    if info is None:
        return metric
    unit = "share (%)" if info.unit == "share" else info.unit
    if unit == "currency" and currency:
        unit = f"currency ({currency})"
    return f"{unit}, cumulative" if info.cumulative and over_weeks else unit


def _money(value: float, _position: int | None = None) -> str:
    size = abs(value)
    if size >= 1e9:
        return f"{value / 1e9:g}B"
    if size >= 1e6:
        return f"{value / 1e6:g}M"
    if size >= 1e3:
        return f"{value / 1e3:g}k"
    return f"{value:g}"


def _percent(value: float, _position: int | None = None) -> str:
    return f"{value * 100:.3g}%"


def _unit_ticks(unit: str) -> FuncFormatter | None:
    """Tick labels that read in the unit: percent for shares, k/M for money."""
    if unit.startswith("share ("):
        return FuncFormatter(_percent)
    if unit.startswith("currency"):
        return FuncFormatter(_money)
    return None


def _style_axes(axes: Axes, unit: str, title: str | None = None, xlabel: str = "week") -> None:
    """Grid, x label, and a y axis labelled with the unit and ticked in it."""
    axes.set_xlabel(xlabel)
    ticks = _unit_ticks(unit)
    if ticks is not None:
        axes.yaxis.set_major_formatter(ticks)
    axes.set_ylabel(unit)
    axes.grid(alpha=0.3)
    if title:
        axes.set_title(title, fontsize="medium")


def _draw_band(
    axes: Axes,
    frame: pd.DataFrame,
    column: str,
    color: str,
    label: str,
    step: bool = False,
) -> pd.Series:
    """Draw a column's mean over replications, with its 10-90% band when there are several.

    Returns:
        The mean by week, for callers that shade between lines.
    """
    by_week = frame.groupby("week")[column]
    mean = by_week.mean()
    weeks = mean.index.to_numpy()
    several = frame["replication"].nunique() > 1
    axes.plot(
        weeks,
        mean,
        color=color,
        label=f"{label} (mean)" if several else label,
        drawstyle="steps-post" if step else "default",
        marker="o" if len(weeks) == 1 else None,  # one week is a point, not a line
    )
    if several:
        axes.fill_between(
            weeks, by_week.quantile(BAND[0]), by_week.quantile(BAND[1]),
            color=color, alpha=0.15, linewidth=0, step="post" if step else None,
            label=BAND_ENTRY,  # one legend entry explains every line's band
        )  # fmt: skip
    return mean


def _mark_changes(axes: Axes, weeks: Sequence[int], color: str = "black") -> None:
    """Dashed vertical lines at the weeks the policy changed (labelled once per figure)."""
    for week in weeks:
        axes.axvline(week, color=color, linestyle="--", linewidth=1, label="policy change")


def _legend_below(figure: Figure, grid: np.ndarray, columns: int = 3) -> None:
    """One legend under the panels, each label once, whatever panel drew it.

    The bands of all lines share one entry, a grey patch, listed last.
    """
    entries: dict[str, object] = {}
    for axes in grid.flat:
        for handle, label in zip(*axes.get_legend_handles_labels(), strict=True):
            entries.setdefault(label, handle)
    if BAND_ENTRY in entries:
        del entries[BAND_ENTRY]
        entries[BAND_ENTRY] = Patch(color="grey", alpha=0.3, linewidth=0)
    if entries:
        figure.legend(
            list(entries.values()), list(entries), loc="outside lower center",
            ncols=min(len(entries), columns),
        )  # fmt: skip


def _order(values: pd.Series) -> list[str]:
    return list(dict.fromkeys(values))


# ---------------------------------------------------------------------- over the weeks


def plot_nps_bands(
    timeseries: pd.DataFrame,
    change_weeks: Mapping[str, Sequence[int]] | None = None,
    title: str = "Reported vs true NPS",
) -> Figure:
    """Reported NPS (what the dashboard shows) against true NPS (an honest census), per scenario.

    Args:
        timeseries: Tidy weekly data with columns scenario, replication, week, reported_nps
            and true_nps (several replications draw the mean and the 10-90% band; one draws
            the run itself, shading the inflation between the two lines).
        change_weeks: Weeks at which each scenario's policy changed, by scenario.
        title: The figure's title.

    Returns:
        The figure, one panel per scenario sharing the NPS axis.
    """
    _check(timeseries, ["scenario", "replication", "week", "reported_nps", "true_nps"], "columns")
    scenarios = _order(timeseries["scenario"])
    figure = _sized_figure(len(scenarios), single=(8, 4.8), width=4.2, height=3.4)
    grid = _panels(figure, len(scenarios), sharey=True)
    for axes, scenario in zip(grid.flat, scenarios, strict=False):
        weekly = timeseries[timeseries["scenario"] == scenario]
        reported = _draw_band(axes, weekly, "reported_nps", "tab:red", "reported NPS", step=True)
        true = _draw_band(axes, weekly, "true_nps", "tab:blue", "true NPS (honest census)")
        if weekly["replication"].nunique() == 1:
            axes.fill_between(
                true.index.to_numpy(), true, reported, color="tab:red", alpha=0.12,
                step="post", linewidth=0, label="inflation",
            )  # fmt: skip
        _mark_changes(axes, (change_weeks or {}).get(scenario, ()))
        _style_axes(
            axes, "NPS points (-100 to 100)", title=scenario if len(scenarios) > 1 else None
        )
    _legend_below(figure, grid)
    figure.suptitle(title)
    return figure


def plot_nps(
    weekly: pd.DataFrame,
    change_weeks: Sequence[int] = (),
    title: str = "Reported vs true NPS",
) -> Figure:
    """Reported against true NPS for one run (see :func:`plot_nps_bands`).

    Args:
        weekly: One run's weekly metrics, indexed by week (as :meth:`NPSModel.run` returns).
        change_weeks: Weeks at which the policy changed, marked with a dashed line.
        title: The figure's title.
    """
    return plot_nps_bands(as_timeseries(weekly), {"run": change_weeks}, title=title)


def plot_metrics(
    timeseries: pd.DataFrame,
    metrics: Sequence[str],
    change_weeks: Mapping[str, Sequence[int]] | None = None,
    title: str = "",
    currency: str = "",
) -> Figure:
    """Metrics over the weeks, one panel per metric and one line (with its band) per scenario.

    Args:
        timeseries: Tidy weekly data with columns scenario, replication, week and the metrics.
        metrics: Ledger metrics to draw, one panel each (titled with the metric's label).
        change_weeks: Weeks at which each scenario's policy changed, by scenario.
        title: The figure's title.
        currency: The firm's currency, named on money's axes.

    Returns:
        The figure.
    """
    _check(timeseries, metrics)
    scenarios = _order(timeseries["scenario"])
    figure = _sized_figure(len(metrics))
    grid = _panels(figure, len(metrics))
    for axes, metric in zip(grid.flat, metrics, strict=False):
        for index, scenario in enumerate(scenarios):
            color = _COLORS[index % len(_COLORS)]
            weekly = timeseries[timeseries["scenario"] == scenario]
            _draw_band(axes, weekly, metric, color, scenario)
            changes = (change_weeks or {}).get(scenario, ())
            _mark_changes(axes, changes, color="black" if len(scenarios) == 1 else color)
        _style_axes(axes, axis_label(metric, currency=currency), title=metric_label(metric))
    _legend_below(figure, grid)
    if title:
        figure.suptitle(title)
    return figure


def plot_breakdown(
    timeseries: pd.DataFrame,
    metrics: Sequence[str],
    change_weeks: Mapping[str, Sequence[int]] | None = None,
    title: str = "",
    currency: str = "",
) -> Figure:
    """Several metrics of one unit on one panel per scenario: money by kind, tactics by kind.

    Args:
        timeseries: Tidy weekly data with columns scenario, replication, week and the metrics.
        metrics: Ledger metrics sharing a unit, e.g. :data:`MONEY_GIVEN_AWAY` or
            :data:`TACTICS`; one line (with its band) each.
        change_weeks: Weeks at which each scenario's policy changed, by scenario.
        title: The figure's title.
        currency: The firm's currency, named on a money axis.

    Returns:
        The figure, one panel per scenario sharing the y axis.
    """
    _check(timeseries, metrics)
    units = {axis_label(metric, currency=currency) for metric in metrics}
    if len(units) != 1:
        raise ValueError(f"metrics: a breakdown needs metrics of one unit, got {sorted(units)}")
    scenarios = _order(timeseries["scenario"])
    figure = _sized_figure(len(scenarios))
    unit = units.pop()
    grid = _panels(figure, len(scenarios), sharey=True)
    for axes, scenario in zip(grid.flat, scenarios, strict=False):
        weekly = timeseries[timeseries["scenario"] == scenario]
        for index, metric in enumerate(metrics):
            _draw_band(axes, weekly, metric, _COLORS[index % len(_COLORS)], metric_label(metric))
        _mark_changes(axes, (change_weeks or {}).get(scenario, ()))
        _style_axes(axes, unit, title=scenario)
    _legend_below(figure, grid, columns=2)
    if title:
        figure.suptitle(title)
    return figure


# ---------------------------------------------------------------------- experiments


def plot_differences(
    comparison: pd.DataFrame,
    metrics: Sequence[str],
    title: str = "Differences from the baseline",
    currency: str = "",
) -> Figure:
    """Paired differences from the baseline with their intervals, one panel per metric.

    Args:
        comparison: Tidy comparison with columns scenario, horizon, metric, difference,
            ci_low, ci_high (as :meth:`ExperimentResults.compare` gives).
        metrics: The metrics to draw, one panel each.
        title: The figure's title.
        currency: The firm's currency, named in money panels' titles.

    Returns:
        The figure: per panel, a row per scenario, short run and long run side by side.
    """
    if not metrics:
        raise ValueError("metrics: name at least one to draw")
    _check(
        comparison, ["scenario", "horizon", "metric", "difference", "ci_low", "ci_high"], "columns"
    )
    columns = min(len(metrics), 3)
    rows = math.ceil(len(metrics) / columns)
    scenarios = list(dict.fromkeys(comparison["scenario"]))
    figure = _figure(4.4 * columns, 0.5 * len(scenarios) * rows + 1.6 * rows + 0.8)
    grid = _panels(figure, len(metrics))
    styles = {"short": ("tab:orange", -0.15, "short run"), "long": ("tab:purple", 0.15, "long run")}
    positions = np.arange(len(scenarios))
    for axes, metric in zip(grid.flat, metrics, strict=False):
        chosen = comparison[comparison["metric"] == metric]
        for horizon, (color, shift, label) in styles.items():
            rows_of = chosen[chosen["horizon"] == horizon].set_index("scenario").reindex(scenarios)
            error = np.vstack(
                [
                    rows_of["difference"] - rows_of["ci_low"],
                    rows_of["ci_high"] - rows_of["difference"],
                ]
            )
            axes.errorbar(
                rows_of["difference"], positions + shift, xerr=np.nan_to_num(error),
                fmt="o", color=color, capsize=3, label=label,
            )  # fmt: skip
        axes.axvline(0, color="grey", linewidth=1)
        axes.xaxis.set_major_locator(MaxNLocator(nbins=4))
        ticks = _unit_ticks(axis_label(metric, over_weeks=False))
        if ticks is not None:
            axes.xaxis.set_major_formatter(ticks)
        axes.set_yticks(positions, scenarios)
        axes.invert_yaxis()
        money = currency and METRIC_BY_NAME[metric].unit == "currency"
        axes.set_title(
            metric_label(metric) + (f" ({currency})" if money else ""), fontsize="medium"
        )
        axes.grid(axis="x", alpha=0.3)
    _legend_below(figure, grid, columns=2)
    figure.suptitle(title)
    return figure


def plot_intervals(
    estimates: pd.DataFrame,
    title: str,
    xlabel: str,
    expected: tuple[float, float] | None = None,
) -> Figure:
    """Labelled estimates with their intervals, one row each, beside an expected range.

    Args:
        estimates: Columns label, mean, ci_low, ci_high; one row per estimate.
        title: The figure's title.
        xlabel: What the estimates measure, with its unit.
        expected: The range a published figure implies, shaded; none when the expectation
            is a direction rather than a range.

    Returns:
        The figure.
    """
    _check(estimates, ["label", "mean", "ci_low", "ci_high"], "columns")
    positions = np.arange(len(estimates))
    figure = _figure(6.4, 0.55 * len(estimates) + 1.9)
    axes = figure.add_subplot()
    if expected is not None:
        axes.axvspan(*expected, color="tab:green", alpha=0.15, label="published range")
    error = np.vstack(
        [estimates["mean"] - estimates["ci_low"], estimates["ci_high"] - estimates["mean"]]
    )
    axes.errorbar(
        estimates["mean"], positions, xerr=np.nan_to_num(error), fmt="o", color="tab:blue",
        capsize=3, label="model: mean and 95% interval",
    )  # fmt: skip
    axes.axvline(0, color="grey", linewidth=1)
    axes.set_yticks(positions, list(estimates["label"]))
    axes.invert_yaxis()
    ticks = _unit_ticks(xlabel)
    if ticks is not None:
        axes.xaxis.set_major_formatter(ticks)
    axes.set_xlabel(xlabel)
    axes.grid(axis="x", alpha=0.3)
    axes.legend(loc="best", fontsize="small")
    axes.set_title(title, fontsize="medium")
    return figure


def plot_sweep(
    sweep: pd.DataFrame,
    parameter: str,
    metrics: Sequence[str],
    by: Sequence[str] = (),
    title: str = "Sweep",
    reference: bool = False,
    currency: str = "",
    metric_set: MetricSet = REGISTRY,
) -> Figure:
    """Metrics against a varied parameter: the mean and its interval, one panel per metric.

    Args:
        sweep: One row per design point and metric, with the parameter columns and metric,
            mean, ci_low, ci_high.
        parameter: The parameter on the x axis.
        metrics: The metrics to draw.
        by: Other varied parameters; each combination of their values is one line.
        title: The figure's title.
        reference: The values are differences from a reference point: draw the zero line.
        currency: The firm's currency, named on money's axes.
        metric_set: The model class's metrics, whose labels and units a subclass's own
            metrics are drawn with.

    Returns:
        The figure.
    """
    if not metrics:
        raise ValueError("metrics: name at least one to draw")
    _check(sweep, [parameter, "metric", "mean", "ci_low", "ci_high"], "columns")
    columns = min(len(metrics), 3)
    rows = math.ceil(len(metrics) / columns)
    figure = _figure(4.4 * columns, 3.3 * rows + 0.6)
    grid = _panels(figure, len(metrics))
    for axes, metric in zip(grid.flat, metrics, strict=False):
        chosen = sweep[sweep["metric"] == metric]
        groups = chosen.groupby(list(by), sort=True) if by else [((), chosen)]
        levels = list(dict.fromkeys(sweep[parameter]))
        numeric = all(isinstance(level, int | float) for level in levels)
        for key, line in groups:
            line = line.sort_values(parameter) if numeric else line
            values = key if isinstance(key, tuple) else (key,)
            label = ", ".join(
                f"{name}={_plain(value)}" for name, value in zip(by, values, strict=True)
            )
            x = line[parameter] if numeric else [levels.index(v) for v in line[parameter]]
            drawn = axes.plot(x, line["mean"], marker="o", label=label or None)
            axes.fill_between(
                x, line["ci_low"], line["ci_high"],
                color=drawn[0].get_color(), alpha=0.15, linewidth=0,
            )  # fmt: skip
        if reference:
            axes.axhline(0, color="grey", linewidth=1)
        if not numeric:
            axes.set_xticks(range(len(levels)), [str(level) for level in levels])
        _style_axes(
            axes,
            axis_label(metric, over_weeks=False, currency=currency, metric_set=metric_set),
            title=metric_set.label(metric),
            xlabel=parameter,
        )
    if by:
        _legend_below(figure, grid, columns=4)
    figure.suptitle(title)
    return figure


def _plain(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def plot_indices(indices: pd.DataFrame, title: str = "Sensitivity indices") -> Figure:
    """Sensitivity indices per parameter with their confidence intervals.

    Args:
        indices: Tidy indices with columns parameter, index, value, conf_low, conf_high; indices
            without an interval (NaN) are drawn without error bars.
        title: The figure's title.

    Returns:
        The figure: grouped horizontal bars, one group per parameter.
    """
    names = list(dict.fromkeys(indices["index"]))
    parameters = list(dict.fromkeys(indices["parameter"]))
    figure = _figure(7.5, 0.55 * len(parameters) * len(names) + 1.6)
    axes = figure.subplots()
    height = 0.8 / len(names)
    positions = np.arange(len(parameters))
    for offset, name in enumerate(names):
        rows = indices[indices["index"] == name].set_index("parameter").reindex(parameters)
        error = np.vstack([rows["value"] - rows["conf_low"], rows["conf_high"] - rows["value"]])
        axes.barh(
            positions + (offset - (len(names) - 1) / 2) * height,
            rows["value"],
            height=height,
            xerr=np.nan_to_num(np.abs(error)),
            capsize=3,
            label=name,
        )
    axes.axvline(0, color="grey", linewidth=1)
    axes.set_yticks(positions, parameters)
    axes.invert_yaxis()
    axes.grid(axis="x", alpha=0.3)
    axes.legend(loc="best")
    axes.set_title(title)
    return figure
