"""One verdict rule and one vocabulary: how every table, tile and page says which way a change went.

The CLI's tables, the report's tiles and policy matrix, the stakeholder table and the dashboard
all judge a paired difference here, with one rule (:func:`judge`), and say it with the same
words (:data:`BETTER`, :data:`WORSE`, :data:`NO_CLEAR_CHANGE`), so a metric never reads
"worse" in one place and "gains" in another. The rule lives in the report layer, the lowest
that needs it: the report's own tables judge differences, and the statistics
(:func:`npssim.experiment.analysis.verdict`) and the dashboard call it from above.

A tile (:class:`Tile`) is one number of a summary: a paired difference, its interval, the
verdict and a note, formatted once (:func:`make_tile`) for the report and the dashboard.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

from npssim.metrics import Metric
from npssim.report.tables import format_money, format_value

#: The three verdicts, the only words any output uses for which way a change went.
BETTER = "better"
WORSE = "worse"
NO_CLEAR_CHANGE = "no clear change"
VERDICTS = (BETTER, WORSE, NO_CLEAR_CHANGE)
#: A tile's mark for what the survey would show: a number to watch, never a verdict.
SHOWN = "shown"
#: A tile's mark for a metric with no better direction (context): shown without a verdict.
CONTEXT = "context"

#: The smallest difference each unit shows (its display precision in
#: :func:`~npssim.report.tables.format_value`): shares in tenths of a percentage point, NPS in
#: tenths of a point, money and accounts in whole units; any other unit to three decimals.
RESOLUTION: dict[str, float] = {
    "share": 0.001,
    "NPS points": 0.1,
    "currency": 1.0,
    "accounts": 1.0,
}
OTHER_RESOLUTION = 0.001


def resolution(unit: str) -> float:
    """The smallest difference a unit shows: a smaller one reads as zero."""
    return RESOLUTION.get(unit, OTHER_RESOLUTION)


def judge(
    mean: float,
    low: float,
    high: float,
    better: Literal["higher", "lower"] | None,
    unit: str = "",
) -> str:
    """Whether a paired difference is clearly better, clearly worse, or no clear change.

    "Clearly" means the 95% interval of the difference excludes zero *and* the difference does
    not round to zero at its unit's display precision: "0.0 pp ± 0.0 pp" is never "worse".
    Without an interval (one replication) nothing is clear. A metric with no better direction
    (what the survey shows, context) gets no verdict (``""``).

    Args:
        mean: The mean paired difference.
        low: The lower end of its interval (NaN without one).
        high: The upper end.
        better: Which direction is better, from the side of whoever reads it.
        unit: The metric's unit, for its display precision (:func:`resolution`).
    """
    if better is None:
        return ""
    if any(math.isnan(value) for value in (mean, low, high)):
        return NO_CLEAR_CHANGE
    if low <= 0 <= high or abs(mean) < resolution(unit) / 2:
        return NO_CLEAR_CHANGE
    return BETTER if (mean > 0) == (better == "higher") else WORSE


@dataclass(frozen=True)
class Tile:
    """One number of a summary, against the reference: what the report and the dashboard show.

    Attributes:
        metric: The metric's name.
        label: Its heading.
        value: The mean paired difference, formatted in its unit ("-3.80M EUR", "+1.2 pp").
        interval: The ends of its 95% interval, formatted ("-4.20M to -3.40M EUR"), or that
            there is none.
        verdict: :data:`BETTER`, :data:`WORSE`, :data:`NO_CLEAR_CHANGE`; :data:`SHOWN` for what
            the survey would show; :data:`CONTEXT` for a metric with no better direction.
        note: A word on how to read it.
        mean: The numbers behind the text: the mean difference,
        low: the lower end of its interval,
        high: and the upper end.
    """

    metric: str
    label: str
    value: str
    interval: str
    verdict: str
    note: str = ""
    mean: float = field(default=math.nan, compare=False)
    low: float = field(default=math.nan, compare=False)
    high: float = field(default=math.nan, compare=False)


def format_difference(metric: Metric, value: float, currency: str = "", unit: bool = True) -> str:
    """A difference in its unit: money as a leader reads it, NPS in points, shares in pp.

    Args:
        metric: The metric, for its unit.
        value: The difference.
        currency: The firm's currency code.
        unit: Name the unit (the value does; the ends of an interval name it once, at the end).
    """
    if math.isnan(value):
        return "n/a"
    if metric.unit == "currency":
        return format_money(value, currency if unit else "", signed=True)
    text = format_value(metric, value, difference=True)
    if not unit:
        return text.removesuffix(" pp")
    return f"{text} points" if metric.unit == "NPS points" else text


def format_span(metric: Metric, low: float, high: float, currency: str = "") -> str:
    """The ends of an interval with the unit once: ``-4.20M to -3.40M EUR``, ``-1.5 to -0.9 pp``."""
    if math.isnan(low) or math.isnan(high):
        return "no interval (one replication)"
    return (
        f"{format_difference(metric, low, unit=False)} to "
        f"{format_difference(metric, high, currency)}"
    )


def given_away_note(total: float, traded: float, currency: str = "") -> str:
    """The line under the money given away: the part reps traded for scores, and the rest.

    The money given away has no better direction: ordinary discounts keep customers (what they
    cost and what they keep is in the firm's net money); the part traded for scores
    (:data:`~npssim.metrics.TRADED_FOR_SCORES`) is what a score-driven policy wastes.

    Args:
        total: The difference in the money given away.
        traded: The difference in the part traded for scores.
        currency: The firm's currency code.
    """
    if math.isnan(total) or math.isnan(traded):
        return "traded for scores: n/a"
    return (
        f"{format_money(traded, currency, signed=True)} traded for scores, "
        f"{format_money(total - traded, currency, signed=True)} ordinary discounts "
        "(which keep customers)"
    )


def make_tile(
    metric: Metric,
    mean: float,
    low: float,
    high: float,
    currency: str = "",
    *,
    label: str = "",
    note: str = "",
) -> Tile:
    """The tile of one paired difference, judged by :func:`judge` from the firm's side.

    Args:
        metric: The metric (its unit, side and better direction).
        mean: The mean paired difference.
        low: The lower end of its 95% interval.
        high: The upper end.
        currency: The firm's currency code.
        label: The heading (the metric's label by default).
        note: A line under the number (for what the survey shows, that it is not a good).
    """
    if metric.side == "shown":
        verdict = SHOWN
        note = note or "what the survey would show, not a good in itself"
    else:
        verdict = judge(mean, low, high, metric.better, metric.unit) or CONTEXT
    return Tile(
        metric=metric.name,
        label=label or metric.label,
        value=format_difference(metric, mean, currency),
        interval=format_span(metric, low, high, currency),
        verdict=verdict,
        note=note,
        mean=mean,
        low=low,
        high=high,
    )


#: The units of tables and tiles a reader may not know, for every report's glossary.
UNIT_TERMS: dict[str, str] = {
    "pp": "Percentage points: the difference between two percentages. Renewals kept rising "
    "from 90% to 92% is +2.0 pp (not +2%, which would be 91.8%).",
    "points": "NPS points: NPS runs from -100 (every answer a detractor) to +100 (every "
    "answer a promoter); a difference of NPS is in points.",
}
#: The words a comparison's tables and tiles judge differences with, for its glossary.
VERDICT_TERMS: dict[str, str] = {
    BETTER: "The 95% interval of the paired difference excludes zero, the difference does not "
    "round to zero as shown, and it goes the way that is better for the firm (in the "
    "stakeholder table's 'for them', for that party).",
    WORSE: "As 'better', the other way.",
    NO_CLEAR_CHANGE: "The interval includes zero, or the difference rounds to zero as shown, "
    "or there is no interval (one replication).",
    SHOWN: "What the survey would show: a number to watch, never a verdict.",
    CONTEXT: "A number with no better direction, shown to help read the others (e.g. the "
    "money given away: ordinary discounts keep customers).",
}
