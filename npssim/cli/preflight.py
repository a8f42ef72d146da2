"""Every input a command can check cheaply, checked before the command imports or writes anything.

A mistake in a scenario file, a ``--set`` value, the output folder or the scheduler's address is
reported in one line, in a fraction of a second, and before the output folder is created or
touched: the command never loads the model, runs a replication or writes a manifest only to be
refused afterwards. The experiment functions check the same inputs again (they are also called
from Python); this module only makes the command line's answer early and cheap.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import socket
import sys
from pathlib import Path
from typing import Any

from npssim.errors import InputError, quoted
from npssim.experiment.design import (
    check_design,
    check_free_count,
    parse_assumptions,
    parse_factor,
    parse_target,
    parse_vary,
    with_reference,
)
from npssim.metrics import REGISTRY, MetricSet
from npssim.scenario import Scenario, load_scenario, parse_assignment

#: Commands that write an output folder (``--out DIR``, or a new folder under ``results/``).
FOLDER_COMMANDS = frozenset({"run", "compare", "sweep", "sensitivity", "breakeven", "evidence"})
#: Commands whose ``--out`` is one file.
FILE_COMMANDS = frozenset({"calibrate", "schema", "new"})
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
    if args.command == "compare" and len(compared(args)) < 2:
        raise InputError("npssim compare: give at least two scenarios (or one and --baseline)")
    if getattr(args, "resume", False) and args.out is None:
        raise InputError("--resume: give the --out folder of the experiment to complete")
    schema, metric_set = Scenario, REGISTRY
    if getattr(args, "model", None):
        # A researcher's class may add parameters and metrics, which the inputs may name:
        # the only case where the check imports the model.
        check_model(args.model)
        from npssim.experiment.runs import load_model_class

        model_class = load_model_class(args.model)
        schema, metric_set = model_class.scenario_schema, model_class.metric_set
    overrides = command_overrides(args)
    loaded = {
        source: load_scenario(source, overrides, schema=schema)
        for source in _scenario_sources(args)
    }
    if args.command == "breakeven" and loaded[args.policy] == loaded[args.baseline]:
        raise InputError(f"--baseline {args.baseline}: is the same scenario as the policy")
    check_factors(args, schema, metric_set)
    if args.command in FOLDER_COMMANDS:
        check_output_folder(getattr(args, "out", None))
    elif args.command in FILE_COMMANDS and getattr(args, "out", None) is not None:
        check_output_file(args.out)
    scheduler = getattr(args, "scheduler", None)
    if scheduler:
        check_scheduler(scheduler)


def compared(args: argparse.Namespace) -> list[str]:
    """The scenarios ``npssim compare`` runs: the baseline first, each once."""
    sources = list(dict.fromkeys(args.scenarios))
    if args.baseline is not None:
        sources = [args.baseline, *(source for source in sources if source != args.baseline)]
    return sources


def check_factors(
    args: argparse.Namespace,
    schema: type[Scenario] = Scenario,
    metric_set: MetricSet = REGISTRY,
) -> None:
    """What a sweep, a sensitivity analysis, a break-even study or a calibration varies.

    ``schema`` and ``metric_set`` are those of the ``--model`` class (its own parameters and
    metrics may be named).

    Raises:
        InputError: A ``--vary``, ``--param``, ``--assume`` or ``--free`` is malformed or
            outside the schema, or a sensitivity design cannot be analysed (too few factors,
            a sample size the method cannot use).
    """
    if args.command == "sweep":
        vary = dict(parse_vary(text, schema) for text in args.vary)
        with_reference(vary, dict(parse_assignment(text) for text in args.reference), schema)
        if args.metrics:
            metric_set.check(args.metrics)
    elif args.command == "sensitivity":
        factors = [parse_factor(text, schema=schema) for text in args.factors]
        check_design(factors, args.method, args.samples)
        metric_set.check([args.metric])
    elif args.command == "breakeven":
        parse_assumptions(args.assumptions, schema)
    elif args.command == "calibrate":
        free = [parse_factor(text, option="--free", schema=schema) for text in args.free]
        targets = dict(parse_target(text, metric_set) for text in args.targets)
        check_free_count(len(free), len(targets), args.max_evaluations)


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


def check_output_folder(out: Path | None) -> None:
    """The output folder can be written: it is a folder, or can be made in one we may write.

    Raises:
        InputError: It is a file, or the folder (or the nearest one that exists) is read-only
            or not ours to write.
    """
    folder = out if out is not None else Path("results")
    option = f"--out {quoted(folder)}" if out is not None else f"the results folder {folder}"
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{option}: exists and is not a folder")
    existing = _nearest_existing(folder)
    if not existing.is_dir():
        raise InputError(f"{option}: {existing} is not a folder")
    _check_writable(option, existing)


def check_output_file(out: Path) -> None:
    """An output file can be written: not a folder, in a folder that exists and we may write.

    Raises:
        InputError: Naming ``--out`` and what is wrong.
    """
    option = f"--out {quoted(out)}"
    if out.is_dir():
        raise InputError(f"{option}: is a folder; give a file name")
    parent = out.parent
    if not parent.is_dir():
        raise InputError(f"{option}: folder {parent} does not exist")
    _check_writable(option, parent)


def check_model(text: str) -> None:
    """``--model`` names a module that exists (whether it holds the class is checked on import).

    Raises:
        InputError: The module or ``.py`` file named is not there.
    """
    module, _, _ = text.partition(":")
    if module.endswith(".py"):
        missing = not Path(module).is_file()
    elif module and all(part.isidentifier() for part in module.split(".")):
        sys.path.insert(0, str(Path.cwd()))  # looked up from the current folder, as it is run
        try:
            missing = importlib.util.find_spec(module) is None
        except (ImportError, ValueError):
            missing = True
        finally:
            sys.path.pop(0)
    else:
        return  # malformed: load_model_class says how to write it
    if missing:
        raise InputError(f"--model {quoted(text)}: cannot import {quoted(module)} (no such module)")


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
