"""The ``npssim`` command.

Exit status: 0 success, 2 bad input (one line on stderr naming the file or option and the
parameter, no traceback, nothing half-written), 130 interrupted (the output folder can be
completed with ``--resume``), 1 anything else.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from rich.console import Console

from npssim.cli.discovery import params_markdown
from npssim.cli.parser import EXIT_BAD_INPUT, EXIT_INTERRUPTED, BadInput, build_parser
from npssim.errors import InputError

__all__ = ["EXIT_BAD_INPUT", "EXIT_INTERRUPTED", "build_parser", "main", "params_markdown"]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``npssim`` command.

    Returns:
        The exit status.
    """
    from npssim.cli import breakeven, discovery, experiments, explore

    stdout, stderr = Console(), Console(stderr=True)
    if not stdout.is_terminal:
        stdout = Console(width=max(stdout.width, 160))
    commands = {
        "run": experiments.run,
        "compare": experiments.compare,
        "sweep": experiments.sweep,
        "sensitivity": experiments.sensitivity,
        "calibrate": experiments.fit,
        "evidence": experiments.evidence,
        "breakeven": breakeven.breakeven,
        "explore": explore.explore,
        "validate": discovery.validate,
        "params": discovery.params,
        "metrics": discovery.metrics,
        "scenarios": discovery.scenarios,
        "new": discovery.new,
        "schema": discovery.schema,
    }
    try:
        args = build_parser().parse_args(argv)
        return commands[args.command](args, stdout, stderr)
    except (BadInput, InputError) as err:
        print(f"npssim: error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except experiments.Interrupted as err:
        print(f"npssim: interrupted; {err}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except KeyboardInterrupt:
        print("npssim: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
