"""The dashboard's page: Solara components over the paired comparison, its summary and charts.

Controls on the left; on the right the set-up in one line, the title, the verdict, the tiles,
the charts and the table of both firms. Everything the page shows is computed by plain,
tested functions (:mod:`npssim.app.comparison`, :mod:`~npssim.app.summary`,
:mod:`~npssim.app.figures`); this module lays them out and wires the buttons.
"""

from __future__ import annotations

import base64
import html
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import solara
import solara.lab

from npssim.app.comparison import WITH, WITHOUT, Comparison, default_settings, make_setup
from npssim.app.controls import (
    AGAINST_VARIABLE,
    DEFAULT_REPLICATIONS,
    DEFAULT_SCENARIO,
    MAX_REPLICATIONS,
    POLICY_GROUP,
    REPLICATIONS_VARIABLE,
    SCENARIO_VARIABLE,
    SEED_VARIABLE,
    checkbox_label,
    control_groups,
    format_setting,
    model_params,
)
from npssim.app.figures import axis_ranges, net_figure, nps_figure, png
from npssim.app.spread import BUTTON, SPREAD_SAMPLES, how_sure
from npssim.app.summary import (
    assumptions_changed,
    comparison_rows,
    money_so_far,
    setup_line,
    tiles,
    title,
    verdict,
)
from npssim.experiment.analysis import CONFIDENCE
from npssim.report.figures import BAND_LABEL
from npssim.report.vocabulary import (
    BETTER,
    CONTEXT,
    NO_CLEAR_CHANGE,
    SHOWN,
    WORSE,
    Tile,
    judge,
)
from npssim.scenario import ParamInfo, Scenario, load_scenario

#: Weeks the second step button advances; and weeks per tick while playing.
STEP_WEEKS = 4
PLAY_WEEKS = 4
#: Weeks per tick of "Run to end": half a year, so the page redraws a few times on the way.
RUN_TO_END_WEEKS = 26
#: Pause between ticks while playing, so the browser can draw what the last tick showed.
PLAY_PAUSE_SECONDS = 0.05


#: Tile colours (background, accent) by the tile's verdict (:mod:`npssim.report.vocabulary`).
TILE_COLOURS: dict[str, tuple[str, str]] = {
    BETTER: ("#e6f4ea", "#1e8e3e"),
    WORSE: ("#fce8e6", "#d93025"),
    NO_CLEAR_CHANGE: ("#f1f3f4", "#80868b"),
    SHOWN: ("#e8f0fe", "#1a73e8"),
    CONTEXT: ("#f1f3f4", "#bdc1c6"),
}
#: The CSS class of each verdict (a class name has no spaces).
VERDICT_CLASSES = {BETTER: "better", WORSE: "worse", NO_CLEAR_CHANGE: "unclear"}


# ---------------------------------------------------------------------- the page

CSS = """
.npssim-page { display: flex; gap: 18px; align-items: flex-start; width: 100%;
  box-sizing: border-box; padding: 4px 10px 8px 10px; }
.npssim-controls { flex: 0 0 290px; width: 290px; max-height: calc(100vh - 32px);
  overflow-y: auto; overflow-x: hidden; position: sticky; top: 8px; padding-right: 6px; }
.npssim-main { flex: 1 1 0; min-width: 0; overflow-x: hidden; }
.npssim-setup { font-size: 12.5px; color: #3c4043; margin: 0 0 2px 0; }
.npssim-spread { font-size: 13.5px; margin: 4px 0 6px 0; padding: 6px 10px; background: #f8f9fa; }
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
        background, accent = TILE_COLOURS[tile.verdict]
        kind = VERDICT_CLASSES.get(tile.verdict, tile.verdict)
        cells.append(
            f'<div class="npssim-tile {kind}" style="background:{background};'
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
            solara.Checkbox(label=checkbox_label(bool(value)), value=bool(value), on_value=on_value)
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

    asked = solara.use_reactive(0)  # presses of "How sure?"; each runs the spread once
    spread_text = solara.use_reactive("")

    def spread() -> None:
        """Run the spread over plausible firms for the policy as applied, in a thread."""
        if not asked.value:
            return
        spread_text.value = f"Running {SPREAD_SAMPLES} plausible firms, with and without it..."
        spread_text.value = how_sure(setup, comparison.value.settings)

    solara.lab.use_task(spread, dependencies=[asked.value], prefer_threaded=True)

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
    # The axes fit the data and only grow while the same firms run; Reset starts afresh.
    drawn_ranges = solara.use_ref({})
    ranges = axis_ranges(current, view, drawn_ranges.current.get(current.serial))
    drawn_ranges.current = {current.serial: ranges}
    applied = current.settings
    nps_png = solara.use_memo(
        lambda: png(nps_figure(view, ranges, applied.intervention_week)),
        [current.serial, view.week],
    )
    net_png = solara.use_memo(
        lambda: png(net_figure(view, ranges, applied.intervention_week, currency)),
        [current.serial, view.week],
    )
    money = money_so_far(view)
    tone = VERDICT_CLASSES.get(judge(money.mean, money.low, money.high, "higher", "currency"), "")

    solara.Style(CSS)
    with solara.Div(classes=["npssim-page"]):
        with solara.Div(classes=["npssim-controls"]):
            for group, infos in control_groups().items():
                _html(group, "npssim-group")
                if group == POLICY_GROUP:
                    week_info = _plain_info(
                        "intervention_week",
                        "Intervention week",
                        "",
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
            _html(setup_line(setup, applied), "npssim-setup")
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
                solara.Button(BUTTON, on_click=lambda: asked.set(asked.value + 1), text=True)
                if settings.value != applied:
                    _html(
                        "Controls changed: press Reset to run both firms with them.",
                        "npssim-pending",
                    )
            if spread_text.value:
                _html(spread_text.value, "npssim-spread")
            solara.HTML(tag="div", unsafe_innerHTML=_tiles_html(tiles(view, currency)))
            _html(
                f"Each tile: with the policy minus without it, mean over {applied.replications} "
                f"paired replications and its {CONFIDENCE:.0%} interval; green = clearly better, "
                "red = clearly worse, grey = no clear change, pale = no better direction "
                "(what the survey shows in blue).",
                "npssim-caption",
            )
            nps_caption = (
                f"Reported vs true NPS, both firms: lines are the mean of {applied.replications} "
                f"replications, shaded {BAND_LABEL}. Axes fit the data and only grow as weeks "
                "arrive."
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
