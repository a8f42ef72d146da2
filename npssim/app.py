"""The decision dashboard: the firm with the policy beside the same firm without it.

A leader deciding on an NPS bonus needs the difference it makes, with its uncertainty, not one
firm's absolute totals. So the dashboard runs two firms on the same seeds: *with the policy*
(the scenario's policy as the levers change it, from the intervention week) and *without it*
(the same firm under the scenario's starting policy, or under another scenario's policy with
``--against``). Each side runs several replications, and replication *i* of both sides shares
its seed, so the differences are paired and their intervals narrow. The page shows a verdict
in plain words, tiles of paired differences with 95% intervals coloured by whether they are
clearly better or worse, reported against true NPS for both firms with bands, and the
cumulative difference in the firm's money week by week.

The logic (building and stepping the two firms, paired differences, tiles, the verdict, the
title, the controls and the axes) is plain Python, tested without a browser; the page is built
with Solara components on top of it. The firms are Mesa models (:class:`ExploreModel`).

Run it with ``npssim explore [SCENARIO] [--against OTHER] [--replications N]``, or show it in
Jupyter::

    from npssim.app import dashboard
    dashboard("intervention_week26")
"""

from __future__ import annotations

import base64
import html
import io
import itertools
import math
import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any, Literal

import numpy as np
import solara
import solara.lab
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from npssim.experiment.analysis import CONFIDENCE, Interval, interval
from npssim.metrics import ALL_GIVEN_AWAY, DASHBOARD, METRIC_BY_NAME, METRIC_NAMES
from npssim.model import NPSModel
from npssim.policy import PolicySchedule
from npssim.report.figures import BAND, BAND_LABEL
from npssim.report.tables import format_money, format_value
from npssim.scenario import (
    ParamInfo,
    Scenario,
    bundled_scenarios,
    get_path,
    intervene,
    iter_params,
    load_scenario,
    validate_scenario,
    with_overrides,
)
from npssim.seeds import replication_seeds

#: The scenario ``npssim explore`` opens when none is named: indicator only, then the bonus.
DEFAULT_SCENARIO = "intervention_week26"
#: What "without the policy" is for a scenario whose policy never changes (no timeline).
FALLBACK_AGAINST = "baseline"
#: Environment variables through which ``npssim explore`` tells the server what to open.
SCENARIO_VARIABLE = "NPSSIM_EXPLORE_SCENARIO"
SEED_VARIABLE = "NPSSIM_EXPLORE_SEED"
AGAINST_VARIABLE = "NPSSIM_EXPLORE_AGAINST"
REPLICATIONS_VARIABLE = "NPSSIM_EXPLORE_REPLICATIONS"
#: Replications per side: enough for an interval that a leader can read, fast enough to play.
DEFAULT_REPLICATIONS = 8
#: The most replications the control offers (each side steps every one each week).
MAX_REPLICATIONS = 30
#: The root seed's control tops out here (any seed up to 2**63-1 works from the command line).
MAX_SEED_CONTROL = 9999
#: Steps of a slider over its range.
SLIDER_STEPS = 100
#: Weeks the second step button advances; and weeks per tick while playing.
STEP_WEEKS = 4
PLAY_WEEKS = 4
#: Weeks per tick of "Run to end": half a year, so the page redraws a few times on the way.
RUN_TO_END_WEEKS = 26
#: Pause between ticks while playing, so the browser can draw what the last tick showed.
PLAY_PAUSE_SECONDS = 0.05
WEEKS_PER_YEAR = 52

#: The two sides of the comparison, as the page names them.
WITH = "with the policy"
WITHOUT = "without it"
SIDES = (WITH, WITHOUT)
#: Colours of the two firms in every chart.
SIDE_COLORS = {WITH: "tab:red", WITHOUT: "tab:blue"}

#: The NPS chart's y axis, fixed for the whole run and between resets (NPS points).
NPS_RANGE = (-20.0, 80.0)
#: The money chart's half-range, as a share of the firm's revenue over the whole run at its
#: starting prices: wide enough for the policies the levers reach, fixed before any week runs.
NET_RANGE_SHARE = 0.035
#: "Nice" mantissas an axis limit is rounded up to.
NICE_STEPS = (1.0, 2.0, 2.5, 5.0, 10.0)
#: Chart sizes (inches) and resolution: drawn at about the size the page shows them.
NPS_FIGURE_SIZE = (7.0, 3.1)
NET_FIGURE_SIZE = (4.6, 3.1)
FIGURE_DPI = 100
#: Fixed margins (shares of the figure), legend underneath: the axes never move between
#: redraws, and a fixed layout draws in half the time of a computed one.
NPS_MARGINS = {"left": 0.085, "right": 0.99, "top": 0.92, "bottom": 0.27, "wspace": 0.06}
NET_MARGINS = {"left": 0.15, "right": 0.97, "top": 0.92, "bottom": 0.27}

Colour = Literal["better", "worse", "unclear"]
#: Tile colours (background, accent) by verdict.
TILE_COLOURS: dict[Colour, tuple[str, str]] = {
    "better": ("#e6f4ea", "#1e8e3e"),
    "worse": ("#fce8e6", "#d93025"),
    "unclear": ("#f1f3f4", "#80868b"),
}


def levers() -> list[ParamInfo]:
    """The parameters the dashboard offers as controls, from the one schema: policy first."""
    chosen = [info for info in iter_params() if info.lever]
    return sorted(chosen, key=lambda info: not info.path.startswith("policy."))


#: The two groups of controls, in the order the page shows them.
POLICY_GROUP = "Your policy"
ASSUMPTIONS_GROUP = "Assumptions about your firm"


def control_groups(chosen: Sequence[ParamInfo] | None = None) -> dict[str, list[ParamInfo]]:
    """The levers split into what a leader decides and what they assume about their firm.

    Policy levers (paths under ``policy.``) change only the firm with the policy, from the
    intervention week; assumptions describe the firm, so they change both firms from week 0.
    """
    infos = levers() if chosen is None else list(chosen)
    return {
        POLICY_GROUP: [info for info in infos if info.path.startswith("policy.")],
        ASSUMPTIONS_GROUP: [info for info in infos if not info.path.startswith("policy.")],
    }


class ExploreModel(NPSModel):
    """One firm as the dashboard builds it: a scenario, lever values and an intervention week.

    Args:
        base: The scenario to start from (:data:`DEFAULT_SCENARIO` when omitted).
        seed: The model's seed.
        intervention_week: The week the policy levers take effect (0 = from the start). The
            scenario's own timeline still applies after it.
        **kwargs: Lever values by dotted path. Policy values apply from the intervention week;
            assumptions (accounts, reps, managers) from week 0.

    Attributes:
        change_weeks: Weeks at which the policy changes, to mark on the plots.
        intervention: The policy lever values chosen, by dotted path.
        intervention_week: The week they take effect.
    """

    def __init__(
        self,
        base: Scenario | None = None,
        seed: int = 1,
        intervention_week: int = 0,
        **kwargs: Any,
    ) -> None:
        built = base if base is not None else load_scenario(DEFAULT_SCENARIO)
        self.intervention = {
            path: value for path, value in kwargs.items() if path.startswith("policy.")
        }
        self.intervention_week = int(intervention_week)
        assumptions = {
            path: value for path, value in kwargs.items() if path not in self.intervention
        }
        built = intervene(built, self.intervention_week, self.intervention, source="dashboard")
        built = with_overrides(built, assumptions, source="dashboard")
        super().__init__(built, seed=int(seed))
        self.change_weeks = PolicySchedule(built).change_weeks

    def step(self) -> None:
        """Simulate one week, or nothing once the scenario's run is over.

        A step of several weeks near the end must not fail, so a step past the end does nothing.
        """
        if self.running:
            super().step()


def policy_at(scenario: Scenario, week: int) -> dict[str, Any]:
    """The policy in force at ``week`` under the scenario's own timeline, as nested tables."""
    schedule = PolicySchedule(scenario)
    for change in schedule.change_weeks:
        if change <= week:
            schedule.apply(change)
    return schedule.current.model_dump()


def model_params(scenario: Scenario, seed: int = 1) -> dict[str, Any]:
    """The controls' specifications: a seed, the intervention week and one per lever.

    The intervention week opens at the scenario's first policy change, and each policy lever at
    the value in force from then on, so the dashboard opens on the scenario itself; an
    assumption opens at its value. ``base`` is the scenario itself, so that
    ``ExploreModel(**values)`` builds the firm with the policy from the controls' values.
    """
    week = min(PolicySchedule(scenario).change_weeks, default=0)
    values = {**scenario.model_dump(), "policy": policy_at(scenario, week)}
    controls: dict[str, Any] = {
        "base": scenario,
        "seed": {"type": "SliderInt", "value": seed, "label": "Seed", "min": 0,
                 "max": max(MAX_SEED_CONTROL, seed), "step": 1},
        "intervention_week": {"type": "SliderInt", "value": week, "min": 0, "step": 1,
                              "label": "Intervention week", "max": scenario.run.weeks - 1},
    }  # fmt: skip
    for info in levers():
        controls[info.path] = control(info, get_path(values, info.path))
    return controls


def control(info: ParamInfo, value: Any) -> dict[str, Any]:
    """The control of one parameter: a switch, a menu or a slider over its range."""
    label = info.title
    if info.kind == "bool":
        return {"type": "Checkbox", "value": bool(value), "label": label}
    if info.choices:
        return {"type": "Select", "value": value, "values": list(info.choices), "label": label}
    lower = info.lower if info.lower is not None else 0
    upper = info.slider_max if info.slider_max is not None else info.upper
    if upper is None:
        raise ValueError(f"{info.path}: a lever needs an upper bound or slider_max in the schema")
    upper = max(upper, value)  # a scenario may set a value above the slider's usual top
    if info.kind == "int":
        return {"type": "SliderInt", "value": int(value), "label": label,
                "min": int(lower), "max": int(upper), "step": 1}  # fmt: skip
    step = (upper - lower) / SLIDER_STEPS
    return {"type": "SliderFloat", "value": float(value), "label": label,
            "min": float(lower), "max": float(upper), "step": step}  # fmt: skip


def format_setting(info: ParamInfo, value: Any, currency: str = "") -> str:
    """A lever's value as it reads beside its label: ``0.5``, ``yes``, ``25k USD``, ``rep``."""
    if isinstance(value, bool) or info.kind == "bool":
        return "yes" if value else "no"
    if isinstance(value, str):
        return value
    if info.unit == "currency":
        return format_money(float(value), currency)
    if info.kind == "int":
        return str(int(value))
    return f"{float(value):.2f}".rstrip("0").rstrip(".") or "0"


# ---------------------------------------------------------------------- the two firms


@dataclass(frozen=True)
class Settings:
    """What the controls say: the levers, the intervention week, replications and root seed.

    Attributes:
        levers: Every lever's value by dotted path.
        intervention_week: The week the policy levers take effect on the firm with the policy.
        replications: Replications per side.
        seed: The root seed; replication *i* of both sides gets its *i*-th child seed.
    """

    levers: Mapping[str, Any]
    intervention_week: int
    replications: int = DEFAULT_REPLICATIONS
    seed: int = 1

    def with_lever(self, path: str, value: Any) -> Settings:
        """A copy with one lever changed (the controls' settings are immutable values)."""
        return replace(self, levers={**self.levers, path: value})


@dataclass(frozen=True)
class Setup:
    """The two firms' scenarios before the levers: what ``npssim explore`` was asked to open.

    Attributes:
        scenario: The scenario whose policy, as the levers change it, is "with the policy".
        without: The scenario "without it": the same firm under another policy.
        without_name: What the page calls the firm without the policy.
    """

    scenario: Scenario
    without: Scenario
    without_name: str


def without_scenario(scenario: Scenario, against: Scenario | None = None) -> tuple[Scenario, str]:
    """The firm "without the policy", and its name on the page.

    The firm (its size, customers, reps, managers and run) is always the scenario's, so the
    comparison is of policies on one firm; what differs is the policy:

    - with ``against``, that scenario's policy and timeline;
    - else, for a scenario whose policy changes (a timeline), its starting policy, held;
    - else (a policy from week 0, nothing to take away), :data:`FALLBACK_AGAINST`'s policy.
    """
    data = scenario.model_dump()
    if against is None and scenario.timeline:
        data["timeline"] = []
        return validate_scenario(data, source="dashboard"), f"{scenario.name} without it"
    other = against if against is not None else load_scenario(FALLBACK_AGAINST)
    data["policy"] = other.policy.model_dump()
    data["timeline"] = [entry.model_dump() for entry in other.timeline]
    data["name"] = other.name
    return validate_scenario(data, source="dashboard"), other.name


def make_setup(scenario: Scenario, against: Scenario | None = None) -> Setup:
    """The two firms' scenarios, from what ``npssim explore`` was asked to open."""
    without, name = without_scenario(scenario, against)
    return Setup(scenario, without, name)


def default_settings(setup: Setup, seed: int = 1, replications: int = DEFAULT_REPLICATIONS):
    """The controls as the dashboard opens them: on the scenario itself (:func:`model_params`)."""
    specs = model_params(setup.scenario, seed)
    return Settings(
        levers={info.path: specs[info.path]["value"] for info in levers()},
        intervention_week=specs["intervention_week"]["value"],
        replications=replications,
        seed=seed,
    )


@dataclass(frozen=True)
class View:
    """What the page draws: both sides' weekly metrics so far, copied at one moment.

    Attributes:
        week: Weeks simulated so far.
        weeks: The run's length.
        values: By side, replications x weeks so far x :data:`~npssim.metrics.METRIC_NAMES`.
    """

    week: int
    weeks: int
    values: Mapping[str, np.ndarray]

    def series(self, side: str, name: str) -> np.ndarray:
        """One metric of one side: replications x weeks so far."""
        return self.values[side][:, :, METRIC_NAMES.index(name)]

    def now(self, side: str, names: Sequence[str]) -> np.ndarray:
        """The sum of metrics at the latest week, per replication (empty before week 1)."""
        if self.week == 0:
            return np.empty(0)
        return sum(self.series(side, name)[:, -1] for name in names)


#: Serial numbers of comparisons (see :attr:`Comparison.serial`).
_SERIALS = itertools.count()


class Comparison:
    """The two firms, several replications each, stepped together week by week.

    Args:
        setup: The two scenarios.
        settings: The controls' values when it was built (Reset rebuilds it).

    Attributes:
        setup: As given.
        settings: As given.
        seeds: Replication *i*'s seed, the same on both sides.
        models: By side, one model per replication.
        weeks: The run's length.
        week: Weeks simulated so far.
        revenue_scale: The firm's revenue over the whole run at its starting prices (mean over
            replications): what fixes the money chart's axis before any week runs.
        closed: :meth:`close` was called: stepping does nothing.
        serial: Unique to this comparison in the process, so that charts drawn for the firms
            Reset replaced are never taken for this one's (``id()`` may be reused).
    """

    def __init__(self, setup: Setup, settings: Settings) -> None:
        self.setup = setup
        self.settings = settings
        self.seeds = replication_seeds(settings.seed, settings.replications)
        policy = {path: value for path, value in settings.levers.items() if _is_policy(path)}
        assumptions = {path: value for path, value in settings.levers.items() if path not in policy}
        week = settings.intervention_week
        self.models: dict[str, list[ExploreModel]] = {
            WITH: [
                ExploreModel(setup.scenario, seed, week, **settings.levers) for seed in self.seeds
            ],
            WITHOUT: [ExploreModel(setup.without, seed, 0, **assumptions) for seed in self.seeds],
        }
        self.weeks = setup.scenario.run.weeks
        self.week = 0
        self._values = {
            side: np.full((len(self.seeds), self.weeks, len(METRIC_NAMES)), np.nan)
            for side in SIDES
        }
        starting = np.mean([model.book_revenue for model in self.models[WITHOUT]])
        self.revenue_scale = float(starting) * self.weeks / WEEKS_PER_YEAR
        self._lock = threading.Lock()
        self.closed = False
        self.serial = next(_SERIALS)

    @property
    def finished(self) -> bool:
        """Every week of the run is simulated."""
        return self.week >= self.weeks

    def step(self, weeks: int = 1) -> None:
        """Advance every model of both sides ``weeks`` weeks (fewer at the end of the run)."""
        with self._lock:
            if self.closed:
                return  # a tick still under way when Reset replaced these firms
            for _ in range(min(weeks, self.weeks - self.week)):
                for side in SIDES:
                    for index, model in enumerate(self.models[side]):
                        model.step()
                        self._values[side][index, self.week] = [
                            model.metrics[name] for name in METRIC_NAMES
                        ]
                self.week += 1

    def view(self) -> View:
        """A copy of the weeks simulated so far, safe to draw while the firms step on."""
        with self._lock:
            return View(
                self.week,
                self.weeks,
                {side: values[:, : self.week].copy() for side, values in self._values.items()},
            )

    def close(self) -> None:
        """Let go of the models (see :meth:`NPSModel.close`) once the page replaced them.

        Waits for a step under way in the playing thread to finish, and makes later steps do
        nothing, so Reset while playing never steps a closed model.
        """
        with self._lock:
            self.closed = True
            for models in self.models.values():
                for model in models:
                    model.close()


def _is_policy(path: str) -> bool:
    return path.startswith("policy.")


# ---------------------------------------------------------------------- paired differences


def paired_difference(with_values: np.ndarray, without_values: np.ndarray) -> Interval:
    """The mean paired difference (with minus without) over replications, with its 95% interval.

    Replication *i* of both sides shares its seed, so differencing pair by pair removes the
    noise the two firms share, and the interval is that of the mean of the differences.
    """
    return interval(np.asarray(with_values, float) - np.asarray(without_values, float))


def tile_colour(better: Literal["higher", "lower"] | None, difference: Interval) -> Colour:
    """Green for a clear gain, red for a clear loss, grey otherwise.

    "Clear" means the 95% interval excludes zero; a metric with no better direction (the NPS
    the survey shows) and a difference without an interval (one replication) are grey.
    """
    if better is None or math.isnan(difference.low) or difference.low <= 0 <= difference.high:
        return "unclear"
    return "better" if (difference.mean > 0) == (better == "higher") else "worse"


@dataclass(frozen=True)
class TileSpec:
    """One tile: which metrics it sums and what it is called.

    Attributes:
        label: The tile's heading.
        names: The metrics summed at the latest week.
        note: A line under the figure, if any.
    """

    label: str
    names: tuple[str, ...]
    note: str = ""

    @property
    def metric(self):
        """The metric whose unit and better direction the tile takes (the first)."""
        return METRIC_BY_NAME[self.names[0]]


#: The tiles, in the order the page shows them.
TILES = (
    TileSpec("The firm's net money so far", ("net_value",)),
    TileSpec(METRIC_BY_NAME["true_nps"].label, ("true_nps",), "an honest census, now"),
    TileSpec(
        "NPS the survey shows", ("reported_nps",), "what the survey would show: not the truth"
    ),
    TileSpec(METRIC_BY_NAME["retention_rate"].label, ("retention_rate",), "share of renewals"),
    TileSpec(
        "Money given away so far", ALL_GIVEN_AWAY, "concessions, free services, gifts, discounts"
    ),
    TileSpec(METRIC_BY_NAME["honest_rep_share"].label + " kept", ("honest_rep_share",), "now"),
)


@dataclass(frozen=True)
class Tile:
    """A tile as the page shows it.

    Attributes:
        label: Heading.
        value: The mean paired difference, formatted in the metric's unit.
        interval: Its 95% interval, formatted (empty without one).
        colour: Whether the difference is clearly better, clearly worse, or neither.
        note: A line under the figure.
        difference: The numbers behind the text.
    """

    label: str
    value: str
    interval: str
    colour: Colour
    note: str
    difference: Interval = field(repr=False)


def format_difference(spec: TileSpec, value: float, currency: str, unit: bool = True) -> str:
    """A difference in the tile's unit: money as a leader reads it, NPS in points, shares in pp.

    Args:
        spec: The tile, for its metric's unit.
        value: The difference.
        currency: The firm's currency code.
        unit: Name the unit (the figure does; the ends of its interval, beside it, need not).
    """
    if math.isnan(value):
        return "n/a"
    if spec.metric.unit == "currency":
        return format_money(value, currency if unit else "", signed=True)
    text = format_value(spec.metric, value, difference=True)
    if not unit:
        return text.removesuffix(" pp")
    return f"{text} points" if spec.metric.unit == "NPS points" else text


def tiles(view: View, currency: str = "") -> list[Tile]:
    """The tiles of paired differences (with minus without) at the latest week."""
    shown = []
    for spec in TILES:
        difference = paired_difference(view.now(WITH, spec.names), view.now(WITHOUT, spec.names))
        value = format_difference(spec, difference.mean, currency)
        span = ""
        if not math.isnan(difference.low):
            ends = (difference.low, difference.high)
            low, high = (format_difference(spec, end, currency, unit=False) for end in ends)
            span = f"({low} to {high})"
        colour = tile_colour(spec.metric.better, difference)
        shown.append(Tile(spec.label, value, span, colour, spec.note, difference))
    return shown


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


# ---------------------------------------------------------------------- the charts' axes


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 times a power of ten at or above ``value`` (positive)."""
    if value <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    return next(step * power for step in NICE_STEPS if step * power >= value * (1 - 1e-12))


def axis_ranges(comparison: Comparison) -> dict[str, tuple[float, float]]:
    """Every chart's axes, fixed before the first week: they never rescale as weeks arrive.

    Returns:
        ``week`` (0 to the run's weeks), ``nps`` (:data:`NPS_RANGE`) and ``net_difference``
        (plus or minus :data:`NET_RANGE_SHARE` of the firm's revenue over the run, rounded up).
    """
    half = nice_ceiling(NET_RANGE_SHARE * comparison.revenue_scale)
    return {
        "week": (0.0, float(comparison.weeks)),
        "nps": NPS_RANGE,
        "net_difference": (-half, half),
    }


# ---------------------------------------------------------------------- the charts


def _png(figure: Figure) -> bytes:
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
        for name, colour, label, style in (
            ("reported_nps", "tab:red", "reported NPS (the survey)", "steps-post"),
            ("true_nps", "tab:blue", "true NPS (honest census)", "default"),
        ):
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
        axes.set_title(side, fontsize="medium", color=SIDE_COLORS[side])
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
        differences = view.series(WITH, "net_value") - view.series(WITHOUT, "net_value")
        intervals = [interval(differences[:, index]) for index in range(view.week)]
        weeks = np.arange(view.week)
        axes.plot(
            weeks,
            [item.mean for item in intervals],
            color=SIDE_COLORS[WITH],
            label="mean difference",
        )
        axes.fill_between(
            weeks,
            [item.low for item in intervals],
            [item.high for item in intervals],
            color=SIDE_COLORS[WITH],
            alpha=0.2,
            linewidth=0,
            label=f"{CONFIDENCE:.0%} interval",
        )
    axes.set_xlim(*ranges["week"])
    axes.set_ylim(*ranges["net_difference"])
    axes.yaxis.set_major_formatter(FuncFormatter(_tick_money))
    axes.set_title("The firm's net money: with minus without", fontsize="medium")
    axes.set_xlabel("week")
    axes.set_ylabel(f"{currency}, cumulative" if currency else "cumulative")
    axes.grid(alpha=0.3)
    figure.legend(loc="lower center", ncols=3, fontsize="small")
    return figure


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


def _tick_money(value: float, _position: int | None = None) -> str:
    """An axis tick in money: ``-20M``, ``5M``, ``0``."""
    for scale, suffix in ((1e9, "bn"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= scale:
            return f"{value / scale:g}{suffix}"
    return f"{value:g}"


# ---------------------------------------------------------------------- the page

CSS = """
.npssim-page { display: flex; gap: 18px; align-items: flex-start; width: 100%;
  box-sizing: border-box; padding: 4px 10px 8px 10px; }
.npssim-controls { flex: 0 0 290px; width: 290px; max-height: calc(100vh - 32px);
  overflow-y: auto; overflow-x: hidden; position: sticky; top: 8px; padding-right: 6px; }
.npssim-main { flex: 1 1 0; min-width: 0; overflow-x: hidden; }
.npssim-title { font-size: 17px; font-weight: 600; margin: 0 0 4px 0; line-height: 1.3; }
.npssim-verdict { font-size: 16px; margin: 2px 0 6px 0; padding: 8px 12px; line-height: 1.35;
  border-left: 5px solid #80868b; background: #f8f9fa; }
.npssim-verdict.better { border-color: #1e8e3e; } .npssim-verdict.worse { border-color: #d93025; }
.npssim-status { font-size: 13px; color: #5f6368; margin: 0 0 4px 0; }
.npssim-tiles { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 8px;
  margin: 6px 0; }
.npssim-tile { padding: 6px 10px; border-left: 5px solid; border-radius: 3px; min-width: 0; }
.npssim-tile .label { font-size: 12.5px; color: #3c4043; }
.npssim-tile .value { font-size: 19px; font-weight: 600; }
.npssim-tile .span { font-size: 12.5px; color: #3c4043; }
.npssim-tile .note { font-size: 11.5px; color: #5f6368; }
.npssim-charts { display: grid; grid-template-columns: minmax(0, 60fr) minmax(0, 40fr); gap: 8px; }
.npssim-charts img { width: 100%; height: auto; display: block; }
.npssim-chart { min-width: 0; }
.npssim-caption { font-size: 12px; color: #5f6368; margin: 2px 0 8px 0; }
.npssim-group { font-size: 15px; font-weight: 600; margin: 10px 0 2px 0; }
.npssim-lever { margin: 4px 0 10px 0; }
.npssim-lever-head { display: flex; justify-content: space-between; gap: 8px; font-size: 13px; }
.npssim-lever-head .value { font-weight: 600; white-space: nowrap; }
.npssim-meaning { font-size: 11.5px; color: #5f6368; line-height: 1.25; }
.npssim-lever .v-input { margin-top: 0; padding-top: 0; }
.npssim-lever .v-messages { display: none; } .npssim-lever .v-input__slot { margin-bottom: 0; }
.npssim-pending { font-size: 13px; color: #b06000; margin: 4px 0; }
.npssim-table { border-collapse: collapse; font-size: 13px; width: 100%; }
.npssim-table td, .npssim-table th { padding: 2px 8px; border-bottom: 1px solid #e0e0e0;
  text-align: right; }
.npssim-table td:first-child, .npssim-table th:first-child { text-align: left; }
"""


def _tiles_html(shown: Sequence[Tile]) -> str:
    cells = []
    for tile in shown:
        background, accent = TILE_COLOURS[tile.colour]
        cells.append(
            f'<div class="npssim-tile {tile.colour}" style="background:{background};'
            f'border-color:{accent}"><div class="label">{html.escape(tile.label)}</div>'
            f'<div class="value">{html.escape(tile.value)}</div>'
            f'<div class="span">{html.escape(tile.interval or "no interval yet")}</div>'
            f'<div class="note">{html.escape(tile.note)}</div></div>'
        )
    return f'<div class="npssim-tiles">{"".join(cells)}</div>'


def _chart_html(png: bytes, name: str, caption: str) -> str:
    """A chart as an inline image with its caption: laid out by the page's CSS, not a widget."""
    data = base64.b64encode(png).decode("ascii")
    return (
        f'<div class="npssim-chart chart-{name}"><img alt="{html.escape(caption)}" '
        f'src="data:image/png;base64,{data}"><div class="npssim-caption">'
        f"{html.escape(caption)}</div></div>"
    )


def _table_html(rows: Sequence[tuple[str, str, str, str]], replications: int) -> str:
    head = (
        f"<tr><th>at the latest week</th><th>{WITH} (mean)</th><th>{WITHOUT} (mean)</th>"
        f"<th>difference ± {CONFIDENCE:.0%} interval, {replications} pairs</th></tr>"
    )
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    return f'<table class="npssim-table">{head}{body}</table>'


def _html(text: str, classes: str) -> Any:
    return solara.HTML(tag="div", unsafe_innerHTML=html.escape(text), classes=[classes])


@solara.component
def LeverControl(
    info: ParamInfo,
    spec: Mapping[str, Any],
    value: Any,
    on_value: Callable[[Any], None],
    currency: str,
) -> None:
    """One lever: its label with its current value, the widget, and a line on what it means."""
    with solara.Column(gap="0px", classes=["npssim-lever", "lever-" + info.path.replace(".", "-")]):
        solara.HTML(
            tag="div",
            classes=["npssim-lever-head"],
            unsafe_innerHTML=f'<span class="label">{html.escape(info.title)}</span>'
            f'<span class="value">{html.escape(format_setting(info, value, currency))}</span>',
        )
        kind = spec["type"]
        if kind == "Checkbox":
            solara.Checkbox(label="on", value=bool(value), on_value=on_value)
        elif kind == "Select":
            solara.Select(
                label="", values=spec["values"], value=value, on_value=on_value, dense=True
            )
        elif kind == "SliderInt":
            solara.SliderInt(
                "",
                value=int(value),
                min=spec["min"],
                max=spec["max"],
                step=spec["step"],
                on_value=on_value,
                thumb_label=False,
            )
        else:
            solara.SliderFloat(
                "",
                value=float(value),
                min=spec["min"],
                max=spec["max"],
                step=spec["step"],
                on_value=on_value,
                thumb_label=False,
            )
        _html(info.meaning, "npssim-meaning")


@solara.component
def Dashboard(
    scenario: Scenario,
    against: Scenario | None = None,
    seed: int = 1,
    replications: int = DEFAULT_REPLICATIONS,
) -> None:
    """The page: controls on the left, the verdict, tiles and charts on the right.

    Each browser tab (or Jupyter cell) gets its own two firms.
    """
    setup = solara.use_memo(lambda: make_setup(scenario, against), [])
    first = solara.use_memo(
        lambda: Comparison(setup, default_settings(setup, seed, replications)), []
    )
    comparison = solara.use_reactive(first)
    settings = solara.use_reactive(first.settings)
    playing = solara.use_reactive(0)  # weeks per tick while playing; 0 = paused
    tick = solara.use_reactive(0)
    specs = solara.use_memo(lambda: model_params(scenario, seed), [])
    currency = scenario.firm.currency
    _ = tick.value  # read, so the page redraws whenever the firms have stepped

    def play() -> None:
        """Step the firms tick by tick in a thread while playing, redrawing after each tick."""
        while playing.value:
            current = comparison.value
            if current.finished:
                playing.value = 0
                break
            current.step(playing.value)
            tick.value += 1
            time.sleep(PLAY_PAUSE_SECONDS)

    solara.lab.use_task(play, dependencies=[playing.value], prefer_threaded=True)

    def step(weeks: int) -> None:
        comparison.value.step(weeks)
        tick.value += 1

    def reset() -> None:
        playing.value = 0
        old = comparison.value
        comparison.value = Comparison(setup, settings.value)
        old.close()
        tick.value += 1

    current = comparison.value
    view = current.view()
    ranges = axis_ranges(current)
    applied = current.settings
    nps_png = solara.use_memo(
        lambda: _png(nps_figure(view, ranges, applied.intervention_week)),
        [current.serial, view.week],
    )
    net_png = solara.use_memo(
        lambda: _png(net_figure(view, ranges, applied.intervention_week, currency)),
        [current.serial, view.week],
    )
    money = money_so_far(view)
    tone = tile_colour("higher", money) if view.week else "unclear"

    solara.Style(CSS)
    with solara.Div(classes=["npssim-page"]):
        with solara.Div(classes=["npssim-controls"]):
            for group, infos in control_groups().items():
                _html(group, "npssim-group")
                if group == POLICY_GROUP:
                    week_info = _plain_info(
                        "intervention_week",
                        "Intervention week",
                        "week",
                        "The week the policy starts on the firm with it; "
                        "before it both firms run the same.",
                    )
                    LeverControl(
                        week_info,
                        specs["intervention_week"],
                        settings.value.intervention_week,
                        lambda value: settings.set(
                            replace(settings.value, intervention_week=int(value))
                        ),
                        currency,
                    )
                for info in infos:
                    LeverControl(
                        info,
                        specs[info.path],
                        settings.value.levers[info.path],
                        lambda value, path=info.path: settings.set(
                            settings.value.with_lever(path, value)
                        ),
                        currency,
                    )
            _html("The runs", "npssim-group")
            runs = _plain_info(
                "replications",
                "Replications per firm",
                "",
                "More replications narrow the intervals and step more slowly.",
            )
            LeverControl(
                runs,
                {"type": "SliderInt", "min": 1, "max": MAX_REPLICATIONS, "step": 1},
                settings.value.replications,
                lambda value: settings.set(replace(settings.value, replications=int(value))),
                currency,
            )
            seeds = _plain_info(
                "seed",
                "Root seed",
                "",
                "Replication i of both firms gets this seed's i-th child seed.",
            )
            LeverControl(
                seeds,
                specs["seed"],
                settings.value.seed,
                lambda value: settings.set(replace(settings.value, seed=int(value))),
                currency,
            )

        with solara.Div(classes=["npssim-main"]):
            _html(title(setup, applied), "npssim-title")
            solara.HTML(
                tag="div",
                classes=["npssim-verdict", tone],
                unsafe_innerHTML=html.escape(verdict(view, currency, applied.intervention_week)),
            )
            changes = assumptions_changed(setup, applied)
            status = (
                f"Week {view.week} of {view.weeks} · {applied.replications} replications per "
                f"firm, paired on the same seeds (root seed {applied.seed})"
                + (f" · assumed: {', '.join(changes)}" if changes else "")
            )
            _html(status, "npssim-status")
            with solara.Row(gap="6px", style={"flex-wrap": "wrap", "align-items": "center"}):
                busy = bool(playing.value)
                solara.Button(
                    "Reset", on_click=reset, color="primary", outlined=settings.value == applied
                )
                solara.Button(
                    "Step 1 week", on_click=lambda: step(1), disabled=busy or current.finished
                )
                solara.Button(
                    f"Step {STEP_WEEKS} weeks",
                    on_click=lambda: step(STEP_WEEKS),
                    disabled=busy or current.finished,
                )
                solara.Button(
                    "Pause" if busy else "Play",
                    on_click=lambda: playing.set(0 if busy else PLAY_WEEKS),
                    disabled=current.finished and not busy,
                )
                solara.Button(
                    "Run to end",
                    on_click=lambda: playing.set(RUN_TO_END_WEEKS),
                    disabled=busy or current.finished,
                )
                if settings.value != applied:
                    _html(
                        "Controls changed: press Reset to run both firms with them.",
                        "npssim-pending",
                    )
            solara.HTML(tag="div", unsafe_innerHTML=_tiles_html(tiles(view, currency)))
            _html(
                f"Each tile: with the policy minus without it, mean over {applied.replications} "
                f"paired replications and its {CONFIDENCE:.0%} interval; green = clearly better, "
                "red = clearly worse, grey = no clear difference or no better direction.",
                "npssim-caption",
            )
            nps_caption = (
                f"Reported vs true NPS, both firms: lines are the mean of {applied.replications} "
                f"replications, shaded {BAND_LABEL}. Axes fixed for the whole run."
            )
            net_caption = (
                "The firm's net money, with the policy minus without it, cumulative: mean and "
                f"{CONFIDENCE:.0%} interval of the mean of the paired differences."
            )
            solara.HTML(
                tag="div",
                classes=["npssim-charts"],
                unsafe_innerHTML=_chart_html(nps_png, "nps", nps_caption)
                + _chart_html(net_png, "net", net_caption),
            )
            solara.HTML(
                tag="div",
                unsafe_innerHTML=_table_html(comparison_rows(view, currency), applied.replications),
            )


def _plain_info(path: str, label: str, unit: str, meaning: str) -> ParamInfo:
    """A control that is not a scenario parameter (week, replications, seed), shown alike."""
    return ParamInfo(
        path, None, unit, None, None, None, meaning, "dashboard", label=label, kind="int"
    )


def dashboard(
    scenario: str | Path | Scenario = DEFAULT_SCENARIO,
    seed: int = 1,
    against: str | Path | Scenario | None = None,
    replications: int = DEFAULT_REPLICATIONS,
):
    """The dashboard as a Solara element: the page of ``npssim explore``, or a Jupyter cell.

    Args:
        scenario: A scenario file, a bundled name or a :class:`Scenario`: "with the policy".
        seed: The root seed of the replications (a control changes it).
        against: What "without it" is: another scenario file, bundled name or
            :class:`Scenario`; by default the scenario's starting policy
            (:func:`without_scenario`).
        replications: Replications per firm (a control changes it).

    Returns:
        A Solara element; display it in Jupyter, or serve it with Solara.
    """
    return Dashboard(
        scenario=_loaded(scenario),
        against=_loaded(against) if against is not None else None,
        seed=int(seed),
        replications=int(replications),
    )


def _loaded(scenario: str | Path | Scenario) -> Scenario:
    return scenario if isinstance(scenario, Scenario) else load_scenario(scenario)


@solara.component
def Page() -> None:
    """The page ``npssim explore`` serves: each browser tab gets its own two firms."""
    scenario = os.environ.get(SCENARIO_VARIABLE, DEFAULT_SCENARIO)
    against = os.environ.get(AGAINST_VARIABLE) or None
    seed = int(os.environ.get(SEED_VARIABLE, "1"))
    replications = int(os.environ.get(REPLICATIONS_VARIABLE, str(DEFAULT_REPLICATIONS)))
    dashboard(scenario, seed, against, replications)
