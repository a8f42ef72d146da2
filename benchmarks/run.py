"""npssim's benchmark: speed, scale, memory and parallelism, measured against the targets.

Run it from the project's root, after the README's install::

    .venv/bin/python benchmarks/run.py                 # everything, about four minutes
    .venv/bin/python benchmarks/run.py --only reference --only scaling
    .venv/bin/python benchmarks/run.py --record benchmarks/RESULTS.md
    .venv/bin/python benchmarks/run.py --smoke         # tiny sizes, seconds: does it all work?

Every measurement runs in a fresh Python process, so one cannot warm up or bloat another and
each peak memory is that measurement's own. Speeds are the best of a few repeats (as ``timeit``
reports); memory is the peak resident set size. The sections:

``reference``
    The reference firm (50 managers, 500 reps, 20,000 accounts, 104 weeks, ``nps_bonus``):
    account-weeks per second over the weeks and with set-up, wall time and peak memory; and, in
    the same run, the agent-steps per second of Mesa's own Boltzmann wealth example
    (``mesa.examples``) at its default size (100 agents) and at 1,000 agents, with both ratios.
``scaling``
    One replication at 1k, 10k, 100k and 1M accounts: how cost grows with the firm, and the
    million-account firm's set-up, total time and peak memory.
``memory``
    Peak memory of an experiment (``npssim run``) of 10 and of 1,000 replications, and of a
    sweep (``npssim sweep``) of 10 and of 1,000 runs on a Dask ``LocalCluster`` of 2 workers,
    in the caller and in the largest worker.
``executors``
    The same 80 replications of the reference firm in this process, on a process pool of 2
    workers and on a Dask ``LocalCluster`` of 2 workers; the three ledgers must be identical.
``scenarios``
    Every bundled scenario x 30 replications at default size (``npssim compare``), as an
    analyst runs it.
``profile``
    Where the reference firm's time goes (cProfile), the functions with most time of their own.

No result here is asserted by the test suite: timings belong to this script, and CI only runs
``--smoke`` to check that it works.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import inspect
import json
import os
import platform
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
from rich.console import Console
from rich.table import Table

SECTIONS = ("reference", "scaling", "memory", "executors", "scenarios", "profile")
BEGIN, END = "<!-- benchmark:begin -->", "<!-- benchmark:end -->"
REFERENCE_MANAGERS = 50  # x 10 reps x 40 accounts = 20,000 accounts, the defaults otherwise

#: Firm shapes for the scaling section: (managers, reps per manager, accounts per rep). Teams of
#: 10 and books of 40 as in the reference firm; the smallest firm has teams of 5.
SIZES = {
    1_000: (5, 5, 40),
    10_000: (25, 10, 40),
    100_000: (250, 10, 40),
    1_000_000: (2_500, 10, 40),
}

#: The firm of the memory section: replications are cheap, their weekly ledgers full length.
SMALL_FIRM = {"firm.managers": 2, "firm.reps_per_manager": 4, "firm.accounts_per_rep": 25}

#: Grid values of the memory section's sweeps: runs are replications at each.
SWEEP_POINTS = 10


@dataclass(frozen=True)
class Sizes:
    """How big each section's work is: the full benchmark or the smoke test."""

    repeats: int
    weeks: int
    reference_managers: int
    boltzmann_seconds: float
    boltzmann_agents: tuple[int, ...]
    scaling: tuple[int, ...]
    memory: tuple[int, int]
    executor_replications: int
    executor_managers: int
    scenario_replications: int
    scenario_overrides: tuple[str, ...]


FULL = Sizes(
    repeats=3,
    weeks=104,
    reference_managers=REFERENCE_MANAGERS,
    boltzmann_seconds=2.0,
    boltzmann_agents=(100, 1_000),
    scaling=tuple(SIZES),
    memory=(10, 1_000),
    executor_replications=80,
    executor_managers=REFERENCE_MANAGERS,
    scenario_replications=30,
    scenario_overrides=(),
)
SMOKE = Sizes(
    repeats=1,
    weeks=8,
    reference_managers=1,
    boltzmann_seconds=0.1,
    boltzmann_agents=(100, 1_000),
    scaling=(1_000,),
    memory=(2, 4),
    executor_replications=4,
    executor_managers=1,
    scenario_replications=2,
    scenario_overrides=("--weeks", "30", "--set", "firm.managers=1"),
)


# ---------------------------------------------------------------------- measured in a child


def peak_mib(who: int = resource.RUSAGE_SELF) -> float:
    """Peak resident set size so far, in MiB (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(who).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


def one_replication(managers: int, team: int, book: int, weeks: int, seed: int) -> dict[str, Any]:
    """Build and run one ``nps_bonus`` firm; the time to set it up and to simulate its weeks."""
    from npssim import NPSModel, load_scenario

    settings = {"firm.managers": managers, "firm.reps_per_manager": team}
    scenario = load_scenario("nps_bonus", {**settings, "firm.accounts_per_rep": book})
    imported = peak_mib()
    started = time.perf_counter()
    model = NPSModel(scenario, seed=seed)
    built = time.perf_counter()
    model.run(weeks)
    finished = time.perf_counter()
    return {
        "accounts": model.initial_accounts,
        "reps": len(model.reps),
        "weeks": weeks,
        "build_s": built - started,
        "run_s": finished - built,
        "peak_mib": peak_mib(),
        "imports_mib": imported,
    }


def boltzmann(seconds: float, seed: int, agents: int = 100) -> dict[str, Any]:
    """Agent-steps per second of Mesa's Boltzmann wealth example with ``agents`` agents.

    Its default size is 100 agents; at 1,000 its per-step overheads weigh less, so it is the
    fairer comparison with a firm of 20,000 accounts.
    """
    import mesa
    from mesa.examples import BoltzmannWealth

    if "scenario" in inspect.signature(BoltzmannWealth.__init__).parameters:  # Mesa 3.4+
        from mesa.examples.basic.boltzmann_wealth_model.model import BoltzmannScenario

        model = BoltzmannWealth(scenario=BoltzmannScenario(rng=seed, n=agents))
    else:  # Mesa 3.3
        model = BoltzmannWealth(n=agents, seed=seed)
    agents, steps = len(model.agents), 0
    started = time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        for _ in range(10):
            model.step()
        steps += 10
    return {
        "mesa": mesa.__version__,
        "agents": agents,
        "steps": steps,
        "agent_steps_per_s": agents * steps / elapsed,
    }


def experiment_memory(replications: int) -> dict[str, Any]:
    """Peak memory of ``npssim run`` of a small firm, with its default executor."""
    from npssim.cli import main

    overrides = [f"--set={path}={value}" for path, value in SMALL_FIRM.items()]
    with tempfile.TemporaryDirectory() as folder:
        argv = ["run", "baseline", "--replications", str(replications), *overrides]
        started = time.perf_counter()
        status = _quietly(main, [*argv, "--out", f"{folder}/out", "--quiet"])
        wall = time.perf_counter() - started
    return {
        "status": status,
        "replications": replications,
        "wall_s": wall,
        "peak_mib": max(peak_mib(), peak_mib(resource.RUSAGE_CHILDREN)),
    }


#: The watcher :class:`WorkerPeaks` starts: it polls the high-water mark of every Python
#: descendant of the process named by its argument until its stdin closes, then prints the
#: largest, in KiB.
_WATCHER = """
import select, sys
from pathlib import Path
import psutil
caller, peak = psutil.Process(int(sys.argv[1])), 0
while not select.select([sys.stdin], [], [], float(sys.argv[2]))[0]:
    for child in caller.children(recursive=True):
        try:
            if child.pid == psutil.Process().pid or "python" not in Path(child.exe()).name:
                continue
            status = Path(f"/proc/{child.pid}/status").read_text()
        except (psutil.Error, OSError):
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                peak = max(peak, int(line.split()[1]))
print(peak)
"""


class WorkerPeaks:
    """The largest peak resident set size of this process's Python descendants, while open.

    ``RUSAGE_CHILDREN`` cannot tell a worker's peak: a child forked for a moment by a large
    caller (a ``git`` for provenance) counts the caller's pages. A separate watcher process
    polls each live Python descendant's high-water mark (``VmHWM``, Linux) instead; a thread
    would do, but a second thread in the caller stops the LocalCluster forking its workers, so
    it would change what is measured. A worker's last fraction of a second can be missed.
    Where ``/proc`` is missing it measures nothing and says so (NaN).
    """

    def __init__(self, every_s: float = 0.2) -> None:
        self.every_s = every_s
        self.peak_mib = float("nan")
        self._watcher: subprocess.Popen[str] | None = None

    def __enter__(self) -> WorkerPeaks:
        if Path("/proc/self/status").exists():
            command = [sys.executable, "-c", _WATCHER, str(os.getpid()), str(self.every_s)]
            self._watcher = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
            )
        return self

    def __exit__(self, *exc: object) -> None:
        if self._watcher is not None:
            output, _ = self._watcher.communicate("")
            if self._watcher.returncode == 0:
                self.peak_mib = int(output) / 2**10


def sweep_memory(runs: int) -> dict[str, Any]:
    """Peak memory of ``npssim sweep`` of a small firm on a Dask LocalCluster of 2 workers.

    The grid has :data:`SWEEP_POINTS` values of product quality whatever ``runs`` is, and
    ``runs`` is made of replications at each, so two sweeps differ only in how many runs they
    hold, not in the size of their tables and figures.
    """
    from npssim.cli import main

    points = min(SWEEP_POINTS, runs)
    replications = max(runs // points, 1)
    overrides = [f"--set={path}={value}" for path, value in SMALL_FIRM.items()]
    with tempfile.TemporaryDirectory() as folder, WorkerPeaks() as workers:
        argv = ["sweep", "baseline", "--vary", f"firm.product_quality=6:8:{points}"]
        argv += ["--replications", str(replications), "--dask-local", "2", *overrides]
        started = time.perf_counter()
        status = _quietly(main, [*argv, "--out", f"{folder}/out", "--quiet"])
        wall = time.perf_counter() - started
    return {
        "status": status,
        "runs": points * replications,
        "wall_s": wall,
        "caller_mib": peak_mib(),
        "workers_mib": workers.peak_mib,
    }


def executor_speed(kind: str, replications: int, managers: int, seed: int) -> dict[str, Any]:
    """Wall time of one experiment on one executor: starting it, running on it, closing it."""
    from npssim.experiment import ExecutorChoice, execute_plan, make_plan
    from npssim.experiment.executors import open_executor

    choice = {
        "serial": ExecutorChoice(workers=1),
        "process pool": ExecutorChoice(workers=2),
        "dask": ExecutorChoice(dask_local=2),
    }[kind]
    plan = make_plan("run", ["nps_bonus"], replications, seed, None, {"firm.managers": managers})
    started = time.perf_counter()
    with open_executor(choice, replications) as executor:
        opened = time.perf_counter()
        results = execute_plan(plan, executor=executor)
        ran = time.perf_counter()
    closed = time.perf_counter()
    ledger = results.ledger.to_csv(index=False).encode()
    return {
        "kind": kind,
        "wall_s": closed - started,
        "start_s": opened - started,
        "runs_s": ran - opened,
        "ledger_sha256": hashlib.sha256(ledger).hexdigest(),
    }


def bundled_comparison(replications: int, extra: list[str]) -> dict[str, Any]:
    """Wall time of ``npssim compare`` of every bundled scenario, report included."""
    from npssim.cli import main
    from npssim.scenario import bundled_scenarios

    files = [str(path) for path in bundled_scenarios()]
    files.sort(key=lambda path: Path(path).stem != "baseline")  # the baseline first
    with tempfile.TemporaryDirectory() as folder:
        argv = ["compare", *files, "--replications", str(replications), *extra]
        started = time.perf_counter()
        status = _quietly(main, [*argv, "--out", f"{folder}/out", "--quiet"])
        wall = time.perf_counter() - started
    return {"status": status, "scenarios": len(files), "wall_s": wall}


def profile(managers: int, weeks: int, seed: int, top: int = 12) -> dict[str, Any]:
    """cProfile of the reference firm's weeks: the functions with most time of their own."""
    from npssim import NPSModel, load_scenario

    model = NPSModel(load_scenario("nps_bonus", {"firm.managers": managers}), seed=seed)
    profiler = cProfile.Profile()
    profiler.runcall(model.run, weeks)
    stats = pstats.Stats(profiler)
    total = stats.total_tt  # type: ignore[attr-defined]
    rows = []
    for (file, line, name), (_, calls, own, cumulative, _) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append((own, calls, cumulative, _where(file, line, name)))
    rows.sort(reverse=True)
    return {
        "total_s": total,
        "rows": [
            {"function": where, "calls": calls, "own_s": own, "cumulative_s": cumulative}
            for own, calls, cumulative, where in rows[:top]
        ],
    }


def _where(file: str, line: int, name: str) -> str:
    if file == "~":
        return name
    parts = Path(file).parts
    for root in ("npssim", "mesa", "numpy", "scipy"):
        if root in parts:
            file = "/".join(parts[len(parts) - parts[::-1].index(root) - 1 :])
            break
    else:
        file = Path(file).name
    return f"{name} ({file}:{line})"


def _quietly(function: Callable[[list[str]], int], argv: list[str]) -> int:
    """Call the CLI with its stdout sent to /dev/null: the tables are not what is measured."""
    sys.stdout.flush()
    saved = os.dup(1)
    with open(os.devnull, "w") as sink:
        os.dup2(sink.fileno(), 1)
        try:
            return function(argv)
        finally:
            sys.stdout.flush()
            os.dup2(saved, 1)
            os.close(saved)


CHILDREN: dict[str, Callable[..., dict[str, Any]]] = {
    "one_replication": one_replication,
    "boltzmann": boltzmann,
    "experiment_memory": experiment_memory,
    "sweep_memory": sweep_memory,
    "executor_speed": executor_speed,
    "bundled_comparison": bundled_comparison,
    "profile": profile,
}


# ---------------------------------------------------------------------- the parent


class Failed(Exception):
    """A measurement's process failed; its message says which and why."""


def measure(name: str, **arguments: Any) -> dict[str, Any]:
    """Run one measurement in a fresh Python process and return what it measured."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "result.json"
        command = [sys.executable, __file__, "--child", name, json.dumps(arguments), str(out)]
        finished = subprocess.run(command, capture_output=True, text=True)
        if finished.returncode != 0 or not out.exists():
            detail = (finished.stderr.strip().splitlines() or ["no output"])[-1]
            raise Failed(f"{name}({arguments}) failed with status {finished.returncode}: {detail}")
        return json.loads(out.read_text())


def best(
    name: str, repeats: int, cost: Callable[[dict[str, Any]], float], **arguments: Any
) -> dict[str, Any]:
    """The best of ``repeats`` runs of a measurement: the one of least ``cost``."""
    return min((measure(name, **arguments) for _ in range(repeats)), key=cost)


@dataclass
class Report:
    """What the benchmark found: tables to print and to record, and the targets' verdicts."""

    sections: list[tuple[str, list[str], list[list[str]], str]]
    targets: list[tuple[str, str, bool | None]]

    def add(self, title: str, header: list[str], rows: list[list[str]], note: str = "") -> None:
        self.sections.append((title, header, rows, note))

    def target(self, name: str, measured: str, met: bool | None) -> None:
        self.targets.append((name, measured, met))


def run_reference(sizes: Sizes, seed: int, report: Report, status: Any) -> None:
    status.update(f"reference firm, {sizes.repeats} repeats")
    ref = best(
        "one_replication",
        sizes.repeats,
        lambda run: run["run_s"],
        managers=sizes.reference_managers,
        team=10,
        book=40,
        weeks=sizes.weeks,
        seed=seed,
    )
    boltzmanns = []
    for agents in sizes.boltzmann_agents:
        status.update(f"Mesa's Boltzmann wealth example, {agents:,} agents")
        boltzmanns.append(
            best(
                "boltzmann",
                sizes.repeats,
                lambda run: -run["agent_steps_per_s"],
                seconds=sizes.boltzmann_seconds,
                seed=seed,
                agents=agents,
            )
        )
    account_weeks = ref["accounts"] * ref["weeks"]
    speed = account_weeks / ref["run_s"]
    wall = ref["build_s"] + ref["run_s"]
    total_speed = account_weeks / wall
    rows = [
        ["firm", f"{ref['reps']:,} reps, {ref['accounts']:,} accounts, {ref['weeks']} weeks"],
        ["account-weeks per second (the weeks)", f"{speed:,.0f}"],
        ["account-weeks per second (set-up included)", f"{total_speed:,.0f}"],
        ["wall time: set-up + weeks", f"{ref['build_s']:.2f} s + {ref['run_s']:.2f} s"],
        ["peak memory (imports alone)", f"{ref['peak_mib']:,.0f} MiB ({ref['imports_mib']:,.0f})"],
    ]
    ratios = {}
    for boltz in boltzmanns:
        ratio = ratios[boltz["agents"]] = speed / boltz["agent_steps_per_s"]
        rows += [
            [
                f"Boltzmann wealth, Mesa {boltz['mesa']}, {boltz['agents']:,} agents",
                f"{boltz['agent_steps_per_s']:,.0f} agent-steps per second",
            ],
            [f"ratio to Boltzmann at {boltz['agents']:,} agents", f"{ratio:.1f}x"],
        ]
    report.add(
        "Reference firm and Mesa's Boltzmann wealth example",
        ["measure", "value"],
        rows,
        f"Best of {sizes.repeats} fresh processes each; the ratios count the weeks (steps) "
        "only, as for the Boltzmann model, whose set-up is not timed either.",
    )
    full = sizes is FULL
    report.target(
        ">= 8,000,000 account-weeks/s over the weeks",
        f"{speed:,.0f}",
        speed >= 8e6 if full else None,
    )
    report.target(
        ">= 5,000,000 account-weeks/s set-up included",
        f"{total_speed:,.0f}",
        total_speed >= 5e6 if full else None,
    )
    if 1_000 in ratios:
        report.target(
            ">= 50x Boltzmann at 1,000 agents",
            f"{ratios[1_000]:.1f}x",
            ratios[1_000] >= 50 if full else None,
        )


def run_scaling(sizes: Sizes, seed: int, report: Report, status: Any) -> None:
    rows, totals = [], {}
    for accounts in sizes.scaling:
        status.update(f"one replication of {accounts:,} accounts")
        managers, team, book = SIZES[accounts]
        run = measure(
            "one_replication",
            managers=managers,
            team=team,
            book=book,
            weeks=sizes.weeks,
            seed=seed,
        )
        total = totals[accounts] = run["build_s"] + run["run_s"]
        cost = run["run_s"] / (run["accounts"] * run["weeks"]) * 1e6
        rows.append(
            [
                f"{run['accounts']:,}",
                f"{run['reps']:,}",
                f"{run['build_s']:.2f}",
                f"{run['run_s']:.2f}",
                f"{total:.2f}",
                f"{cost:.3f}",
                f"{total / (run['accounts'] * run['weeks']) * 1e6:.3f}",
                f"{run['peak_mib']:,.0f}",
            ]
        )
        last = run
    report.add(
        "Time per replication against firm size",
        [
            "accounts",
            "reps",
            "set-up s",
            "weeks s",
            "total s",
            "µs/account-week (weeks)",
            "µs/account-week (total)",
            "peak MiB",
        ],
        rows,
        f"{sizes.weeks} weeks of nps_bonus, one fresh process per size.",
    )
    if sizes is FULL:
        report.target(
            "1M accounts x 104 weeks under 1.5 GiB",
            f"{last['peak_mib']:,.0f} MiB",
            last["peak_mib"] < 1536,
        )
        million = totals[1_000_000]
        report.target("1M accounts x 104 weeks under 15 s", f"{million:.1f} s", million < 15)
        report.target(
            "1M accounts set up under 3 s", f"{last['build_s']:.2f} s", last["build_s"] < 3
        )
        # Time ~ accounts^k fitted from 10k up (below that, fixed costs dominate): 1 is linear.
        large = [size for size in sizes.scaling if size >= 10_000]
        exponent = np.polyfit(np.log(large), np.log([totals[size] for size in large]), 1)[0]
        report.target(
            "cost linear in accounts: time ~ accounts^k, k <= 1.1 (10k-1M)",
            f"k = {exponent:.2f}",
            exponent <= 1.1,
        )
    else:
        report.target("1M accounts x 104 weeks under 1.5 GiB", "not run (smoke)", None)


def _both_sizes(
    child: str, size: str, what: str, status: Any, few: int, many: int
) -> list[dict[str, Any]]:
    """Run a memory child with its ``size`` argument at ``few`` and at ``many``.

    A run whose command fails is a failed benchmark.
    """
    runs = []
    for count in (few, many):
        status.update(f"{what} of {count:,} {size}")
        run = measure(child, **{size: count})
        if run["status"] != 0:
            raise Failed(f"{what} of {count:,} {size} exited {run['status']}")
        runs.append(run)
    return runs


def run_memory(sizes: Sizes, seed: int, report: Report, status: Any) -> None:
    few, many = sizes.memory
    small, large = _both_sizes("experiment_memory", "replications", "npssim run", status, few, many)
    ratio = large["peak_mib"] / small["peak_mib"]
    report.add(
        "Experiment peak memory against replications",
        ["replications", "wall s", "peak MiB"],
        [
            [f"{run['replications']:,}", f"{run['wall_s']:.1f}", f"{run['peak_mib']:,.0f}"]
            for run in (small, large)
        ],
        "npssim run baseline (2 managers, 8 reps, 200 accounts, 104 weeks), default executor, "
        "report and every table written; peak of the process or its workers, whichever is larger.",
    )
    report.target(
        f"peak memory, {many:,} replications within 1.5x of {few}",
        f"{ratio:.2f}x",
        ratio <= 1.5 if sizes is FULL else None,
    )

    small, large = _both_sizes("sweep_memory", "runs", "npssim sweep on Dask", status, few, many)
    report.add(
        "Sweep peak memory on a Dask LocalCluster against runs",
        ["runs", "wall s", "peak MiB, caller", "peak MiB, largest worker"],
        [
            [
                f"{run['runs']:,}",
                f"{run['wall_s']:.1f}",
                f"{run['caller_mib']:,.0f}",
                f"{run['workers_mib']:,.0f}",
            ]
            for run in (small, large)
        ],
        f"npssim sweep baseline over {SWEEP_POINTS} values of firm.product_quality, the runs "
        "as replications at each, same small firm, --dask-local 2, report and every table "
        "written; a forked worker's peak counts the pages it shares with the caller.",
    )
    ratio = max(
        large["caller_mib"] / small["caller_mib"], large["workers_mib"] / small["workers_mib"]
    )  # NaN (not met) where worker peaks cannot be read
    report.target(
        f"dask sweep, {many:,} runs: peak memory within 1.5x of {few} runs",
        f"{ratio:.2f}x",
        ratio <= 1.5 if sizes is FULL else None,
    )


def run_executors(sizes: Sizes, seed: int, report: Report, status: Any) -> None:
    replications, managers = sizes.executor_replications, sizes.executor_managers
    runs = {}
    for kind in ("serial", "process pool", "dask"):
        status.update(f"{replications} replications on {kind}")
        runs[kind] = measure(
            "executor_speed", kind=kind, replications=replications, managers=managers, seed=seed
        )
    serial = runs["serial"]["wall_s"]
    same = len({run["ledger_sha256"] for run in runs.values()}) == 1
    report.add(
        "Serial against a process pool and a Dask LocalCluster",
        [
            "executor",
            "wall s",
            "speed-up",
            "of which starting s",
            "speed-up once started",
            "ledger identical to serial",
        ],
        [
            [
                kind + (" (2 workers)" if kind != "serial" else ""),
                f"{run['wall_s']:.1f}",
                f"{serial / run['wall_s']:.2f}x",
                f"{run['start_s']:.1f}",
                f"{runs['serial']['runs_s'] / run['runs_s']:.2f}x",
                "yes" if run["ledger_sha256"] == runs["serial"]["ledger_sha256"] else "NO",
            ]
            for kind, run in runs.items()
        ],
        f"{replications} replications of nps_bonus at {managers * 400:,} accounts. The wall "
        "time runs from opening the executor (starting its workers) to closing it; the targets "
        "are read on it. The runs on a fresh pool include each worker's first import of npssim.",
    )
    for kind in ("dask", "process pool"):
        speedup = serial / runs[kind]["wall_s"]
        report.target(
            f"{kind}, 2 workers, >= 1.8x serial",
            f"{speedup:.2f}x",
            speedup >= 1.8 if sizes is FULL else None,
        )
    report.target("same ledger on every executor", "yes" if same else "NO", same)


def run_scenarios(sizes: Sizes, seed: int, report: Report, status: Any) -> None:
    replications = sizes.scenario_replications
    status.update(f"every bundled scenario x {replications} replications")
    run = measure(
        "bundled_comparison",
        replications=replications,
        extra=["--seed", str(seed), *sizes.scenario_overrides],
    )
    if run["status"] != 0:
        raise Failed(f"npssim compare exited {run['status']}")
    report.add(
        "Every bundled scenario",
        ["scenarios", "replications each", "wall s"],
        [[str(run["scenarios"]), str(replications), f"{run['wall_s']:.1f}"]],
        "npssim compare of all bundled scenarios at default size, default executor (one "
        "worker per CPU), report written.",
    )
    report.target(
        f"{run['scenarios']} scenarios x {replications} replications < 60 s",
        f"{run['wall_s']:.1f} s",
        run["wall_s"] < 60 if sizes is FULL else None,
    )


def run_profile(sizes: Sizes, seed: int, report: Report, status: Any) -> None:
    status.update("profiling the reference firm")
    found = measure("profile", managers=sizes.reference_managers, weeks=sizes.weeks, seed=seed)
    total = found["total_s"]
    report.add(
        "Where the reference firm's time goes (cProfile, own time)",
        ["function", "calls", "own s", "share", "cumulative s"],
        [
            [
                f"`{row['function']}`",
                f"{row['calls']:,}",
                f"{row['own_s']:.3f}",
                f"{row['own_s'] / total:.0%}",
                f"{row['cumulative_s']:.3f}",
            ]
            for row in found["rows"]
        ],
        f"{total:.2f} s under the profiler (which slows Python calls more than NumPy's).",
    )


RUNNERS = {
    "reference": run_reference,
    "scaling": run_scaling,
    "memory": run_memory,
    "executors": run_executors,
    "scenarios": run_scenarios,
    "profile": run_profile,
}


def machine() -> list[str]:
    """What the figures were measured on."""
    import mesa
    import numpy

    from npssim import __version__
    from npssim.experiment.results import git_revision

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return [
        f"{cpu}, {os.cpu_count()} logical CPUs, {memory:.0f} GiB RAM; {platform.platform()}",
        f"Python {platform.python_version()}, Mesa {mesa.__version__}, NumPy {numpy.__version__}, "
        f"npssim {__version__} (git {git_revision() or 'unknown'})",
    ]


def markdown(report: Report, command: str, started: datetime, seconds: float) -> str:
    """The report as Markdown, for RESULTS.md."""
    lines = [
        f"Measured {started:%Y-%m-%d %H:%M} UTC in {seconds:.0f} s with:",
        "",
        "```",
        command,
        "```",
        "",
        *(f"- {line}" for line in machine()),
        "",
        "### Targets",
        "",
        "| target | measured | met |",
        "|---|---|---|",
        *(f"| {name} | {value} | {_verdict(met)} |" for name, value, met in report.targets),
    ]
    for title, header, rows, note in report.sections:
        lines += ["", f"### {title}", ""]
        lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        if note:
            lines += ["", note]
    return "\n".join(lines) + "\n"


def _verdict(met: bool | None) -> str:
    return {True: "yes", False: "**no**", None: "n/a (smoke size)"}[met]


def record(path: Path, block: str) -> None:
    """Put the block between the markers of ``path``, keeping the words around it."""
    from npssim.files import atomic_path

    text = path.read_text(encoding="utf-8") if path.exists() else f"{BEGIN}\n{END}\n"
    if BEGIN not in text or END not in text or text.index(BEGIN) > text.index(END):
        raise ValueError(f"{path}: no {BEGIN} ... {END} markers to put the results between")
    head, rest = text.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    with atomic_path(path) as temporary:
        temporary.write_text(f"{head}{BEGIN}\n{block}{END}{tail}", encoding="utf-8")


def print_report(console: Console, report: Report) -> None:
    for title, header, rows, note in report.sections:
        table = Table(*header, title=title, title_justify="left", caption=note or None)
        for row in rows:
            table.add_row(*(cell.strip("`") for cell in row))
        console.print(table)
    table = Table("target", "measured", "met", title="Targets", title_justify="left")
    for name, value, met in report.targets:
        table.add_row(name, value, _verdict(met).strip("*"))
    console.print(table)


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr and exit status 2."""

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"{self.prog}: {message}\n")
        sys.exit(2)


def parse(argv: list[str]) -> argparse.Namespace:
    parser = _Parser(
        prog="python benchmarks/run.py",
        description="Measure npssim's speed, scale, memory and parallelism against its targets.",
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=SECTIONS,
        help="run only this section (repeatable; default: all)",
    )
    parser.add_argument(
        "--smoke", action="store_true", help="tiny sizes: check that it works, in seconds"
    )
    parser.add_argument("--seed", type=int, default=1, help="root seed of every run (default 1)")
    parser.add_argument(
        "--record",
        type=Path,
        metavar="FILE",
        help="also write the results as Markdown between the benchmark markers of FILE "
        "(created if missing), e.g. benchmarks/RESULTS.md",
    )
    parser.add_argument(
        "--check", action="store_true", help="exit with status 1 if a target is missed"
    )
    arguments = parser.parse_args(argv)
    if arguments.record is not None:
        folder = arguments.record.parent
        if not folder.is_dir():
            parser.error(f"--record {arguments.record}: folder {folder} does not exist")
        if arguments.record.exists():
            text = arguments.record.read_text(encoding="utf-8")
            if BEGIN not in text or END not in text:
                parser.error(f"--record {arguments.record}: no {BEGIN} ... {END} markers")
    return arguments


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        name, arguments, out = argv[1], json.loads(argv[2]), Path(argv[3])
        out.write_text(json.dumps(CHILDREN[name](**arguments)))
        return 0
    arguments = parse(argv)
    sizes = SMOKE if arguments.smoke else FULL
    console, progress = Console(), Console(stderr=True)
    report = Report([], [])
    started, clock = datetime.now(UTC), time.perf_counter()
    with progress.status("starting") as status:
        for section in arguments.only or SECTIONS:
            try:
                RUNNERS[section](sizes, arguments.seed, report, status)
            except Failed as failure:
                progress.print(f"[red]{section}: {failure}")
                return 1
    seconds = time.perf_counter() - clock
    print_report(console, report)
    if arguments.record is not None:
        command = " ".join(["python", "benchmarks/run.py", *argv])
        record(arguments.record, markdown(report, command, started, seconds))
        console.print(f"Recorded in {arguments.record}")
    missed = [name for name, _, met in report.targets if met is False]
    verdict = f"missed: {'; '.join(missed)}" if missed else "no target missed"
    console.print(f"Done in {seconds:.0f} s; {verdict}.")
    return 1 if arguments.check and missed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
