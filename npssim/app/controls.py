"""The dashboard's controls: which levers it offers, their widgets, and how their values read.

Every control comes from the one schema (:func:`npssim.scenario.iter_params`, the parameters
marked ``lever``): policy levers first, then assumptions about the firm. A value reads in its
unit beside its label (``35%``, ``25.0k USD``, ``yes``), never as a bare decimal, and a
switch's own label states what its box shows, so the two never disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from npssim.policy import PolicySchedule
from npssim.report.tables import format_money
from npssim.scenario import ParamInfo, Scenario, get_path, iter_params

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


#: Units whose values are shares of something: shown in percent, the rest of the unit after.
SHARE_UNIT = "share"
#: Rates per period that are shares (a chance, a share of reps): shown in percent per period.
PERIODS = {"per year": "a year", "per quarter": "a quarter"}
#: Significant figures of a value shown beside its control.
SETTING_DIGITS = 3


def format_setting(info: ParamInfo, value: Any, currency: str = "") -> str:
    """A lever's value as it reads beside its label, in its unit, never a bare decimal.

    ``yes``/``no`` for a switch, the choice for a menu, money as a leader reads it
    (``25.0k USD``), a share in percent with what it is a share of (``35%``,
    ``3% of revenue``), a chance per period in percent per period (``25% a quarter``), and
    anything else with its unit (``2.5 accounts per success``).
    """
    if isinstance(value, bool) or info.kind == "bool":
        return "yes" if value else "no"
    if isinstance(value, str):
        return value
    if info.unit == "currency":
        return format_money(float(value), currency)
    number = float(value)
    unit = info.unit or ""
    shares = unit.startswith(SHARE_UNIT) or (
        unit in PERIODS and info.upper is not None and info.upper <= 1
    )
    if shares:
        rest = PERIODS.get(unit) or unit.removeprefix(SHARE_UNIT).strip()
        return f"{_digits(100 * number)}%" + (f" {rest}" if rest else "")
    text = str(int(value)) if info.kind == "int" else _digits(number)
    return f"{text} {unit}".strip()


def _digits(number: float) -> str:
    """A number to :data:`SETTING_DIGITS` significant figures, without trailing zeros."""
    text = f"{number:.{SETTING_DIGITS}g}"
    return text if "e" not in text else f"{number:,.0f}"


def checkbox_label(value: bool) -> str:
    """The label beside a switch's box: the state it shows, as the value above it reads it.

    A box labelled "on" under "Anonymous survey: no" reads as a contradiction; labelled
    "yes" or "no" it states what the box shows.
    """
    return "yes" if value else "no"
