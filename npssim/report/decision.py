"""The answer first: verdict lines, tiles, a policy matrix and who wins and who loses.

A leader deciding on an NPS policy asks what it does to the firm's money, to the customers and
to the people, and how sure that is. Everything here is read from a paired comparison (the
rows :meth:`~npssim.experiment.ExperimentResults.compare` returns: one per scenario, horizon
and metric, with the mean difference, its 95% interval and a verdict), so it states only what
the runs found, in the words and the currency of the firm.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from npssim.metrics import DECISION, METRIC_BY_NAME, STAKEHOLDERS, TRADED_FOR_SCORES, Metric
from npssim.report.tables import format_money
from npssim.report.vocabulary import (
    CONTEXT,
    SHOWN,
    Tile,
    format_difference,
    format_span,
    given_away_note,
    judge,
    make_tile,
)

#: The horizon a decision is read over: the second year, when the policy has settled.
DECISION_HORIZON = "long"
#: What the decision horizon is called in headers, unless the caller names it.
PERIOD = "second year"


@dataclass(frozen=True)
class PolicyVerdict:
    """One policy against the reference: the sentence and the tiles.

    Attributes:
        policy: The policy's label.
        reference: The reference's label.
        line: The verdict in one or two plain sentences.
        tiles: The headline differences, with intervals.
        net: Mean paired difference in the firm's net money per year.
        net_low: Lower end of its 95% interval.
        net_high: Upper end.
        currency: The firm's currency.
    """

    policy: str
    reference: str
    line: str
    tiles: tuple[Tile, ...]
    net: float
    net_low: float
    net_high: float
    currency: str = ""


def _rows(comparison: pd.DataFrame, policy: str, horizon: str) -> dict[str, pd.Series]:
    chosen = comparison[(comparison["scenario"] == policy) & (comparison["horizon"] == horizon)]
    return {row["metric"]: row for _, row in chosen.iterrows()}


def tile(row: pd.Series, currency: str, rows: Mapping[str, pd.Series] | None = None) -> Tile:
    """The tile of one comparison row: the difference, its interval, and which way it went.

    The money given away has no better direction (ordinary discounts buy renewals), so its
    tile is shown without a verdict and names the part traded for scores, from ``rows`` (the
    policy's other rows; a sum of means is the mean of the sum).
    """
    metric = METRIC_BY_NAME[row["metric"]]
    mean, low, high = (float(row[key]) for key in ("difference", "ci_low", "ci_high"))
    note = ""
    parts = [rows[name] for name in TRADED_FOR_SCORES if name in rows] if rows else []
    if metric.name == "money_given_away" and len(parts) == len(TRADED_FOR_SCORES):
        traded = sum(float(part["difference"]) for part in parts)
        note = given_away_note(mean, traded, currency)
    return make_tile(metric, mean, low, high, currency, note=note)


def _points(value: float) -> str:
    return f"{abs(value):.1f} point{'' if round(abs(value), 1) == 1 else 's'}"


def verdict_line(rows: Mapping[str, pd.Series], policy: str, currency: str) -> str:
    """The verdict on the firm's money, in context, and what the survey would show meanwhile.

    Args:
        rows: The policy's comparison rows over the decision horizon, by metric.
        policy: The policy's label.
        currency: The firm's currency.
    """
    net = rows["net_value"]
    mean, low, high = (float(net[key]) for key in ("difference", "ci_low", "ci_high"))
    margin = float(rows["gross_margin"]["baseline_mean"]) if "gross_margin" in rows else math.nan
    share = (
        f" ({abs(mean) / margin:.1%} of its gross margin)"
        if margin and math.isfinite(margin) and margin > 0
        else ""
    )
    amount = format_money(abs(mean), currency)
    interval = (
        "no interval (one replication)"
        if math.isnan(low) or math.isnan(high)
        else f"95% interval {format_money(low, signed=True)} to "
        f"{format_money(high, currency, signed=True)}"
    )
    if math.isnan(low) or low <= 0 <= high:
        money = (
            f"**{policy}** makes no clear difference to the firm's money: "
            f"{format_money(mean, currency, signed=True)} a year{share}, {interval}"
        )
    elif mean < 0:
        money = f"**{policy}** costs the firm {amount} a year{share}, {interval}"
    else:
        money = f"**{policy}** earns the firm {amount} a year more{share}, {interval}"
    survey = rows.get("reported_nps")
    real = rows.get("true_nps")
    if survey is None or real is None:
        return money + "."
    seen, truth = float(survey["difference"]), float(real["difference"])
    said = f"the NPS the survey reports would {'rise' if seen >= 0 else 'fall'} {_points(seen)}"
    if (seen >= 0) == (truth >= 0):
        joined = f"{said} and customers' real NPS "
    else:
        joined = f"{said} while customers' real NPS {'rises' if truth >= 0 else 'falls'} "
    return f"{money}; {joined}{_points(truth)}."


def policy_verdicts(
    comparison: pd.DataFrame,
    currencies: Mapping[str, str],
    horizon: str = DECISION_HORIZON,
    metrics: Sequence[str] = DECISION,
) -> list[PolicyVerdict]:
    """Every policy of a comparison against its reference: the verdict line and the tiles.

    Args:
        comparison: Rows as :meth:`ExperimentResults.compare` returns them.
        currencies: The currency of each scenario, by label.
        horizon: The horizon to read (the second year by default).
        metrics: The tiles' metrics, in order.

    Returns:
        One verdict per policy, in the comparison's order.
    """
    verdicts = []
    for policy in dict.fromkeys(comparison["scenario"]):
        rows = _rows(comparison, policy, horizon)
        if "net_value" not in rows:
            continue
        currency = currencies.get(policy, "")
        net = rows["net_value"]
        verdicts.append(
            PolicyVerdict(
                policy=policy,
                reference=str(net["baseline"]),
                line=verdict_line(rows, policy, currency),
                tiles=tuple(tile(rows[name], currency, rows) for name in metrics if name in rows),
                net=float(net["difference"]),
                net_low=float(net["ci_low"]),
                net_high=float(net["ci_high"]),
                currency=currency,
            )
        )
    return verdicts


def policy_matrix(
    comparison: pd.DataFrame,
    currencies: Mapping[str, str],
    horizon: str = DECISION_HORIZON,
    metrics: Sequence[str] = DECISION,
) -> pd.DataFrame:
    """Policies as rows sorted by net money, headline metrics as columns, each cell marked.

    Each cell holds the paired difference from the reference and the verdict: better, worse
    or no clear change (:func:`~npssim.report.vocabulary.judge`); what the survey shows and
    context (no better direction) get no word.

    Returns:
        Display strings: a ``policy`` column, then one column per metric headed by its label
        and unit; the reference is the first row.
    """
    verdicts = policy_verdicts(comparison, currencies, horizon, metrics)
    if not verdicts:
        return pd.DataFrame()
    reference = verdicts[0].reference
    currency = currencies.get(reference, "")
    headers = {name: column_heading(METRIC_BY_NAME[name], currency) for name in metrics}
    rows = [{"policy": f"{reference} (reference)", **dict.fromkeys(headers.values(), "reference")}]
    for verdict in sorted(verdicts, key=lambda item: item.net, reverse=True):
        cells = {"policy": verdict.policy}
        for item in verdict.tiles:
            mark = "" if item.verdict in (SHOWN, CONTEXT) else f" {item.verdict}"
            cells[headers[item.metric]] = f"{item.value}{mark}"
        rows.append(cells)
    return pd.DataFrame(rows)


def column_heading(metric: Metric, currency: str, difference: bool = True) -> str:
    """A column's heading with its unit, e.g. ``The firm's net money (USD a year)``."""
    unit = {
        "currency": f"{currency} a year".strip(),
        "share": "pp" if difference else "%",
        "NPS points": "points",
        "accounts": "accounts a year",
    }.get(metric.unit, metric.unit)
    return f"{metric.label} ({unit})"


def stakeholder_rows(
    comparison: pd.DataFrame,
    policy: str,
    currency: str,
    horizon: str = DECISION_HORIZON,
    period: str = PERIOD,
) -> pd.DataFrame:
    """Who wins and who loses: each party's metrics, the difference, and for whom it is better.

    An intervention "alters the balance of power between the multiple parties": the firm, the
    reps, the customers (and, among them, the powerful ones that can hold a score hostage)
    and the managers each see a different change. Both columns use the one rule and its words
    (:func:`~npssim.report.vocabulary.judge`): "for them" from the party's side, "for the firm"
    as every other table says it, so a row states where the two part instead of contradicting
    the verdict (a concession is worse for the firm and better for the customer who gets it).

    Returns:
        Display strings: party, what, difference (with interval), "for them" and "for the
        firm" (better, worse, no clear change; "" where the firm has no better direction).
    """
    rows = _rows(comparison, policy, horizon)
    table = []
    for party, items in STAKEHOLDERS.items():
        for name, better_for_them in items:
            if name not in rows:
                continue
            row = rows[name]
            metric = METRIC_BY_NAME[name]
            low, high, mean = (float(row[key]) for key in ("ci_low", "ci_high", "difference"))
            table.append(
                {
                    "party": party,
                    "what": metric.label,
                    f"difference, {period}": (
                        f"{format_difference(metric, mean, currency)} "
                        f"({format_span(metric, low, high, currency)})"
                    ),
                    "for them": judge(mean, low, high, better_for_them, metric.unit),
                    "for the firm": judge(mean, low, high, metric.better, metric.unit),
                    "name": name,
                }
            )
    return pd.DataFrame(table)
