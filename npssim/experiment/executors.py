"""Where runs execute: in this process, in a local process pool, or on a Dask cluster.

Everything is a :class:`concurrent.futures.Executor`, so the experiment code does not care which.
Results never depend on the choice: every run is seeded by its task alone, and results are put
in task order, not in the order they finish.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import resource_tracker
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


@contextlib.contextmanager
def _interrupts_blocked() -> Iterator[None]:
    """Block Ctrl-C in this thread while a local Dask cluster starts; deliver it afterwards.

    A signal mask is inherited by the threads a thread starts and by the processes they
    spawn, across ``exec`` too. So Dask's threads, started here, leave Ctrl-C to the main
    thread, and the worker processes they spawn never see it: without this, Ctrl-C reached
    every spawned worker, which printed its own traceback (or Dask's warnings) beside npssim's
    line. This process handles Ctrl-C by closing the cluster. One pressed while the cluster
    starts waits, blocked, until the block ends, then interrupts as usual.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    # Started later from one of Dask's threads, multiprocessing's resource tracker would
    # unblock SIGINT in that thread (bpo-33613's mask is undone after its spawn), and every
    # thread and worker started from there would get Ctrl-C again: start it now.
    resource_tracker.ensure_running()
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


#: The spawned workers' logging, read from the environment when they import Distributed:
#: critical only. As the cluster closes after Ctrl-C a worker warns of each task cancelled and
#: logs an error, with a traceback, for a heartbeat the closed scheduler missed: lines that
#: would follow npssim's one line. A task's own error still reaches npssim through its future.
_WORKER_ENVIRONMENT = {"DASK_LOGGING__DISTRIBUTED": "critical"}


@contextlib.contextmanager
def _quiet_workers() -> Iterator[None]:
    """Set :data:`_WORKER_ENVIRONMENT` while the workers are spawned (they inherit it)."""
    previous = {name: os.environ.get(name) for name in _WORKER_ENVIRONMENT}
    os.environ.update(_WORKER_ENVIRONMENT)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


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

#: The nannies spawn their workers (Dask's default), never fork them from this process. Forking
#: started a cluster 0.5 s sooner and ran its first task 2 s sooner (a forked worker starts with
#: npssim already imported), but a fork copies only the forking thread: a lock another thread
#: held at that moment stays held in the worker for good. A check that no other thread ran
#: could not see threads started in C libraries (OpenBLAS, a notebook's kernel), and a CI run
#: under Python 3.12 hung in a forked-worker test until its 40-minute limit. A spawned worker
#: imports what it needs afresh and cannot inherit a held lock.
_START_METHOD: dict[str, Any] = {"distributed.worker.multiprocessing-method": "spawn"}


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

            settings = {**_START_METHOD, **_LOCAL_CLUSTER_CONFIG}
            with dask.config.set(settings), _interrupts_blocked(), _quiet_workers():
                cluster = stack.enter_context(
                    LocalCluster(
                        n_workers=choice.dask_local,
                        threads_per_worker=1,
                        processes=True,
                        # No dashboard; the scheduler's HTTP server (metrics) still starts, on
                        # a free port: on the default 8787, taken by another cluster, Dask
                        # warned on stderr beside npssim's output.
                        dashboard_address=":0",
                        scheduler_kwargs={"dashboard": False},
                    )
                )
            client = stack.enter_context(Client(cluster))
        executor = client.get_executor(pure=False)
        try:
            yield executor
        except KeyboardInterrupt:
            # The cluster closes with its workers busy; Dask logs each one it has to kill.
            # npssim's one line says what happened.
            logging.getLogger("distributed").setLevel(logging.CRITICAL)
            raise
        finally:
            executor.shutdown(wait=False)
