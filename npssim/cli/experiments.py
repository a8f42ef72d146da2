"""The experiment commands: run, compare, sweep, sensitivity, calibrate and evidence.

run, compare, sweep and sensitivity build a plan from their arguments, run it (storing every
run as it finishes in the output folder), print the headline tables and write the folder.
Ctrl-C leaves a folder that the same command with ``--resume`` completes. calibrate prints the
fit and writes the fitted scenario; evidence prints the pattern table and writes its files.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from rich.console import Console
from rich.markup import escape

from npssim.cli.parser import DEFAULT_SENSITIVITY_METRIC
from npssim.cli.preflight import command_overrides, compared
from npssim.cli.status import Interrupted, caused_by_interrupt
from npssim.errors import InputError
from npssim.experiment import (
    ExecutorChoice,
    calibrate,
    run_experiment,
    run_sensitivity,
    run_sweep,
)
from npssim.experiment.calibration import parse_target
from npssim.experiment.design import parse_factor, parse_vary
from npssim.experiment.evidence import run_evidence
from npssim.experiment.evidence.document import summary as evidence_summary
from npssim.experiment.firms import counterfactual_name
from npssim.experiment.reporting import verdict_text
from npssim.experiment.runs import load_model_class
from npssim.experiment.store import RUNS
from npssim.files import FolderLock
from npssim.model import NPSModel
from npssim.report import rich_table
from npssim.report.decision import policy_matrix, policy_verdicts
from npssim.report.recommendation import best_line, recommendations
from npssim.report.setup import setup_line
from npssim.scenario import Scenario, load_scenario, parse_assignment


def run(args: argparse.Namespace, stdout: Console, stderr: Console) -> int:
    """``npssim run``: replications of one scenario (or ``--replication I`` alone)."""
    return _finish(args, stdout, stderr, run_experiment, [args.scenario], **_one(args))


def compare(args: argparse.Namespace, stdout: Console, stderr: Console) -> int:
    """``npssim compare``: scenarios against a baseline on paired replications.

    One scenario alone is compared with the same firm without its policy; several are checked
    to be one firm (unless ``--different-firms``) before anything ran (preflight).
    """
    sources = compared(args)
    alone = len(sources) == 1
    if alone:
        schema = _model_class(args).scenario_schema
        line = without_policy_line(sources[0], schema)
        stdout.print(escape(line), highlight=False, soft_wrap=True)
    options = {
        "counterfactual": alone,
        "different_firms": args.different_firms,
        "assumption_samples": args.assumption_samples,
        **_one(args),
    }
    return _finish(args, stdout, stderr, run_experiment, sources, **options)


def without_policy_line(source: str, schema: type[Scenario] = Scenario) -> str:
    """What a one-scenario comparison is compared with, in one line."""
    name = load_scenario(source, schema=schema).name
    return (
        f"Compared with the same firm without its policy: {counterfactual_name(name)} (NPS an "
        "indicator only; the firm's pay plan kept)."
    )


def _one(args: argparse.Namespace) -> dict[str, Any]:
    """``--replication I``: that replication alone (``--replications`` cannot be given too)."""
    if args.replication is None:
        return {}
    args.replications = 1
    return {"replication": args.replication}


def sweep(args: argparse.Namespace, stdout: Console, stderr: Console) -> int:
    """``npssim sweep``: a scenario over a grid of parameter values."""
    vary: dict[str, list[Any]] = {}
    schema = _model_class(args).scenario_schema
    for text in args.vary:
        path, values = parse_vary(text, schema)
        if path in vary:
            raise InputError(f"--vary {path}: given twice; list all its values in one --vary")
        vary[path] = values
    reference = {}
    for text in args.reference:
        path, value = parse_assignment(text)
        if path in reference:
            raise InputError(f"--reference {path}: given twice")
        reference[path] = value
    options: dict[str, Any] = {"vary": vary, "reference": reference}
    if args.metrics:
        options["metrics"] = args.metrics
    options["horizon"] = args.horizon
    return _finish(args, stdout, stderr, run_sweep, args.scenario, **options)


def sensitivity(args: argparse.Namespace, stdout: Console, stderr: Console) -> int:
    """``npssim sensitivity``: Sobol or Morris indices of each metric given (``--metric``)."""
    schema = _model_class(args).scenario_schema
    factors = [parse_factor(text, schema=schema) for text in args.factors]
    return _finish(
        args,
        stdout,
        stderr,
        run_sensitivity,
        args.scenario,
        factors=factors,
        method=args.method,
        samples=args.samples,
        metric=args.metrics or [DEFAULT_SENSITIVITY_METRIC],
        horizon=args.horizon,
    )


def fit(args: argparse.Namespace, stdout: Console, stderr: Console) -> int:
    """``npssim calibrate``: fit free parameters to observed figures; print the fit."""
    targets: dict[str, float] = {}
    model_class = _model_class(args)
    for text in args.targets:
        metric, value = parse_target(text, model_class.metric_set)
        if metric in targets:
            raise InputError(f"--target {metric}: given twice")
        targets[metric] = value
    result = calibrate(
        args.scenario,
        targets,
        [parse_factor(text, "--free", schema=model_class.scenario_schema) for text in args.free],
        replications=args.replications,
        max_evaluations=args.max_evaluations,
        seed=args.seed,
        weeks=args.weeks,
        horizon=args.horizon,
        overrides=dict(parse_assignment(text) for text in args.assignments),
        executor=_executor_choice(args),
        progress=not args.quiet and stderr.is_terminal,
        model_class=model_class,
    )
    fitted = [
        {"parameter": path, "fitted": f"{value:.6g}"} for path, value in result.values.items()
    ]
    stdout.print(rich_table(pd.DataFrame(fitted), "Fitted values"))
    table = result.fit.assign(
        simulated=[
            f"{row.simulated:.4g} ({row.ci_low:.4g} to {row.ci_high:.4g})"
            for row in result.fit.itertuples()
        ],
        target=[f"{value:.4g}" for value in result.fit["target"]],
        error=[f"{value:+.2f} se" for value in result.fit["error"]],
    )[["metric", "target", "simulated", "error"]]
    stdout.print(
        rich_table(
            table,
            f"Fit: observed vs simulated (mean and 95% interval over {args.replications} "
            f"replications), {args.horizon} run",
        )
    )
    stdout.print(
        f"{result.evaluations} candidates; objective {result.objective:.4g} "
        f"(sum of squared errors in standard errors); {result.message}",
        highlight=False,
    )
    far = result.fit.loc[result.fit["error"].abs() > 3, "metric"].tolist()
    if far:
        stdout.print(
            f"Not matched within 3 standard errors: {', '.join(far)}. These free parameters "
            "may not reach those figures together: widen their ranges, free others, or raise "
            "--max-evaluations.",
            highlight=False,
        )
    if args.out is not None:
        result.save(args.out)
        stdout.print(f"Fitted scenario: {args.out}", highlight=False)
    else:
        stdout.print("Give --out FILE to write the fitted scenario.", highlight=False)
    return 0


def evidence(args: argparse.Namespace, stdout: Console, stderr: Console) -> int:
    """``npssim evidence``: the published patterns, reproduced or not; the table and figures."""
    overrides = command_overrides(args)
    out = args.out or Path("results") / f"evidence-{time.strftime('%Y%m%d-%H%M%S')}"
    # One writer from the first run to the last table. The folder is often shared (docs/), so
    # npssim keeps no record of its files there: its own are replaced, the others left alone.
    with FolderLock(out, record=False):
        results = run_evidence(
            replications=args.replications,
            seed=args.seed,
            overrides=overrides,
            executor=_executor_choice(args),
            progress=not args.quiet and stderr.is_terminal,
            model_class=_model_class(args),
        )
        table = results.table()
        stdout.print(
            rich_table(
                table[["pattern", "label", "shown", "expected", "status"]].rename(
                    columns={"shown": "model", "status": "holds?"}
                ),
                f"Published patterns, from the defaults ({args.replications} replications)",
            )
        )
        stdout.print(
            rich_table(
                results.identity_table().rename(columns={"shown": "model", "status": "holds?"}),
                "Identity checks (tests of the code, not evidence)",
            )
        )
        command = "npssim " + " ".join(sys.argv[1:]) if sys.argv[1:2] == ["evidence"] else ""
        results.save(out, command or f"npssim evidence --replications {args.replications}")
        flip = results.flip
        if flip is not None:
            where = f" near {flip.crossing:.2f}" if np.isfinite(flip.crossing) else ""
            stdout.print(
                f"Where the verdict flips: {flip.scenario} against baseline "
                f"{'changes sign' if flip.changes_sign else 'does not clearly change sign'} "
                f"along {flip.parameter}{where}.",
                highlight=False,
            )
        failed = [f.key for f in results.identities if f.status == "does not hold"]
        if failed:
            stdout.print(
                f"Identity checks that fail (a bug in the model, not a finding): "
                f"{', '.join(failed)}.",
                highlight=False,
            )
        # A pattern that does not hold is a finding, not an error: the exit status stays 0.
        stdout.print(
            f"{evidence_summary(results.findings)} Table and figures: {out / 'evidence.md'}",
            highlight=False,
        )
        return 0


def _finish(
    args: argparse.Namespace,
    stdout: Console,
    stderr: Console,
    function: Any,
    target: Any,
    **options: Any,
) -> int:
    """Run an experiment function with the shared options; print and save its results."""
    out = output_folder(args, _stem(args, target))
    with FolderLock(out):  # one writer from the first run to the last table
        results = run_stored(args, stderr, function, target, out, **options)
        _print_decision(results, stdout)
        _print_answer(results, stdout)
        for title, frame in results.people_tables():
            if args.command == "compare":  # meanings and names: `npssim run`, the report, CSVs
                frame = frame.drop(columns=["meaning", "name"])
            stdout.print(rich_table(frame, title))
        spread = getattr(results, "assumption_spread", None)
        also = (
            ""
            if spread is None
            else f"; plausible firms: {spread.runs} runs, {spread.wall_seconds:.1f} s"
        )
        return save_and_say(results, out, stdout, len(results.runs), also)


def save_and_say(results: Any, out: Path, stdout: Console, runs: int, also: str = "") -> int:
    """Print the results' warnings, write the folder and say where it is; the exit status.

    ``also`` is said after the runs and their time (a comparison's spread over assumptions).
    """
    for warning in results.warnings():
        stdout.print(f"[bold yellow]Warning:[/] {escape(warning)}", highlight=False)
    results.save(out)
    stdout.print(
        f"Results: {out}  (report: {out / 'report.html'}; {runs} runs, "
        f"{results.executor}, {results.wall_seconds:.1f} s{also})",
        highlight=False,
    )
    return 0


def output_folder(args: argparse.Namespace, stem: str) -> Path:
    """``--out``, or a new folder under ``results/`` (``--resume`` names it: see preflight)."""
    return args.out or Path("results") / f"{stem}-{time.strftime('%Y%m%d-%H%M%S')}"


def run_stored(
    args: argparse.Namespace,
    stderr: Console,
    function: Any,
    target: Any,
    out: Path,
    **options: Any,
) -> Any:
    """Call an experiment function with the options every simulating command shares.

    Ctrl-C becomes :class:`Interrupted`, saying how many runs are stored (in ``runs/``, or in
    each stage's ``runs/`` for a staged analysis) and how to resume.
    """
    try:
        return function(
            target,
            replications=args.replications,
            seed=args.seed,
            weeks=args.weeks,
            overrides=dict(parse_assignment(text) for text in args.assignments),
            executor=_executor_choice(args),
            out=out,
            resume=args.resume,
            force=args.force,
            progress=not args.quiet and stderr.is_terminal,
            model_class=_model_class(args),
            **options,
        )
    except BaseException as err:  # Ctrl-C, or an error it caused (see caused_by_interrupt)
        if not caused_by_interrupt(err):
            raise
        stored = sum(1 for _ in out.rglob(f"{RUNS}/*/*.npz")) if out.is_dir() else 0
        raise Interrupted(
            f"{stored} finished runs are stored in {out}; run the same command with "
            f"--out {out} --resume to complete it"
        ) from None


def _print_decision(results: Any, stdout: Console) -> None:
    """The answer first: the set-up, each verdict with its spread, the matrix, what to do."""
    comparison = results.summary_comparison()
    if comparison is None:
        return
    verdicts = policy_verdicts(comparison, results.currencies)
    spread = getattr(results, "assumption_spread", None)
    period = results.periods()["long"]
    stdout.print(escape(setup_line(results)), highlight=False)
    stdout.print(f"[bold]The answer[/bold] ({period}, mean and 95% interval)", highlight=False)
    for verdict in verdicts:
        line = verdict_text(verdict, spread).replace("**", "")
        stdout.print(f"- {escape(line)}", highlight=False)
    condition = results.flip_condition()
    if condition:
        stdout.print(f"What would have to be true: {escape(condition)}", highlight=False)
    if len(verdicts) > 1:
        matrix = policy_matrix(comparison, results.currencies)
        stdout.print(
            rich_table(
                matrix,
                f"The policies side by side: paired difference from {verdicts[0].reference} in "
                f"the {period}, mean over {results.plan.runs_text}",
            )
        )
    advice = recommendations(verdicts, spread)
    stdout.print("[bold]What to do[/bold]", highlight=False)
    for item in advice:
        stdout.print(f"- {escape(item.line)}", highlight=False)
    if len(verdicts) > 1:
        line = best_line(advice, verdicts[0].reference).replace("**", "").replace("*", "")
        stdout.print(escape(line), highlight=False)


def _print_answer(results: Any, stdout: Console) -> None:
    """A sweep's or a sensitivity analysis's answer, first (a comparison's is its verdicts)."""
    answer = results.answer()
    if answer:
        stdout.print("[bold]The answer[/bold]", highlight=False)
    for line in answer:
        stdout.print(f"- {escape(line.replace('`', ''))}", highlight=False)


def _model_class(args: argparse.Namespace) -> type[NPSModel]:
    """The model class ``--model`` names, or :class:`NPSModel`."""
    return NPSModel if args.model is None else load_model_class(args.model)


def _executor_choice(args: argparse.Namespace) -> ExecutorChoice:
    """Where the runs go, from the execution options every simulating command shares."""
    if args.scheduler and args.dask_local:
        raise InputError("--scheduler and --dask-local: give one or the other")
    return ExecutorChoice(
        workers=args.workers, scheduler=args.scheduler, dask_local=args.dask_local
    )


def _stem(args: argparse.Namespace, target: Any) -> str:
    """The default folder's name: the scenario, and the command unless it is a plain run."""
    if args.command == "compare":
        return "compare"
    name = Path(str(target[0] if isinstance(target, list) else target)).stem
    return name if args.command == "run" else f"{name}-{args.command}"
