"""Reading runs over windows of weeks, and the statistics of replications.

A metric over a window is read by its kind (:attr:`npssim.metrics.Metric.cumulative`): a running
total as the amount accrued inside the window, a level as its mean over the window's weeks, and
the retention rate as the share of the window's renewals that renewed. Intervals are Student-t
intervals of the mean over replications; comparisons are paired by replication index, which
shares the random numbers, so their intervals are much narrower than the two means' intervals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from npssim.metrics import METRIC_NAMES, REGISTRY, MetricSet
from npssim.report.vocabulary import judge

#: The columns of an experiment's weekly data for :class:`~npssim.NPSModel`: every metric of
#: the registry. A subclass's runs have its ``metric_set.names``, the registry's first.
COLUMNS: tuple[str, ...] = METRIC_NAMES
#: The horizons of a summary: the short run, the long run, and the state at the last week.
HORIZONS: tuple[str, ...] = ("short", "long", "end")
#: What each horizon (the ``--horizon`` option's values) is called where the windows are
#: defined (the reports' notes on how to read them). Headings, titles and answers name the weeks
#: a horizon covers instead, as a reader's calendar does ("second year": ``results.periods()``).
HORIZON_TITLES: dict[str, str] = {"short": "short run", "long": "long run", "end": "at the end"}
CONFIDENCE = 0.95


def over_window(
    cube: np.ndarray, first: int, stop: int, horizon: str = "", metrics: MetricSet = REGISTRY
) -> np.ndarray:
    """Every column of many runs read over the weeks ``[first, stop)``.

    Args:
        cube: Runs x weeks x the metrics' columns.
        first: First week of the window.
        stop: One past its last week.
        horizon: ``"end"`` reads the last week's values as they stand (running totals since
            week 0); anything else reads the window.
        metrics: The model class's metrics (``NPSModel.metric_set``), which say which columns
            are running totals.

    Returns:
        Runs x columns.
    """
    if horizon == "end":
        return cube[:, stop - 1, :].copy()
    before = cube[:, first - 1, :] if first > 0 else np.zeros(cube[:, 0, :].shape)
    accrued = cube[:, stop - 1, :] - before
    levels = cube[:, first:stop, :]
    counted = np.sum(~np.isnan(levels), axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(counted > 0, np.nansum(levels, axis=1) / np.maximum(counted, 1), np.nan)
        due = accrued[:, COLUMNS.index("renewals_due")]
        churned = accrued[:, COLUMNS.index("churned_accounts")]
        retention = np.where(due > 0, 1.0 - churned / np.where(due > 0, due, 1.0), np.nan)
    totals = set(metrics.cumulative)
    cumulative = np.array([name in totals for name in metrics.names])
    values = np.where(cumulative, accrued, mean)
    values[:, COLUMNS.index("retention_rate")] = retention
    return values


@dataclass(frozen=True)
class Interval:
    """Mean of replications with its confidence interval.

    Attributes:
        mean: Mean over the replications that have a value.
        low: Lower end of the interval (NaN with fewer than two values).
        high: Upper end.
        sd: Standard deviation over replications.
        n: Replications that have a value.
    """

    mean: float
    low: float
    high: float
    sd: float
    n: int


def interval(values: Sequence[float] | np.ndarray, confidence: float = CONFIDENCE) -> Interval:
    """Student-t interval of the mean, ignoring replications without a value (NaN)."""
    data = np.asarray(values, dtype=float)
    data = data[~np.isnan(data)]
    n = int(data.size)
    if n == 0:
        return Interval(np.nan, np.nan, np.nan, np.nan, 0)
    mean = float(data.mean())
    if n == 1:
        return Interval(mean, np.nan, np.nan, np.nan, 1)
    sd = float(data.std(ddof=1))
    half = float(stats.t.ppf(0.5 + confidence / 2, n - 1)) * sd / np.sqrt(n)
    return Interval(mean, mean - half, mean + half, sd, n)


def verdict(name: str, difference: Interval, metrics: MetricSet = REGISTRY) -> str:
    """Whether a change of a metric is clearly better, clearly worse, or no clear change.

    The one rule every output uses (:func:`npssim.report.vocabulary.judge`): the interval of
    the paired difference excludes zero and the difference does not round to zero at the
    metric's display precision. Metrics with no better direction (what the dashboard shows,
    context) get no verdict; ``metrics`` is the model class's set, whose own metrics say which
    way is better.
    """
    metric = metrics.by_name.get(name)
    if metric is None:
        return ""
    return judge(difference.mean, difference.low, difference.high, metric.better, metric.unit)
