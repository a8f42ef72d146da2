"""Every input a command can check cheaply, checked before the command imports or writes anything.

A mistake in a scenario file, a ``--set`` value, the output folder or the scheduler's address is
reported in one line, in a fraction of a second, and before the output folder is created or
touched: the command never loads the model, runs a replication or writes a manifest only to be
refused afterwards. The experiment functions check the same inputs again (they are also called
from Python); this module only makes the command line's answer early and cheap.
"""

from __future__ import annotations

import argparse
import importlib.machinery
import importlib.util
import math
import os
import re
import socket
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from npssim.cli.parser import DEFAULT_SENSITIVITY_METRIC
from npssim.errors import InputError, quoted
from npssim.experiment.defaults import (
    BREAKEVEN_SCREEN_REPLICATIONS,
    assumption_samples,
    check_assumption_samples,
)
from npssim.experiment.design import (
    check_design,
    check_free_count,
    parse_factor,
    parse_target,
    parse_vary,
    with_reference,
)
from npssim.experiment.elements import check_decomposable, policy_elements
from npssim.experiment.firms import check_same_firm
from npssim.experiment.screening import screened_factors
from npssim.files import (
    JOURNAL,
    LOCK_NAME,
    MANIFEST,
    RUNS,
    check_force,
    check_no_link,
    check_output_tree,
    folder_refused,
    is_npssim_file,
    read_manifest,
)
from npssim.metrics import REGISTRY, MetricSet
from npssim.scenario import Scenario, load_scenario, parse_assignment, with_overrides

#: Commands that write an output folder (``--out DIR``, or a new folder under ``results/``).
FOLDER_COMMANDS = frozenset(
    {"run", "compare", "sweep", "sensitivity", "breakeven", "decompose", "evidence"}
)
#: Issue 27's commands: a simulated firm's exports, and the diagnosis of a firm's own.
DIAGNOSE_COMMANDS = frozenset({"export", "diagnose"})
#: Commands whose ``--out`` is one file.
FILE_COMMANDS = frozenset({"calibrate", "schema", "new"})
#: A simulated account-week's time: a firm of 4,000 accounts simulated for 104 weeks takes
#: 0.34 s on one core of the reference machine (0.8 microseconds an account-week); the guard
#: takes a little less, so that it does not stop a job that fits in a day.
SECONDS_PER_ACCOUNT_WEEK = 0.6e-6
#: The commands whose runs :func:`check_size` counts.
RUN_COUNTED = frozenset(
    {"run", "compare", "sweep", "sensitivity", "breakeven", "decompose", "calibrate"}
)
#: The longest job run without ``--yes``: a day.
MAX_SECONDS = 86_400
#: The most runs a job may have even with ``--yes``: its plan lists them in memory.
MAX_RUNS = 100_000_000
#: The scenario whose schema checks ``npssim evidence --set`` (it runs the bundled scenarios).
EVIDENCE_SCENARIO = "baseline"
#: The longest number a ``PATH=VALUE`` option may hold: a double written out in full has 309
#: digits, and Python reads no integer of over 4,300.
MAX_NUMBER_CHARS = 400
#: The options whose values are ``PATH=VALUE`` texts, by attribute, as the user types them.
_VALUE_OPTIONS = {
    "assignments": "--set",
    "vary": "--vary",
    "reference": "--reference",
    "factors": "--param",
    "assumptions": "--assume",
    "targets": "--target",
    "free": "--free",
}
_NUMBER = re.compile(r"[0-9_]{2,}")
#: How long to wait for a Dask scheduler to accept a connection before calling it unreachable.
SCHEDULER_TIMEOUT_SECONDS = 5.0
#: A Dask address: ``tcp://host:port``, ``tls://host:port`` or ``host:port``.
_ADDRESS = re.compile(
    r"^(?:(?P<scheme>tcp|tls)://)?(?P<host>\[[0-9a-fA-F:.]+\]|[^\s/:\[\]]+):(?P<port>\d{1,5})/?$"
)


def check_inputs(args: argparse.Namespace) -> None:
    """Check a parsed command line's scenarios, overrides, output and scheduler.

    Raises:
        InputError: The first problem found, naming the file or option and the parameter.
    """
    if args.command == "compare":
        check_assumption_samples(args.assumption_samples)
    if getattr(args, "resume", False) and args.out is None:
        raise InputError("--resume: give the --out folder of the experiment to complete")
    check_numbers(args)
    schema, metric_set = Scenario, REGISTRY
    if getattr(args, "model", None):
        # A researcher's class may add parameters and metrics, which the inputs may name:
        # the only case where the check imports the model (once check_model has found it
        # without running any of it).
        check_model(args.model)
        from npssim.experiment.runs import load_model_class

        model_class = load_model_class(args.model)
        schema, metric_set = model_class.scenario_schema, model_class.metric_set
    overrides = command_overrides(args)
    loaded = {
        source: load_scenario(source, overrides, schema=schema)
        for source in _scenario_sources(args)
    }
    if args.command == "evidence" and overrides:  # its scenarios are the bundled ones
        load_scenario(EVIDENCE_SCENARIO, overrides, schema=schema)
    if args.command == "breakeven" and loaded[args.policy] == loaded[args.baseline]:
        raise InputError(f"--baseline {args.baseline}: is the same scenario as the policy")
    check_firms(args, loaded)
    check_factors(args, loaded, schema, metric_set)
    check_size(args, loaded, schema)
    if args.command in DIAGNOSE_COMMANDS:
        check_diagnose(args)
    elif args.command in FOLDER_COMMANDS:
        check_output_folder(
            getattr(args, "out", None),
            stored=args.command != "evidence",  # evidence writes into a folder, docs/ say
            resume=getattr(args, "resume", False),
            force=getattr(args, "force", False),
        )
    elif args.command in FILE_COMMANDS and getattr(args, "out", None) is not None:
        check_output_file(args.out)
    scheduler = getattr(args, "scheduler", None)
    if scheduler:
        check_scheduler(scheduler)


def check_firms(args: argparse.Namespace, loaded: dict[str, Any]) -> None:
    """A comparison, a break-even or a decomposition is of one firm (unless ``--different-firms``).

    Raises:
        InputError: A compared scenario is another firm than the baseline, or a decomposition
            cannot run (see :func:`~npssim.experiment.elements.check_decomposable`).
    """
    different = getattr(args, "different_firms", False)
    if args.command == "compare":
        reference, *others = compared(args)
        for source in others:
            check_same_firm(loaded[reference], loaded[source], different_firms=different)
    elif args.command == "breakeven":
        check_same_firm(loaded[args.policy], loaded[args.baseline], different_firms=different)
    elif args.command == "decompose":
        check_decomposable(loaded[args.policy], loaded[args.baseline], different_firms=different)


def check_diagnose(args: argparse.Namespace) -> None:
    """``npssim export`` and ``npssim diagnose``: the files exist, the options fit, --out is free.

    The exports themselves are read (and refused row by row) by the command, before it creates
    anything; here only what costs nothing is checked: which options go together, that each
    file is there in a format npssim reads, the ``--column`` mapping, and that ``--out`` can be
    written without replacing anything: a new or empty folder, or (``diagnose --force``) one
    whose files at npssim's names are npssim's own.

    Raises:
        InputError: Naming the option and what is wrong.
    """
    # Imported here: the diagnosis package loads pandas, which other commands' refusals do not
    # wait for (these two commands load it anyway).
    from npssim.diagnose.reading import READERS, parse_columns

    if args.command == "diagnose" and args.validate:
        given = [
            option
            for option, value in (
                ("--responses", args.responses),
                ("--accounts", args.accounts),
                ("--column", args.columns),
                ("--scenario", args.scenario),
                ("--seed", args.seed),
            )
            if value
        ]
        if given:
            raise InputError(
                f"{given[0]}: not used with --validate (it diagnoses simulated exports)"
            )
    elif args.command == "diagnose":
        for option, path in (("--responses", args.responses), ("--accounts", args.accounts)):
            if path is None:
                raise InputError(
                    f"npssim diagnose: give {option} FILE (both --responses and --accounts), "
                    "or --validate"
                )
            if path.suffix.lower() not in READERS:
                raise InputError(
                    f"{option} {quoted(path)}: give a {', '.join(sorted(READERS))} file"
                )
            if not path.is_file():
                raise InputError(f"{option} {quoted(path)}: no such file")
        parse_columns(args.columns)
    if args.out is None:
        check_output_folder(None)  # a new folder under results/
        return
    check_output_folder(args.out)
    folder = args.out
    if folder.is_dir() and any(not is_npssim_file(path) for path in folder.iterdir()):
        if not getattr(args, "force", False):
            again = "; add --force to replace npssim's earlier diagnosis" * (
                args.command == "diagnose"
            )
            raise InputError(
                f"--out {quoted(folder)}: the folder is not empty; npssim {args.command} "
                f"writes into a new or empty folder{again}"
            )
        check_output_tree(folder)
        check_force(folder)


def compared(args: argparse.Namespace) -> list[str]:
    """The scenarios ``npssim compare`` runs: the baseline first, each once."""
    sources = list(dict.fromkeys(args.scenarios))
    if args.baseline is not None:
        sources = [args.baseline, *(source for source in sources if source != args.baseline)]
    return sources


def check_numbers(args: argparse.Namespace) -> None:
    """No value holds a number longer than :data:`MAX_NUMBER_CHARS`, before any is converted.

    Python refuses to read an integer of over 4,300 digits (with a traceback), and no
    parameter needs a tenth of that; the option is named as typed and the value cut short.

    Raises:
        InputError: Naming the option and the start of its value.
    """
    for attribute, option in _VALUE_OPTIONS.items():
        for text in getattr(args, attribute, None) or []:
            longest = max((len(run) for run in _NUMBER.findall(text)), default=0)
            if longest > MAX_NUMBER_CHARS:
                raise InputError(
                    f"{option} {quoted(text, limit=60)}: a number of {longest:,} characters; "
                    f"numbers are at most {MAX_NUMBER_CHARS} characters"
                )


def check_factors(
    args: argparse.Namespace,
    loaded: dict[str, Any] | None = None,
    schema: type[Scenario] = Scenario,
    metric_set: MetricSet = REGISTRY,
) -> None:
    """What a sweep, a sensitivity analysis, a break-even study or a calibration varies.

    Args:
        args: The parsed command line.
        loaded: The command's scenarios, loaded, by source: a sweep's values are checked
            against its scenario here, not after the model is imported.
        schema: The ``--model`` class's scenario schema (its own parameters may be named).
        metric_set: The ``--model`` class's metrics (its own may be named).

    Raises:
        InputError: A ``--vary``, ``--param``, ``--assume`` or ``--free`` is malformed or
            outside the schema, varies ``run.weeks``, or a sensitivity design cannot be
            analysed (too few factors, a sample size the method cannot use).
    """
    if args.command == "sweep":
        vary = dict(parse_vary(text, schema) for text in args.vary)
        _refuse_weeks(vary, "--vary")
        with_reference(vary, dict(parse_assignment(text) for text in args.reference), schema)
        if loaded:
            _check_values(loaded[args.scenario], vary)
        if args.metrics:
            metric_set.check(args.metrics)
    elif args.command == "sensitivity":
        factors = [parse_factor(text, schema=schema) for text in args.factors]
        _refuse_weeks([factor.path for factor in factors], "--param")
        check_design(factors, args.method, args.samples)
        metric_set.check(args.metrics or [DEFAULT_SENSITIVITY_METRIC])
    elif args.command == "breakeven":
        screened, _ = screened_factors(args.assumptions, schema, only_assumed=args.only_assumed)
        _refuse_weeks([factor.path for factor in screened], "--assume")
    elif args.command == "calibrate":
        free = [parse_factor(text, option="--free", schema=schema) for text in args.free]
        _refuse_weeks([factor.path for factor in free], "--free")
        targets = dict(parse_target(text, metric_set) for text in args.targets)
        check_free_count(len(free), len(targets), args.max_evaluations)


def check_size(
    args: argparse.Namespace, loaded: dict[str, Any], schema: type[Scenario] = Scenario
) -> None:
    """Refuse, unless ``--yes``, a job that would run for more than a day on this machine.

    A mistyped ``--replications 1000000000000`` or a 1,000 by 1,000 sweep grid was accepted
    and ran until killed. The estimate leans low (a little faster than measured, every local
    core busy, no start-up or writing), so that a job that fits is not stopped; it is said
    with the refusal, so the user can judge.

    Raises:
        InputError: The estimate exceeds :data:`MAX_SECONDS` and ``--yes`` was not given, or
            the job has more runs than npssim can list (:data:`MAX_RUNS`).
    """
    runs = _runs(args, schema, loaded)
    if runs is None or not loaded:
        return
    firm = max(
        (scenario.firm.managers * scenario.firm.reps_per_manager * scenario.firm.accounts_per_rep)
        * scenario.run.weeks
        for scenario in loaded.values()
    )
    if args.scheduler:
        return  # a cluster's size is its own; nothing to estimate against
    workers = args.dask_local or args.workers or os.cpu_count() or 1
    seconds = runs * firm * SECONDS_PER_ACCOUNT_WEEK / min(workers, runs)
    what = f"{runs:,} runs of {firm:,} account-weeks, at least {_duration(seconds)}"
    if runs > MAX_RUNS:
        raise InputError(
            f"npssim {args.command}: {what}; more than {MAX_RUNS:,} runs is refused even with "
            "--yes: fewer replications, points or samples"
        )
    if seconds > MAX_SECONDS and not getattr(args, "yes", False):
        raise InputError(
            f"npssim {args.command}: {what} on {min(workers, runs)} workers; add --yes to run "
            "it anyway, or ask for fewer replications, points or samples"
        )


def _runs(
    args: argparse.Namespace,
    schema: type[Scenario] = Scenario,
    loaded: dict[str, Any] | None = None,
) -> int | None:
    """How many runs the command asks for (None for a command that runs no experiment)."""
    if args.command not in RUN_COUNTED:
        return None  # validate, schema, new...; evidence runs a fixed set; explore one firm
    replications = 1 if getattr(args, "replication", None) is not None else args.replications
    if args.command == "run":
        return replications
    if args.command == "compare":  # one scenario runs beside its counterfactual; and the spread
        samples = assumption_samples(args.assumption_samples)
        return max(2, len(compared(args))) * (replications + samples)
    if args.command == "decompose":
        if not loaded:
            return None
        elements = policy_elements(loaded[args.policy], loaded[args.baseline])
        return 2 ** len(elements) * replications
    if args.command == "sweep":
        return math.prod(len(parse_vary(text, schema)[1]) for text in args.vary) * replications
    if args.command == "sensitivity":
        extra = 2 if args.method == "sobol" else 1
        return args.samples * (len(args.factors) + extra) * replications
    if args.command == "breakeven":
        screened, assumed = screened_factors(
            args.assumptions, schema, only_assumed=args.only_assumed
        )
        carried = min(len(screened), args.carry + len(assumed))
        screen = args.trajectories * (len(screened) + 1) * BREAKEVEN_SCREEN_REPLICATIONS
        return 2 * (screen + (1 + 2 * carried + args.grid**2 + args.samples) * replications)
    return args.max_evaluations * replications  # calibrate


def _duration(seconds: float) -> str:
    if seconds >= 2 * 86_400 * 365:
        return f"{seconds / (86_400 * 365):,.0f} years"
    if seconds >= 2 * 86_400:
        return f"{seconds / 86_400:,.0f} days"
    return f"{seconds / 3600:,.0f} hours"


def _refuse_weeks(varied: Iterable[str], option: str) -> None:
    """Refuse varying ``run.weeks``: every run of one experiment covers the same weeks.

    Runs of different lengths cannot be stacked into one table (a sweep over it failed only
    after all its runs, with a NumPy broadcasting error).
    """
    if "run.weeks" in varied:
        raise InputError(
            f"{option} run.weeks: the run length cannot be varied within one experiment (its "
            "runs are compared week by week); give --weeks, once per experiment"
        )


def _check_values(scenario: Any, vary: dict[str, list[Any]]) -> None:
    """Each varied value is valid in the scenario: the extremes of numbers, every other value."""
    for path, values in vary.items():
        numbers = [value for value in values if _is_number(value)]
        probes = [value for value in values if not _is_number(value)]
        if numbers:  # within a parameter's bounds if its least and greatest are
            probes += [min(numbers), max(numbers)]
        for value in probes:
            with_overrides(scenario, {path: value}, "--vary")


def _is_number(value: Any) -> bool:
    """A real number that is not NaN (NaN is checked like a word: the schema refuses it)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and value == value


def command_overrides(args: argparse.Namespace) -> dict[str, Any]:
    """The values ``--set`` and ``--weeks`` give every scenario, by dotted path."""
    overrides = dict(parse_assignment(text) for text in getattr(args, "assignments", []))
    if getattr(args, "weeks", None) is not None:
        overrides["run.weeks"] = args.weeks
    return overrides


def _scenario_sources(args: argparse.Namespace) -> list[str]:
    sources: list[str] = []
    for name in ("scenario", "policy", "baseline", "against"):
        value = getattr(args, name, None)
        if isinstance(value, str):
            sources.append(value)
    sources.extend(getattr(args, "scenarios", None) or [])
    return list(dict.fromkeys(sources))


def check_output_folder(
    out: Path | None, *, stored: bool = False, resume: bool = False, force: bool = False
) -> None:
    """The output folder can be written: it is a folder, or can be made in one we may write.

    With ``stored``, for an experiment that stores its runs there, a folder that holds
    something is also checked as the experiment will check it, so that
    its refusal comes in a fraction of a second rather than after the model is loaded: no link
    under npssim's names, a manifest that can be read, and ``--resume`` or ``--force`` where
    they are needed.

    Raises:
        InputError: It is a file or a dangling link, the folder (or the nearest one that
            exists) is read-only or not ours to write, or it cannot be used as asked.
    """
    folder = out if out is not None else Path("results")
    option = f"--out {quoted(folder)}" if out is not None else f"the results folder {folder}"
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{option}: exists and is not a folder")
    if not folder.is_dir():  # a link to a folder is the user's choice; a dangling one fails
        check_no_link(folder, option, folder=True)
    else:
        check_no_link(folder / LOCK_NAME, f"{option}: {LOCK_NAME}")
    existing = _nearest_existing(folder)
    if not existing.is_dir():
        raise InputError(f"{option}: {existing} is not a folder")
    _check_writable(option, existing)
    if stored and out is not None and folder.is_dir():  # else a new folder under results/
        _check_folder_use(folder, resume=resume, force=force)


def _check_folder_use(folder: Path, *, resume: bool, force: bool) -> None:
    """What :meth:`~npssim.experiment.store.RunStore.open` refuses, found without the model."""
    contents = {path.name for path in folder.iterdir() if not is_npssim_file(path)}
    if not contents:
        return
    check_output_tree(folder)
    manifest = read_manifest(folder)  # a damaged one is refused here, in one line
    if force:
        check_force(folder)
    elif resume and manifest is None:
        raise folder_refused("no manifest", folder)
    elif resume and not isinstance(manifest.get("plan"), dict):
        raise folder_refused("no plan", folder)
    elif not resume and not contents <= {MANIFEST, RUNS, JOURNAL}:
        # (A manifest and no run may be the same experiment stopped before its first run,
        # which starts again: the store decides, knowing the plan.)
        raise folder_refused("not empty", folder)


def check_output_file(out: Path) -> None:
    """An output file can be written: not a folder, in a folder that exists and we may write.

    Raises:
        InputError: Naming ``--out`` and what is wrong.
    """
    option = f"--out {quoted(out)}"
    if out.is_dir():
        raise InputError(f"{option}: is a folder; give a file name")
    check_no_link(out, option)
    parent = out.parent
    if not parent.is_dir():
        raise InputError(f"{option}: folder {parent} does not exist")
    _check_writable(option, parent)


def check_model(text: str) -> None:
    """``--model`` names a module that exists (whether it holds the class is checked on import).

    The module is only looked for, never imported: ``importlib.util.find_spec("pkg.mod")``
    would import ``pkg`` and so run its ``__init__.py`` before a refusal; the command imports
    (and runs) the module only once every input is known to be good.

    Raises:
        InputError: The module or ``.py`` file named is not there.
    """
    module, _, _ = text.partition(":")
    if module.endswith(".py"):
        missing = not Path(module).is_file()
    elif module and all(part.isidentifier() for part in module.split(".")):
        missing = not _module_exists(module)
    else:
        return  # malformed: load_model_class says how to write it
    if missing:
        raise InputError(f"--model {quoted(text)}: cannot import {quoted(module)} (no such module)")


def _module_exists(name: str) -> bool:
    """Whether a dotted module can be found, from the current folder first, running none of it."""
    if name in sys.modules:
        return True
    top, *rest = name.split(".")
    if top in sys.modules:
        spec = getattr(sys.modules[top], "__spec__", None)
    else:
        spec = importlib.machinery.PathFinder.find_spec(top, [str(Path.cwd()), *sys.path])
        spec = spec or importlib.util.find_spec(top)  # built-in and frozen modules
    for part in rest:
        locations = getattr(spec, "submodule_search_locations", None)
        if not locations:
            return False
        spec = importlib.machinery.PathFinder.find_spec(part, list(locations))
    return spec is not None


def check_scheduler(address: str) -> None:
    """The Dask scheduler's address is well formed and something answers there.

    Raises:
        InputError: The address is malformed, or nothing accepts a connection at it.
    """
    option = f"--scheduler {quoted(address)}"
    match = _ADDRESS.match(address.strip())
    if match is None:
        raise InputError(f"{option}: expected an address like tcp://10.0.0.5:8786")
    port = int(match["port"])
    if not 0 < port < 65536:
        raise InputError(f"{option}: port {port} is not between 1 and 65535")
    host = match["host"].strip("[]")
    try:
        with socket.create_connection((host, port), timeout=SCHEDULER_TIMEOUT_SECONDS):
            pass
    except OSError as err:
        reason = err.strerror or type(err).__name__.replace("Error", "").lower() or "no answer"
        raise InputError(
            f"{option}: cannot reach a Dask scheduler there ({reason}); is it running?"
        ) from None


def _check_writable(option: str, folder: Path) -> None:
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(f"{option}: cannot write in {folder} ({_why_not_writable(folder)})")


def _nearest_existing(path: Path) -> Path:
    path = path.absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _why_not_writable(folder: Path) -> str:
    try:
        readonly = bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        readonly = False
    return "read-only file system" if readonly else "permission denied"
