"""Running an experiment's tasks on an executor, with progress, storage and resumption."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
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

from npssim.experiment.executors import ExecutorChoice, InlineExecutor, open_executor
from npssim.experiment.runs import RunResult, RunTask, run_task
from npssim.experiment.store import RunStore

#: Called after each run is stored, with the number finished so far and the total.
Callback = Callable[[int, int], None]


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
    with bar, opened as executor:
        tracker = bar.add_task(description, total=total, completed=len(results))
        # An in-process executor runs a task as it is submitted: submit one at a time so each
        # run is stored before the next starts. Pools queue everything, and cancel on Ctrl-C.
        limit = 1 if isinstance(executor, InlineExecutor) else max(len(pending), 1)
        queue = iter(pending)
        futures: set[Future] = set()
        try:
            futures.update(executor.submit(run_task, task) for task in islice(queue, limit))
            while futures:
                done, futures = wait(futures, return_when=FIRST_COMPLETED)
                for future in sorted(done, key=lambda item: item.result().key):
                    result = future.result()
                    if store is not None:
                        store.save(result)
                    results[result.key] = result
                    bar.advance(tracker)
                    if on_finished is not None:
                        on_finished(len(results), total)
                futures.update(executor.submit(run_task, task) for task in islice(queue, len(done)))
        except BaseException:
            for future in futures:
                future.cancel()
            raise
    return results, total - len(pending)
