"""The ``npssim`` command once its modules are imported: parse, dispatch, report errors in a line.

Exit status: 0 success, 2 bad input (one line on stderr naming the file or option and the
parameter, no traceback, nothing half-written), 130 interrupted (the output folder can be
completed with ``--resume``), 1 anything else.
"""

from __future__ import annotations

import errno
import importlib
import sys
from collections.abc import Sequence

from rich.console import Console

from npssim.cli.parser import BadInput, build_parser
from npssim.cli.pipes import guarded_stdout
from npssim.cli.preflight import check_inputs
from npssim.cli.status import (
    EXIT_BAD_INPUT,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    Interrupted,
    caused_by_interrupt,
)
from npssim.errors import InputError, one_line, quoted

#: Each command's module and function, imported only when it runs: ``npssim validate`` (and a
#: bad argument to any command) then answers in a fraction of a second, without loading the
#: model, the statistics and matplotlib.
COMMANDS = {
    "run": ("experiments", "run"),
    "compare": ("experiments", "compare"),
    "sweep": ("experiments", "sweep"),
    "sensitivity": ("experiments", "sensitivity"),
    "calibrate": ("experiments", "fit"),
    "evidence": ("experiments", "evidence"),
    "breakeven": ("breakeven", "breakeven"),
    "decompose": ("decompose", "decompose"),
    "export": ("diagnose", "export"),
    "diagnose": ("diagnose", "diagnose"),
    "explore": ("explore", "explore"),
    "validate": ("discovery", "validate"),
    "params": ("discovery", "params"),
    "metrics": ("discovery", "metrics"),
    "scenarios": ("discovery", "scenarios"),
    "new": ("discovery", "new"),
    "schema": ("discovery", "schema"),
}


#: Write errors the user's choice of path causes (exit 2): read-only, not ours, too long, a
#: link or a file where a folder must be (or the reverse), a device. Any other (a full disk, an
#: I/O error) is a real write failure: exit 1.
_USER_PATH_ERRORS = frozenset(
    {
        errno.EROFS,
        errno.EACCES,
        errno.EPERM,
        errno.ENAMETOOLONG,
        errno.ELOOP,
        errno.ENOTDIR,
        errno.EISDIR,
        errno.EEXIST,
        errno.ENXIO,
        errno.ENOENT,
    }
)


def writing_failed(err: OSError, folder: object = None) -> tuple[int, str]:
    """The exit status and the one line for a file-system error while a command wrote.

    What was stored before it stays resumable (runs are written whole or not at all), so the
    line says so.

    Args:
        err: The error.
        folder: The command's output (``--out``), named when the error names no file.
    """
    target = err.filename or folder
    where = quoted(target) if target else "the output"
    reason = err.strerror or str(err)
    status = EXIT_BAD_INPUT if err.errno in _USER_PATH_ERRORS else EXIT_FAILED
    return status, (
        f"cannot write {where}: {reason}; finished runs stay stored, so the same command "
        "with --resume completes the folder once there is room (or write permission)"
    )


def dispatch(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run the command it names.

    Standard output piped into a reader that stops early (``| head``) is discarded from then
    on: the command still completes and writes its files (see :mod:`npssim.cli.pipes`).

    Returns:
        The exit status.
    """
    with guarded_stdout():
        return _dispatch(argv)


def _dispatch(argv: Sequence[str] | None) -> int:
    stdout, stderr = Console(), Console(stderr=True)
    if not stdout.is_terminal:
        stdout = Console(width=max(stdout.width, 160))
    args = None
    try:
        args = build_parser().parse_args(argv)
        check_inputs(args)  # before the command's module (the model, matplotlib) is imported
        module, function = COMMANDS[args.command]
        command = getattr(importlib.import_module(f"npssim.cli.{module}"), function)
        return command(args, stdout, stderr)
    except Interrupted as err:  # an experiment stopped by Ctrl-C: how to resume it
        print(f"npssim: interrupted; {one_line(str(err))}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except KeyboardInterrupt:
        print("npssim: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as err:
        # Ctrl-C first, whatever it became on the way: an extension module's start-up turns it
        # into an ImportError, which a loader may turn into bad input ("--model: cannot
        # import ...") or a library into an OSError. The user stopped the command.
        if caused_by_interrupt(err):
            print("npssim: interrupted", file=sys.stderr)
            return EXIT_INTERRUPTED
        if isinstance(err, BadInput | InputError):
            print(f"npssim: error: {one_line(str(err))}", file=sys.stderr)
            return EXIT_BAD_INPUT
        if isinstance(err, OSError):  # the disk filled, or the folder became read-only
            status, message = writing_failed(err, getattr(args, "out", None))
            print(f"npssim: error: {message}", file=sys.stderr)
            return status
        raise
