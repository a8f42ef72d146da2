"""``npssim explore``: serve the dashboard with Solara until Ctrl-C.

After checking its inputs the command becomes the Solara server (``exec``), so Ctrl-C, SIGTERM
and the exit status are the server's own and no server is left behind. The inputs are checked
here, in one line each, because the server would report a bad scenario only in the browser.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys

from rich.console import Console

from npssim.cli.parser import BadInput
from npssim.scenario import load_scenario, scenario_path

#: The module Solara serves; it reads what to open from the environment. The page's own module,
#: not the ``npssim.app`` package: Solara routes a package's submodules as pages of their own
#: (an "App" bar with a tab per module).
APP_MODULE = "npssim.app.page"
#: No calls home (no telemetry, no check for a newer Solara), no "runs on Solara" banner over
#: the page's corner, and the browser tab named after the tool.
QUIET = {
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
    "SOLARA_THEME_SHOW_BANNER": "False",
    "SOLARA_THEME_TITLE": "npssim: with the policy vs without it",
}


def explore(args: argparse.Namespace, stdout: Console, stderr: Console) -> int:
    """Check the inputs, then become ``solara run npssim.app.page`` in production mode."""
    scenario = load_scenario(args.scenario)
    against = load_scenario(args.against) if args.against else None
    try:
        from npssim import app
    except ImportError as err:
        raise BadInput(f"explore: {err}; the dashboard needs: pip install 'npssim[viz]'") from None
    if not 1 <= args.replications <= app.MAX_REPLICATIONS:
        raise BadInput(
            f"explore: --replications {args.replications}: give 1 to {app.MAX_REPLICATIONS}"
        )
    setup = app.make_setup(scenario, against)  # refuses an --against the firm cannot run

    _check_free(args.host, args.port)
    env = {
        **os.environ,
        **QUIET,
        app.SCENARIO_VARIABLE: str(scenario_path(args.scenario).resolve()),
        app.SEED_VARIABLE: str(args.seed),
        app.REPLICATIONS_VARIABLE: str(args.replications),
    }
    if args.against:
        env[app.AGAINST_VARIABLE] = str(scenario_path(args.against).resolve())
    command = [
        sys.executable, "-m", "solara", "run", APP_MODULE, "--port", str(args.port),
        "--host", args.host, "--production", "--no-open", "--no-check-version",
        "--log-level", "warning",
    ]  # fmt: skip
    stdout.print(
        f"npssim explore: {scenario.name} vs {setup.without_name}, {args.replications} "
        f"replications each, at http://{args.host}:{args.port} (Ctrl-C stops it)",
        highlight=False,
        markup=False,
    )
    sys.stdout.flush()
    os.execve(sys.executable, command, env)


def _check_free(host: str, port: int) -> None:
    """Refuse a port another program holds, in one line, before Solara fails at length."""
    try:
        with socket.create_server((host, port)):
            pass
    except OSError as err:
        reason = str(err.strerror or err).split(" (while attempting")[0]
        raise BadInput(f"explore: --host {host} --port {port}: cannot listen: {reason}") from None
