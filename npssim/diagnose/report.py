"""The diagnosis as a leader reads it: report.md and report.html, reps.csv and our_firm.toml.

The report opens with the answer (how far the reported score likely overstates the truth, which
fingerprints are present, how many reps are flagged and how many of those are expected to be
false alarms, and what would settle it), then explains each fingerprint, lists the reps, draws
two figures and says plainly what the fingerprints cannot tell apart. It is built with the
project's :class:`~npssim.report.document.Document`, so the HTML is one self-contained file like
every other npssim report, and it reads only the :class:`~npssim.diagnose.diagnosis.Diagnosis`:
what the science concluded is worded here, never recomputed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from npssim.experiment.results import resolved_toml
from npssim.files import atomic_path
from npssim.report.document import Document

if TYPE_CHECKING:
    from npssim.diagnose.diagnosis import Diagnosis

#: What ``npssim diagnose`` writes into its folder, besides the report and its figures.
REPS_FILE = "reps.csv"
FITTED_FILE = "our_firm.toml"
VALIDATION_FILE = "validation.csv"
#: The figures of the report, by file stem.
FIGURES = ("suspicion", "p_values")
#: The most reps named in a figure's labels (the rest are bars without names).
LABELLED_REPS = 25
#: Columns of ``Diagnosis.reps`` the report shows first, in order; fingerprints' follow.
LEADING = ("rep_id", "answers", "suspicion", "p_value", "flagged")

_FLAGGED_COLOR = "tab:red"
_OTHER_COLOR = "tab:gray"


def answer_lines(diagnosis: Diagnosis) -> list[str]:
    """The answer's sentences, as the diagnosis words them (``Diagnosis.answer()``)."""
    return [str(line) for line in diagnosis.answer()]


def add_answer(document: Document, diagnosis: Diagnosis) -> None:
    """The answer: its sentences, then the four numbers a leader reads at a glance."""
    lines = answer_lines(diagnosis)
    document.heading("The answer")
    if lines:  # the first sentence in bold: the answer a reader must not miss
        document.paragraph(f"**{lines[0].replace('**', '')}**", lead=True)
        document.bullets(lines[1:])
    document.table(glance(diagnosis), "At a glance")


def glance(diagnosis: Diagnosis) -> pd.DataFrame:
    """The four numbers a leader reads first, each with how sure it is.

    A table rather than the decision report's tiles: tiles head their numbers "difference",
    and the reported score is a level, not a difference.
    """
    over = diagnosis.overstatement
    if over is not None and not math.isnan(over.mean):
        overstatement = f"{over.mean:+.1f} points"
        sure = (
            f"95% interval {over.low:+.1f} to {over.high:+.1f}"
            if not (math.isnan(over.low) or math.isnan(over.high))
            else "no interval"
        )
    else:
        overstatement, sure = "not estimated", "the estimate was not asked for"
    expected = diagnosis.flagged * diagnosis.false_alarm_share
    rows = [
        ("Reported NPS", f"{diagnosis.reported_nps:+.1f}", "what the survey shows"),
        ("It overstates the truth by", overstatement, sure),
        (
            "Reps flagged",
            f"{diagnosis.flagged} of {len(diagnosis.reps)}",
            f"up to {expected:.1f} expected false alarms (false discovery rate "
            f"{diagnosis.false_alarm_share:.0%})",
        ),
        (
            "An independent survey would settle it",
            f"{diagnosis.settle_accounts:,} accounts",
            "asked at random, not by the reps",
        ),
    ]
    return pd.DataFrame(rows, columns=["", "figure", "how sure"])


def answer_markdown(diagnosis: Diagnosis) -> str:
    """The answer as Markdown (``## The answer`` first), for a notebook's output cell."""
    document = Document("Is our NPS gamed?")
    add_answer(document, diagnosis)
    return document.to_markdown(title=False)


def diagnosis_document(diagnosis: Diagnosis, source: str = "") -> Document:
    """The whole report: the answer, the fingerprints, the reps, the figures, the limits.

    Args:
        diagnosis: What ``diagnose`` found.
        source: What was read (the files, e.g. ``survey.csv and crm.xlsx``), for the subtitle.
    """
    document = Document(
        "Is our NPS gamed?", f"npssim diagnose of {source}" if source else "npssim diagnose"
    )
    add_answer(document, diagnosis)

    document.heading("The fingerprints")
    document.paragraph(
        "Each fingerprint is a pattern that a way of managing the score leaves in the survey "
        "and CRM exports. A fingerprint is **present** when the firm as a whole shows it more "
        "than an honest firm of the same make-up would by chance."
    )
    fingerprints = diagnosis.fingerprints
    for row in fingerprints.itertuples(index=False):
        present = "present" if bool(row.present) else "not present"
        tactics = _words(row.tactics)
        points = f" It points to: {tactics}." if tactics else ""
        document.heading(f"{_title(row.name)}: {present}", level=3)
        description = str(row.description).strip()
        if description and not description.endswith((".", "!", "?")):
            description += "."
        statistic = _number(row.statistic)
        document.paragraph(f"{description} Firm-level statistic: {statistic}.{points}")
    document.table(_fingerprint_table(fingerprints), "The fingerprints at firm level")

    document.heading("The reps")
    document.paragraph(
        f"Each rep's fingerprints combine into a **suspicion** score and a p-value: how likely "
        f"a rep who manages nothing would look at least this suspicious. Reps are flagged after "
        f"controlling the false discovery rate across all {len(diagnosis.reps)} reps "
        f"(Benjamini-Hochberg at {diagnosis.false_alarm_share:.0%}): of the "
        f"{diagnosis.flagged} flagged, up to "
        f"{diagnosis.flagged * diagnosis.false_alarm_share:.1f} are expected to be false alarms. "
        "A flag is a reason to look, not proof: talk to the rep and read the accounts."
    )
    document.figure(
        plot_suspicion(diagnosis.reps),
        "suspicion",
        "Reps ranked by suspicion; flagged reps in red",
    )
    document.figure(
        plot_p_values(diagnosis.reps, diagnosis.false_alarm_share),
        "p_values",
        "Each rep's p-value, smallest first, against the Benjamini-Hochberg line: reps at or "
        "left of the last point under the line are flagged",
    )
    shown = reps_table(diagnosis.reps, fingerprints["name"])
    document.table(
        shown,
        f"Every rep, most suspicious first: each fingerprint's statistic ({REPS_FILE} has "
        "their z-scores and p-values too)",
    )

    document.heading("What the fingerprints cannot tell apart")
    document.bullets(list(diagnosis.indistinguishable) or ["Nothing was reported."])

    document.heading("What would settle it")
    document.paragraph(
        f"Ask **{diagnosis.settle_accounts:,} accounts** chosen at random, by someone other "
        "than their reps (a third party, or the firm's own automated survey), and compare their "
        "score with the reported one. Reps cannot choose, coach or reward those respondents, so "
        "the difference is the overstatement."
    )
    if diagnosis.fitted_scenario is not None:
        document.heading("This firm, fitted")
        document.paragraph(
            f"`{FITTED_FILE}` is this firm as the model sees it, fitted to its fingerprints. "
            f"Ask what would happen under another policy with `npssim compare {FITTED_FILE} "
            f"well_designed_bonus`, or where a policy would pay with `npssim breakeven`."
        )
    return document


def _number(value: Any) -> str:
    """A statistic to three significant figures, ``n/a`` when there is none."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    return "n/a" if math.isnan(number) else f"{number:.3g}"


def _title(name: str) -> str:
    return str(name).replace("_", " ").capitalize()


def _words(value: Any) -> str:
    """A list (or a text) of tactic names as words."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    items = [value] if isinstance(value, str) else list(value)
    return ", ".join(str(item).replace("_", " ") for item in items if str(item))


def _fingerprint_table(fingerprints: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "fingerprint": [_title(name) for name in fingerprints["name"]],
            "statistic": [_number(value) for value in fingerprints["statistic"]],
            "present": ["yes" if flag else "no" for flag in fingerprints["present"]],
            "points to": [_words(value) for value in fingerprints["tactics"]],
        }
    )


def ranked(reps: pd.DataFrame) -> pd.DataFrame:
    """The reps, most suspicious first (ties by rep), the report's columns first."""
    order = reps.sort_values(["suspicion", "rep_id"], ascending=[False, True], kind="stable")
    leading = [column for column in LEADING if column in order.columns]
    return order[leading + [c for c in order.columns if c not in leading]].reset_index(drop=True)


def reps_table(reps: pd.DataFrame, fingerprints: Sequence[str] | None = None) -> pd.DataFrame:
    """The reps for people: numbers to three significant figures, flags as words.

    Args:
        reps: ``Diagnosis.reps``.
        fingerprints: Show only these fingerprints' statistics beside the leading columns
            (their z-scores and p-values stay in reps.csv); every column when None.
    """
    table = ranked(reps)
    if fingerprints is not None:
        keep = [c for c in table.columns if c in LEADING or c in set(fingerprints)]
        table = table[keep]
    shown = {}
    for column in table.columns:
        values = table[column]
        if column == "flagged":
            shown[column] = ["flagged" if flag else "" for flag in values]
        elif pd.api.types.is_bool_dtype(values):
            shown[column] = ["yes" if flag else "no" for flag in values]
        elif pd.api.types.is_integer_dtype(values):
            shown[column] = [f"{value:,}" for value in values]
        elif pd.api.types.is_float_dtype(values):
            shown[column] = ["n/a" if np.isnan(value) else f"{value:.3g}" for value in values]
        else:
            shown[column] = [str(value) for value in values]
    return pd.DataFrame(shown)


def plot_suspicion(reps: pd.DataFrame) -> Figure:
    """Reps ranked by suspicion, flagged ones in red: how far the flagged stand out."""
    table = ranked(reps)
    figure = Figure(figsize=(8, 4), layout="constrained")
    axes = figure.add_subplot()
    colors = [_FLAGGED_COLOR if flag else _OTHER_COLOR for flag in table["flagged"]]
    positions = np.arange(len(table))
    axes.bar(positions, table["suspicion"], color=colors, width=0.8)
    if len(table) <= LABELLED_REPS:
        axes.set_xticks(positions, table["rep_id"].astype(str), rotation=90, fontsize=8)
    else:
        axes.set_xlabel("reps, most suspicious first")
        axes.set_xticks([])
    axes.set_ylabel("suspicion")
    axes.set_title("Suspicion by rep")
    axes.legend(
        handles=[
            Patch(color=_FLAGGED_COLOR, label="flagged"),
            Patch(color=_OTHER_COLOR, label="not flagged"),
        ],
        frameon=False,
    )
    axes.spines[["top", "right"]].set_visible(False)
    return figure


def plot_p_values(reps: pd.DataFrame, fdr: float) -> Figure:
    """Sorted p-values against the Benjamini-Hochberg line ``fdr x rank / reps``."""
    values = reps[["p_value", "flagged"]].sort_values("p_value", kind="stable")
    count = len(values)
    rank = np.arange(1, count + 1)
    figure = Figure(figsize=(8, 4), layout="constrained")
    axes = figure.add_subplot()
    flagged = values["flagged"].to_numpy(dtype=bool)
    axes.plot(rank, fdr * rank / max(count, 1), color="tab:blue", label=f"BH line at {fdr:.0%}")
    axes.scatter(rank[~flagged], values["p_value"][~flagged], color=_OTHER_COLOR, s=14,
                 label="not flagged")  # fmt: skip
    axes.scatter(rank[flagged], values["p_value"][flagged], color=_FLAGGED_COLOR, s=18,
                 label="flagged")  # fmt: skip
    axes.set_xlabel("reps, smallest p-value first")
    # On a log scale: the line and the few smallest p-values it decides on are near zero.
    axes.set_yscale("log")
    smallest = values["p_value"][values["p_value"] > 0].min()
    low = min(smallest if np.isfinite(smallest) else 1.0, fdr / max(count, 1)) / 2
    axes.set_ylim(low, 1.05)
    axes.set_ylabel("p-value (log scale)")
    axes.set_title("Which reps stand out beyond chance")
    axes.legend(frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    return figure


def plot_against_truth(reps: pd.DataFrame, truth: pd.DataFrame) -> Figure:
    """Simulated firms only: each rep's suspicion against the share of answers a tactic touched.

    The check a real firm cannot make: where the truth is known, a useful suspicion score rises
    with it, and the flagged reps sit to the right.
    """
    both = reps.merge(truth[["rep_id", "gaming_share"]], on="rep_id", how="inner")
    figure = Figure(figsize=(8, 4), layout="constrained")
    axes = figure.add_subplot()
    flagged = both["flagged"].to_numpy(dtype=bool)
    for mask, color, label in ((~flagged, _OTHER_COLOR, "not flagged"),
                               (flagged, _FLAGGED_COLOR, "flagged")):  # fmt: skip
        axes.scatter(100 * both["gaming_share"][mask], both["suspicion"][mask], s=18,
                     color=color, label=label)  # fmt: skip
    axes.set_xlabel("true share of the rep's answers that a tactic touched (%)")
    axes.set_ylabel("suspicion")
    axes.set_title("Suspicion against the truth the simulation knows")
    axes.legend(frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    return figure


def save_diagnosis(diagnosis: Diagnosis, folder: str | Path, source: str = "") -> list[Path]:
    """Write ``reps.csv``, the report (Markdown, HTML, figures) and ``our_firm.toml``.

    Args:
        diagnosis: What ``diagnose`` found.
        folder: The output folder (created if missing); every file is written atomically.
        source: What was read, for the report's subtitle.

    Returns:
        The paths written.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = [write_csv(ranked(diagnosis.reps), folder / REPS_FILE)]
    written += diagnosis_document(diagnosis, source).save(folder)
    if diagnosis.fitted_scenario is not None:
        path = folder / FITTED_FILE
        header = (
            f"# This firm as the model sees it: fitted by npssim diagnose to the fingerprints "
            f"of {source or 'its exports'}.\n"
        )
        with atomic_path(path) as temporary:
            text = header + resolved_toml(diagnosis.fitted_scenario)
            temporary.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """A table as CSV, written atomically."""
    with atomic_path(path) as temporary:
        frame.to_csv(temporary, index=False)
    return path


def validation_document(
    table: pd.DataFrame, command: str = "", summary: pd.DataFrame | None = None
) -> Document:
    """The validation table as a report: what the detectors find where the truth is known.

    Args:
        table: ``validate()``'s table (per scenario, size, seed and fingerprint).
        command: The command that made it, for the subtitle.
        summary: The table averaged over seeds, shown first when given.
    """
    document = Document("How well npssim diagnose finds gaming", command or "npssim diagnose")
    document.paragraph(
        "Simulated firms' exports, whose truth is known, run through the diagnosis: how well "
        "suspicion ranks reps by their true gaming share (AUC: 0.5 is chance, 1 is perfect), "
        "how often honest firms' reps are flagged (false alarms), how often the overstatement's "
        "interval covers the true overstatement, and how each falls with fewer responses.",
        lead=True,
    )
    if summary is not None:
        document.table(formatted(summary), "Averaged over seeds")
    document.table(formatted(table), "Every simulated firm")
    return document


def formatted(table: pd.DataFrame) -> pd.DataFrame:
    """A table for people: floats to three significant figures, the rest as text."""
    shown = {}
    for column in table.columns:
        values = table[column]
        if pd.api.types.is_float_dtype(values):
            shown[column] = ["n/a" if np.isnan(value) else f"{value:.3g}" for value in values]
        else:
            shown[column] = [str(value) for value in values]
    return pd.DataFrame(shown)


def save_validation(
    table: pd.DataFrame,
    folder: str | Path,
    command: str = "",
    summary: pd.DataFrame | None = None,
) -> list[Path]:
    """Write ``validation.csv`` and its report into ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = [write_csv(table, folder / VALIDATION_FILE)]
    return written + validation_document(table, command, summary).save(folder)


def flagged_rows(diagnosis: Diagnosis, limit: int) -> tuple[pd.DataFrame, int]:
    """The flagged reps for the terminal (at most ``limit``), and how many more there are."""
    table = reps_table(diagnosis.reps[diagnosis.reps["flagged"].astype(bool)])
    columns: Sequence[str] = [c for c in LEADING if c in table.columns and c != "flagged"]
    return table[list(columns)].head(limit), max(0, len(table) - limit)
