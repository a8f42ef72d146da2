"""``npssim breakeven``: what would have to be true for a policy to pay for the firm.

It runs :func:`~npssim.experiment.breakeven.run_breakeven` with the options every experiment
command shares, prints the centre verdict, the flip condition, PRIM's statement and a compact
tornado, and writes the folder. Every input is checked before a folder is created; Ctrl-C leaves
a folder that the same command with ``--resume`` completes, stage by stage.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from npssim.cli.experiments import output_folder, run_stored, save_and_say
from npssim.experiment.breakeven import run_breakeven
from npssim.files import FolderLock
from npssim.report import rich_table


def breakeven(args: argparse.Namespace, stdout: Console, stderr: Console) -> int:
    """``npssim breakeven POLICY``: tornado, heatmap and scenario discovery against a baseline."""
    out = output_folder(args, f"{Path(str(args.policy)).stem}-breakeven")
    with FolderLock(out):  # one writer from the first run to the last table
        results = run_stored(
            args,
            stderr,
            run_breakeven,
            args.policy,
            out,
            baseline=args.baseline,
            assumptions=args.assumptions,
            grid=args.grid,
            samples=args.samples,
        )
        for statement in results.statements():
            stdout.print(escape(statement), highlight=False)
        title, table = results.people_tables()[0]
        stdout.print(rich_table(table, title))
        return save_and_say(results, out, stdout, results.run_count)
