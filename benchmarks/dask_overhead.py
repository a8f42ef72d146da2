"""What a Dask cluster costs npssim beyond the runs themselves, and what that means at scale.

Run it from the project's root, after the README's install::

    .venv/bin/python benchmarks/dask_overhead.py
    .venv/bin/python benchmarks/dask_overhead.py --json
    .venv/bin/python benchmarks/dask_overhead.py --run-seconds 2.5 --workers 64
    .venv/bin/python benchmarks/dask_overhead.py --scheduler tcp://10.0.0.5:8786

It measures, on the ``LocalCluster`` of 2 workers that ``--dask-local 2`` starts (npssim's
settings included), or on a running cluster named by ``--scheduler`` (round trips only):

- the cluster's start-up and shutdown, in seconds, the best and median of a few;
- the first task's round trip (whatever a worker still has to import before it can run);
- the round trip of a trivial task, in milliseconds, one at a time (the latency a worker sees
  when nothing else is queued for it: an upper bound on the cost per call);
- the round trip of a :func:`~npssim.experiment.runs.run_batch` of tiny runs less the runs'
  own compute time: the cost per batch, and per run in that batch.

It then projects a 100,000-run Sobol study on 64 workers, given a run's cost (by default the
reference firm's single run, measured here in this process)::

    projected = runs * (run + overhead per run) / workers + start-up

once with one call per run (the trivial task's overhead) and once batched (the batch's overhead
shared by its runs). Timings are noisy on a busy machine: compare the best values.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.table import Table

#: The reference firm of ``benchmarks/run.py``: 50 managers, 20,000 accounts, 104 weeks.
REFERENCE = {"firm.managers": 50}
#: Runs of a few milliseconds: what is left of a batch's round trip is overhead.
TINY = {"firm.managers": 1, "run.weeks": 2}


def trivial(value: int) -> int:
    """A task that does nothing but come back."""
    return value


def best_and_median(values: list[float]) -> dict[str, float]:
    """The best and median of repeated timings (the best is the least disturbed)."""
    return {"best": min(values), "median": statistics.median(values)}


def reference_run_seconds(repeats: int) -> float:
    """The reference firm's single run in this process, median of ``repeats``."""
    from npssim.experiment import make_plan
    from npssim.experiment.runs import run_task

    tasks = make_plan("run", ["nps_bonus"], repeats, 1, None, REFERENCE).tasks()
    return statistics.median(run_task(task).seconds for task in tasks)


def start_and_stop(repeats: int) -> dict[str, Any]:
    """Seconds to open and to close npssim's LocalCluster of 2, and its first task's trip."""
    from npssim.experiment import ExecutorChoice
    from npssim.experiment.executors import open_executor

    opened, closed, first = [], [], []
    for _ in range(repeats):
        started = time.perf_counter()
        with open_executor(ExecutorChoice(dask_local=2), tasks=2) as executor:
            ready = time.perf_counter()
            # One task per worker at once: each pays whatever it still has to import.
            futures = [executor.submit(_first_run, index) for index in range(2)]
            for future in futures:
                future.result()
            ran = time.perf_counter()
        done = time.perf_counter()
        opened.append(ready - started)
        first.append(ran - ready)
        closed.append(done - ran)
    return {
        "start_s": best_and_median(opened),
        "first_task_s": best_and_median(first),
        "shutdown_s": best_and_median(closed),
    }


def _first_run(index: int) -> float:
    """Import what a run needs and run a tiny one: a worker's first replication."""
    from npssim.experiment import make_plan
    from npssim.experiment.runs import run_task

    return run_task(make_plan("run", ["nps_bonus"], 1, index, None, TINY).tasks()[0]).seconds


def round_trips(
    calls: int, batch: int, batches: int, scheduler: str | None = None
) -> dict[str, Any]:
    """Milliseconds per call of a trivial task and of a batch of tiny runs, one at a time.

    On npssim's LocalCluster of 2, or on the running cluster whose ``scheduler`` is given.
    """
    from npssim.experiment import ExecutorChoice, make_plan
    from npssim.experiment.executors import open_executor
    from npssim.experiment.runs import run_batch

    tasks = make_plan("run", ["nps_bonus"], batch, 5, None, TINY).tasks()
    choice = ExecutorChoice(scheduler=scheduler) if scheduler else ExecutorChoice(dask_local=2)
    with open_executor(choice, tasks=2) as executor:
        _timed(lambda: executor.submit(run_batch, tasks).result())  # warm: imports, caches
        trivial_ms = [_timed(lambda: executor.submit(trivial, 1).result()) for _ in range(calls)]
        batch_ms = []
        for _ in range(batches):
            started = time.perf_counter()
            results = executor.submit(run_batch, tasks).result()
            wall = time.perf_counter() - started
            batch_ms.append((wall - sum(result.seconds for result in results)) * 1000)
    return {
        "trivial_ms": best_and_median(trivial_ms),
        "batch_ms": best_and_median(batch_ms),
        "batch_runs": batch,
    }


def _timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def project(runs: int, workers: int, run_s: float, overhead_s: float, start_s: float) -> float:
    """Projected wall seconds of ``runs`` runs spread evenly over ``workers`` workers."""
    return runs * (run_s + overhead_s) / workers + start_s


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Every measurement and both projections."""
    run_s = args.run_seconds if args.run_seconds is not None else reference_run_seconds(3)
    if args.scheduler:  # someone else's cluster: already started, and left running
        zero = best_and_median([0.0])
        cluster = {"start_s": zero, "first_task_s": zero, "shutdown_s": zero}
    else:
        cluster = start_and_stop(args.repeats)
    trips = round_trips(args.calls, args.batch, args.batches, args.scheduler)
    start_s = cluster["start_s"]["median"] + cluster["shutdown_s"]["median"]
    unbatched = trips["trivial_ms"]["median"] / 1000
    batched = trips["batch_ms"]["median"] / 1000 / trips["batch_runs"]
    return {
        "cluster": args.scheduler or "LocalCluster of 2",
        "run_s": run_s,
        "run_s_measured": args.run_seconds is None,
        **cluster,
        **trips,
        "projection": {
            "runs": args.runs,
            "workers": args.workers,
            "start_and_shutdown_s": start_s,
            "ideal_s": args.runs * run_s / args.workers,
            "one_call_per_run_s": project(args.runs, args.workers, run_s, unbatched, start_s),
            "batched_s": project(args.runs, args.workers, run_s, batched, start_s),
        },
    }


def show(console: Console, found: dict[str, Any]) -> None:
    """The measurements and the projection as two small tables."""
    costs = Table("cost", "best", "median", title=f"Dask: {found['cluster']}", title_justify="left")
    for key, label, unit, scale in (
        ("start_s", "start-up", "s", 1),
        ("first_task_s", "first task on each worker", "s", 1),
        ("shutdown_s", "shutdown", "s", 1),
        ("trivial_ms", "trivial task round trip", "ms", 1),
        ("batch_ms", f"batch of {found['batch_runs']} tiny runs, less compute", "ms", 1),
    ):
        values = found[key]
        costs.add_row(label, *(f"{values[name] * scale:.3f} {unit}" for name in ("best", "median")))
    console.print(costs)
    plan = found["projection"]
    source = "measured here" if found["run_s_measured"] else "given"
    projection = Table(
        "projection",
        "overhead per run ms",
        "seconds",
        "hours",
        title=f"{plan['runs']:,} runs on {plan['workers']} workers, "
        f"{found['run_s']:.3f} s a run ({source})",
        title_justify="left",
        caption="runs * (run + overhead) / workers + start-up and shutdown (medians)",
    )
    for key, label, overhead in (
        ("ideal_s", "no overhead at all", 0.0),
        ("one_call_per_run_s", "one call per run", found["trivial_ms"]["median"]),
        ("batched_s", "batched", found["batch_ms"]["median"] / found["batch_runs"]),
    ):
        projection.add_row(label, f"{overhead:.2f}", f"{plan[key]:,.0f}", f"{plan[key] / 3600:.3f}")
    console.print(projection)


def main(argv: list[str] | None = None) -> int:
    """Measure and print; ``--json`` prints the numbers as JSON instead of tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--json", action="store_true", help="print JSON, not tables")
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="measure the round trips of this running cluster (e.g. tcp://10.0.0.5:8786) "
        "instead of starting a LocalCluster of 2",
    )
    parser.add_argument("--run-seconds", type=float, help="a run's cost (default: measured)")
    parser.add_argument("--runs", type=int, default=100_000, help="runs of the projected study")
    parser.add_argument("--workers", type=int, default=64, help="workers of the projection")
    parser.add_argument("--repeats", type=int, default=3, help="cluster starts to time")
    parser.add_argument("--calls", type=int, default=50, help="trivial tasks to time")
    parser.add_argument("--batch", type=int, default=8, help="tiny runs in a timed batch")
    parser.add_argument("--batches", type=int, default=20, help="batches to time")
    parser.add_argument(
        "--start-method",
        choices=("fork", "forkserver", "spawn"),
        help="how the nannies start workers, instead of npssim's choice (to compare)",
    )
    args = parser.parse_args(argv)
    if args.start_method:
        from npssim.experiment import executors

        executors._LOCAL_CLUSTER_CONFIG["distributed.worker.multiprocessing-method"] = (
            args.start_method
        )
    found = measure(args)
    found["start_method"] = args.start_method or "npssim's"
    if args.json:
        print(json.dumps(found, indent=2))
    else:
        show(Console(), found)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
