"""The experiment's report: the order of its parts, and the words every report shares.

A results object (run, comparison, sweep or sensitivity analysis) decides *what* its report
shows, through the methods of :class:`Reportable`: the same tables the CLI prints, its figures,
its warnings and how to read them. This module only lays them out, in the same order for every
kind, so what an analyst saw on the terminal is what they hand on.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import pandas as pd
from matplotlib.figure import Figure

from npssim.experiment.plan import LONG_RUN_WEEKS, SHORT_RUN_WEEKS, Plan
from npssim.report.document import Document
from npssim.scenario import Scenario
from npssim.version import __version__


class Reportable(Protocol):
    """What a report is made from: an experiment's results (:class:`ExperimentResults`)."""

    plan: Plan

    @property
    def scenarios(self) -> dict[str, Scenario]:
        """The scenarios by label."""
        ...

    @property
    def varied(self) -> list[str]:
        """The varied parameters' paths."""
        ...

    def people_tables(self) -> list[tuple[str, pd.DataFrame]]:
        """The tables, as display strings with their titles."""
        ...

    def warnings(self) -> list[str]:
        """What a reader must know before trusting the tables."""
        ...

    def how_to_read(self) -> list[str]:
        """Notes on what the tables and figures show."""
        ...

    def report_sections(self, document: Document) -> None:
        """Sections before the tables."""
        ...

    def figures(self) -> dict[str, Figure]:
        """The figures by file stem."""
        ...


ACCRUAL_NOTE = (
    "Over a window, money and counts are the amounts accrued inside it; scores, shares and "
    "rates are means over its weeks; retention is the share of its renewals kept."
)
VERDICT_NOTE = (
    "A verdict says **better** or **worse** only when the interval of the difference excludes "
    "zero; what the NPS dashboard shows gets none."
)
NET_VALUE_NOTE = (
    "`net_value` is the firm's money: `gross_margin` (revenue at the prices agreed, so after "
    "discounts, times the margin rate, less concessions, giveaways and bribes) - `bonus_cost` "
    "(what the NPS bonus pays above the variable pay it replaces: the part paid for inflated "
    "scores) - `measurement_cost` - `acquisition_cost` - `turnover_cost`. The revenue real "
    "improvement retains is in the gross margin."
)


def windows_note(weeks: int) -> str:
    """What the short run, the long run and the end are, for a run of ``weeks`` weeks."""
    return (
        f"**Short run**: the first {SHORT_RUN_WEEKS} weeks (two quarters) after the policy "
        f"changes; **long run**: the last {LONG_RUN_WEEKS} weeks (four quarters) of the "
        f"{weeks}-week run; **at the end**: the ledger at the last week."
    )


def interval_note(paired: bool, between: str = "scenario") -> str:
    """How the intervals are made: over replications, and paired when there are differences."""
    note = "Intervals are 95% Student-t intervals of the mean over replications."
    if paired:
        note += (
            f" Differences are paired: replication *i* of every {between} uses the same seed, "
            "so both sides share their random numbers and the interval is that of the "
            "per-replication differences."
        )
    return note


def write_report(results: Reportable, folder: Path, tables: Sequence[str]) -> list[Path]:
    """Write ``report.md``, ``report.html`` and the figures of an experiment into ``folder``.

    Args:
        results: The experiment.
        folder: The output folder.
        tables: The stems of the CSV tables written beside the report (listed in it).

    Returns:
        The files written.
    """
    plan = results.plan
    kind = {"run": "run", "compare": "comparison", "sweep": "sweep", "sensitivity": "sensitivity"}
    document = Document(
        f"npssim {kind.get(plan.kind, plan.kind)}: {', '.join(plan.labels)}",
        subtitle=(
            f"{plan.runs_text} per scenario"
            + (f" and design point ({len(plan.points)} points)" if results.varied else "")
            + f", {plan.weeks} weeks, root seed {plan.seed}; npssim {__version__}; "
            + datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        ),
    )
    document.heading("What was run")
    document.bullets(
        [
            f"**{label}** ({plan.sources.get(label, '')}): "
            f"{scenario.description or 'no description'}"
            for label, scenario in results.scenarios.items()
        ]
    )
    results.report_sections(document)
    for warning in results.warnings():
        document.paragraph(f"**Warning.** {warning}")
    for title, frame in results.people_tables():
        document.heading(title, level=3)
        document.table(frame.drop(columns="group", errors="ignore"))
    for name, figure in results.figures().items():
        document.figure(figure, name, caption=CAPTIONS.get(name, name))
    document.heading("How to read this")
    document.bullets(results.how_to_read())
    document.heading("Files")
    document.bullets(
        [f"`{stem}.csv`: {TABLE_NOTES.get(stem, stem)}" for stem in tables]
        + [
            "`manifest.json`: versions, git revision, platform, scenario hashes, seeds, timings",
            "`scenarios/`: every scenario with all its values resolved; `npssim run` takes them",
        ]
    )
    return document.save(folder)


CAPTIONS = {
    "nps": "Reported NPS (what the dashboard shows) against true NPS (an honest census): mean "
    "over replications and the range of the middle 80% of them.",
    "over_time": "Bads week by week, per scenario: mean over replications and the range of the "
    "middle 80% of them; dashed lines mark policy changes.",
    "money": "Money given away by kind (cumulative): concessions to hostage-takers, free services "
    "given away to play safe, and gifts for high scores.",
    "differences": "Paired differences from the baseline, short and long run, with 95% intervals.",
    "sweep": "Each metric's paired difference from the reference point against the varied "
    "parameter: mean and 95% interval of the per-replication differences.",
    "sweep_levels": "Each metric's level against the varied parameter: mean and 95% interval "
    "over replications (unpaired: these intervals include the run-to-run spread that the "
    "paired differences cancel).",
    "sensitivity": "Sensitivity indices with their 95% confidence intervals.",
}
TABLE_NOTES = {
    "timeseries": "one row per scenario x replication x week, every metric (money and counts "
    "as running totals since week 0)",
    "ledger": "one row per scenario x replication: the ledger at the last week",
    "summary": "mean and 95% interval per scenario, horizon and metric",
    "comparison": "paired differences from the baseline per scenario, horizon and metric",
    "design": "the design points and the varied values",
    "sweep": "per design point and metric: the level (mean and 95% interval) and the paired "
    "difference from the reference point (mean and 95% interval)",
    "indices": "sensitivity indices with confidence intervals",
}
