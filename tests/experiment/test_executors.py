import contextlib
import multiprocessing
import signal
import socket
import subprocess
import sys
import threading
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest
from distributed import Client, LocalCluster

from npssim.experiment import ExecutorChoice, run_experiment
from npssim.experiment.executors import InlineExecutor, executor_slots, open_executor

from .conftest import SMALL
from .models import StrictFirm


def ledger(**execution) -> pd.DataFrame:
    results = run_experiment(
        ["baseline", "nps_bonus"], replications=3, seed=42, overrides=SMALL, **execution
    )
    return results.ledger


@pytest.fixture(scope="module")
def serial_ledger() -> pd.DataFrame:
    return ledger(executor="serial")


def test_process_pool_gives_the_serial_ledger_bit_for_bit(serial_ledger):
    pooled = ledger(executor=ExecutorChoice(workers=2))
    pd.testing.assert_frame_equal(pooled, serial_ledger, check_exact=True)


@pytest.mark.slow
def test_dask_local_cluster_gives_the_serial_ledger_bit_for_bit(serial_ledger):
    on_dask = ledger(executor=ExecutorChoice(dask_local=2))
    pd.testing.assert_frame_equal(on_dask, serial_ledger, check_exact=True)


def test_local_cluster_workers_run_without_profiler_or_malloc_trimming():
    def settings():
        import os

        import dask

        return (
            dask.config.get("distributed.worker.profile.enabled"),
            os.environ.get("MALLOC_TRIM_THRESHOLD_"),
        )

    with open_executor(ExecutorChoice(dask_local=1), tasks=1) as executor:
        assert executor.submit(settings).result() == (False, None)


def test_local_cluster_workers_are_spawned_even_when_no_other_thread_runs():
    # Spawned, never forked: a fork copies locks other threads hold (C libraries' included)
    # into a worker that then waits on them for good. A fresh worker has not imported npssim.
    with open_executor(ExecutorChoice(dask_local=1), tasks=1) as executor:
        found = executor.submit(eval, "'npssim.model' in __import__('sys').modules").result()
    assert found is False


def test_local_cluster_workers_are_spawned_while_other_threads_run():
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        with open_executor(ExecutorChoice(dask_local=1), tasks=1) as executor:
            found = executor.submit(eval, "'npssim.model' in __import__('sys').modules").result()
    finally:
        stop.set()
        other.join()
    assert found is False


def test_starting_the_local_cluster_s_workers_raises_no_fork_warning():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with open_executor(ExecutorChoice(dask_local=1), tasks=1) as executor:
            executor.submit(abs, -1).result()
    assert [str(warning.message) for warning in caught if "fork" in str(warning.message)] == []


def test_a_dask_cluster_s_threads_are_asked_of_its_scheduler():
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        assert executor_slots(client.get_executor()) == 2


def test_a_pool_s_workers_are_its_slots():
    with ThreadPoolExecutor(3) as threads:
        assert executor_slots(threads) == 3


def test_an_executor_the_caller_manages_is_used_as_given(serial_ledger):
    with (
        LocalCluster(
            n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        on_dask = ledger(executor=client.get_executor())
    pd.testing.assert_frame_equal(on_dask, serial_ledger, check_exact=True)


def test_one_worker_runs_in_this_process():
    with open_executor(ExecutorChoice(workers=1), tasks=10) as executor:
        assert isinstance(executor, InlineExecutor)


def test_a_process_pool_launches_every_worker_before_it_is_used():
    # A worker launched later, by the first real task, could be cut off by Ctrl-C mid-launch.
    before = set(multiprocessing.active_children())
    with open_executor(ExecutorChoice(workers=2), tasks=10):
        launched = set(multiprocessing.active_children()) - before
        assert len(launched) == 2


def test_no_more_local_workers_than_runs():
    assert ExecutorChoice(workers=8).local_workers(tasks=3) == 3
    assert ExecutorChoice(workers=8).describe(tasks=1) == "in-process"


@pytest.mark.slow
def test_unreachable_scheduler_is_bad_input():
    from npssim.errors import InputError

    with (
        pytest.raises(InputError, match=r"--scheduler tcp://127\.0\.0\.1:9"),
        open_executor(ExecutorChoice(scheduler="tcp://127.0.0.1:9"), tasks=2),
    ):
        pass


@pytest.mark.slow
def test_dask_gives_the_serial_ledger_at_the_reference_firm_s_size():
    """Sums over many accounts must not go through BLAS, whose order can differ on workers."""
    large = {"firm.managers": 50, "run.weeks": 52}

    def run(execution):
        return run_experiment(
            ["nps_bonus"], replications=2, seed=7, overrides=large, executor=execution
        ).ledger

    pd.testing.assert_frame_equal(
        run(ExecutorChoice(dask_local=2)), run("serial"), check_exact=True
    )


@pytest.mark.slow
def test_a_custom_model_class_runs_on_a_dask_cluster_as_it_does_here():
    options = {"replications": 2, "seed": 6, "overrides": SMALL, "model_class": StrictFirm}
    here = run_experiment("nps_bonus", executor="serial", **options).ledger
    on_dask = run_experiment("nps_bonus", executor=ExecutorChoice(dask_local=2), **options).ledger
    pd.testing.assert_frame_equal(on_dask, here, check_exact=True)


def children_of(pid: int) -> set[int]:
    found = set()
    for status in Path("/proc").glob("[0-9]*/status"):
        with contextlib.suppress(OSError):
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines())
            if int(fields["PPid"]) == pid:
                found.add(int(status.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/status").read_text().find("State:\tZ") < 0
    except OSError:
        return False


def test_pool_workers_exit_when_their_parent_is_killed(tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-m", "npssim.cli", "run", "nps_bonus", "--workers", "2",
         "--out", str(tmp_path / "out"), "--quiet"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(300):  # until both workers have started
            workers = children_of(process.pid)
            if len(workers) >= 2:
                break
            time.sleep(0.05)
    finally:
        process.kill()
        process.wait()
    assert len(workers) >= 2
    for _ in range(100):
        if not any(alive(pid) for pid in workers):
            break
        time.sleep(0.1)
    assert not any(alive(pid) for pid in workers)


def test_every_test_has_a_time_limit(pytestconfig):
    # pytest-timeout, from the dev extras: a deadlocked worker fails its test with a traceback
    # instead of holding CI until its own limit.
    assert pytestconfig.pluginmanager.hasplugin("timeout")
    assert 0 < float(pytestconfig.getini("timeout")) <= 600


def _blocked_signals(status: str) -> int:
    """The blocked signals a process's ``/proc/<pid>/status`` reports."""
    return int(status.split("SigBlk:")[1].split()[0], 16)


def test_local_cluster_workers_leave_ctrl_c_to_this_process():
    # Ctrl-C reaches every process of the terminal's group: spawned workers that saw it would
    # print tracebacks beside npssim's one line. They start with SIGINT blocked.
    with open_executor(ExecutorChoice(dask_local=1), tasks=1) as executor:
        status = executor.submit(eval, "open('/proc/self/status').read()").result()
    assert _blocked_signals(status) & (1 << (signal.SIGINT - 1))
    here = Path("/proc/self/status").read_text()
    assert not _blocked_signals(here) & (1 << (signal.SIGINT - 1))  # this process still gets it


def test_a_local_cluster_starts_without_a_warning_when_port_8787_is_taken():
    with contextlib.ExitStack() as stack:
        # Held here, unless another cluster holds it already: the case itself.
        with contextlib.suppress(OSError):
            stack.enter_context(socket.create_server(("", 8787)))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with open_executor(ExecutorChoice(dask_local=1), tasks=1) as executor:
                assert executor.submit(abs, -1).result() == 1
        assert [str(w.message) for w in caught if "already in use" in str(w.message)] == []
