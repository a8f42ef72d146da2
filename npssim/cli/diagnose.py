"""``npssim export`` and ``npssim diagnose``: is our NPS already gamed?

``export`` writes a simulated firm's exports in the format a real firm brings (and, apart, the
truth the simulation knows). ``diagnose`` reads a firm's own exports, prints the answer first
(how far the reported score likely overstates the truth, the fingerprints present, the reps
flagged and how many of those are expected false alarms, what would settle it), then the
flagged reps, and writes reps.csv, the report and the fitted scenario. ``diagnose --validate``
measures the diagnosis on simulated exports whose truth is known.

Everything that can be refused is refused before anything is written: preflight checks the
options and the output folder, and the exports are read in full (every row checked) before the
folder is created; a simulation runs before its folder is created too.

The science (npssim.diagnose.exports, .diagnosis and .validation) is imported when a command
runs, like every command's module: ``npssim diagnose --help`` or a bad option answers without
loading the model.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from npssim.diagnose.reading import parse_columns, read_exports
from npssim.diagnose.report import (
    REPS_FILE,
    flagged_rows,
    formatted,
    save_diagnosis,
    save_validation,
)
from npssim.errors import quoted
from npssim.files import FolderLock
from npssim.report import rich_table

#: The most flagged reps printed in the terminal; reps.csv has them all.
PRINTED_REPS = 15


def export(args: argparse.Namespace, stdout: Console, stderr: Console) -> int:
    """``npssim export SCENARIO --out DIR``: a simulated firm's exports and their truth."""
    from npssim.diagnose.exports import simulate_exports, write_exports
    from npssim.experiment.runs import load_model_class
    from npssim.model import NPSModel

    model = NPSModel if args.model is None else load_model_class(args.model)
    exports = simulate_exports(args.scenario, seed=args.seed, model=model, weeks=args.weeks)
    with FolderLock(args.out):
        written = write_exports(exports, args.out)
    for path in written:
        stdout.print(f"Wrote {escape(str(path))}", highlight=False)
    responses, accounts = args.out / "responses.csv", args.out / "accounts.csv"
    stdout.print(
        f"Diagnose it: npssim diagnose --responses {escape(str(responses))} --accounts "
        f"{escape(str(accounts))} --out {escape(str(args.out))}-diagnosis",
        highlight=False,
    )
    return 0


def diagnose(args: argparse.Namespace, stdout: Console, stderr: Console) -> int:
    """``npssim diagnose``: the answer, the flagged reps, and the folder; or ``--validate``."""
    if args.validate:
        return _validate(args, stdout, stderr)
    columns = parse_columns(args.columns)
    responses, accounts = read_exports(args.responses, args.accounts, columns=columns)
    from npssim.diagnose.diagnosis import diagnose as run_diagnosis

    diagnosis = run_diagnosis(
        responses,
        accounts,
        fdr=args.fdr,
        estimate=args.estimate is not False,
        scenario=args.scenario,
        seed=args.seed,
        progress=not args.quiet and stderr.is_terminal,
    )
    stdout.print("[bold]The answer[/bold]", highlight=False)
    for line in diagnosis.answer():
        stdout.print(f"- {escape(str(line).replace('**', ''))}", highlight=False)
    rows, more = flagged_rows(diagnosis, PRINTED_REPS)
    if len(rows):
        stdout.print(rich_table(rows, "Flagged reps, most suspicious first"))
    if more:
        stdout.print(f"... and {more} more flagged reps: see {REPS_FILE}", highlight=False)
    out = args.out or _default_folder("diagnose")
    source = f"{quoted(args.responses.name)} and {quoted(args.accounts.name)}"
    with FolderLock(out):
        save_diagnosis(diagnosis, out, source=source)
    fitted = " and the fitted scenario our_firm.toml" * (diagnosis.fitted_scenario is not None)
    stdout.print(
        f"Results: {escape(str(out))}  (report: {escape(str(out / 'report.html'))}; "
        f"every rep in {REPS_FILE}{fitted})",
        highlight=False,
    )
    return 0


def _validate(args: argparse.Namespace, stdout: Console, stderr: Console) -> int:
    """``npssim diagnose --validate``: the diagnosis measured where the truth is known."""
    from npssim.diagnose import validation

    def progress(line: str) -> None:
        stderr.print(escape(line), highlight=False)

    table = validation.validate(
        fdr=args.fdr, estimate=bool(args.estimate), progress=None if args.quiet else progress
    )
    # The table has a row per seed; its summary (when the science offers one) averages them.
    summary = validation.summary(table) if hasattr(validation, "summary") else None
    shown = table if summary is None else summary
    stdout.print(rich_table(formatted(shown), "How well the diagnosis finds gaming"))
    out = args.out or _default_folder("diagnose-validation")
    with FolderLock(out):
        save_validation(table, out, "npssim " + " ".join(sys.argv[1:]), summary=summary)
    stdout.print(
        f"Results: {escape(str(out))}  (validation.csv; report: "
        f"{escape(str(out / 'report.html'))})",
        highlight=False,
    )
    return 0


def _default_folder(stem: str) -> Path:
    return Path("results") / f"{stem}-{time.strftime('%Y%m%d-%H%M%S')}"
