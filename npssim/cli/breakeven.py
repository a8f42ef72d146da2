"""``npssim breakeven``: what would have to be true for a policy to pay for the firm.

It runs :func:`~npssim.experiment.breakeven.run_breakeven` with the options every experiment
command shares, and prints in a leader's order: the answer (the centre verdict, the flip
condition, PRIM's statement), then the screen (which assumptions matter, the carried ones and
the strongest of the rest) and the compact tornado; then it writes the folder. Every input is
checked before a folder is created; Ctrl-C leaves a folder that the same command with
``--resume`` completes, stage by stage.
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
from npssim.report.setup import setup_line

#: Rows of the screen the terminal shows beyond the carried ones (the report shows them all).
SCREEN_EXTRA_ROWS = 3


def breakeven(args: argparse.Namespace, stdout: Console, stderr: Console) -> int:
    """``npssim breakeven POLICY``: screen, tornado, map and scenario discovery."""
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
            carry=args.carry,
            trajectories=args.trajectories,
            only_assumed=args.only_assumed,
            different_firms=args.different_firms,
        )
        stdout.print(escape(setup_line(results)), highlight=False)
        first, *conditions = results.statements()
        stdout.print(escape(first), highlight=False)
        for statement in conditions:
            stdout.print(escape(f"- {statement}"), highlight=False)
        stdout.print(escape(results.screen_statement()), highlight=False)
        (screen_title, screen), (tornado_title, tornado), *_ = results.people_tables()
        shown = len(results.varied) + SCREEN_EXTRA_ROWS
        left = len(screen) - shown
        if left > 0:
            screen_title += f"; {left} weaker in the report"
        stdout.print(rich_table(screen.head(shown).drop(columns="path"), screen_title))
        stdout.print(rich_table(tornado, tornado_title))
        return save_and_say(results, out, stdout, results.run_count)
