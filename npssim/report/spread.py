"""The figure of an answer's spread over plausible assumptions: one row of firms per policy.

It draws a frame the spread made (:mod:`npssim.experiment.uncertainty`); it never runs a model.
Each dot is one plausible firm's paired difference in net value, the bar the middle 80% of them,
and the zero line is the one a leader reads: dots right of it are firms where the policy pays.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from npssim.report.tables import format_money

#: Inches per policy row, and the figure's fixed part.
ROW_HEIGHT = 0.7
BASE_HEIGHT = 1.5
WIDTH = 8.0
#: Colours of firms where the policy pays and where it loses money (colour-blind safe pair).
PAYS_COLOUR = "#1f77b4"
LOSES_COLOUR = "#d62728"
#: How far dots are spread vertically around their row, so that firms with close values show.
JITTER = 0.15
#: The jitter's seed: the figure is the same every time it is drawn.
_JITTER_SEED = 0
SPREAD_COLUMNS = ("policy", "difference")


def plot_assumption_spread(frame: pd.DataFrame, currency: str, title: str) -> Figure:
    """The paired difference in every plausible firm, one row per policy, zero marked.

    Args:
        frame: One row per policy and firm: ``policy`` and ``difference`` (net value per year
            against the baseline).
        currency: The firm's currency, on the x axis.
        title: The figure's title.

    Returns:
        The figure (the caller saves or closes it).

    Raises:
        ValueError: The frame is empty or lacks a column.
    """
    missing = [column for column in SPREAD_COLUMNS if column not in frame.columns]
    if missing or frame.empty:
        raise ValueError(f"the spread's frame is empty or lacks {', '.join(missing) or 'rows'}")
    policies = list(dict.fromkeys(frame["policy"]))
    figure = Figure(figsize=(WIDTH, BASE_HEIGHT + ROW_HEIGHT * len(policies)), layout="constrained")
    axes = figure.add_subplot()
    rng = np.random.default_rng(_JITTER_SEED)
    for row, policy in enumerate(reversed(policies)):
        values = frame.loc[frame["policy"] == policy, "difference"].to_numpy(float)
        low, high = np.percentile(values, (10, 90))
        axes.plot([low, high], [row, row], color="0.4", linewidth=6, alpha=0.35, zorder=1)
        heights = row + rng.uniform(-JITTER, JITTER, len(values))
        colours = np.where(values > 0, PAYS_COLOUR, LOSES_COLOUR)
        axes.scatter(values, heights, c=colours, s=14, zorder=2)
        axes.text(
            1.01,
            row,
            f"pays in {int((values > 0).sum())} of {len(values)}",
            transform=axes.get_yaxis_transform(),
            va="center",
            fontsize=8,
        )
    axes.axvline(0.0, color="black", linewidth=1)
    axes.set_yticks(range(len(policies)), list(reversed(policies)))
    axes.set_ylim(-0.6, len(policies) - 0.4)
    axes.xaxis.set_major_formatter(
        FuncFormatter(lambda value, _position: format_money(value, signed=True))
    )
    axes.set_xlabel(f"net value against the baseline ({currency} a year)".replace(" ( ", " ("))
    axes.set_title(title, fontsize=10)
    axes.grid(axis="x", alpha=0.3)
    return figure
