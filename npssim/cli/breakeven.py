"""``npssim breakeven``: what would have to be true for a policy to pay for the firm.

It runs :func:`~npssim.experiment.breakeven.run_breakeven` with the options every experiment
command shares, prints the centre verdict, the flip condition, PRIM's statement and a compact
tornado, and writes the folder. Every input is checked before a folder is created; Ctrl-C leaves
a folder that the same command with ``--resume`` completes, stage by stage.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from npssim.cli.experiments import Interrupted, _executor_choice, _model_class
from npssim.errors import InputError
from npssim.experiment.breakeven import STAGES, run_breakeven
from npssim.experiment.store import RUNS
from npssim.report import rich_table
from npssim.scenario import parse_assignment


def breakeven(args: argparse.Namespace, stdout: Console, stderr: Console) -> int:
    """``npssim breakeven POLICY``: tornado, heatmap and scenario discovery against a baseline."""
    if args.resume and args.out is None:
        raise InputError("--resume: give the --out folder of the analysis to complete")
    overrides = dict(parse_assignment(text) for text in args.assignments)
    stem = Path(str(args.policy)).stem
    out = args.out or Path("results") / f"{stem}-breakeven-{time.strftime('%Y%m%d-%H%M%S')}"
    choice = _executor_choice(args)
    model_class = _model_class(args)
    try:
        results = run_breakeven(
            args.policy,
            args.baseline,
            args.assumptions,
            replications=args.replications,
            grid=args.grid,
            samples=args.samples,
            seed=args.seed,
            weeks=args.weeks,
            overrides=overrides,
            executor=choice,
            out=out,
            resume=args.resume,
            force=args.force,
            progress=not args.quiet and stderr.is_terminal,
            model_class=model_class,
        )
    except KeyboardInterrupt:
        stored = sum(
            len(list((out / stage / RUNS).glob("*/*.npz")))
            for stage in STAGES
            if (out / stage / RUNS).is_dir()
        )
        raise Interrupted(
            f"{stored} finished runs are stored in {out}; run the same command with "
            f"--out {out} --resume to complete it"
        ) from None
    for statement in results.statements():
        stdout.print(escape(statement), highlight=False)
    title, table = results.people_tables()[0]
    stdout.print(rich_table(table, title))
    for warning in results.warnings():
        stdout.print(f"[bold yellow]Warning:[/] {escape(warning)}", highlight=False)
    results.save(out)
    stdout.print(
        f"Results: {out}  (report: {out / 'report.html'}; {results.run_count} runs, "
        f"{results.executor}, {results.wall_seconds:.1f} s)",
        highlight=False,
    )
    return 0
