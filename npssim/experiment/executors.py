"""Where runs execute: in this process, in a local process pool, or on a Dask cluster.

Everything is a :class:`concurrent.futures.Executor`, so the experiment code does not care which.
Results never depend on the choice: every run is seeded by its task alone, and results are put
in task order, not in the order they finish.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from npssim.errors import InputError


class InlineExecutor(Executor):
    """Runs each task at once in the calling process: the executor for one run or one worker."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        """Run ``fn(*args, **kwargs)`` now and return its finished future."""
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as err:  # an interrupt is no Exception: it reaches the caller
            future.set_exception(err)
        return future


@dataclass(frozen=True)
class ExecutorChoice:
    """Which executor to open, as the user asked for it.

    Attributes:
        workers: Local worker processes; None for one per CPU. 1 runs in this process.
        scheduler: Address of a running Dask scheduler, e.g. ``tcp://10.0.0.5:8786``.
        dask_local: Start a local Dask cluster with this many worker processes.
    """

    workers: int | None = None
    scheduler: str | None = None
    dask_local: int | None = None

    def describe(self, tasks: int) -> str:
        """One line for the manifest and the report."""
        if self.scheduler:
            return f"dask scheduler {self.scheduler}"
        if self.dask_local:
            return f"dask local cluster, {self.dask_local} workers"
        workers = self.local_workers(tasks)
        return "in-process" if workers == 1 else f"process pool, {workers} workers"

    def local_workers(self, tasks: int) -> int:
        """Local processes worth starting for ``tasks`` runs."""
        wanted = self.workers if self.workers is not None else (os.cpu_count() or 1)
        return max(1, min(wanted, tasks))


@contextlib.contextmanager
def open_executor(choice: ExecutorChoice, tasks: int) -> Iterator[Executor]:
    """Open the executor the user chose, and close it (cancelling what is queued) on exit.

    Args:
        choice: The user's choice.
        tasks: How many runs will be submitted (no more local workers than runs).

    Yields:
        The executor.

    Raises:
        InputError: Dask was asked for but is not installed, or the scheduler is unreachable.
    """
    if choice.scheduler or choice.dask_local:
        with _dask_executor(choice) as executor:
            yield executor
        return
    workers = choice.local_workers(tasks)
    if workers == 1:
        yield InlineExecutor()
        return
    # Spawned (not forked) workers: forking a process that runs a progress-bar thread is unsafe.
    # Workers ignore Ctrl-C so that only this process handles it, cancelling what is queued.
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start_worker,
        initargs=(os.getpid(),),
    )
    try:
        with _interrupts_deferred():
            # A spawning pool launches a worker per task submitted while none is idle, so a task
            # per worker launches them all here. Ctrl-C in the middle of a launch would cut off
            # the start-up data a worker is reading, and it would print a traceback.
            for _ in range(workers):
                pool.submit(_nothing)
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@contextlib.contextmanager
def _interrupts_deferred() -> Iterator[None]:
    """Hold Ctrl-C until the block ends, then raise it (in the main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda number, frame: caught.append(number))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        raise KeyboardInterrupt


def _nothing() -> None:
    """A task that does nothing (it makes the pool launch its workers)."""


#: How often a pool worker checks that the process that started it is still alive.
PARENT_CHECK_SECONDS = 1.0


def _start_worker(parent: int) -> None:
    """Set up a pool worker: Ctrl-C is the parent's to handle, and the worker dies with it.

    A worker blocks reading its task queue, whose pipe it holds both ends of, so when the
    parent is killed (SIGKILL, out of memory) no end-of-file ever comes and the worker would
    live on, idle, for good. A daemon thread watches for the parent's exit instead.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()


def _exit_with(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)  # the parent is gone: nobody will read what this worker makes


def executor_slots(executor: Executor) -> int | None:
    """How many tasks an executor runs at once, to size batches and the work kept queued.

    Args:
        executor: An executor npssim opened, or one the caller manages.

    Returns:
        None for an in-process executor (it runs each task as it is submitted); the Dask
        cluster's threads, asked of its scheduler (a remote ``--scheduler`` cluster included);
        a pool's workers; or one per CPU when the executor does not say.
    """
    if isinstance(executor, InlineExecutor):
        return None
    client = getattr(executor, "_client", None)  # distributed's ClientExecutor
    if client is not None:
        try:
            threads = sum(client.nthreads().values())
        except Exception:  # a scheduler that does not answer: guess, the runs will tell
            threads = 0
        if threads > 0:
            return threads
    workers = getattr(executor, "_max_workers", None)  # ProcessPool and ThreadPool executors
    if isinstance(workers, int) and workers > 0:
        return workers
    return os.cpu_count() or 1


#: Dask settings for the local cluster npssim starts, tuned to CPU-bound simulations that leave
#: no core idle. Each of these made replications on Dask workers measurably slower than in a
#: plain process pool (``benchmarks/run.py --only executors``):
#: - Dask's nannies set ``MALLOC_TRIM_THRESHOLD_`` to hand memory back to the OS, which also
#:   turns off glibc's adaptive mmap threshold: every NumPy temporary of 128 KiB or more is then
#:   mapped and page-faulted afresh. A worker here holds one firm at a time.
#: - There is no dashboard, so nobody reads the workers' statistical profiler (which samples
#:   each busy worker's stack a hundred times a second) or the system monitor's history.
#: - The event-loop watchdog and memory monitor wake every process every 20 and 100 ms, taking
#:   the GIL and a core from the simulations; once a second still catches runaway memory.
_LOCAL_CLUSTER_CONFIG: dict[str, Any] = {
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
    "distributed.worker.profile.enabled": False,
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.admin.tick.interval": "1s",
    "distributed.worker.memory.monitor-interval": "1s",
}

#: And one setting that makes the local cluster start and stop quicker, when it is safe
#: (``benchmarks/dask_overhead.py --start-method spawn`` measures Dask's default against it):
#: the nannies fork their workers from this process instead of spawning fresh interpreters.
#: - A spawned worker imports Dask (0.5 s) and then, at its first run, npssim, Mesa, SciPy and
#:   pandas (1 to 2 s, on both cores at once), and unwinds all of that when it exits. A
#:   forked worker starts with what this process has imported and exits at once: a cluster
#:   of two was ready in 0.1 s instead of 0.6 s, ran its first task in 0.05 s instead of
#:   2.3 s, and shut down in 0.05 s instead of 0.8 s; 80 reference replications went from
#:   1.5 to 1.9 times faster than serial. A forkserver that pre-imports npssim avoids forking
#:   a threaded process, but imports everything in one process: ready in 1.75 s.
#: - A fork copies only the thread that forks: a lock another thread held at that moment
#:   stays held in the worker. So npssim forks only when no other thread of the caller is
#:   running (:func:`_fork_is_safe`); the threads then are Dask's own, which start the
#:   workers. :func:`~npssim.experiment.engine.execute` opens the cluster before its progress
#:   bar starts a thread. Anywhere else (a notebook's kernel runs threads) workers are spawned.
#: - Not on macOS, whose system libraries are not safe to use in a forked child.
#: - A forked worker holds copies of this process's open files (the output folder's lock
#:   among them) until it exits, which it does when the cluster closes or this process dies.
#: - Results do not change: a forked worker runs the same code on the same libraries.
_FORK_CONFIG: dict[str, Any] = {"distributed.worker.multiprocessing-method": "fork"}


def _fork_is_safe() -> bool:
    """This process may fork Dask's workers: on Linux, with no thread but the main one.

    Dask's offload thread, which an earlier cluster started and which waits for work that
    only a running cluster gives it, does not count.
    """
    others = (
        thread
        for thread in threading.enumerate()
        if thread is not threading.main_thread() and not thread.name.startswith("Dask-Offload")
    )
    return sys.platform.startswith("linux") and next(others, None) is None


@contextlib.contextmanager
def _dask_executor(choice: ExecutorChoice) -> Iterator[Executor]:
    option = "--scheduler" if choice.scheduler else "--dask-local"
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise InputError(
            f'{option}: Dask is not installed; install it with pip install "npssim[dask]"'
        ) from None
    with contextlib.ExitStack() as stack:
        if choice.scheduler:
            try:
                client = stack.enter_context(Client(choice.scheduler, timeout="5s"))
            except (OSError, TimeoutError) as err:
                raise InputError(
                    f"--scheduler {choice.scheduler}: cannot connect to the Dask scheduler "
                    f"({err})".replace("\n", " ")
                ) from None
        else:
            import dask

            forking = _fork_is_safe()  # before Dask starts its threads
            settings = (
                {**_FORK_CONFIG, **_LOCAL_CLUSTER_CONFIG} if forking else _LOCAL_CLUSTER_CONFIG
            )
            # Forked workers inherit the held-back Ctrl-C: only this process handles it (it
            # closes the cluster), and no worker prints a traceback beside npssim's message.
            with dask.config.set(settings), warnings.catch_warnings(), _interrupts_deferred():
                # Python 3.12 warns of any fork while threads run: here they are Dask's own.
                warnings.filterwarnings(
                    "ignore",
                    r"This process .* is multi-threaded, use of fork\(\)",
                    DeprecationWarning,
                )
                cluster = stack.enter_context(
                    LocalCluster(
                        n_workers=choice.dask_local,
                        threads_per_worker=1,
                        processes=True,
                        dashboard_address=None,
                    )
                )
            client = stack.enter_context(Client(cluster))
        executor = client.get_executor(pure=False)
        try:
            yield executor
        finally:
            executor.shutdown(wait=False)
