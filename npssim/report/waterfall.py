"""The waterfall of a decomposition: what each element of a design adds to the firm's money.

It draws a frame a decomposition made (``npssim.experiment.decomposition``); it never runs a
model. Each bar starts where the previous one ended, so the bars walk from zero (the baseline)
to the policy's whole paired difference, the last bar; a leader reads at a glance which parts of
a design earn and which cost. Error bars are each contribution's 95% interval.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from npssim.report.tables import format_money

#: Colours of an element that earns, one that costs, and the total (colour-blind safe).
EARNS = "#1f77b4"
COSTS = "#d62728"
TOTAL = "#555555"
#: Inches per bar, and the figure's fixed part.
ROW_HEIGHT = 0.5
BASE_HEIGHT = 1.8
WIDTH = 8.5
WATERFALL_COLUMNS = ("label", "mean", "ci_low", "ci_high")


def plot_waterfall(
    frame: pd.DataFrame, total: pd.Series, currency: str, title: str, total_label: str
) -> Figure:
    """A horizontal waterfall: each element's contribution, then the policy's total.

    Args:
        frame: One row per element, in the order drawn (top first): ``label``, ``mean``,
            ``ci_low``, ``ci_high`` (money per year).
        total: The whole paired difference: ``mean``, ``ci_low``, ``ci_high``.
        currency: The firm's currency code, shown on the axis.
        title: The figure's title.
        total_label: The last bar's label.

    Returns:
        The figure (the caller saves or closes it).

    Raises:
        ValueError: The frame is empty or lacks a column.
    """
    missing = [column for column in WATERFALL_COLUMNS if column not in frame]
    if frame.empty or missing:
        raise ValueError(f"plot_waterfall: need rows with {', '.join(WATERFALL_COLUMNS)}")
    means = frame["mean"].to_numpy(float)
    starts = np.concatenate([[0.0], np.cumsum(means)[:-1]])
    rows = len(frame) + 1
    figure = Figure(figsize=(WIDTH, BASE_HEIGHT + ROW_HEIGHT * rows), layout="constrained")
    axes = figure.add_subplot()
    y = np.arange(rows)[::-1]
    colours = [EARNS if mean >= 0 else COSTS for mean in means]
    axes.barh(y[:-1], means, left=starts, color=colours, height=0.6)
    axes.barh(y[-1], float(total["mean"]), color=TOTAL, height=0.6)
    ends = starts + means
    low = means - frame["ci_low"].to_numpy(float)
    high = frame["ci_high"].to_numpy(float) - means
    axes.errorbar(ends, y[:-1], xerr=[low, high], fmt="none", ecolor="black", capsize=3, lw=1)
    axes.errorbar(
        [float(total["mean"])],
        [y[-1]],
        xerr=[[float(total["mean"] - total["ci_low"])], [float(total["ci_high"] - total["mean"])]],
        fmt="none",
        ecolor="black",
        capsize=3,
        lw=1,
    )
    for position, end in zip(y[:-1], ends, strict=True):  # each bar ends where the next starts
        axes.plot([end, end], [position - 0.3, position - 0.7], color="grey", lw=0.8)
    axes.axvline(0.0, color="black", lw=1)
    axes.set_yticks(y, [*frame["label"], total_label])
    axes.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: format_money(v, signed=True)))
    axes.set_xlabel(f"paired difference in net value per year ({currency})")
    axes.set_title(title, fontsize=9)
    axes.grid(axis="x", alpha=0.3)
    return figure
