import threading
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from npssim.experiment import ExecutorChoice, make_plan
from npssim.experiment.engine import (
    IN_FLIGHT_PER_WORKER,
    MAX_BATCH,
    batch_size,
    batches,
    execute,
)
from npssim.experiment.executors import InlineExecutor, executor_slots
from npssim.experiment.runs import RunTask

#: One manager's team for a few weeks: a run takes a few milliseconds.
TINY = {"firm.managers": 1, "run.weeks": 4}


def tiny_tasks(replications: int) -> list[RunTask]:
    return make_plan("run", ["nps_bonus"], replications, 3, None, TINY).tasks()


class CountingPool(ThreadPoolExecutor):
    """A pool of two threads that counts the futures it holds unfinished."""

    def __init__(self) -> None:
        super().__init__(max_workers=2)
        self.lock = threading.Lock()
        self.submitted = 0
        self.outstanding = 0
        self.most = 0

    def submit(self, fn, /, *args, **kwargs) -> Future:
        with self.lock:  # counted before it can finish, so the count never dips below zero
            self.submitted += 1
            self.outstanding += 1
            self.most = max(self.most, self.outstanding)
        future = super().submit(fn, *args, **kwargs)
        future.add_done_callback(self.finished)
        return future

    def finished(self, future: Future) -> None:
        with self.lock:
            self.outstanding -= 1


class Stop(KeyboardInterrupt):
    pass


def stop_at(count: int):
    def on_finished(done: int, total: int) -> None:
        if done >= count:
            raise Stop

    return on_finished


@given(st.integers(0, 3000), st.one_of(st.none(), st.integers(1, 128)))
def test_batches_cover_every_task_once_in_order(tasks, workers):
    items = list(range(tasks))
    cut = list(batches(items, workers))  # type: ignore[arg-type]
    assert [item for batch in cut for item in batch] == items
    assert all(batch for batch in cut)


@given(st.integers(1, 3000), st.integers(1, 128))
def test_batches_shrink_to_single_runs_at_the_end(tasks, workers):
    sizes = [len(batch) for batch in batches(list(range(tasks)), workers)]  # type: ignore[arg-type]
    assert sizes == sorted(sizes, reverse=True)
    assert sizes[-1] == 1


def test_each_worker_gets_a_few_batches_of_a_short_experiment():
    sizes = [len(batch) for batch in batches(list(range(40)), 2)]  # type: ignore[arg-type]
    assert sizes[0] == batch_size(40, 2) == 5
    assert 8 <= len(sizes) <= 40


def test_no_batch_of_a_long_experiment_exceeds_the_cap():
    sizes = [len(batch) for batch in batches(list(range(1000)), 2)]  # type: ignore[arg-type]
    assert sizes[0] == batch_size(1000, 2) == MAX_BATCH
    assert max(sizes) == MAX_BATCH


def test_an_in_process_executor_gets_one_run_at_a_time():
    assert executor_slots(InlineExecutor()) is None
    assert {len(batch) for batch in batches(tiny_tasks(5), None)} == {1}


def test_an_in_process_run_is_stored_before_the_next_starts():
    finished: list[int] = []
    started: list[int] = []

    class Watching(InlineExecutor):
        def submit(self, fn, /, *args, **kwargs) -> Future:
            started.append(len(finished))
            return super().submit(fn, *args, **kwargs)

    execute(tiny_tasks(4), Watching(), on_finished=lambda done, total: finished.append(done))
    assert started == [0, 1, 2, 3]


def test_in_flight_batches_are_bounded_by_the_workers():
    pool = CountingPool()
    with pool:
        results, _ = execute(tiny_tasks(40), pool)
    assert len(results) == 40
    assert pool.submitted > IN_FLIGHT_PER_WORKER * 2  # the bound was reached and refilled
    assert pool.most <= IN_FLIGHT_PER_WORKER * 2


def test_an_interrupt_submits_nothing_more():
    pool = CountingPool()
    with pool, pytest.raises(Stop):
        execute(tiny_tasks(40), pool, on_finished=stop_at(1))
    assert pool.submitted == IN_FLIGHT_PER_WORKER * 2


def test_an_interrupted_pool_keeps_the_runs_that_finished(tmp_path):
    from npssim.experiment.store import RunStore

    store = RunStore(tmp_path)
    with pytest.raises(Stop):
        execute(tiny_tasks(20), ExecutorChoice(workers=2), store, on_finished=stop_at(3))
    assert len(list((tmp_path / "runs").rglob("*.npz"))) == 3


def test_results_come_in_task_order_whatever_finishes_first():
    tasks = tiny_tasks(12)
    with ThreadPoolExecutor(4) as threads:
        results, _ = execute(tasks, threads)
    assert list(results) == [task.key for task in tasks]


def serial_weekly(tasks: list[RunTask]) -> dict[str, np.ndarray]:
    results, _ = execute(tasks, ExecutorChoice(workers=1))
    return {key: result.weekly for key, result in results.items()}


@pytest.mark.parametrize(
    "choice",
    [ExecutorChoice(workers=2), ExecutorChoice(dask_local=2)],
    ids=["process pool", "dask local cluster"],
)
def test_batches_give_the_serial_results(choice):
    tasks = tiny_tasks(12)
    batched, _ = execute(tasks, choice)
    serial = serial_weekly(tasks)
    assert list(batched) == list(serial)
    for key, weekly in serial.items():
        np.testing.assert_array_equal(batched[key].weekly, weekly)
