"""What the dashboard says about the two firms: tiles, the verdict, the title and the set-up.

Tiles are the report's (:class:`npssim.report.vocabulary.Tile`), judged by the one rule
(:func:`npssim.report.vocabulary.judge`) and formatted the same way, from the paired
differences of the replications so far.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

import numpy as np

from npssim.app.comparison import (
    WITH,
    WITHOUT,
    Settings,
    Setup,
    View,
    _is_policy,
    paired_difference,
)
from npssim.app.controls import (
    ASSUMPTIONS_GROUP,
    control_groups,
    format_setting,
    levers,
    policy_at,
)
from npssim.experiment.analysis import CONFIDENCE, Interval
from npssim.metrics import DASHBOARD, METRIC_BY_NAME, TRADED_FOR_SCORES
from npssim.report.setup import Setup as SharedSetup
from npssim.report.setup import setup_line as shared_setup_line
from npssim.report.tables import format_money, format_value
from npssim.report.vocabulary import Tile, given_away_note, make_tile
from npssim.scenario import bundled_scenarios, get_path, load_scenario, validate_scenario


@dataclass(frozen=True)
class TileSpec:
    """One tile of the page: which metric it shows and what it is called there.

    Attributes:
        label: The tile's heading.
        name: The metric, read at the latest week.
        note: A line under the figure, if any.
    """

    label: str
    name: str
    note: str = ""


#: The tiles, in the order the page shows them.
TILES = (
    TileSpec("The firm's net money so far", "net_value"),
    TileSpec(METRIC_BY_NAME["true_nps"].label, "true_nps", "an honest census, now"),
    TileSpec("NPS the survey shows", "reported_nps", "what the survey would show: not the truth"),
    TileSpec(METRIC_BY_NAME["retention_rate"].label, "retention_rate", "share of renewals"),
    TileSpec("Money given away so far", "money_given_away"),
    TileSpec(METRIC_BY_NAME["honest_rep_share"].label + " kept", "honest_rep_share", "now"),
)


def tiles(view: View, currency: str = "") -> list[Tile]:
    """The tiles of paired differences (with minus without) at the latest week.

    The report's tiles (:func:`~npssim.report.vocabulary.make_tile`): the same rule, words and
    formats. The money given away is context, with the part traded for scores under it.
    """
    shown = []
    for spec in TILES:
        names = (spec.name,)
        difference = paired_difference(view.now(WITH, names), view.now(WITHOUT, names))
        note = spec.note
        if spec.name == "money_given_away":
            traded = paired_difference(
                view.now(WITH, TRADED_FOR_SCORES), view.now(WITHOUT, TRADED_FOR_SCORES)
            )
            note = given_away_note(difference.mean, traded.mean, currency)
        tile = make_tile(
            METRIC_BY_NAME[spec.name],
            difference.mean,
            difference.low,
            difference.high,
            currency,
            label=spec.label,
            note=note,
        )
        shown.append(tile if view.week else replace(tile, interval="no interval yet"))
    return shown


def setup_line(setup: Setup, settings: Settings) -> str:
    """The question in one line, as every answer of npssim opens (:mod:`npssim.report.setup`).

    The dashboard reads money so far, over the whole run, on the firms' own assumptions (its
    "How sure?" button samples plausible firms on demand).
    """
    firm = setup.scenario.firm
    reps = firm.managers * firm.reps_per_manager
    return shared_setup_line(
        SharedSetup(
            managers=firm.managers,
            reps=reps,
            accounts=reps * firm.accounts_per_rep,
            currency=firm.currency,
            policy_start=settings.intervention_week,
            window="so far",
            first_week=0,
            last_week=setup.scenario.run.weeks - 1,
            replications=f"{settings.replications} replications per firm",
            seed=settings.seed,
        )
    )


def money_so_far(view: View) -> Interval:
    """The paired difference in the firm's net money so far."""
    return paired_difference(view.now(WITH, ("net_value",)), view.now(WITHOUT, ("net_value",)))


def verdict(view: View, currency: str, intervention_week: int | None = None) -> str:
    """The page's first line: what the policy has done to the firm's money so far, in words.

    Args:
        view: The weeks simulated so far.
        currency: The firm's currency code.
        intervention_week: When the policy starts on the firm with it (mentioned until then).
    """
    if view.week == 0:
        return "No weeks simulated yet: press Step, Play or Run to end."
    weeks = f"After {view.week} week{'s' if view.week != 1 else ''}"
    pending = intervention_week is not None and view.week <= intervention_week
    starts = f" (the policy starts at week {intervention_week})" if pending else ""
    money = money_so_far(view)
    count = f"over {money.n} paired replication{'s' if money.n != 1 else ''}"
    if money.mean == 0 and (math.isnan(money.sd) or money.sd == 0):
        return f"{weeks}{starts}, the two firms have made the same money {count}."
    amount = format_money(abs(money.mean), currency)
    direction = "more" if money.mean > 0 else "less"
    if math.isnan(money.low):
        return (
            f"{weeks}{starts}, with the policy the firm has made {amount} {direction} than "
            f"without it (one replication: no interval; raise the replications)."
        )
    if money.low <= 0 <= money.high:
        low, high = (format_money(end, signed=True) for end in (money.low, money.high))
        confidence = f"{CONFIDENCE:.0%} interval {low} to {high} {currency}".rstrip()
        return (
            f"{weeks}{starts}, no clear difference in the firm's money: with the policy it has "
            f"made {amount} {direction} than without it ({confidence}, {count})."
        )
    near, far = sorted((abs(money.low), abs(money.high)))
    confidence = (
        f"{CONFIDENCE:.0%} interval {format_money(near)} to {format_money(far, currency)} "
        f"{direction}"
    )
    return (
        f"{weeks}{starts}, with the policy the firm has made {amount} {direction} than without "
        f"it ({confidence}, {count})."
    )


# ---------------------------------------------------------------------- the title


@cache
def _bundled_policies() -> tuple[tuple[str, str], ...]:
    """Each bundled scenario without a timeline, by its policy (as JSON): names policies."""
    named = []
    for path in bundled_scenarios():
        scenario = load_scenario(path)
        if not scenario.timeline:
            named.append((scenario.policy.model_dump_json(), scenario.name))
    return tuple(named)


def policy_name(policy: Mapping[str, Any], fallback: str) -> str:
    """The bundled scenario whose whole policy this is, or ``fallback``."""
    as_json = validate_scenario({"name": "probe", "policy": dict(policy)}).policy.model_dump_json()
    return dict(_bundled_policies()).get(as_json, fallback)


def title(setup: Setup, settings: Settings) -> str:
    """The page's title: the policy in force on each side, naming the levers changed.

    E.g. "nps_bonus from week 26 (changed: share of variable pay on NPS 0.3) vs
    intervention_week26 without it". A lever counts as changed when it differs from the policy
    the scenario itself has in force at the intervention week.
    """
    week = settings.intervention_week
    in_force = policy_at(setup.scenario, week)
    name = policy_name(in_force, f"{setup.scenario.name}'s policy")
    nested = {"policy": in_force}
    by_path = {info.path: info for info in levers()}
    currency = setup.scenario.firm.currency
    changed = [
        f"{_lower_first(by_path[path].title)} {format_setting(by_path[path], value, currency)}"
        for path, value in settings.levers.items()
        if _is_policy(path) and path in by_path and value != get_path(nested, path)
    ]
    text = f"{name} from week {week}"
    if changed:
        text += f" (changed: {', '.join(changed)})"
    return f"{text} vs {setup.without_name}"


def assumptions_changed(setup: Setup, settings: Settings) -> list[str]:
    """The assumptions about the firm that differ from the scenario's, as "label value"."""
    values = setup.scenario.model_dump()
    currency = setup.scenario.firm.currency
    return [
        f"{_lower_first(info.title)} {format_setting(info, settings.levers[info.path], currency)}"
        for info in control_groups()[ASSUMPTIONS_GROUP]
        if info.path in settings.levers
        and settings.levers[info.path] != get_path(values, info.path)
    ]


def _lower_first(text: str) -> str:
    """A label inside a sentence: "Share of ..." reads "share of ...", "NPS ..." stays."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def comparison_rows(view: View, currency: str) -> list[tuple[str, str, str, str]]:
    """The two firms side by side at the latest week: label, with, without, difference."""
    rows = []
    if view.week == 0:
        return [(METRIC_BY_NAME[name].label, "n/a", "n/a", "n/a") for name in DASHBOARD]
    for name in DASHBOARD:
        info = METRIC_BY_NAME[name]
        with_now, without_now = view.now(WITH, (name,)), view.now(WITHOUT, (name,))
        difference = paired_difference(with_now, without_now)
        half = (difference.high - difference.low) / 2
        spread = "" if math.isnan(half) else f" ± {_shown(info, half, currency).lstrip('+')}"
        rows.append(
            (
                info.label,
                _shown(info, float(np.mean(with_now)), currency),
                _shown(info, float(np.mean(without_now)), currency),
                _shown(info, difference.mean, currency, signed=True) + spread,
            )
        )
    return rows


def _shown(info: Any, value: float, currency: str, signed: bool = False) -> str:
    """A value in the table: money as a leader reads it, anything else as the reports show it."""
    if info.unit == "currency":
        return format_money(value, currency, signed=signed)
    return format_value(info, value, difference=signed)
