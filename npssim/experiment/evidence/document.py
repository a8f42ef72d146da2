"""The evidence document: ``evidence.md``, ``evidence.csv`` and a figure per finding.

The page says, for every pattern, the model's figure, what the source leads one to expect,
whether it holds, and its label with the one line on why, and counts the predictions: only they
are evidence that the model explains something. A pattern that does not hold is a finding and is
reported as one; a pattern the model cannot compute yet (a run it cannot build) says why.
Identity checks follow in a section of their own, apart from the evidence.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from npssim.experiment.evidence.flip import Flip
from npssim.experiment.evidence.pattern import LABELS, Finding, IdentityCheck, Pattern, money
from npssim.files import atomic_path
from npssim.report import save_figure
from npssim.version import __version__

#: The table's columns, in order.
COLUMNS = (
    "pattern",
    "label",
    "why",
    "source",
    "model",
    "ci_low",
    "ci_high",
    "shown",
    "expected",
    "status",
    "holds",
    "note",
)
#: How each status reads in the Markdown table.
SHOWN_STATUS = {"holds": "yes", "does not hold": "**no**", "not computed": "not computed"}


def shown(finding: Finding) -> str:
    """The figure as text, or why it could not be computed."""
    if finding.reading is not None:
        return finding.reading.shown
    return "not computed: " + "; ".join(finding.missing)


def counts(findings: list[Finding]) -> dict[str, int]:
    """How many patterns hold, are predictions, are predictions that hold, were computed."""
    patterns = [f for f in findings if isinstance(f.check, Pattern)]
    predictions = [f for f in patterns if f.check.label == "prediction"]
    return {
        "patterns": len(patterns),
        "computed": sum(f.computed for f in patterns),
        "hold": sum(bool(f.holds) for f in patterns),
        "predictions": len(predictions),
        "predictions_hold": sum(bool(f.holds) for f in predictions),
    }


def summary(findings: list[Finding]) -> str:
    """One sentence of what held, for the page and the terminal."""
    n = counts(findings)
    computed = (
        f" ({n['patterns'] - n['computed']} could not be computed in this model)"
        if n["computed"] < n["patterns"]
        else ""
    )
    return (
        f"{n['hold']} of {n['patterns']} patterns hold{computed}; {n['predictions']} are "
        f"predictions, of which {n['predictions_hold']} hold."
    )


class EvidenceResults:
    """The findings of :func:`~npssim.experiment.evidence.run_evidence`, as tables and files.

    Attributes:
        findings: One per pattern, in the table's order.
        identities: One per identity check.
        flip: Where the verdict flips, or None when its runs could not be built.
        settings: Replications, root seed and weeks, for the page's first line.
    """

    def __init__(
        self,
        findings: list[Finding],
        identities: list[Finding],
        flip: Flip | None,
        settings: dict[str, Any],
    ) -> None:
        self.findings = findings
        self.identities = identities
        self.flip = flip
        self.settings = settings

    def table(self) -> pd.DataFrame:
        """One row per pattern: the columns of :data:`COLUMNS` (``holds`` empty if not computed)."""
        records = []
        for finding in self.findings:
            pattern = cast(Pattern, finding.check)
            reading = finding.reading
            estimate = reading.estimate if reading is not None else None
            records.append(
                {
                    "pattern": pattern.claim,
                    "label": pattern.label,
                    "why": pattern.why,
                    "source": pattern.source,
                    "model": estimate.mean if estimate else np.nan,
                    "ci_low": estimate.low if estimate else np.nan,
                    "ci_high": estimate.high if estimate else np.nan,
                    "shown": shown(finding),
                    "expected": pattern.expected,
                    "status": finding.status,
                    "holds": finding.holds,
                    "note": " ".join(filter(None, (pattern.note, reading and reading.detail))),
                }
            )
        return pd.DataFrame(records, columns=list(COLUMNS))

    def identity_table(self) -> pd.DataFrame:
        """One row per identity check: what must hold, the figure, and whether it does."""
        return pd.DataFrame(
            [
                {
                    "check": finding.check.claim,
                    "shown": shown(finding),
                    "status": finding.status,
                }
                for finding in self.identities
            ],
            columns=["check", "shown", "status"],
        )

    def markdown(self, command: str) -> str:
        """The findings as a Markdown page, with the command that made it and the figures."""
        n = counts(self.findings)
        legend = "; ".join(f"*{label}*: {meaning}" for label, meaning in LABELS.items())
        lines = [
            "# Evidence: published patterns, reproduced from the default calibration",
            "",
            f"Made by `{command}` with npssim {__version__}: "
            f"{self.settings['replications']} replications per scenario and design point, root "
            f"seed {self.settings['seed']}, {self.settings['weeks']} weeks. Figures are means "
            "with 95% intervals over replications; differences are paired (the same seeds). "
            "Sources: [references.md](references.md).",
            "",
            f"{summary(self.findings)} Every pattern is labelled ({legend}): only a prediction "
            "coming true is evidence that the model explains something; an input or a "
            "calibrated figure coming back out checks only that the model carries it through. "
            "A pattern that does not hold is a finding, reported as one.",
            "",
            f"**Predictions: {n['predictions']}** of {n['patterns']} patterns.",
            "",
            "| pattern | label | source | model (95% interval) | expected | holds |",
            "|---|---|---|---|---|---|",
        ]
        for row in self.table().itertuples(index=False):
            lines.append(
                f"| {row.pattern} | {row.label} | {row.source} | {row.shown} | {row.expected} | "
                f"{SHOWN_STATUS[row.status]} |"
            )
        lines += ["", *self._identity_section(), "", *self._flip_section()]
        lines += ["", "## Notes, labels and figures", ""]
        for finding in self.findings:
            lines += self._note(finding)
        return "\n".join(lines)

    def _note(self, finding: Finding) -> list[str]:
        pattern = cast(Pattern, finding.check)
        reading = finding.reading
        lines = [
            f"### {pattern.claim}",
            "",
            f"**{pattern.label.capitalize()}.** {pattern.why}",
            "",
            " ".join(filter(None, (pattern.note, reading and reading.detail))),
            "",
        ]
        if reading is None:
            lines += [f"Not computed: {'; '.join(finding.missing)}.", ""]
        else:
            lines += [f"![{pattern.key}](img/evidence/{pattern.key}.png)", ""]
        return lines

    def _identity_section(self) -> list[str]:
        lines = [
            "## Identity checks",
            "",
            "Not evidence: these must hold in any world the model can describe, so they test the "
            "code. A failure is a bug in the model's rules or accounting.",
            "",
            "| check | model (95% interval) | holds |",
            "|---|---|---|",
        ]
        for row in self.identity_table().itertuples(index=False):
            lines.append(f"| {row.check} | {row.shown} | {SHOWN_STATUS[row.status]} |")
        for finding in self.identities:
            check = cast(IdentityCheck, finding.check)
            lines += ["", f"**{check.key}.** {check.reason}"]
            if finding.reading is not None:
                lines += ["", f"![{check.key}](img/evidence/{check.key}.png)"]
        return lines

    def _flip_section(self) -> list[str]:
        flip = self.flip
        if flip is None:
            return ["## Where the verdict flips", "", "Not computed: its runs cannot be built."]
        rows = [
            f"| {value:g} | {money(estimate)} |"
            for value, estimate in zip(flip.values, flip.net_value, strict=True)
        ]
        where = (
            f"The mean crosses zero near {flip.parameter} = {flip.crossing:.2f}."
            if np.isfinite(flip.crossing)
            else "The mean does not cross zero within the range."
        )
        scale = f" ({flip.values[-1] / flip.default:g} times the default)" if flip.default else ""
        return [
            "## Where the verdict flips",
            "",
            f"Net value of `{flip.scenario}` against `baseline` (long run, paired) as "
            f"`{flip.parameter}` moves from {flip.values[0]:g} (effort ignores the stake) to "
            f"{flip.values[-1]:g}{scale}; the default is {flip.default:g}. How far reps' effort "
            "responds to a stake in the score is an assumption no published figure pins down. "
            f"{where} The sign {'changes' if flip.changes_sign else 'does not clearly change'} "
            "within the range.",
            "",
            f"| {flip.parameter} | net value against baseline, per year |",
            "|---|---|",
            *rows,
            "",
            "![flip](img/evidence/flip.png)",
        ]

    def figures(self) -> list[tuple[str, Any]]:
        """Every figure by file stem: the computed patterns', identity checks' and the flip's."""
        drawn = [
            (finding.key, finding.reading.figure)
            for finding in [*self.findings, *self.identities]
            if finding.reading is not None and finding.reading.figure is not None
        ]
        return drawn + ([("flip", self.flip.figure)] if self.flip is not None else [])

    def save(self, folder: str | Path, command: str) -> list[Path]:
        """Write ``evidence.md``, ``evidence.csv`` and ``img/evidence/*.png`` into ``folder``."""
        folder = Path(folder)
        (folder / "img" / "evidence").mkdir(parents=True, exist_ok=True)
        written = []
        for key, figure in self.figures():
            path = folder / "img" / "evidence" / f"{key}.png"
            save_figure(figure, path)
            written.append(path)
        for name, text in (
            ("evidence.csv", self.table().to_csv(index=False)),
            ("evidence.md", self.markdown(command)),
        ):
            with atomic_path(folder / name) as temporary:
                temporary.write_text(text, encoding="utf-8")
            written.append(folder / name)
        return written
