"""The experiment's report: which tables and figures it holds, in what order, with what words.

The CLI prints the same tables (:func:`people_tables`) that the report writes, so what an analyst
saw on the terminal is what they hand on.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from npssim import __version__
from npssim.experiment.analysis import HORIZON_TITLES
from npssim.experiment.plan import LONG_RUN_WEEKS, SHORT_RUN_WEEKS
from npssim.report import comparison_rows, summary_rows
from npssim.report.document import Document

if TYPE_CHECKING:
    from npssim.experiment.results import ExperimentResults


def people_tables(results: ExperimentResults) -> list[tuple[str, pd.DataFrame]]:
    """The headline tables as display strings, each with its title.

    A comparison shows each scenario against the baseline; otherwise each scenario's goods and
    bads, mean ± the half-width of the 95% interval over replications. Sweeps and sensitivity
    analyses have tables of their own (their results classes override this).
    """
    plan = results.plan
    tables = []
    if len(results.scenarios) > 1:
        comparison = results.compare()
        baseline = plan.labels[0]
        for label in plan.labels[1:]:
            rows = comparison[comparison["scenario"] == label]
            first = rows[rows["horizon"] == "short"]["first_week"].iloc[0]
            title = (
                f"{label} against {baseline}: paired differences over {plan.replications} "
                f"replications (short run from week {first}), mean ± 95% interval"
            )
            tables.append((title, comparison_rows(rows, label, baseline)))
        return tables
    summary = results.summary()
    for label in plan.labels:
        rows = summary[summary["scenario"] == label]
        title = (
            f"{label}: goods and bads, mean ± 95% interval over {plan.replications} replications"
        )
        tables.append((title, summary_rows(rows, HORIZON_TITLES)))
    return tables


def how_to_read(results: ExperimentResults) -> list[str]:
    """The notes every report carries on windows, intervals and the net money figure."""
    return [
        f"**Short run**: the first {SHORT_RUN_WEEKS} weeks (two quarters) after the policy "
        f"changes; **long run**: the last {LONG_RUN_WEEKS} weeks (four quarters) of the "
        f"{results.plan.weeks}-week run; **at the end**: the ledger at the last week.",
        "Over a window, money and counts are the amounts accrued inside it; scores, shares and "
        "rates are means over its weeks; retention is the share of its renewals kept.",
        "Intervals are 95% Student-t intervals of the mean over replications. Differences are "
        "paired: replication *i* of every scenario uses the same seed, so both sides share their "
        "random numbers and the interval is that of the per-replication differences.",
        "A verdict says **better** or **worse** only when the interval of the difference "
        "excludes zero.",
        "`net_value` is the firm's money: `gross_margin` (revenue at the prices agreed, so "
        "after discounts, times the margin rate, less concessions, giveaways and bribes) - "
        "`bonus_cost` (what the NPS bonus pays above the variable pay it replaces: the part "
        "paid for inflated scores) - `measurement_cost` - `acquisition_cost` - "
        "`turnover_cost`. The revenue real improvement retains is in the gross margin.",
    ]


def write_report(results: ExperimentResults, folder: Path, tables: Sequence[str]) -> list[Path]:
    """Write ``report.md``, ``report.html`` and the figures of an experiment into ``folder``.

    Args:
        results: The experiment.
        folder: The output folder.
        tables: The stems of the CSV tables written beside the report (listed in it).

    Returns:
        The files written.
    """
    plan = results.plan
    kind = {"run": "Run", "compare": "Comparison", "sweep": "Sweep", "sensitivity": "Sensitivity"}
    document = Document(
        f"npssim {kind[plan.kind].lower()}: {', '.join(plan.labels)}",
        subtitle=(
            f"{plan.replications} replications per scenario"
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
    for title, frame in people_tables(results):
        document.heading(title, level=3)
        document.table(frame.drop(columns="group"))
    for name, figure in results.figures().items():
        document.figure(figure, name, caption=_CAPTIONS.get(name, name))
    document.heading("How to read this")
    document.bullets(how_to_read(results))
    document.heading("Files")
    document.bullets(
        [f"`{stem}.csv`: {_TABLE_NOTES.get(stem, stem)}" for stem in tables]
        + [
            "`manifest.json`: versions, git revision, platform, scenario hashes, seeds, timings",
            "`scenarios/`: every scenario with all its values resolved; `npssim run` takes them",
        ]
    )
    return document.save(folder)


_CAPTIONS = {
    "nps": "Reported NPS (what the dashboard shows) against true NPS (an honest census): mean "
    "over replications and the range of the middle 80% of them.",
    "over_time": "Bads week by week, per scenario: mean over replications and the range of the "
    "middle 80% of them; dashed lines mark policy changes.",
    "money": "Money given away by kind (cumulative): concessions to hostage-takers, free services "
    "given away to play safe, and gifts for high scores.",
    "differences": "Paired differences from the baseline, short and long run, with 95% intervals.",
    "sweep": "Metrics against the varied parameter: mean and 95% interval over replications.",
    "sensitivity": "Sensitivity indices with their 95% confidence intervals.",
}
_TABLE_NOTES = {
    "timeseries": "one row per scenario x replication x week, every metric",
    "ledger": "one row per scenario x replication: the ledger at the last week",
    "summary": "mean and 95% interval per scenario, horizon and metric",
    "comparison": "paired differences from the baseline per scenario, horizon and metric",
    "design": "the design points and the varied values",
    "sweep": "mean and interval of the chosen metrics at every design point",
    "indices": "sensitivity indices with confidence intervals",
}
