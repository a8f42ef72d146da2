"""The argument parser: every command, and the options experiment commands share."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

from npssim.cli.status import EXIT_BAD_INPUT, EXIT_INTERRUPTED  # noqa: F401 (re-exported)
from npssim.errors import quoted
from npssim.experiment.defaults import (
    ASSUMPTION_MIN_SAMPLES,
    ASSUMPTION_SAMPLES,
    BREAKEVEN_CARRY,
    BREAKEVEN_GRID,
    BREAKEVEN_MIN_GRID,
    BREAKEVEN_MIN_SAMPLES,
    BREAKEVEN_MIN_TRAJECTORIES,
    BREAKEVEN_REPLICATIONS,
    BREAKEVEN_SAMPLES,
    BREAKEVEN_TRAJECTORIES,
    CALIBRATION_EVALUATIONS,
    CALIBRATION_REPLICATIONS,
    DECOMPOSE_REPLICATIONS,
    DEFAULT_REPLICATIONS,
    METHODS,
    SENSITIVITY_REPLICATIONS,
)
from npssim.metrics import SWEEP_DEFAULT
from npssim.version import __version__


class BadInput(Exception):
    """A command-line input is wrong; the message is the one line to print."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line and exit status 2."""

    def error(self, message: str) -> NoReturn:
        raise BadInput(f"{self.prog}: {message}")


def _model_option(parser: argparse.ArgumentParser, what: str) -> None:
    """``--model MODULE:CLASS`` on a command that describes rather than runs (params, ...)."""
    parser.add_argument(
        "--model",
        metavar="MODULE:CLASS",
        help=f"{what}, e.g. my_models:TrainedFirm or models.py:TrainedFirm",
    )


def _whole_number(low: int, high: int | None = None, shown: str = "") -> Callable[[str], int]:
    """An argparse type: a whole number from ``low`` (to ``high``), refused in one line.

    Args:
        low: The smallest value accepted.
        high: The largest value accepted, if any.
        shown: How to write ``high`` in the message (e.g. ``2**63-1``).
    """

    def convert(text: str) -> int:
        # Bounded before int(): Python refuses over 4,300 digits with a traceback, and no
        # count npssim takes needs more than MAX_DIGITS.
        try:
            if len(text.strip()) > MAX_DIGITS:
                raise ValueError
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected a whole number, got {quoted(repr(text))}"
            ) from None
        if high is None and value < low:
            raise argparse.ArgumentTypeError(f"must be at least {low}, got {value}")
        if high is not None and not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f"must be between {low} and {shown or high}, got {value}"
            )
        return value

    return convert


#: The longest whole number a count or seed option is read from (2**63 has 19 digits).
MAX_DIGITS = 30
#: What ``npssim sensitivity`` analyses when no ``--metric`` is given.
DEFAULT_SENSITIVITY_METRIC = "nps_inflation"
#: The most weeks a run may simulate (the schema's bound on run.weeks): ``--weeks`` is checked
#: here so that its message names ``--weeks``, not the ``--set`` it becomes.
MAX_WEEKS = 5_200
#: The most replications the dashboard runs per firm (``npssim.app.MAX_REPLICATIONS``, which
#: imports Solara: checked here, before that import).
EXPLORE_MAX_REPLICATIONS = 30


def _path(text: str) -> Path:
    """An argparse type: a path, refusing the empty string (``Path("")`` would be the ``.``)."""
    if not text:
        raise argparse.ArgumentTypeError("expected a path, got an empty string")
    return Path(text)


_positive_int = _whole_number(1)
_seed = _whole_number(0, 2**63 - 1, "2**63-1")
_port = _whole_number(1, 65535)


def _experiment_options(replications: int, one: bool = False) -> argparse.ArgumentParser:
    """Options every experiment command takes, with the same meaning everywhere."""
    shared = _simulation_options(replications, one)
    output = shared.add_argument_group("output")
    output.add_argument(
        "--out", type=_path, help="output folder (default: a new folder under results/)"
    )
    output.add_argument(
        "--resume",
        action="store_true",
        help="complete an interrupted experiment in --out (same command, same results)",
    )
    output.add_argument(
        "--force", action="store_true", help="replace npssim's earlier results in --out"
    )
    output.add_argument("--quiet", action="store_true", help="no progress bar")
    return shared


def _simulation_options(replications: int, one: bool = False) -> argparse.ArgumentParser:
    """What to simulate and where: the options of every command that runs replications.

    Args:
        replications: The command's default number of replications.
        one: Offer ``--replication I`` (run replication I alone) beside ``--replications``.
    """
    shared = argparse.ArgumentParser(add_help=False)
    model = shared.add_argument_group("scenario")
    model.add_argument(
        "--weeks", type=_whole_number(1, MAX_WEEKS), help="weeks to simulate (run.weeks)"
    )
    model.add_argument(
        "--model",
        metavar="MODULE:CLASS",
        help="run a subclass of npssim.NPSModel, e.g. my_models:StrictFirm or "
        "models.py:StrictFirm; the module is imported and its code run, like python -m, "
        "looked up from the current folder first: name only code you trust",
    )
    model.add_argument(
        "--set",
        dest="assignments",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="override a parameter in every scenario, e.g. --set policy.incentives.nps_weight=0.3 "
        "(repeatable)",
    )
    runs = shared.add_argument_group("replications and execution")
    counts = runs.add_mutually_exclusive_group() if one else runs
    counts.add_argument(
        "--replications",
        type=_positive_int,
        default=replications,
        metavar="N",
        help=f"replications per scenario and design point (default {replications})",
    )
    if one:
        counts.add_argument(
            "--replication",
            type=_whole_number(0),
            metavar="I",
            help="run replication I alone (0-based), exactly as the experiment with the same "
            "--seed runs it",
        )
    runs.add_argument(
        "--yes",
        action="store_true",
        help="run a job estimated to take more than a day on this machine (it is refused "
        "otherwise, with the estimate)",
    )
    runs.add_argument(
        "--seed",
        type=_seed,
        help="root seed of the experiment (default: the scenario's run.seed); replication i's "
        "seed is spawned from it, the same in every scenario",
    )
    runs.add_argument(
        "--workers",
        type=_positive_int,
        metavar="N",
        help="local worker processes (default: one per CPU; 1 runs in this process)",
    )
    runs.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run on an existing Dask cluster, e.g. tcp://10.0.0.5:8786 "
        '(pip install "npssim[dask]")',
    )
    runs.add_argument(
        "--dask-local",
        type=_positive_int,
        metavar="N",
        help="start a local Dask cluster with N worker processes",
    )
    return shared


def _horizon(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--horizon",
        choices=("short", "long", "end"),
        default="long",
        help="read metrics over the short run (two quarters after the policy change), the long "
        "run (last four quarters, the default) or at the end",
    )


def _different_firms(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--different-firms",
        action="store_true",
        help="compare scenarios that differ outside the policy (firm size, accounts, reps, "
        "currency, assumptions, weeks): the difference then measures the firms, not the policy",
    )


def _share(text: str) -> float:
    """An argparse type: a share strictly between 0 and 1 (a false discovery rate)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {quoted(repr(text))}") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1 (exclusive), got {quoted(text)}")
    return value


def _export_and_diagnose(commands: argparse._SubParsersAction) -> None:
    """``npssim export`` and ``npssim diagnose`` (issue 27): is our NPS already gamed?"""
    export = commands.add_parser(
        "export",
        help="write a simulated firm's survey and CRM exports, and their truth",
        description="Simulate a scenario and write the exports a real firm would bring: "
        "responses.csv (one row per invitation), accounts.csv (one row per account and "
        "renewal) and, apart, truth.csv (per rep: the share of answers a tactic touched, and "
        "each tactic's uses); Parquet copies too where pyarrow is installed. --out must be a "
        "new or empty folder.",
    )
    export.add_argument("scenario", help="scenario file (.toml), or the name of a bundled one")
    export.add_argument(
        "--out", type=_path, required=True, metavar="DIR", help="a new or empty folder"
    )
    export.add_argument("--seed", type=_seed, help="seed (default: the scenario's run.seed)")
    export.add_argument(
        "--weeks", type=_whole_number(1, MAX_WEEKS), help="weeks to simulate (run.weeks)"
    )
    _model_option(export, "simulate a subclass of npssim.NPSModel")

    diagnose = commands.add_parser(
        "diagnose",
        help="is our NPS already gamed? read a firm's survey and CRM exports",
        description="Read a firm's survey responses and CRM accounts (CSV, Parquet or Excel), "
        "measure gaming's fingerprints per rep, flag reps with the false discovery rate "
        "controlled, estimate how far the reported score overstates the truth, and write "
        "reps.csv, report.md, report.html and (when estimated) our_firm.toml. --validate "
        "instead measures the diagnosis on simulated exports whose truth is known. Columns "
        "read (map yours with --column): responses: response_id (optional), account_id, "
        "rep_id (optional: the account's owner), week or date, invited_by (optional: rep, "
        "firm or third_party; default firm), answered (optional: a score was given), score "
        "(0-10); accounts: account_id, rep_id, annual_value, renewal_week or renewal_date, "
        "renewed, discount (these three optional). Dates become weeks from the Monday of the first "
        "response.",
    )
    diagnose.add_argument(
        "--responses", type=_path, metavar="FILE", help="the survey export: a row per invitation"
    )
    diagnose.add_argument(
        "--accounts", type=_path, metavar="FILE", help="the CRM export: a row per account"
    )
    diagnose.add_argument(
        "--column",
        dest="columns",
        action="append",
        default=[],
        metavar="NAME=COLUMN",
        help="your column for one npssim reads, e.g. --column rep_id=Owner (repeatable; "
        "accounts.rep_id=... for one file only)",
    )
    diagnose.add_argument(
        "--fdr",
        type=_share,
        default=0.05,
        help="false discovery rate among flagged reps (default 0.05)",
    )
    diagnose.add_argument(
        "--estimate",
        action=argparse.BooleanOptionalAction,
        help="estimate the overstatement through the model (default: on for a firm's exports; "
        "off for --validate, where it takes a minute or two per simulated firm); "
        "--no-estimate gives the fingerprints and flags only",
    )
    diagnose.add_argument(
        "--scenario", help="the scenario the firm's fit starts from (file or bundled name)"
    )
    diagnose.add_argument("--seed", type=_seed, help="root seed of the estimate's simulations")
    diagnose.add_argument(
        "--validate",
        action="store_true",
        help="measure the diagnosis on simulated exports of bundled scenarios instead",
    )
    diagnose.add_argument(
        "--out", type=_path, metavar="DIR", help="output folder (default: a new one under results/)"
    )
    diagnose.add_argument(
        "--force", action="store_true", help="replace npssim's earlier diagnosis in --out"
    )
    diagnose.add_argument("--quiet", action="store_true", help="no progress bar")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for ``npssim`` and its subcommands."""
    parser = _Parser(
        prog="npssim",
        description="Simulate what happens when Net Promoter Score drives performance reviews.",
    )
    parser.add_argument("--version", action="version", version=f"npssim {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    shared = _experiment_options(DEFAULT_REPLICATIONS)
    one = _experiment_options(DEFAULT_REPLICATIONS, one=True)

    run = commands.add_parser(
        "run",
        parents=[one],
        help="run replications of a scenario and print its goods and bads",
        description="Run replications of a scenario; print the goods and bads (mean and 95% "
        "interval) in the short run, the long run and at the end; write the output folder.",
    )
    run.add_argument("scenario", help="scenario file (.toml), or the name of a bundled one")

    compare = commands.add_parser(
        "compare",
        parents=[one],
        help="compare scenarios with a baseline on paired replications",
        description="Run scenarios on the same replication seeds and print each one's "
        "differences from the baseline, short run and long run, with 95% intervals and the "
        "net money figure. One scenario alone is compared with the same firm without its "
        "policy (NPS an indicator only, its pay plan kept). Scenarios of different firms are "
        "refused unless --different-firms.",
    )
    compare.add_argument(
        "scenarios",
        nargs="+",
        help="scenario files or bundled names; one alone is compared with the same firm "
        "without its policy",
    )
    compare.add_argument("--baseline", help="the reference scenario (default: the first one given)")
    compare.add_argument(
        "--assumption-samples",
        type=_whole_number(0),
        metavar="N",
        help="plausible firms over which each answer's spread is sampled, one replication each "
        f"on common random numbers (default {ASSUMPTION_SAMPLES}; 0 turns it off; at least "
        f"{ASSUMPTION_MIN_SAMPLES} otherwise)",
    )
    _different_firms(compare)

    sweep = commands.add_parser(
        "sweep",
        parents=[shared],
        help="run a scenario over a grid of parameter values",
        description="Run a scenario at every combination of the varied values on the same "
        "replication seeds; tabulate and draw each chosen metric's paired difference from a "
        "reference point, and its level, against them.",
    )
    sweep.add_argument("scenario", help="scenario file (.toml), or the name of a bundled one")
    sweep.add_argument(
        "--vary",
        action="append",
        required=True,
        metavar="PATH=VALUES",
        help="values of a parameter: path=v1,v2,v3 or path=lo:hi:n (repeatable; the grid is "
        "every combination)",
    )
    sweep.add_argument(
        "--metric",
        dest="metrics",
        action="append",
        metavar="NAME",
        help=f"metric to tabulate and draw (repeatable; default: {', '.join(SWEEP_DEFAULT)}; "
        "npssim metrics lists them)",
    )
    sweep.add_argument(
        "--reference",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="the point every other is compared with: a varied parameter's value (repeatable; "
        "default: each parameter's first value; a value not swept is added)",
    )
    _horizon(sweep)

    sensitivity = commands.add_parser(
        "sensitivity",
        parents=[_experiment_options(SENSITIVITY_REPLICATIONS)],
        help="global sensitivity analysis (Sobol or Morris, through SALib)",
        description="Sample parameters over their ranges with SALib, run every sample "
        "(replications averaged), and print the sensitivity indices of each metric.",
    )
    sensitivity.add_argument("scenario", help="scenario file (.toml), or the name of a bundled one")
    sensitivity.add_argument("--method", default="sobol", help=f"{' or '.join(METHODS)}")
    sensitivity.add_argument(
        "--param",
        dest="factors",
        action="append",
        required=True,
        metavar="PATH=LO:HI",
        help="a parameter and its range (repeatable)",
    )
    sensitivity.add_argument(
        "--samples",
        type=_positive_int,
        default=16,
        metavar="N",
        help="base samples: a power of two for Sobol (N x (params + 2) points), trajectories "
        "for Morris (N x (params + 1) points); default 16",
    )
    sensitivity.add_argument(
        "--metric",
        dest="metrics",
        action="append",
        metavar="NAME",
        help=f"an output to analyse (repeatable: each is analysed on its own, from the same "
        f"runs; default {DEFAULT_SENSITIVITY_METRIC})",
    )
    _horizon(sensitivity)

    breakeven = commands.add_parser(
        "breakeven",
        parents=[_experiment_options(BREAKEVEN_REPLICATIONS)],
        help="what would have to be true for a policy to pay: screen, tornado, map, PRIM",
        description="Move the uncertain assumptions over their plausible ranges, on paired "
        "replications of the policy and the baseline: first a Morris screen of every one "
        "(which matter?), then the strongest one at a time (a tornado of the net value per "
        "year), two at a time (a map of the two that swing most), and all together (a Latin "
        "hypercube, and PRIM's box of where the policy pays). Prints the answer, the screen "
        "and the tornado, and writes the report.",
    )
    breakeven.add_argument("policy", help="the policy's scenario file, or a bundled name")
    breakeven.add_argument(
        "--baseline", default="baseline", help="what the policy is compared with (default baseline)"
    )
    breakeven.add_argument(
        "--assume",
        dest="assumptions",
        action="append",
        metavar="PATH[=LO:HI]",
        help="an assumption to screen and carry on whatever its rank, over its plausible range "
        "or LO:HI (repeatable; adds a parameter, or sets an uncertain one's range; the screen "
        "always moves every uncertain assumption, see npssim params, unless --only-assumed)",
    )
    breakeven.add_argument(
        "--only-assumed",
        action="store_true",
        help="screen only the --assume'd assumptions, not every uncertain one",
    )
    breakeven.add_argument(
        "--carry",
        type=_whole_number(1),
        default=BREAKEVEN_CARRY,
        metavar="N",
        help="how many of the screen's strongest assumptions go on to the tornado, the map and "
        f"PRIM (default {BREAKEVEN_CARRY})",
    )
    breakeven.add_argument(
        "--trajectories",
        type=_whole_number(BREAKEVEN_MIN_TRAJECTORIES),
        default=BREAKEVEN_TRAJECTORIES,
        metavar="N",
        help="Morris trajectories of the screen, each (assumptions + 1) paired points "
        f"(default {BREAKEVEN_TRAJECTORIES})",
    )
    _different_firms(breakeven)
    breakeven.add_argument(
        "--grid",
        type=_whole_number(BREAKEVEN_MIN_GRID),
        default=BREAKEVEN_GRID,
        metavar="N",
        help=f"levels per axis of the heatmap (default {BREAKEVEN_GRID})",
    )
    breakeven.add_argument(
        "--samples",
        type=_whole_number(BREAKEVEN_MIN_SAMPLES),
        default=BREAKEVEN_SAMPLES,
        metavar="N",
        help=f"Latin-hypercube points for scenario discovery (default {BREAKEVEN_SAMPLES})",
    )

    decompose = commands.add_parser(
        "decompose",
        parents=[_experiment_options(DECOMPOSE_REPLICATIONS)],
        help="what each element of a policy earns or costs against its baseline (Shapley)",
        description="Find the elements in which a policy differs from its baseline (who picks "
        "the sample, anonymity, audits, caps, follow-up, reps' and managers' weight, target, "
        "payout, pay plan...), run every combination of them on the same replication seeds, "
        "and print each element's Shapley contribution to the paired difference in net value, "
        "true NPS and reported NPS in the long run, with 95% intervals; the contributions sum "
        "to the policy's total. Writes a waterfall, CSVs and the report.",
    )
    decompose.add_argument("policy", help="the policy's scenario file, or a bundled name")
    decompose.add_argument(
        "--baseline", default="baseline", help="what the policy is compared with (default baseline)"
    )
    _different_firms(decompose)

    calibrate = commands.add_parser(
        "calibrate",
        parents=[_simulation_options(CALIBRATION_REPLICATIONS)],
        help="fit free parameters so the simulated metrics match observed ones",
        description="Fit the free parameters of a scenario to a firm's observed figures by the "
        "method of simulated moments: every candidate runs on the same replication seeds "
        "(common random numbers); a Latin hypercube, then a bounded Nelder-Mead search "
        "(scipy), minimise the squared misfits in standard errors. Prints the fit; --out writes "
        "the fitted scenario.",
    )
    calibrate.add_argument("scenario", help="scenario file (.toml), or the name of a bundled one")
    calibrate.add_argument(
        "--target",
        dest="targets",
        action="append",
        required=True,
        metavar="METRIC=VALUE",
        help="an observed figure to match, e.g. reported_nps=32 (repeatable)",
    )
    calibrate.add_argument(
        "--free",
        action="append",
        required=True,
        metavar="PATH=LO:HI",
        help="a parameter to fit and its range, e.g. accounts.response_rate=0.05:0.6 "
        "(repeatable; no more free parameters than targets)",
    )
    calibrate.add_argument(
        "--max-evaluations",
        type=_positive_int,
        default=CALIBRATION_EVALUATIONS,
        metavar="N",
        help=f"candidate parameter sets to simulate at most (default {CALIBRATION_EVALUATIONS})",
    )
    _horizon(calibrate)
    calibrate.add_argument(
        "--out", type=_path, metavar="FILE", help="write the fitted scenario to this .toml file"
    )
    calibrate.add_argument("--quiet", action="store_true", help="no progress bar")

    evidence = commands.add_parser(
        "evidence",
        parents=[_simulation_options(DEFAULT_REPLICATIONS)],
        help="check the model against published patterns of metric gaming",
        description="Run fixed experiments from the shipped defaults and tabulate, for each "
        "published pattern, its source, its label (input, calibrated or prediction), the "
        "model's figure with a 95% interval, what the source leads one to expect and whether "
        "it holds, then the identity checks; write evidence.md, evidence.csv and a figure per "
        "pattern (img/evidence/). A pattern that does not hold is a finding: the exit status "
        "is 0 unless something failed to run.",
    )
    evidence.add_argument(
        "--out",
        type=_path,
        metavar="DIR",
        help="folder for evidence.md, evidence.csv and img/evidence/ (default: a new folder "
        "under results/; docs/ updates the documentation)",
    )
    evidence.add_argument("--quiet", action="store_true", help="no progress bar")

    explore = commands.add_parser(
        "explore",
        help="serve the interactive dashboard; open the address it prints in a browser",
        description="Serve the decision dashboard (Solara): the firm with the policy beside the "
        "same firm without it, on the same seeds, several replications each, with the "
        "difference in money, real and reported NPS, renewals, giveaways and honest reps and "
        "their 95% intervals. Move a policy lever or an assumption, press Reset, then Step, "
        "Play or Run to end. Ctrl-C stops the server.",
    )
    explore.add_argument(
        "scenario",
        nargs="?",
        default="intervention_week26",
        help="scenario file or bundled name (default intervention_week26)",
    )
    explore.add_argument("--port", type=_port, default=8765, help="port to serve on (default 8765)")
    explore.add_argument(
        "--host", default="localhost", help="address to listen on (default localhost)"
    )
    explore.add_argument(
        "--seed", type=_seed, default=1, help="root seed of the replications (default 1)"
    )
    explore.add_argument(
        "--against",
        metavar="OTHER",
        help="scenario file or bundled name whose policy is 'without it' (default: the "
        "scenario's starting policy, or baseline when its policy never changes)",
    )
    explore.add_argument(
        "--replications",
        type=_whole_number(1, EXPLORE_MAX_REPLICATIONS),
        default=8,
        help=f"replications per firm, paired on the same seeds (default 8, at most "
        f"{EXPLORE_MAX_REPLICATIONS})",
    )

    _export_and_diagnose(commands)

    validate = commands.add_parser(
        "validate",
        help="check scenario files",
        description="Check scenario files against the schema; print one line per file.",
    )
    validate.add_argument("files", nargs="+", help="scenario files")
    _model_option(validate, "check against the parameters of a subclass of npssim.NPSModel")

    params = commands.add_parser(
        "params",
        help="list every parameter with default, bounds, unit and meaning",
        description="List every scenario parameter, generated from the schema.",
    )
    params.add_argument("--markdown", action="store_true", help="print a Markdown table")
    _model_option(params, "list the parameters of a subclass of npssim.NPSModel too")

    metrics = commands.add_parser(
        "metrics",
        help="list every metric with its label, unit, side and meaning",
        description="List every metric a run reports (the columns of timeseries.csv, "
        "ledger.csv and summary.csv), from the one metric registry.",
    )
    metrics.add_argument("--markdown", action="store_true", help="print a Markdown table")
    _model_option(metrics, "list the metrics of a subclass of npssim.NPSModel too")

    commands.add_parser(
        "scenarios",
        help="list the bundled scenarios",
        description="List the scenarios that come with npssim, one line each.",
    )

    new = commands.add_parser(
        "new",
        help="write a commented scenario template",
        description="Write NAME.toml: every parameter, commented out at its default, with its "
        "meaning, unit, range and source.",
    )
    new.add_argument("name", help="scenario name (letters, digits, _ and -)")
    new.add_argument("--extends", help="a scenario file (or bundled name) to build on")
    new.add_argument(
        "--out", type=_path, help="file to write (default: NAME.toml in the current folder)"
    )
    new.add_argument("--force", action="store_true", help="replace an existing file")

    schema = commands.add_parser(
        "schema",
        help="print the JSON Schema of scenario files (for editor completion)",
        description="Print the JSON Schema of scenario files, for TOML editors such as Taplo.",
    )
    schema.add_argument("--out", type=_path, help="write it to this file instead")
    return parser
