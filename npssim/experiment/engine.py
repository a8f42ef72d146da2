"""Running an experiment's tasks on an executor, with progress, storage and resumption."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from itertools import islice

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from npssim.experiment.executors import ExecutorChoice, executor_slots, open_executor
from npssim.experiment.runs import RunResult, RunTask, run_batch
from npssim.experiment.store import RunStore

#: Called after each run is stored, with the number finished so far and the total.
Callback = Callable[[int, int], None]

#: Batches queued per worker at a time: one running, one ready for when it finishes.
IN_FLIGHT_PER_WORKER = 2
#: A batch takes one part in this many of a worker's share of the runs not yet in a batch.
BATCHES_PER_WORKER = 4
#: No batch carries more runs than this. A call's round trip (about 10 ms on a local Dask
#: cluster) is then a few per cent of a batch of reference-firm runs (0.2-0.3 s each), while
#: the progress bar still moves every few seconds and Ctrl-C loses at most one batch of
#: unfinished work per worker: a long sweep is not cut into batches of a hundred runs.
MAX_BATCH = 8


def batch_size(remaining: int, workers: int) -> int:
    """How many of the ``remaining`` runs the next batch takes, for ``workers`` workers.

    A quarter of a worker's share of what is left, and no more than :data:`MAX_BATCH`: a
    call's round trip (about 10 ms on a local Dask cluster) and the pickling of its scenario
    are paid once per batch; the batches shrink as the end nears, down to single runs, so the
    workers finish within about one run of each other instead of one idling while another
    works through a long last batch.

    Args:
        remaining: Runs not yet put in a batch.
        workers: Tasks the executor runs at once.

    Returns:
        At least one run, and no more than ``remaining`` (when there are any).
    """
    share = math.ceil(remaining / (BATCHES_PER_WORKER * max(workers, 1)))
    return max(1, min(remaining, share, MAX_BATCH))


def batches(tasks: Sequence[RunTask], workers: int | None) -> Iterator[list[RunTask]]:
    """Cut the tasks, in order, into batches that cover each exactly once.

    Args:
        tasks: The runs to do.
        workers: Tasks the executor runs at once; None for an in-process executor, which
            gets one run at a time, so each is stored before the next starts.

    Yields:
        Consecutive slices of ``tasks``.
    """
    start = 0
    while start < len(tasks):
        size = 1 if workers is None else batch_size(len(tasks) - start, workers)
        yield list(tasks[start : start + size])
        start += size


def execute(
    tasks: Sequence[RunTask],
    choice: ExecutorChoice | Executor,
    store: RunStore | None = None,
    *,
    progress: bool = False,
    description: str = "runs",
    on_finished: Callback | None = None,
) -> tuple[dict[str, RunResult], int]:
    """Run every task not already stored, storing each one as soon as it finishes.

    Args:
        tasks: The runs of the experiment.
        choice: Which executor to run them on, or an executor the caller manages.
        store: Where finished runs are kept; runs already there are loaded, not run again.
        progress: Show a progress bar with an estimate of the time left (on stderr).
        description: Label of the progress bar.
        on_finished: Called after each finished run (for notebooks and tests).

    Returns:
        Every task's result by task key, and how many of them were loaded from the store.

    Raises:
        KeyboardInterrupt: The user interrupted; the runs finished so far are stored, queued
            runs are cancelled.
    """
    results: dict[str, RunResult] = {}
    pending: list[RunTask] = []
    for task in tasks:
        stored = store.load(task) if store is not None else None
        if stored is None:
            pending.append(task)
        else:
            results[task.key] = stored
    total = len(tasks)
    bar = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("elapsed"),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        disable=not progress,
        transient=True,
    )
    opened = (
        contextlib.nullcontext(choice)
        if isinstance(choice, Executor)
        else open_executor(choice, len(pending))
    )
    # The executor opens before the progress bar starts its thread: a local Dask cluster forks
    # its workers, and a fork must not catch another thread in the middle of a write.
    with opened as executor, bar:
        tracker = bar.add_task(description, total=total, completed=len(results))
        slots = executor_slots(executor)
        # An in-process executor runs a task as it is submitted: submit one at a time so each
        # run is stored before the next starts. Pools get batches, a few queued per worker:
        # enough that none waits for its next batch, few enough that a long sweep holds only
        # a handful of batches in memory at a time. What is queued is cancelled on Ctrl-C.
        limit = 1 if slots is None else IN_FLIGHT_PER_WORKER * slots
        queue = enumerate(batches(pending, slots))
        futures: dict[Future, int] = {}

        def refill() -> None:
            for index, batch in islice(queue, limit - len(futures)):
                futures[executor.submit(run_batch, batch)] = index

        try:
            refill()
            while futures:
                done, _ = wait(futures, return_when=FIRST_COMPLETED)
                for future in sorted(done, key=futures.__getitem__):
                    for result in future.result():
                        if store is not None:
                            store.save(result)
                        results[result.key] = result
                        bar.advance(tracker)
                        if on_finished is not None:
                            on_finished(len(results), total)
                    del futures[future]
                refill()
        except BaseException:
            for future in futures:
                future.cancel()
            raise
    # In task order, however the runs were batched and whichever finished first.
    ordered = {task.key: results[task.key] for task in tasks}
    return ordered, total - len(pending)
