"""Tables for people: metric values formatted, goods beside bads, and intervals.

Each table is first built as a :class:`pandas.DataFrame` of display strings, so the terminal
(rich), Markdown and HTML reports show the same rows; :func:`rich_table` renders one for the
terminal.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd
from rich.table import Table

from npssim.metrics import METRICS, REGISTRY, SIDE_TITLES, Metric, MetricSet

#: Every metric, in the order tables show them: grouped by side, registry order within a side.
REPORTED_METRICS: tuple[Metric, ...] = tuple(
    metric for side in SIDE_TITLES for metric in METRICS if metric.side == side
)


def reported(metrics: MetricSet = REGISTRY) -> tuple[Metric, ...]:
    """A model class's metrics in the order tables show them (its own after the registry's)."""
    if metrics is REGISTRY:
        return REPORTED_METRICS
    return tuple(
        metric for side in SIDE_TITLES for metric in metrics.metrics if metric.side == side
    )


#: How a verdict (:mod:`npssim.report.vocabulary`'s words) is coloured on a terminal.
VERDICT_STYLES = {"better": "green", "worse": "red", "no clear change": "dim"}


def format_value(metric: Metric, value: float | None, difference: bool = False) -> str:
    """Render a metric value for people: money with thousands separators, shares as percent.

    Args:
        metric: The metric, for its unit.
        value: The value (None or NaN shows as ``n/a``).
        difference: The value is a difference: shares show in percentage points (``+5.6 pp``)
            and every number carries its sign.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    sign = "+" if difference else ""
    if metric.unit in ("currency", "accounts"):
        return _no_negative_zero(f"{round(value):{sign},}")
    if metric.unit == "share":
        if difference:
            return _no_negative_zero(f"{100 * value:+.1f} pp")
        return _no_negative_zero(f"{100 * value:.1f}%")
    if metric.unit == "NPS points":
        return _no_negative_zero(f"{value:+.1f}")
    return _no_negative_zero(f"{value:{sign}.3f}")


def format_interval(
    metric: Metric, mean: float, low: float, high: float, difference: bool = False
) -> str:
    """A mean with the half-width of its interval, e.g. ``+19.9 ± 1.2`` (just the mean if none)."""
    text = format_value(metric, mean, difference)
    if text == "n/a" or math.isnan(low) or math.isnan(high):
        return text
    half = format_value(metric, (high - low) / 2).lstrip("+")
    if difference and metric.unit == "share":
        half = f"{100 * (high - low) / 2:.1f} pp"
    return f"{text} ± {half}"


def format_money(value: float, currency: str = "", signed: bool = False) -> str:
    """An amount of money as a leader reads it: ``-11.1M USD``, ``640k USD``, ``250 USD``.

    Three significant figures at most: a decision does not turn on the fourth, and a figure a
    reader can say aloud is one they repeat correctly.

    Args:
        value: The amount.
        currency: The currency's code (``firm.currency``), put after the amount.
        signed: Show ``+`` before a gain (for differences).
    """
    if math.isnan(value):
        return "n/a"
    size = abs(value)
    for scale, suffix in ((1e9, "bn"), (1e6, "M"), (1e3, "k")):
        if size >= scale:
            scaled = value / scale
            digits = 2 if abs(scaled) < 10 else 1 if abs(scaled) < 100 else 0
            text = f"{scaled:{'+' if signed else ''}.{digits}f}{suffix}"
            break
    else:
        text = f"{value:{'+' if signed else ''}.0f}"
    text = _no_negative_zero(text)
    return f"{text} {currency}" if currency else text


def _no_negative_zero(text: str) -> str:
    """``-0.0`` (a tiny change rounded away) reads as a loss that is not there: show ``0.0``."""
    if text[:1] in "+-" and not any(character in "123456789" for character in text):
        return text[1:]
    return text


def labelled(metric: Metric, currency: str = "") -> str:
    """A metric's plain label with its currency where it is money: ``Revenue (USD)``."""
    return (
        f"{metric.label} ({currency})" if currency and metric.unit == "currency" else metric.label
    )


def _grouped(
    values: Mapping[str, Mapping[str, str]], currency: str = "", metrics: MetricSet = REGISTRY
) -> pd.DataFrame:
    """Rows of display strings, one per reported metric, under their side's heading.

    Each row is labelled in plain words for leaders (``metric``, with the currency where it is
    money) and carries the column name analysts select with (``name``, as in the CSV files and
    ``--metric``).
    """
    rows = []
    for metric in reported(metrics):
        cells = {heading: column.get(metric.name, "") for heading, column in values.items()}
        if not any(cells.values()):
            continue
        rows.append(
            {
                "group": SIDE_TITLES[metric.side],
                "metric": labelled(metric, currency),
                **cells,
                "meaning": metric.meaning,
                "name": metric.name,
            }
        )
    return pd.DataFrame(rows)


def ledger_rows(
    columns: Mapping[str, Mapping[str, float]], metrics: MetricSet = REGISTRY
) -> pd.DataFrame:
    """Ledgers side by side (e.g. after two quarters and at the end) as display strings.

    ``metrics`` is the model class's set (``NPSModel.metric_set``), so its own metrics show.
    """
    by_name = metrics.by_name
    return _grouped(
        {
            heading: {
                name: format_value(by_name[name], value)
                for name, value in ledger.items()
                if name in by_name
            }
            for heading, ledger in columns.items()
        },
        metrics=metrics,
    )


def summary_rows(
    summary: pd.DataFrame,
    headings: Mapping[str, str],
    currency: str = "",
    metrics: MetricSet = REGISTRY,
) -> pd.DataFrame:
    """One scenario's summary as display strings: mean ± half-width per horizon.

    Args:
        summary: Rows of one scenario (and design point) with columns horizon, metric, mean,
            ci_low, ci_high.
        headings: Column heading by horizon, in the order to show them.
        currency: The firm's currency, shown beside money's labels.
        metrics: The model class's metrics (``NPSModel.metric_set``).
    """
    by_name = metrics.by_name
    columns: dict[str, dict[str, str]] = {heading: {} for heading in headings.values()}
    for row in summary.itertuples():
        if row.horizon in headings and row.metric in by_name:
            columns[headings[row.horizon]][row.metric] = format_interval(
                by_name[row.metric], row.mean, row.ci_low, row.ci_high
            )
    return _grouped(columns, currency, metrics)


def comparison_rows(
    comparison: pd.DataFrame,
    scenario: str,
    baseline: str,
    periods: Mapping[str, str] | None = None,
    currency: str = "",
    metrics: MetricSet = REGISTRY,
) -> pd.DataFrame:
    """One scenario against the baseline: both long-run means, and the paired differences.

    Args:
        comparison: Rows of one scenario's comparison, with columns horizon, metric,
            baseline_mean, mean, difference, ci_low, ci_high, verdict.
        scenario: The scenario's label, for the headings.
        baseline: The baseline's label.
        periods: What the short and the long run are called in the headings (e.g. "first
            half-year after the change", "second year").
        currency: The firm's currency, shown beside money's labels.
        metrics: The model class's metrics (``NPSModel.metric_set``).
    """
    by_name = metrics.by_name
    nan = float("nan")
    periods = {"short": "short run", "long": "long run", **(periods or {})}
    headings = {
        "baseline": f"{baseline}, {periods['long']}",
        "scenario": f"{scenario}, {periods['long']}",
        "short": f"difference, {periods['short']}",
        "long": f"difference, {periods['long']}",
        "verdict": "verdict",
    }
    columns: dict[str, dict[str, str]] = {heading: {} for heading in headings.values()}
    for row in comparison.itertuples():
        metric = by_name.get(row.metric)
        if metric is None:
            continue
        columns[headings[row.horizon]][row.metric] = format_interval(
            metric, row.difference, row.ci_low, row.ci_high, difference=True
        )
        if row.horizon == "long":
            columns[headings["baseline"]][row.metric] = format_interval(
                metric, row.baseline_mean, nan, nan
            )
            columns[headings["scenario"]][row.metric] = format_interval(metric, row.mean, nan, nan)
            columns[headings["verdict"]][row.metric] = row.verdict
    return _grouped(columns, currency, metrics)


def rich_table(frame: pd.DataFrame, title: str = "") -> Table:
    """Render display strings for a terminal, a section per group when rows are grouped.

    Args:
        frame: Display strings. Rows built by the functions above have a ``group`` column (a
            section each), a ``metric`` column and a ``meaning`` column around the values;
            any other frame is shown as it is (a ``name`` column, dimmed).
        title: The table's title.
    """
    table = Table(title=title, title_justify="left")
    for column in frame.columns:
        if column == "group":
            continue
        left = column in ("metric", "meaning", "verdict", "name", "parameter")
        table.add_column(
            str(column),
            justify="left" if left else "right",
            style="bold" if column == "metric" else "dim" if column == "name" else None,
        )
    groups = frame.groupby("group", sort=False) if "group" in frame else [(None, frame)]
    for group, rows in groups:
        if group is not None:
            table.add_section()
            blank = [""] * (len(table.columns) - 1)
            table.add_row(f"[underline]{group}[/underline]", *blank)
        for row in rows.drop(columns="group", errors="ignore").itertuples(index=False):
            table.add_row(*(_styled(str(cell)) for cell in row))
    return table


def goods_and_bads_table(
    columns: Mapping[str, Mapping[str, float]],
    extra: Mapping[str, str] | None = None,
    title: str = "Goods and bads",
) -> Table:
    """Ledgers side by side, grouped into what the dashboard shows, the goods and the bads.

    Args:
        columns: Metric values by name, under a column heading each, e.g. the ledger after two
            quarters and at the end of a single run.
        extra: Notes to show beside given metrics (e.g. the latent signal validity).
        title: The table's title.

    Returns:
        A rich Table, printable to a terminal or as plain text.
    """
    frame = ledger_rows(columns)
    for name, note in (extra or {}).items():
        frame.loc[frame["name"] == name, "meaning"] += f" ({note})"
    return rich_table(frame, title)


def _styled(cell: str) -> str:
    """A cell coloured by the verdict it states, alone or as its last word."""
    word = next((verdict for verdict in VERDICT_STYLES if cell.endswith(f" {verdict}")), "")
    style = VERDICT_STYLES.get(cell) or VERDICT_STYLES.get(word)
    return f"[{style}]{cell}[/]" if style else cell
