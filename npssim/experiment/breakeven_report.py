"""The break-even report, in a leader's order: the answer, then the evidence stage by stage.

A leader opens the report to learn whether the policy pays and what would have to be true for
it to; the run-by-run evidence is for whoever checks the answer. So the report opens with the
answer and its conditions (the centre verdict, the flip condition, PRIM's box), then shows the
stages in the order they narrowed the question (the screen of every uncertain assumption, the
tornado of those carried, the map of the two widest), and leaves what was run, how to read it
and the centre's every-metric table to the end.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from npssim.experiment import assumptions as named
from npssim.experiment import reporting
from npssim.experiment.analysis import HORIZON_TITLES
from npssim.experiment.discovery import PRIM_DENSITY
from npssim.report.breakeven import plot_breakeven_map, plot_screen, plot_tornado
from npssim.report.document import Document
from npssim.report.setup import setup_line
from npssim.report.tables import format_money
from npssim.version import __version__

#: What each figure shows, under it.
CAPTIONS = {
    "screen": "Morris screen of every uncertain assumption: mu_star (bar, with its bootstrap "
    "95% interval) is what a move across the assumption's range is worth on average, sigma "
    "(diamond) how much that depends on the other assumptions. Coloured bars are carried into "
    "the tornado, the map and PRIM.",
    **{name: reporting.CAPTIONS[name] for name in ("tornado", "breakeven_map")},
}
#: What each CSV table holds, in the report's list of files.
TABLE_NOTES = {
    "screen": "per assumption: Morris mu_star (with its 95% interval), sigma and mu of the "
    "paired difference in net value, its rank, and whether it was carried on",
    **reporting.TABLE_NOTES,
}


def write_report(results: Any, folder: Path, tables: Sequence[str]) -> list[Path]:
    """Write ``report.md``, ``report.html`` and the figures of a break-even analysis.

    Args:
        results: The analysis (a :class:`~npssim.experiment.breakeven.BreakevenResults`; not
            imported here, which would make the two modules import each other).
        folder: The output folder.
        tables: The stems of the CSV tables written beside the report (listed in it).

    Returns:
        The files written.
    """
    plan = results.plan
    screen = results.stages["screen"].plan
    document = Document(
        f"npssim breakeven: {results.policy} against {results.baseline}",
        subtitle=(
            f"screen {_replications(screen.replications)} per scenario and point "
            f"({len(screen.points)} points); "
            f"tornado, map and discovery {plan.runs_text} per scenario and point; "
            f"{plan.weeks} weeks, root seed {plan.seed}; npssim {__version__}; "
            + datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        ),
    )
    document.paragraph(setup_line(results))
    document.heading("What would have to be true")
    statements = results.statements()
    document.paragraph(statements[0], lead=True)
    document.bullets(statements[1:])
    figures = results.figures()
    tables_by_title = results.people_tables()
    screen_table, tornado_table, *rest = tables_by_title
    document.heading("The screen: which assumptions matter")
    document.paragraph(results.screen_statement())
    document.figure(figures.pop("screen"), "screen", CAPTIONS["screen"])
    _table(document, *screen_table)
    document.heading("One at a time: the tornado")
    document.figure(figures.pop("tornado"), "tornado", CAPTIONS["tornado"])
    _table(document, *tornado_table)
    values, *box = rest
    _table(document, *values)
    if "breakeven_map" in figures:
        document.heading("Two at a time: the map")
        document.figure(figures.pop("breakeven_map"), "breakeven_map", CAPTIONS["breakeven_map"])
    document.heading("All together: where it pays")
    document.paragraph(results.prim_statement())
    for title, frame in box:
        _table(document, title, frame)
    for warning in results.warnings():
        document.paragraph(f"**Warning.** {warning}")
    document.heading("What was run")
    document.bullets(
        [
            f"**{label}** ({plan.sources.get(label, '')}): "
            f"{scenario.description or 'no description'}"
            for label, scenario in results.scenarios.items()
        ]
    )
    document.heading("How to read this")
    document.bullets(results.how_to_read())
    document.heading("The evidence at the centre")
    results.report_sections(document)
    reporting.glossary(document, plan.model_class.metric_set)
    document.heading("Files")
    document.bullets(
        [f"`{stem}.csv`: {TABLE_NOTES.get(stem, stem)}" for stem in tables]
        + [
            "`manifest.json`: versions, git revision, platform, scenario hashes, seeds, timings",
            "`scenarios/`: every scenario with all its values resolved; `npssim run` takes them",
            "`screen/`, `tornado/`, `heatmap/`, `discovery/`: each stage's stored runs "
            "(`--resume` completes an interrupted analysis from them)",
        ]
    )
    return document.save(folder)


#: Widest bar of the screen's "strength" column, in characters (a figure a terminal shows).
BAR_WIDTH = 20


def _bar(share: float) -> str:
    """A bar of block characters as long as ``share`` of :data:`BAR_WIDTH`."""
    eighths = round(max(0.0, min(1.0, share)) * BAR_WIDTH * 8)
    full, part = divmod(eighths, 8)
    return "█" * full + ("" if part == 0 else " ▏▎▍▌▋▊▉"[part])


def _replications(count: int) -> str:
    return "one replication" if count == 1 else f"{count} replications"


def _table(document: Document, title: str, frame: pd.DataFrame) -> None:
    document.heading(title, level=3)
    document.table(frame)


def tornado_table(results: Any) -> pd.DataFrame:
    """The tornado for people: one row per assumption, widest swing first, money as text."""
    tornado = results.tornado
    rows = []
    for path in results.swings().index:
        line = tornado[tornado["assumption"] == path].set_index("side")
        rows.append(
            {
                "assumption": line.loc["low", "label"],
                "unit": named.unit(path),
                "path": path,
                "low": named.plain(line.loc["low", "value"]),
                "at low": _money(results, line.loc["low", "difference"]),
                "current": named.plain(line.loc["centre", "value"]),
                "high": named.plain(line.loc["high", "value"]),
                "at high": _money(results, line.loc["high", "difference"]),
            }
        )
    return pd.DataFrame(rows)


def _money(results: Any, value: float) -> str:
    return format_money(value, results.currency, signed=True)


def screen_table(results: Any) -> pd.DataFrame:
    """The screen for people: every assumption, strongest first, money as text.

    ``mu_star`` is what a move of the assumption across its range is worth on average
    (the absolute paired difference, per year), ``sigma`` how much that depends on the
    other assumptions; ``carried`` marks those the later stages move.
    """
    indices = results.screen.indices
    top = float(indices["mu_star"].max()) or 1.0
    carried_paths = set(results.varied)
    return pd.DataFrame(
        {
            "rank": indices["rank"],
            "assumption": indices["label"],
            "unit": indices["unit"],
            "path": indices["assumption"],
            "range": [
                f"{named.plain(lo)} to {named.plain(hi)}"
                for lo, hi in zip(indices["low"], indices["high"], strict=True)
            ],
            "mu_star": [_money(results, v).lstrip("+") for v in indices["mu_star"]],
            "sigma": [_money(results, v).lstrip("+") for v in indices["sigma"]],
            "strength": [_bar(v / top) for v in indices["mu_star"]],
            "carried": ["yes" if p in carried_paths else "" for p in indices["assumption"]],
        }
    )


def people_tables(results: Any) -> list[tuple[str, pd.DataFrame]]:
    """The screen, the tornado, the break-even values and PRIM's box, as display strings."""
    runs = results.plan.runs_text
    screen_runs = _replications(results.stages["screen"].plan.replications)
    tables = [
        (
            f"The screen: what each assumption is worth to {results.policy} against "
            f"{results.baseline} (net value {results.per}; Morris mu_star and sigma, "
            f"{screen_runs} per point)",
            screen_table(results),
        ),
        (
            f"{results.policy} against {results.baseline}: paired difference in net value "
            f"{results.per}, each assumption alone at its low and high (mean over {runs})",
            tornado_table(results),
        ),
    ]
    values = results.break_even_values()
    shown = pd.DataFrame(
        {
            "assumption": values["label"],
            "unit": [named.unit(path) for path in values["assumption"]],
            "path": values["assumption"],
            "current": [named.plain(v) for v in values["current"]],
            "break-even": [
                "none in range" if math.isnan(v) else named.plain(v) for v in values["crossing"]
            ],
            "pays": [f"{side} it" if side else "" for side in values["pays"]],
        }
    )
    tables.append(
        (
            "Break-even values: where each assumption's line crosses zero (linear "
            "interpolation between low, current and high)",
            shown,
        )
    )
    box = results.box
    if box is not None and not box.empty:
        tables.append(
            (
                f"Where {results.policy} pays (PRIM box over {len(results.discovery)} cases)",
                pd.DataFrame(
                    {
                        "assumption": box["label"],
                        "unit": [named.unit(path) for path in box["assumption"]],
                        "path": box["assumption"],
                        "from": [named.plain(v) for v in box["lower"]],
                        "to": [named.plain(v) for v in box["upper"]],
                    }
                ),
            )
        )
    return tables


def how_to_read(results: Any) -> list[str]:
    """The outcome, the pairing, the interpolation and PRIM's numbers."""
    return [
        f"The outcome is `{results.outcome}`, the firm's net money, "
        f"{HORIZON_TITLES[results.horizon]}: the policy's minus the baseline's ({results.per}). "
        + reporting.windows_note(results.plan.weeks),
        reporting.interval_note(paired=True, between="scenario and design point"),
        f"The screen is a Morris design ({results.screen.design.samples} trajectories, "
        f"{len(results.screen.design.matrix)} points, SALib) over every uncertain assumption "
        "and any added with --assume; at every point the policy and the baseline run on "
        "the same seeds. **mu_star** is the mean absolute change in the paired "
        "difference when one assumption moves across its range (what it is worth), "
        "**sigma** the spread of those changes (how much it depends on the others). The "
        f"{results.carry} strongest by mu_star, and every --assume'd one, are carried on.",
        "The centre is every assumption at the scenario's own value. The tornado moves one "
        "assumption at a time to the low and the high end of its range; a break-even value "
        "is where the straight line through its low, centre and high estimates crosses "
        "zero (linear interpolation, not a run at that value).",
        f"The map is a {results.grid} x {results.grid} grid over the two carried assumptions with "
        "the largest swing, the others at centre; the black line is break-even.",
        f"Scenario discovery samples {results.samples} Latin-hypercube points over the carried "
        "assumptions (the others at centre); PRIM (EMA Workbench) finds the box where the "
        "policy pays: its "
        f"**density** is the share of cases in it that pay (at least {PRIM_DENSITY:.0%} when "
        "possible), its **coverage** the share of all paying cases it holds. Only the "
        "assumptions it restricts are listed.",
        reporting.NET_VALUE_NOTE,
    ]


def figures(results: Any) -> dict[str, Figure]:
    """The screen, the tornado, and the map when two assumptions or more are carried."""
    runs = results.plan.runs_text
    figures = {
        "screen": plot_screen(
            results.screen.indices,
            results.varied,
            results.currency,
            f"{results.policy} against {results.baseline}: what each assumption is worth "
            f"(net value {results.per})\nMorris screen, "
            f"{_replications(results.stages['screen'].plan.replications)} per point, paired",
        ),
        "tornado": plot_tornado(
            results.tornado,
            results.currency,
            f"{results.policy} against {results.baseline}: net value {results.per}\n"
            f"one assumption at a time at its low and high ({runs})",
        ),
    }
    if results.axes is not None:
        x, y = results.axes
        figures["breakeven_map"] = plot_breakeven_map(
            results.heatmap,
            x,
            y,
            results.currency,
            f"{results.policy} against {results.baseline}: net value {results.per}, mean over "
            f"{runs}",
            xlabel=f"{named.name(x)} ({x})",
            ylabel=f"{named.name(y)} ({y})",
        )
    return figures
