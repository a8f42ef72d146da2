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
from typing import Any, Protocol

import pandas as pd
from matplotlib.figure import Figure

from npssim.experiment.plan import LONG_RUN_WEEKS, SHORT_RUN_WEEKS, Plan
from npssim.metrics import REGISTRY, MetricSet
from npssim.report.decision import (
    PolicyVerdict,
    policy_matrix,
    policy_verdicts,
    stakeholder_rows,
)
from npssim.report.document import Document
from npssim.report.recommendation import DO_SHARE, DONT_SHARE, best_line, recommendations
from npssim.report.setup import setup_line
from npssim.report.vocabulary import UNIT_TERMS, VERDICT_TERMS
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

    @property
    def currencies(self) -> dict[str, str]:
        """Each scenario's currency, by label."""
        ...

    def periods(self, first_week: int = 0) -> dict[str, str]:
        """What the short run, the long run and the end are called."""
        ...

    def summary_comparison(self) -> pd.DataFrame | None:
        """The paired comparison the decision summary reads, if there is one."""
        ...

    def flip_condition(self) -> str | None:
        """What would have to be true for the verdict to flip, if a break-even analysis ran."""
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
    "zero and the difference does not round to zero as shown; what the NPS dashboard shows "
    "gets none."
)
RECOMMENDATION_NOTE = (
    f"**Recommendations** follow one rule: *do* when the 95% interval is above zero and the "
    f"policy pays in at least {DO_SHARE:.0%} of plausible firms; *don't* when the interval is "
    f"below zero, it pays in at most {DONT_SHARE:.0%} of them and no condition was found under "
    "which it pays; *only if* the condition where it pays (or where it loses, to be ruled out) "
    "otherwise. Without a spread over assumptions the interval alone decides."
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


def verdict_text(verdict: PolicyVerdict, spread: Any = None) -> str:
    """A policy's verdict line and, when the spread ran, how it fares over plausible firms.

    Args:
        verdict: The verdict on the run-to-run evidence.
        spread: The spread over plausible assumptions, or None.
    """
    if spread is None or verdict.policy not in spread.policies:
        return verdict.line
    return f"{verdict.line} Over plausible assumptions it {spread.statement(verdict.policy)}"


def decision_section(document: Document, results: Reportable) -> None:
    """The answer first: the set-up, a verdict per policy, tiles, the matrix, what to do.

    A leader reads this section and can stop; everything after it is the evidence.
    """
    comparison = results.summary_comparison()
    if comparison is None:
        return
    period = results.periods()["long"]
    verdicts = policy_verdicts(comparison, results.currencies)
    if not verdicts:
        return
    spread = getattr(results, "assumption_spread", None)
    document.heading("The answer")
    if hasattr(results, "setup"):
        document.paragraph(setup_line(results))
    for verdict in verdicts:
        document.paragraph(verdict_text(verdict, spread), lead=True)
    condition = results.flip_condition()
    if condition:
        document.paragraph(f"**What would have to be true:** {condition}")
    for verdict in verdicts:
        document.tiles(
            [
                (tile.label, tile.value, tile.interval, tile.verdict, tile.note)
                for tile in verdict.tiles
            ],
            caption=f"**{verdict.policy}** against {verdict.reference}, {period} (money per "
            f"year): mean of the paired differences and its 95% interval over "
            f"{results.plan.runs_text}",
        )
    if len(verdicts) > 1:
        document.heading("The policies side by side", level=3)
        document.table(
            policy_matrix(comparison, results.currencies),
            caption=f"Paired difference from {verdicts[0].reference} in the {period}, "
            "policies sorted by the firm's net money; better / worse where the 95% interval "
            "excludes zero, no clear change where it does not.",
        )
    advice = recommendations(verdicts, spread)
    document.heading("What to do", level=3)
    document.bullets([item.line for item in advice])
    if len(verdicts) > 1:
        document.paragraph(best_line(advice, verdicts[0].reference))


def stakeholder_table(results: Reportable, comparison: pd.DataFrame) -> pd.DataFrame:
    """Who wins and who loses under every policy, as one table (``stakeholders.csv``)."""
    frames = []
    period = results.periods()["long"]
    for policy in dict.fromkeys(comparison["scenario"]):
        rows = stakeholder_rows(comparison, policy, results.currencies[policy], period=period)
        frames.append(rows.assign(policy=policy)[["policy", *rows.columns]])
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def stakeholder_section(document: Document, results: Reportable) -> None:
    """Who wins, who loses: the firm, reps, customers, powerful customers and managers."""
    comparison = results.summary_comparison()
    if comparison is None:
        return
    document.heading("Who wins, who loses")
    document.paragraph(
        "An NPS policy alters the balance of power between the parties: each row says whether "
        "the change is better or worse for that party and for the firm (a concession is worse "
        "for the firm and better for the customer who receives it). Concessions go only to "
        "customers powerful enough to hold their score hostage: in the model an account's "
        "chance of demanding one grows with its power over its rep and with what it has "
        "learned (its savvy)."
    )
    period = results.periods()["long"]
    for policy in dict.fromkeys(comparison["scenario"]):
        rows = stakeholder_rows(comparison, policy, results.currencies[policy], period=period)
        document.table(
            rows.drop(columns="name"),
            caption=f"{policy} against {comparison['baseline'].iloc[0]}: paired difference "
            f"in the {period} and its 95% interval",
        )


def glossary(document: Document, metrics: MetricSet = REGISTRY, verdicts: bool = False) -> None:
    """The units, the verdicts' words and every metric's meaning: tables need no meaning column.

    The units (pp, points) are explained in every report, the verdicts' words where there are
    comparisons (``verdicts``). ``metrics`` is the model class's set, so the metrics a
    subclass adds are explained too.
    """
    document.heading("Glossary")
    terms = {**UNIT_TERMS, **(VERDICT_TERMS if verdicts else {})}
    document.table(
        pd.DataFrame([{"term": term, "meaning": text} for term, text in terms.items()]),
        caption="The units and words of the tables",
    )
    rows = [
        {
            "metric": metric.label,
            "name": metric.name,
            "meaning": metric.meaning.removesuffix(", cumulative"),
            "over a period": "amount accrued in it" if metric.cumulative else "mean of its weeks",
        }
        for metric in metrics.metrics
    ]
    document.table(pd.DataFrame(rows))


def write_report(results: Reportable, folder: Path, tables: Sequence[str]) -> list[Path]:
    """Write ``report.md``, ``report.html`` and the figures of an experiment into ``folder``.

    The order is a reader's: the answer and the paired differences first, who wins and who
    loses, what was run, then the evidence table by table, how to read it and a glossary.

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
        getattr(results, "report_title", None)
        or f"npssim {kind.get(plan.kind, plan.kind)}: {', '.join(plan.labels)}",
        subtitle=(
            f"{plan.runs_text} per scenario"
            + (f" and design point ({len(plan.points)} points)" if results.varied else "")
            + f", {plan.weeks} weeks, root seed {plan.seed}; npssim {__version__}; "
            + datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        ),
    )
    decision_section(document, results)
    section = getattr(results, "answer_section", None)  # a kind whose answer is not a verdict
    if section is not None:
        section(document)
    figures = results.figures()
    for name in ("differences", "assumptions"):  # these charts belong with the answer
        if name in figures:
            document.figure(figures.pop(name), name, CAPTIONS[name])
    stakeholder_section(document, results)
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
    for name, figure in figures.items():  # pictures before the long tables they summarise
        document.figure(figure, name, caption=CAPTIONS.get(name, name))
    for title, frame in results.people_tables():
        shown = frame.drop(columns=["group", "meaning"], errors="ignore")
        hover = list(frame["meaning"]) if "meaning" in frame else []
        document.heading(title, level=3)
        document.table(shown, hover=hover)
    document.heading("How to read this")
    document.bullets(results.how_to_read())
    glossary(document, plan.model_class.metric_set, verdicts=len(results.scenarios) > 1)
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
    "money": "Money given away by kind, running totals since week 0: concessions to "
    "hostage-takers, free services given away to play safe, and gifts for high scores.",
    "differences": "Paired differences from the baseline, short and long run, with 95% intervals.",
    "assumptions": "Each policy's paired difference in net value per year against the baseline "
    "in every plausible firm sampled (one dot each: blue where it pays, red where it loses); the "
    "grey bar holds the middle 80% of firms, the black line is zero.",
    "sweep": "Each metric's paired difference from the reference point against the varied "
    "parameter: mean and 95% interval of the per-replication differences.",
    "sweep_levels": "Each metric's level against the varied parameter: mean and 95% interval "
    "over replications (unpaired: these intervals include the run-to-run spread that the "
    "paired differences cancel).",
    "sensitivity": "Sensitivity indices with their 95% confidence intervals.",
    "tornado": "Paired difference in net value with one assumption at a time moved to the low "
    "or the high end of its range, the others at the scenario's own values; the dashed line is "
    "the centre estimate, the black line zero. Widest swing on top.",
    "breakeven_map": "Mean paired difference in net value over the two assumptions with the "
    "largest swing, the others at centre: blue pays, red loses; the black line is break-even.",
}
TABLE_NOTES = {
    "timeseries": "one row per scenario x replication x week, every metric (money and counts "
    "as running totals since week 0)",
    "ledger": "one row per scenario x replication: the ledger at the last week",
    "summary": "mean and 95% interval per scenario, horizon and metric",
    "comparison": "paired differences from the baseline per scenario, horizon and metric",
    "stakeholders": "who wins and who loses: per policy, party and metric, the paired "
    "difference in the long run and whether that party gains or loses",
    "design": "the design points and the varied values",
    "assumptions": "per policy and plausible firm: every uncertain assumption's sampled value, "
    "the paired difference in net value per year against the baseline, and whether it pays",
    "sweep": "per design point and metric: the level (mean and 95% interval) and the paired "
    "difference from the reference point (mean and 95% interval)",
    "indices": "sensitivity indices with confidence intervals",
    "tornado": "per assumption and side (low, centre, high): its value, the mean paired "
    "difference in net value and its 95% interval",
    "heatmap": "per grid cell of the two assumptions with the largest swing: their values and "
    "the mean paired difference in net value",
    "discovery": "per Latin-hypercube point: every assumption's value, the mean paired "
    "difference in net value, and whether the policy pays there",
    "box": "the PRIM box where the policy pays: each restricted assumption's bounds",
    "contributions": "per outcome and element of the policy (then the whole policy): the mean "
    "Shapley contribution to the paired difference in the long run and its 95% interval",
    "replications": "per outcome, replication and element: the Shapley contribution; each "
    "replication's elements sum to its total",
    "combinations": "per combination of elements (the baseline with those switched to the "
    "policy's values): the mean paired difference of each outcome",
}
