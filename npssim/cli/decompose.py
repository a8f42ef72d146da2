"""``npssim decompose``: what each element of a policy earns or costs against its baseline.

It runs :func:`~npssim.experiment.decomposition.decompose` with the options every experiment
command shares, prints what earns and what costs and the contribution table, and writes the
folder. Every input (the same firm, no timeline, a few elements) is checked before a folder is
created; Ctrl-C leaves a folder that the same command with ``--resume`` completes.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from npssim.cli.experiments import output_folder, run_stored, save_and_say
from npssim.experiment.decomposition import decompose as run_decompose
from npssim.files import FolderLock
from npssim.report import rich_table
from npssim.report.setup import setup_line


def decompose(args: argparse.Namespace, stdout: Console, stderr: Console) -> int:
    """``npssim decompose POLICY``: the Shapley contribution of each element of the policy."""
    out = output_folder(args, f"{Path(str(args.policy)).stem}-decompose")
    with FolderLock(out):  # one writer from the first run to the last table
        results = run_stored(
            args,
            stderr,
            run_decompose,
            args.policy,
            out,
            baseline=args.baseline,
            different_firms=args.different_firms,
        )
        stdout.print(escape(setup_line(results)), highlight=False)
        stdout.print(escape(results.statement()), highlight=False)
        for title, table in results.people_tables():
            stdout.print(rich_table(table, title))
        return save_and_say(results, out, stdout, results.run_count)
