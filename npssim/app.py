"""The dashboard: move a policy lever, press Reset, and watch the goods and bads move.

A Solara app built on Mesa's :func:`~mesa.visualization.SolaraViz`. Its controls are generated
from the scenario schema (every parameter declared with ``lever=True``), and its plots are the
report's own figures (:mod:`npssim.report.figures`), redrawn from the model's weekly ledger as
the model steps. The firm runs under the scenario's starting policy until the intervention
week, and under the policy the levers set from then on.

Run it with ``npssim explore [SCENARIO]``, or show it in Jupyter::

    from npssim.app import dashboard
    dashboard("intervention_week26")
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import solara
from matplotlib.figure import Figure

with warnings.catch_warnings():
    # Solara's hook checker flags a component inside Mesa 3.3 at import; it is Mesa's, not ours.
    warnings.filterwarnings("ignore", message="Failed to validate hooks", category=UserWarning)
    warnings.filterwarnings("ignore", message=".*use_state.*found despite", category=UserWarning)
    from mesa.visualization import SolaraViz
    from mesa.visualization.utils import update_counter

from npssim.metrics import DASHBOARD, METRIC_BY_NAME, MONEY_GIVEN_AWAY, PEOPLE, TACTICS
from npssim.model import NPSModel
from npssim.policy import PolicySchedule
from npssim.report.figures import (
    as_timeseries,
    plot_breakdown,
    plot_metrics,
    plot_nps_bands,
)
from npssim.report.tables import format_value
from npssim.scenario import (
    ParamInfo,
    Scenario,
    get_path,
    intervene,
    iter_params,
    load_scenario,
    with_overrides,
)

#: The scenario ``npssim explore`` opens when none is named: indicator only, then the bonus.
DEFAULT_SCENARIO = "intervention_week26"
#: Environment variables through which ``npssim explore`` tells the server what to open.
SCENARIO_VARIABLE = "NPSSIM_EXPLORE_SCENARIO"
SEED_VARIABLE = "NPSSIM_EXPLORE_SEED"
#: Steps of a slider over its range.
SLIDER_STEPS = 100


def levers() -> list[ParamInfo]:
    """The parameters the dashboard offers as controls, from the one schema: policy first."""
    chosen = [info for info in iter_params() if info.lever]
    return sorted(chosen, key=lambda info: not info.path.startswith("policy."))


class ExploreModel(NPSModel):
    """The model as the dashboard builds it: a scenario, lever values and an intervention week.

    SolaraViz re-creates the model from keyword arguments on Reset; lever values arrive by their
    dotted path (``**{"policy.incentives.nps_weight": 0.5}``).

    Args:
        base: The scenario to start from (:data:`DEFAULT_SCENARIO` when omitted).
        seed: Root seed of every random draw.
        intervention_week: The week the policy levers take effect (0 = from the start). The
            scenario's own timeline still applies after it.
        scenario: Ignored: Mesa 3.5's SolaraViz passes its own scenario object on Reset.
        **kwargs: Lever values by dotted path. Policy values apply from the intervention week;
            assumptions (accounts, reps, managers) from week 0. (Mesa's SolaraViz accepts
            parameters it cannot see in the signature only under the name ``kwargs``.)

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
        scenario: object = None,
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

        SolaraViz's Step button runs several steps at once, so a step past the end does nothing.
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
    """SolaraViz's controls: the scenario, a seed, the intervention week and one per lever.

    The intervention week opens at the scenario's first policy change, and each policy lever at
    the value in force from then on, so the dashboard opens on the scenario itself; an
    assumption opens at its value.
    """
    week = min(PolicySchedule(scenario).change_weeks, default=0)
    values = {**scenario.model_dump(), "policy": policy_at(scenario, week)}
    controls: dict[str, Any] = {
        "base": scenario,
        "seed": {"type": "SliderInt", "value": seed, "label": "seed", "min": 0,
                 "max": max(999, seed), "step": 1},
        "intervention_week": {"type": "SliderInt", "value": week, "min": 0, "step": 1,
                              "label": "intervention week (policy levers apply from here)",
                              "max": scenario.run.weeks - 1},
    }  # fmt: skip
    for info in levers():
        controls[info.path] = control(info, get_path(values, info.path))
    return controls


def control(info: ParamInfo, value: Any) -> dict[str, Any]:
    """The SolaraViz control of one parameter: a switch, a menu or a slider over its range."""
    *tables, name = info.path.split(".")
    label = f"{tables[-1]}: {name}".replace("_", " ")
    if info.unit:
        label += f" ({info.unit})"
    if info.kind == "bool":
        return {"type": "Checkbox", "value": bool(value), "label": label}
    if info.choices:
        return {"type": "Select", "value": value, "values": list(info.choices), "label": label}
    lower = info.lower if info.lower is not None else 0
    upper = info.upper if info.upper is not None else info.slider_max
    if upper is None:
        raise ValueError(f"{info.path}: a lever needs an upper bound or slider_max in the schema")
    upper = max(upper, value)  # a scenario may set a value above the slider's usual top
    if info.kind == "int":
        return {"type": "SliderInt", "value": int(value), "label": label,
                "min": int(lower), "max": int(upper), "step": 1}  # fmt: skip
    step = (upper - lower) / SLIDER_STEPS
    return {"type": "SliderFloat", "value": float(value), "label": label,
            "min": float(lower), "max": float(upper), "step": step}  # fmt: skip


# ---------------------------------------------------------------------- plots and tables


def _panel(name: str, draw: Callable[[pd.DataFrame, dict[str, Sequence[int]]], Figure]):
    """A dashboard component that redraws one report figure from the model's weekly ledger."""

    @solara.component
    def Panel(model: ExploreModel) -> None:
        update_counter.get()
        if model.week == 0:
            solara.Markdown(f"**{name}**: no weeks simulated yet. Press *Step* or ▶.")
            return
        label = model.params.name
        timeseries = as_timeseries(model.metrics_frame(), label)
        figure = draw(timeseries, {label: model.change_weeks})
        for axes in figure.axes:
            axes.set_xlim(0, model.params.run.weeks)  # the whole run, so the plot grows into it
        solara.FigureMatplotlib(figure, format="png")

    Panel.__name__ = Panel.__qualname__ = name.replace(" ", "")
    return Panel


NPSPanel = _panel(
    "Reported vs true NPS",
    lambda series, changes: plot_nps_bands(series, changes, title="Reported vs true NPS"),
)
MoneyPanel = _panel(
    "Money given away",
    lambda series, changes: plot_breakdown(
        series, MONEY_GIVEN_AWAY, changes, title="Money given away, by kind"
    ),
)
SavvyPanel = _panel(
    "Savvy customers",
    lambda series, changes: plot_metrics(series, ["savvy_share"], changes),
)
TacticsPanel = _panel(
    "Rep tactics",
    lambda series, changes: plot_breakdown(
        series, TACTICS, changes, title="Rep tactics in the latest survey wave"
    ),
)
PeoplePanel = _panel(
    "Reps",
    lambda series, changes: plot_metrics(
        series, PEOPLE[:2], changes, title="Reps: stress, and the honest ones left"
    ),
)


@solara.component
def LedgerPanel(model: ExploreModel) -> None:
    """The goods beside the bads so far, as numbers."""
    update_counter.get()
    ledger = model.ledger()
    rows = [f"| {METRIC_BY_NAME[name].label} | {format_value(METRIC_BY_NAME[name], ledger[name])} "
            f"| {METRIC_BY_NAME[name].side} |" for name in DASHBOARD]  # fmt: skip
    current = {"policy": model.policy.model_dump()}
    in_force = ", ".join(
        f"{info.path.removeprefix('policy.')} = {get_path(current, info.path)}"
        for info in levers()
        if info.path.startswith("policy.")
    )
    chosen = ", ".join(
        f"{path.removeprefix('policy.')} = {value}" for path, value in model.intervention.items()
    )
    solara.Markdown(
        f"**Week {model.week} of {model.params.run.weeks}** ({model.params.name}, seed "
        f"{model.seed})\n\n| metric | value | side |\n|---|---:|---|\n"
        + "\n".join(rows)
        + f"\n\n*Policy in force:* {in_force}"
        + (f"\n\n*Levers from week {model.intervention_week}:* {chosen}" if chosen else "")
    )


COMPONENTS = (LedgerPanel, NPSPanel, MoneyPanel, SavvyPanel, TacticsPanel, PeoplePanel)


def dashboard(scenario: str | Path | Scenario = DEFAULT_SCENARIO, seed: int = 1):
    """The dashboard as a Solara element: the page of ``npssim explore``, or a Jupyter cell.

    Args:
        scenario: A scenario file, a bundled name or a :class:`Scenario`.
        seed: The seed the first model is built with (a control changes it).

    Returns:
        A SolaraViz element; display it in Jupyter, or serve it with Solara.
    """
    loaded = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    params = model_params(loaded, seed)
    initial = {name: spec["value"] if isinstance(spec, dict) else spec
               for name, spec in params.items()}  # fmt: skip
    return SolaraViz(
        ExploreModel(**initial),
        components=list(COMPONENTS),
        model_params=params,
        name=f"npssim: {loaded.name}",
        play_interval=50,
        render_interval=4,
    )


@solara.component
def Page() -> None:
    """The page ``npssim explore`` serves: each browser tab gets its own model."""
    scenario = os.environ.get(SCENARIO_VARIABLE, DEFAULT_SCENARIO)
    seed = int(os.environ.get(SEED_VARIABLE, "1"))
    dashboard(scenario, seed)
