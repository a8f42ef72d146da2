"""Reports: the goods-and-bads table and the figures, from a run's metrics.

The report reads the ledger's output (metric values and weekly frames); it never touches the
model. One place draws each figure, so it looks the same in the CLI, notebooks and dashboard.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure
from rich.table import Table

from npssim.files import atomic_path
from npssim.ledger import METRICS, Metric

SIDE_TITLES = {
    "shown": "What the NPS dashboard shows",
    "good": "Goods",
    "bad": "Bads",
}


def format_value(metric: Metric, value: float) -> str:
    """Render a metric value for people: money with thousands separators, shares as percent."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if metric.unit == "currency":
        return f"{value:,.0f}"
    if metric.unit == "share":
        return f"{100 * value:.1f}%"
    if metric.unit == "accounts":
        return f"{value:,.0f}"
    if metric.unit == "NPS points":
        return f"{value:+.1f}"
    return f"{value:.3f}"


def goods_and_bads_table(
    columns: Mapping[str, Mapping[str, float]],
    extra: Mapping[str, str] | None = None,
    title: str = "Goods and bads",
) -> Table:
    """Ledgers side by side, grouped into what the dashboard shows, the goods and the bads.

    Args:
        columns: Metric values by name, under a column heading each, e.g. the ledger after two
            quarters and at the end of the run.
        extra: Notes to show beside given metrics (e.g. the latent signal validity).
        title: The table's title.

    Returns:
        A rich Table, printable to a terminal or as plain text.
    """
    table = Table(title=title, title_justify="left")
    table.add_column("metric", style="bold")
    for heading in columns:
        table.add_column(heading, justify="right")
    table.add_column("meaning")
    extra = extra or {}
    blank = [""] * len(columns)
    for side, heading in SIDE_TITLES.items():
        table.add_section()
        table.add_row(f"[underline]{heading}[/underline]", *blank, "")
        for metric in METRICS:
            if metric.side != side:
                continue
            note = f" ({extra[metric.name]})" if metric.name in extra else ""
            values = [format_value(metric, ledger[metric.name]) for ledger in columns.values()]
            table.add_row(metric.name, *values, metric.meaning + note)
    return table


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
