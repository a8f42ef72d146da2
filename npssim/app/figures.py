"""The dashboard's charts and their axes: reported against true NPS, and the money's difference.

The axes are fitted to the data (the differences a policy makes are a few points and a few
percent of the firm's money: fixed wide axes flatten them) and only ever grow while the firms
run, so a line never jumps as weeks arrive; Reset starts them afresh.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from npssim.app.comparison import SIDES, WITH, WITHOUT, Comparison, View
from npssim.experiment.analysis import CONFIDENCE, interval
from npssim.report.figures import BAND

#: Colours of the two lines of each NPS panel, and of the money's difference. Panel titles
#: are black: a title in a line's colour reads as a legend entry for that line.
LINE_COLOURS = {"reported_nps": "tab:red", "true_nps": "tab:blue"}
DIFFERENCE_COLOUR = "tab:purple"
TITLE_COLOUR = "black"

#: The NPS axis before any week has run (NPS points): replaced by the data's range at week 1.
NPS_START = (0.0, 50.0)
#: The smallest span the NPS axis shows (points), so week-to-week noise is not magnified.
NPS_MIN_SPAN = 10.0
#: The smallest half-span of the money's axis, as a share of the firm's revenue over the run
#: at its starting prices: before the policy starts the difference is exactly zero.
NET_MIN_SHARE = 0.001
#: Room left above and below the data, as a share of its span.
AXIS_PADDING = 0.08
#: "Nice" mantissas an axis limit is rounded to.
NICE_STEPS = (1.0, 2.0, 2.5, 5.0, 10.0)
#: Rough number of ticks an axis's limits are rounded to a multiple of.
AXIS_TICKS = 5
#: Chart sizes (inches) and resolution: drawn at about the size the page shows them.
NPS_FIGURE_SIZE = (7.0, 3.1)
NET_FIGURE_SIZE = (4.6, 3.1)
FIGURE_DPI = 100
#: Fixed margins (shares of the figure), legend underneath: the axes never move between
#: redraws, and a fixed layout draws in half the time of a computed one.
NPS_MARGINS = {"left": 0.085, "right": 0.99, "top": 0.92, "bottom": 0.27, "wspace": 0.06}
NET_MARGINS = {"left": 0.15, "right": 0.97, "top": 0.92, "bottom": 0.27}

Range = tuple[float, float]

# ---------------------------------------------------------------------- the charts' axes


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 times a power of ten at or above ``value`` (positive)."""
    if value <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    return next(step * power for step in NICE_STEPS if step * power >= value * (1 - 1e-12))


def fitted(low: float, high: float, min_span: float) -> Range:
    """An axis range around the data: padded, at least ``min_span`` wide, ends on nice ticks."""
    if high - low < min_span:
        middle = (low + high) / 2
        low, high = middle - min_span / 2, middle + min_span / 2
    pad = AXIS_PADDING * (high - low)
    step = nice_ceiling((high - low + 2 * pad) / AXIS_TICKS)
    return (math.floor((low - pad) / step) * step, math.ceil((high + pad) / step) * step)


def grown(new: Range | None, old: Range | None) -> Range | None:
    """The smallest range holding both (either may be missing)."""
    if new is None or old is None:
        return new or old
    return (min(new[0], old[0]), max(new[1], old[1]))


def net_differences(view: View) -> list:
    """The paired difference in the firm's net money week by week, with its interval."""
    if not view.week:
        return []
    differences = view.series(WITH, "net_value") - view.series(WITHOUT, "net_value")
    return [interval(differences[:, index]) for index in range(view.week)]


def data_extents(view: View) -> dict[str, Range]:
    """What the charts draw, lowest to highest, by axis; none before week 1.

    ``nps``: every line and band of both firms; ``net_difference``: the difference, its
    interval, and zero.
    """
    extents: dict[str, Range] = {}
    if not view.week:
        return extents
    parts = [
        np.ravel(part)
        for side in SIDES
        for name in LINE_COLOURS
        for part in (
            np.nanmean(view.series(side, name), axis=0),
            *_band(view.series(side, name), BAND),
        )
    ]
    drawn = np.concatenate(parts)
    drawn = drawn[np.isfinite(drawn)]
    if drawn.size:
        extents["nps"] = (float(drawn.min()), float(drawn.max()))
    ends = np.array([[item.low, item.high, item.mean] for item in net_differences(view)])
    ends = ends[np.isfinite(ends)]
    extents["net_difference"] = (
        min(0.0, float(ends.min())) if ends.size else 0.0,
        max(0.0, float(ends.max())) if ends.size else 0.0,
    )
    return extents


def axis_ranges(
    comparison: Comparison, view: View | None = None, previous: Mapping[str, Range] | None = None
) -> dict[str, Range]:
    """Every chart's axes, fitted to what the charts draw and never narrower than the last draw's.

    Args:
        comparison: The two firms (the run's length; the revenue that sets the money axis's
            smallest half-span, :data:`NET_MIN_SHARE`).
        view: The weeks simulated so far (none: the axes before any week).
        previous: What this returned at the last draw of the same firms: the data seen so far
            and the ranges drawn, which the new ranges contain (grow-only).

    Returns:
        ``week`` (0 to the run's weeks), ``nps`` and ``net_difference``, and the data's
        extents so far (``nps_data``, ``net_difference_data``) for the next draw.
    """
    previous = previous or {}
    floor = nice_ceiling(NET_MIN_SHARE * comparison.revenue_scale)
    extents = data_extents(view) if view is not None else {}
    ranges: dict[str, Range] = {"week": (0.0, float(comparison.weeks))}
    for name, min_span, start in (
        ("nps", NPS_MIN_SPAN, NPS_START),
        ("net_difference", 2 * floor, (-floor, floor)),
    ):
        seen = grown(extents.get(name), previous.get(f"{name}_data"))
        drawn = fitted(*seen, min_span) if seen is not None else fitted(*start, min_span)
        fitted_before = previous.get(name) if f"{name}_data" in previous else None
        ranges[name] = grown(drawn, fitted_before)  # the start range gives way to the data
        if seen is not None:
            ranges[f"{name}_data"] = seen
    return ranges


# ---------------------------------------------------------------------- the charts


def png(figure: Figure) -> bytes:
    """A chart as PNG bytes, at the resolution the page shows it."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=FIGURE_DPI)
    return buffer.getvalue()


def _mark_intervention(axes, week: int) -> None:
    axes.axvline(week, color="black", linestyle="--", linewidth=1, label="policy starts")


def _band(values: np.ndarray, quantiles: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    """Per week, the quantiles over replications (NaN-tolerant)."""
    low, high = np.nanquantile(values, quantiles, axis=0)
    return low, high


def nps_figure(view: View, ranges: Mapping[str, tuple[float, float]], week: int) -> Figure:
    """Reported vs true NPS for both firms, one panel each: mean and 10-90% of replications."""
    figure = Figure(figsize=NPS_FIGURE_SIZE)
    figure.subplots_adjust(**NPS_MARGINS)
    grid = figure.subplots(1, 2, sharey=True)
    weeks = np.arange(view.week)
    several = bool(view.values[WITH].shape[0] > 1)
    for axes, side in zip(grid, SIDES, strict=True):
        for name, label, style in (
            ("reported_nps", "reported NPS (the survey)", "steps-post"),
            ("true_nps", "true NPS (honest census)", "default"),
        ):
            colour = LINE_COLOURS[name]
            series = view.series(side, name)
            if view.week:
                axes.plot(
                    weeks, np.nanmean(series, axis=0), color=colour, label=label, drawstyle=style
                )
                if several:
                    low, high = _band(series, BAND)
                    axes.fill_between(
                        weeks,
                        low,
                        high,
                        color=colour,
                        alpha=0.18,
                        linewidth=0,
                        step="post" if style == "steps-post" else None,
                    )
        if side == WITH:
            _mark_intervention(axes, week)
        axes.set_xlim(*ranges["week"])
        axes.set_ylim(*ranges["nps"])
        axes.set_title(side, fontsize="medium", color=TITLE_COLOUR)
        axes.set_xlabel("week")
        axes.grid(alpha=0.3)
    grid[0].set_ylabel("NPS points")
    handles, labels = grid[0].get_legend_handles_labels()
    if handles:
        figure.legend(handles, labels, loc="lower center", ncols=3, fontsize="small")
    return figure


def net_figure(view: View, ranges: Mapping[str, tuple[float, float]], week: int, currency: str):
    """The cumulative difference in the firm's net money, week by week, with its 95% interval."""
    figure = Figure(figsize=NET_FIGURE_SIZE)
    figure.subplots_adjust(**NET_MARGINS)
    axes = figure.subplots()
    axes.axhline(0, color="black", linewidth=1)
    _mark_intervention(axes, week)
    if view.week:
        intervals = net_differences(view)
        weeks = np.arange(view.week)
        axes.plot(
            weeks,
            [item.mean for item in intervals],
            color=DIFFERENCE_COLOUR,
            label="mean difference",
        )
        axes.fill_between(
            weeks,
            [item.low for item in intervals],
            [item.high for item in intervals],
            color=DIFFERENCE_COLOUR,
            alpha=0.2,
            linewidth=0,
            label=f"{CONFIDENCE:.0%} interval",
        )
    axes.set_xlim(*ranges["week"])
    axes.set_ylim(*ranges["net_difference"])
    axes.yaxis.set_major_formatter(FuncFormatter(_tick_money))
    axes.set_title(
        "The firm's net money: with minus without", fontsize="medium", color=TITLE_COLOUR
    )
    axes.set_xlabel("week")
    axes.set_ylabel(f"{currency}, cumulative" if currency else "cumulative")
    axes.grid(alpha=0.3)
    figure.legend(loc="lower center", ncols=3, fontsize="small")
    return figure


def _tick_money(value: float, _position: int | None = None) -> str:
    """An axis tick in money: ``-20M``, ``5M``, ``0``."""
    for scale, suffix in ((1e9, "bn"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= scale:
            return f"{value / scale:g}{suffix}"
    return f"{value:g}"
