"""Figures of a break-even analysis: the screen, a tornado of swings, a break-even map.

They draw frames a break-even analysis made (``npssim.experiment.breakeven``); this module never
runs a model. The outcome is the paired difference in the firm's net money between a policy and
its baseline, so zero is the line that matters: both figures draw it, and the map labels it
"break-even", because a leader reads these charts for which side of it the firm lands on.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.colors import CenteredNorm
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from npssim.report.tables import format_money
from npssim.scenario import params_by_path

#: Colours of the bars at an assumption's low and high end (colour-blind safe pair).
LOW_COLOUR = "#1f77b4"
HIGH_COLOUR = "#ff7f0e"
#: A diverging map: red where the policy loses money, blue where it pays.
DIVERGING = "RdBu"
#: Inches per assumption in the tornado, and the figure's fixed part.
ROW_HEIGHT = 0.55
BASE_HEIGHT = 1.6
WIDTH = 8.0
#: Size of the break-even map.
MAP_SIZE = (7.5, 5.5)
#: Largest grid whose cells are annotated with their value (beyond, the text crowds).
MAX_ANNOTATED = 8
#: Cells darker than this share of the colour scale get white text.
DARK_SHARE = 0.6
TORNADO_COLUMNS = ("assumption", "label", "side", "value", "difference")
#: Characters per line of an assumption's name on an axis, and of a title.
LABEL_CHARS = 48
TITLE_CHARS = 80


def _money_ticks(value: float, _position: int | None = None) -> str:
    return format_money(value, signed=True)


def _wrap(text: str, width: int) -> str:
    """Each line of ``text`` wrapped at ``width`` characters (names read as measures are long)."""
    return "\n".join(textwrap.fill(line, width) for line in str(text).split("\n"))


def _unsigned_money(value: float, _position: int | None = None) -> str:
    return format_money(value)


def _number(value: float) -> str:
    return f"{value:.3g}"


def _title_of(path: str) -> str:
    info = params_by_path().get(path)
    return (info.measure or info.title) if info is not None else path


def plot_tornado(frame: pd.DataFrame, currency: str, title: str) -> Figure:
    """The paired net-value difference at each assumption's low and high, widest swing on top.

    Each bar runs from the centre estimate (every assumption at the scenario's value) to the
    estimate with one assumption moved to an end of its range, so the bar's length is what that
    assumption alone is worth and a bar crossing the zero line is a verdict that assumption flips.

    Args:
        frame: A tornado frame: ``assumption``, ``label``, ``side`` (low, centre, high),
            ``value`` and ``difference`` (the mean paired difference), one row per side.
        currency: The firm's currency code, shown on the x axis.
        title: The figure's title.

    Returns:
        The figure (the caller saves or closes it).

    Raises:
        ValueError: The frame is empty or lacks a column.
    """
    _require(frame, TORNADO_COLUMNS)
    wide = frame.pivot_table(
        index=["assumption", "label"], columns="side", values="difference", aggfunc="first"
    )
    values = frame.pivot_table(
        index=["assumption", "label"], columns="side", values="value", aggfunc="first"
    )
    centre = float(frame.loc[frame["side"] == "centre", "difference"].iloc[0])
    swing = (wide["high"] - wide["low"]).abs()
    order = swing.sort_values(ascending=True).index  # barh draws bottom up: widest on top
    figure = Figure(figsize=(WIDTH, BASE_HEIGHT + ROW_HEIGHT * len(order)), layout="constrained")
    axes = figure.subplots()
    rows = np.arange(len(order))
    for side, colour, name in (
        ("low", LOW_COLOUR, "at its low"),
        ("high", HIGH_COLOUR, "at its high"),
    ):
        ends = wide.loc[order, side].to_numpy(dtype=float)
        axes.barh(
            rows, ends - centre, left=centre, color=colour, alpha=0.85, label=f"assumption {name}"
        )
    axes.axvline(0.0, color="black", linewidth=1.2)
    axes.axvline(centre, color="grey", linestyle="--", linewidth=1.0, label="centre estimate")
    labels = [
        f"{_wrap(label, LABEL_CHARS)}\n({_number(values.loc[(path, label), 'low'])} to "
        f"{_number(values.loc[(path, label), 'high'])})"
        for path, label in order
    ]
    axes.set_yticks(rows, labels, fontsize="small")
    axes.xaxis.set_major_formatter(FuncFormatter(_money_ticks))
    axes.set_xlabel(f"paired difference in net value ({currency})")
    axes.grid(axis="x", alpha=0.3)
    axes.set_title(_wrap(title, TITLE_CHARS), fontsize="medium")
    axes.legend(loc="lower right", fontsize="small")
    return figure


def plot_breakeven_map(
    frame: pd.DataFrame,
    x: str,
    y: str,
    currency: str,
    title: str,
    *,
    xlabel: str | None = None,
    ylabel: str | None = None,
) -> Figure:
    """The mean paired net-value difference over two assumptions, with the break-even line.

    Red cells lose money, blue cells pay, and the colour scale is centred on zero so equal
    shades are equal amounts either side. The zero contour is drawn and labelled "break-even"
    wherever the grid crosses it.

    Args:
        frame: One row per grid cell: columns ``x`` and ``y`` (the two assumptions' values) and
            ``difference`` (the mean paired difference).
        x: The column (dotted path) along the x axis.
        y: The column along the y axis.
        currency: The firm's currency code, shown on the colour bar.
        title: The figure's title.
        xlabel: The x axis label (the assumption's plain title by default).
        ylabel: The y axis label.

    Returns:
        The figure.

    Raises:
        ValueError: The frame is empty, lacks a column, or is not a full grid of at least 2x2.
    """
    _require(frame, (x, y, "difference"))
    table = frame.pivot_table(index=y, columns=x, values="difference", aggfunc="mean")
    if table.shape[0] < 2 or table.shape[1] < 2 or table.isna().to_numpy().any():
        raise ValueError(f"a break-even map needs a full grid of at least 2x2 over {x} and {y}")
    xs = table.columns.to_numpy(dtype=float)
    ys = table.index.to_numpy(dtype=float)
    grid = table.to_numpy(dtype=float)
    figure = Figure(figsize=MAP_SIZE, layout="constrained")
    axes = figure.subplots()
    mesh = axes.pcolormesh(xs, ys, grid, cmap=DIVERGING, norm=CenteredNorm(0.0), shading="nearest")
    bar = figure.colorbar(mesh, ax=axes, format=FuncFormatter(_money_ticks))
    bar.set_label(f"paired difference in net value ({currency})")
    if grid.min() < 0.0 < grid.max():
        lines = axes.contour(xs, ys, grid, levels=[0.0], colors="black", linewidths=1.5)
        axes.clabel(lines, fmt={0.0: "break-even"}, fontsize="small")
    else:
        verdict = "pays" if grid.min() > 0 else "loses money"
        title = f"{title}\nno break-even in this range: the policy {verdict} in every cell"
    if grid.shape[0] <= MAX_ANNOTATED and grid.shape[1] <= MAX_ANNOTATED:
        dark = DARK_SHARE * float(np.abs(grid).max())
        for row, level_y in enumerate(ys):
            for column, level_x in enumerate(xs):
                value = grid[row, column]
                axes.text(
                    level_x, level_y, format_money(value, signed=True), ha="center",
                    va="center", fontsize="x-small",
                    color="white" if abs(value) > dark else "black",
                )  # fmt: skip
    axes.set_xlabel(_wrap(xlabel or f"{_title_of(x)} ({x})", TITLE_CHARS))
    axes.set_ylabel(_wrap(ylabel or f"{_title_of(y)} ({y})", LABEL_CHARS))
    axes.set_title(_wrap(title, TITLE_CHARS), fontsize="medium")
    return figure


def _require(frame: pd.DataFrame, columns: Sequence[str]) -> None:
    if frame.empty:
        raise ValueError("no rows to draw: the frame is empty")
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(f"no column {', '.join(map(repr, missing))} in the frame")


#: Colour of the screen's carried assumptions; the others are grey.
CARRIED_COLOUR = "#1f5f99"
OTHER_COLOUR = "#b0b7bf"
#: Inches per assumption in the screen's figure (it lists every uncertain assumption).
SCREEN_ROW_HEIGHT = 0.3
SCREEN_COLUMNS = ("assumption", "label", "mu_star", "mu_star_low", "mu_star_high", "sigma")


def plot_screen(frame: pd.DataFrame, carried: Sequence[str], currency: str, title: str) -> Figure:
    """What each assumption is worth: Morris mu_star with its interval, and sigma beside it.

    One bar per assumption, strongest on top: ``mu_star`` (the mean absolute change in the
    paired net-value difference when the assumption alone moves across its range) with its
    bootstrap interval as a whisker, and ``sigma`` (how much that change depends on the other
    assumptions) as a diamond. The carried assumptions are coloured, the rest grey, so the
    figure shows where the screen drew its line.

    Args:
        frame: The screen's table (``assumption``, ``label``, ``mu_star``, ``mu_star_low``,
            ``mu_star_high``, ``sigma``).
        carried: The paths carried on.
        currency: The firm's currency code, shown on the x axis.
        title: The figure's title.

    Returns:
        The figure.

    Raises:
        ValueError: The frame is empty or lacks a column.
    """
    _require(frame, SCREEN_COLUMNS)
    ordered = frame.sort_values("mu_star", ascending=True, kind="stable")  # strongest on top
    rows = np.arange(len(ordered))
    figure = Figure(
        figsize=(WIDTH + 1.5, BASE_HEIGHT + SCREEN_ROW_HEIGHT * len(ordered)), layout="constrained"
    )
    axes = figure.subplots()
    keep = set(carried)
    colours = [CARRIED_COLOUR if p in keep else OTHER_COLOUR for p in ordered["assumption"]]
    mu_star = ordered["mu_star"].to_numpy(dtype=float)
    low = np.clip(mu_star - ordered["mu_star_low"].to_numpy(dtype=float), 0.0, mu_star)
    high = np.clip(ordered["mu_star_high"].to_numpy(dtype=float) - mu_star, 0.0, None)
    axes.barh(rows, mu_star, color=colours, xerr=np.vstack([low, high]), ecolor="#57606a")
    axes.scatter(
        ordered["sigma"].to_numpy(dtype=float), rows, marker="D", color="black", s=14, zorder=3,
        label="sigma (depends on the others)",
    )  # fmt: skip
    axes.set_yticks(rows, list(ordered["label"]), fontsize="x-small")
    axes.xaxis.set_major_formatter(FuncFormatter(_unsigned_money))
    axes.set_xlabel(f"mu_star: mean absolute change in the paired net value ({currency})")
    axes.grid(axis="x", alpha=0.3)
    # Over the figure, not the axes: the assumptions' long names push the axes to the right.
    figure.suptitle(_wrap(title, TITLE_CHARS), fontsize="medium")
    axes.legend(loc="lower right", fontsize="small")
    return figure
