"""Figures: one function per figure, so a figure looks the same in the CLI, notebooks and app.

Figures are drawn from the ledger's output (weekly frames, summaries), never from a model.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from npssim.files import atomic_path


def plot_nps(
    weekly: pd.DataFrame,
    change_weeks: Sequence[int] = (),
    title: str = "Reported vs true NPS",
) -> Figure:
    """Reported NPS (what the dashboard shows) against true NPS (an honest census), weekly.

    Args:
        weekly: Weekly metrics with ``reported_nps`` and ``true_nps`` (one row per week).
        change_weeks: Weeks at which the policy changed, marked with a vertical line.
        title: The figure's title.

    Returns:
        The figure; the caller saves or shows it.
    """
    figure, axes = plt.subplots(figsize=(8, 4.5), layout="constrained")
    weeks = weekly.index.to_numpy()
    axes.plot(
        weeks,
        weekly["reported_nps"],
        label="reported NPS (latest survey wave)",
        color="tab:red",
        drawstyle="steps-post",
    )
    axes.plot(weeks, weekly["true_nps"], label="true NPS (honest census)", color="tab:blue")
    axes.fill_between(
        weeks,
        weekly["true_nps"],
        weekly["reported_nps"],
        color="tab:red",
        alpha=0.12,
        label="inflation",
        step="post",
    )
    for index, week in enumerate(change_weeks):
        axes.axvline(
            week,
            color="black",
            linestyle="--",
            linewidth=1,
            label="policy change" if index == 0 else None,
        )
    axes.set_xlabel("week")
    axes.set_ylabel("NPS (points, -100 to 100)")
    axes.set_title(title)
    axes.grid(alpha=0.3)
    axes.legend(loc="best")
    return figure


def save_figure(figure: Figure, path: str | Path, dpi: int = 120) -> None:
    """Save a figure as PNG atomically and release it."""
    try:
        with atomic_path(path) as temporary:
            figure.savefig(temporary, format="png", dpi=dpi)
    finally:
        plt.close(figure)


def plot_nps_bands(
    timeseries: pd.DataFrame,
    change_weeks: Mapping[str, Sequence[int]] | None = None,
    title: str = "Reported vs true NPS",
) -> Figure:
    """Reported and true NPS over replications: the mean and the 10-90% range, per scenario.

    Args:
        timeseries: Tidy weekly data with columns scenario, replication, week, reported_nps
            and true_nps.
        change_weeks: Weeks at which each scenario's policy changed, by scenario.
        title: The figure's title.

    Returns:
        The figure, one panel per scenario sharing the NPS axis.
    """
    scenarios = list(dict.fromkeys(timeseries["scenario"]))
    columns = min(len(scenarios), 3)
    rows = math.ceil(len(scenarios) / columns)
    figure, grid = plt.subplots(
        rows,
        columns,
        figsize=(4.2 * columns + 1, 3.4 * rows + 0.6),
        sharey=True,
        squeeze=False,
        layout="constrained",
    )
    for axes, scenario in zip(grid.flat, scenarios, strict=False):
        weekly = timeseries[timeseries["scenario"] == scenario]
        for name, color, label, step in (
            ("reported_nps", "tab:red", "reported NPS", "post"),
            ("true_nps", "tab:blue", "true NPS", None),
        ):
            by_week = weekly.groupby("week")[name]
            mean = by_week.mean()
            weeks = mean.index.to_numpy()
            drawstyle = "steps-post" if step else "default"
            axes.plot(weeks, mean, color=color, label=f"{label} (mean)", drawstyle=drawstyle)
            if weekly["replication"].nunique() > 1:
                axes.fill_between(
                    weeks,
                    by_week.quantile(0.1),
                    by_week.quantile(0.9),
                    color=color,
                    alpha=0.15,
                    step=step,
                    linewidth=0,
                    label=f"{label}, 10-90% of replications",
                )
        for index, week in enumerate((change_weeks or {}).get(scenario, ())):
            axes.axvline(
                week, color="black", linestyle="--", linewidth=1,
                label="policy change" if index == 0 else None,
            )  # fmt: skip
        axes.set_title(scenario)
        axes.set_xlabel("week")
        axes.grid(alpha=0.3)
    for axes in grid.flat[len(scenarios) :]:
        axes.set_visible(False)
    for axes in grid[:, 0]:
        axes.set_ylabel("NPS (points)")
    handles, labels = grid.flat[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside lower center", ncols=min(len(labels), 3))
    figure.suptitle(title)
    return figure


def plot_differences(
    comparison: pd.DataFrame,
    metrics: Sequence[str],
    title: str = "Differences from the baseline",
) -> Figure:
    """Paired differences from the baseline with their intervals, one panel per metric.

    Args:
        comparison: Tidy comparison with columns scenario, horizon, metric, difference,
            ci_low, ci_high (as :meth:`ExperimentResults.compare` gives).
        metrics: The metrics to draw, one panel each.
        title: The figure's title.

    Returns:
        The figure: per panel, a row per scenario, short run and long run side by side.
    """
    columns = min(len(metrics), 3)
    rows = math.ceil(len(metrics) / columns)
    scenarios = list(dict.fromkeys(comparison["scenario"]))
    figure, grid = plt.subplots(
        rows,
        columns,
        figsize=(4.4 * columns, 0.5 * len(scenarios) * rows + 1.6 * rows + 0.8),
        squeeze=False,
        layout="constrained",
    )
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
        axes.set_yticks(positions, scenarios)
        axes.invert_yaxis()
        axes.set_title(metric, fontsize="medium")
        axes.grid(axis="x", alpha=0.3)
    for axes in grid.flat[len(metrics) :]:
        axes.set_visible(False)
    handles, labels = grid.flat[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside lower center", ncols=2)
    figure.suptitle(title)
    return figure


def plot_sweep(
    sweep: pd.DataFrame,
    parameter: str,
    metrics: Sequence[str],
    by: Sequence[str] = (),
    title: str = "Sweep",
) -> Figure:
    """Metrics against a varied parameter: the mean and its interval, one panel per metric.

    Args:
        sweep: One row per design point and metric, with the parameter columns and metric,
            mean, ci_low, ci_high.
        parameter: The parameter on the x axis.
        metrics: The metrics to draw.
        by: Other varied parameters; each combination of their values is one line.
        title: The figure's title.

    Returns:
        The figure.
    """
    columns = min(len(metrics), 3)
    rows = math.ceil(len(metrics) / columns)
    figure, grid = plt.subplots(
        rows, columns, figsize=(4.4 * columns, 3.3 * rows + 0.6), squeeze=False,
        layout="constrained",
    )  # fmt: skip
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
        if not numeric:
            axes.set_xticks(range(len(levels)), [str(level) for level in levels])
        axes.set_xlabel(parameter)
        axes.set_title(metric, fontsize="medium")
        axes.grid(alpha=0.3)
    for axes in grid.flat[len(metrics) :]:
        axes.set_visible(False)
    if by:
        handles, labels = grid.flat[0].get_legend_handles_labels()
        figure.legend(handles, labels, loc="outside lower center", ncols=min(len(labels), 4))
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
    figure, axes = plt.subplots(
        figsize=(7.5, 0.55 * len(parameters) * len(names) + 1.6), layout="constrained"
    )
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
