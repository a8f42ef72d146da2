"""The ``npssim`` command: run scenarios, check scenario files, list parameters.

Exit status: 0 success, 2 bad input (one line on stderr naming the file and the parameter, no
traceback, nothing half-written), 130 interrupted, 1 anything else.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from npssim import __version__
from npssim.files import atomic_path
from npssim.model import NPSModel
from npssim.report import goods_and_bads_table, plot_nps, save_figure
from npssim.scenario import (
    ParamInfo,
    ScenarioError,
    iter_params,
    load_scenario,
    parse_assignment,
)

EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130
#: The "today" column of the table: the first two quarters.
SHORT_RUN_WEEKS = 26


class BadInput(Exception):
    """A command-line input is wrong; the message is the one line to print."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line and exit status 2."""

    def error(self, message: str) -> NoReturn:
        raise BadInput(f"{self.prog}: {message}")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError(f"must be between 0 and 2**63-1, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for ``npssim`` and its subcommands."""
    parser = _Parser(
        prog="npssim",
        description="Simulate what happens when Net Promoter Score drives performance reviews.",
    )
    parser.add_argument("--version", action="version", version=f"npssim {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = commands.add_parser(
        "run",
        help="run one replication of a scenario and print its goods and bads",
        description="Run one replication of a scenario, print the goods-and-bads table, and "
        "write the weekly metrics (metrics.csv) and a figure of reported vs true NPS (nps.png).",
    )
    run.add_argument("scenario", help="scenario file (.toml), or the name of a bundled one")
    run.add_argument("--weeks", type=_positive_int, help="weeks to simulate (run.weeks)")
    run.add_argument("--seed", type=_seed, help="root seed (run.seed)")
    run.add_argument(
        "--set",
        dest="assignments",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="override a parameter, e.g. --set policy.incentives.nps_weight=0.3 (repeatable)",
    )
    run.add_argument(
        "--out", type=Path, help="output folder (default: results/<scenario>-<timestamp>)"
    )
    run.add_argument("--quiet", action="store_true", help="no progress bar")

    validate = commands.add_parser(
        "validate",
        help="check scenario files",
        description="Check scenario files against the schema; print one line per file.",
    )
    validate.add_argument("files", nargs="+", help="scenario files")

    params = commands.add_parser(
        "params",
        help="list every parameter with default, bounds, unit and meaning",
        description="List every scenario parameter, generated from the schema.",
    )
    params.add_argument("--markdown", action="store_true", help="print a Markdown table")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``npssim`` command.

    Returns:
        The exit status.
    """
    stdout, stderr = Console(), Console(stderr=True)
    if not stdout.is_terminal:
        stdout = Console(width=max(stdout.width, 132))
    try:
        args = build_parser().parse_args(argv)
        if args.command == "run":
            return _run(args, stdout, stderr)
        if args.command == "validate":
            return _validate(args, stdout, stderr)
        return _params(args, stdout)
    except (BadInput, ScenarioError) as err:
        print(f"npssim: error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("npssim: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _run(args: argparse.Namespace, stdout: Console, stderr: Console) -> int:
    overrides = dict(parse_assignment(text) for text in args.assignments)
    if args.weeks is not None:
        overrides["run.weeks"] = args.weeks
    if args.seed is not None:
        overrides["run.seed"] = args.seed
    scenario = load_scenario(args.scenario, overrides)
    out = args.out or Path("results") / f"{scenario.name}-{time.strftime('%Y%m%d-%H%M%S')}"
    _prepare_folder(out)

    model = NPSModel(scenario)
    weeks = scenario.run.weeks
    show_progress = not args.quiet and stderr.is_terminal
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("week {task.completed}/{task.total}"),
        TimeRemainingColumn(),
        console=stderr,
        disable=not show_progress,
        transient=True,
    ) as progress:
        task = progress.add_task(scenario.name, total=weeks)
        for _ in range(weeks):
            model.step()
            progress.advance(task)

    weekly = model.metrics_frame()
    with atomic_path(out / "metrics.csv") as temporary:
        weekly.to_csv(temporary)
    figure = plot_nps(
        weekly,
        model.policy_schedule.change_weeks,
        title=f"{scenario.name}: reported vs true NPS (seed {model.seed})",
    )
    save_figure(figure, out / "nps.png")

    latent = model.diagnostics()["latent_signal_validity"]
    columns = {f"week {weeks}": model.ledger()}
    if weeks > SHORT_RUN_WEEKS:
        columns = {f"week {SHORT_RUN_WEEKS}": weekly.iloc[SHORT_RUN_WEEKS - 1], **columns}
    table = goods_and_bads_table(
        columns,
        extra={"signal_validity": f"latent satisfaction at the end: {latent:.3f}"},
        title=f"{scenario.name}, seed {model.seed}: goods and bads after two quarters and at "
        "the end",
    )
    stdout.print(table)
    stdout.print(f"Weekly metrics: {out / 'metrics.csv'}   Figure: {out / 'nps.png'}")
    return 0


def _prepare_folder(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise BadInput(f"--out {out}: exists and is not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise BadInput(f"--out {out}: cannot create the folder ({err.strerror})") from None


def _validate(args: argparse.Namespace, stdout: Console, stderr: Console) -> int:
    failed = 0
    for name in args.files:
        try:
            scenario = load_scenario(name)
        except ScenarioError as err:
            failed += 1
            print(f"npssim: error: {err}", file=sys.stderr)
        else:
            stdout.print(f"ok: {name} ({scenario.name})", highlight=False)
    return EXIT_BAD_INPUT if failed else 0


def _params(args: argparse.Namespace, stdout: Console) -> int:
    if args.markdown:
        print(params_markdown())
        return 0
    for info in iter_params():
        bounds = _bounds(info)
        stdout.print(
            f"[bold]{info.path}[/bold] = {info.default!r}  {bounds}  [{info.unit}]\n"
            f"    {info.meaning}  (source: {info.source})",
            highlight=False,
        )
    return 0


def _bounds(info: ParamInfo) -> str:
    if info.choices:
        return "one of " + ", ".join(repr(choice) for choice in info.choices)
    lower, upper = info.lower, info.upper
    if lower is None and upper is None:
        return ""
    return f"[{'' if lower is None else lower} .. {'' if upper is None else upper}]"


def params_markdown() -> str:
    """Every parameter as a Markdown table (used in docs/ODD.md)."""
    lines = [
        "| parameter | default | range | unit | meaning | source |",
        "|---|---|---|---|---|---|",
    ]
    for info in iter_params():
        meaning = info.meaning.replace("|", "\\|")
        lines.append(
            f"| `{info.path}` | `{info.default!r}` | {_bounds(info)} | {info.unit} | "
            f"{meaning} | {info.source} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
