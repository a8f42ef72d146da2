"""The ``npssim`` command.

Exit status: 0 success, 2 bad input (one line on stderr naming the file or option and the
parameter, no traceback, nothing half-written), 130 interrupted (the output folder can be
completed with ``--resume``), 1 anything else.

This module imports nothing heavy itself: NumPy, pandas, Mesa and the rest are imported inside
:func:`main`, so Ctrl-C while they load (the first second of every command) exits 130 with one
line instead of a traceback from deep inside an import.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import os
import signal
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from npssim.cli.status import EXIT_BAD_INPUT, EXIT_INTERRUPTED, caused_by_interrupt

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_INTERRUPTED",
    "build_parser",
    "entry",
    "main",
    "params_markdown",
]


def entry() -> NoReturn:
    """The installed ``npssim`` command (and ``python -m npssim.cli``): :func:`main`, then exit.

    After Ctrl-C the process ends with ``os._exit``: CPython marks a KeyboardInterrupt that
    lands inside some extension modules' start-up code as unhandled even once it is caught,
    and would then kill itself with SIGINT at exit (status -2, not 130). Everything the
    command opened is closed by then; only the output streams need flushing.
    """
    status = main()
    # The command is over: a Ctrl-C now would only break the interpreter's shutdown (it died
    # of SIGINT, status -2, with no message).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if status == EXIT_INTERRUPTED:
        _release_semaphores()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
    sys.exit(status)


def _release_semaphores() -> None:
    """Unlink the semaphores a process pool left, as a normal exit would, before ``os._exit``.

    A pool's queues hold named semaphores, registered with multiprocessing's resource tracker
    and unlinked by finalisers that ``os._exit`` skips: the tracker then printed a "leaked
    semaphore objects" warning under npssim's one line. Collecting what is left of the pool
    runs its finalisers; multiprocessing's own exit-time pass then runs the rest.
    """
    gc.collect()
    util = sys.modules.get("multiprocessing.util")
    run_finalizers = getattr(util, "_run_finalizers", None)
    if run_finalizers is not None:
        with contextlib.suppress(Exception):
            run_finalizers(0)  # exit priority 0 and above: the semaphores', not joins


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``npssim`` command.

    Args:
        argv: The arguments (``sys.argv[1:]`` when None).

    Returns:
        The exit status.
    """
    previous_hook = sys.unraisablehook
    sys.unraisablehook = functools.partial(_redeliver_interrupts, otherwise=previous_hook)
    try:
        from npssim.cli.dispatch import dispatch

        return dispatch(argv)
    except KeyboardInterrupt:  # while importing; dispatch reports one during a command itself
        print("npssim: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as err:  # an import that failed because Ctrl-C landed inside it
        if not caused_by_interrupt(err):
            raise
        print("npssim: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        sys.unraisablehook = previous_hook


def _redeliver_interrupts(unraisable: Any, *, otherwise: Callable[[Any], None]) -> None:
    """Raise again a Ctrl-C that Python swallowed, where the command can catch it.

    A KeyboardInterrupt that lands in a weak-reference callback or a finaliser (the import
    system runs some) cannot propagate: Python prints "Exception ignored" and carries on, so the
    command would ignore Ctrl-C and print a traceback. Sending SIGINT again raises it in the
    command's own code instead, which stops in one line with status 130. An error that Ctrl-C
    caused (an ImportError from an interrupted module start-up) is the same interrupt.
    """
    if caused_by_interrupt(unraisable.exc_value):
        signal.raise_signal(signal.SIGINT)
        return
    otherwise(unraisable)


def __getattr__(name: str) -> Any:
    # The parser and the params table for Python callers (docs, tests), imported on first use.
    if name == "build_parser":
        from npssim.cli.parser import build_parser

        return build_parser
    if name == "params_markdown":
        from npssim.cli.discovery import params_markdown

        return params_markdown
    raise AttributeError(f"module 'npssim.cli' has no attribute {name!r}")
