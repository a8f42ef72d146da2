"""The break-even report, in a leader's order: the answer, then the evidence stage by stage.

A leader opens the report to learn whether the policy pays and what would have to be true for
it to; the run-by-run evidence is for whoever checks the answer. So the report opens with the
answer and its conditions (the centre verdict, the flip condition, PRIM's box), then shows the
stages in the order they narrowed the question (the screen of every uncertain assumption, the
tornado of those carried, the map of the two widest), and leaves what was run, how to read it
and the centre's every-metric table to the end.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from npssim.experiment import reporting
from npssim.report.document import Document
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
            f"screen {screen.replications} replication(s) per scenario and point "
            f"({len(screen.points)} points); "
            f"tornado, map and discovery {plan.runs_text} per scenario and point; "
            f"{plan.weeks} weeks, root seed {plan.seed}; npssim {__version__}; "
            + datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        ),
    )
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


def _table(document: Document, title: str, frame: pd.DataFrame) -> None:
    document.heading(title, level=3)
    document.table(frame)
