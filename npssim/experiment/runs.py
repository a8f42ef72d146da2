"""One replication of one scenario: the unit of work every executor runs.

:func:`simulate` is a plain top-level function of picklable arguments, so a process pool or a
Dask cluster can run it; it returns the weekly ledger and diagnostics as one float array.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from npssim.ledger import METRIC_NAMES
from npssim.model import DIAGNOSTIC_NAMES, NPSModel
from npssim.scenario import Scenario

#: The columns of a run's weekly array: the ledger's public metrics, then the diagnostics.
WEEKLY_COLUMNS: tuple[str, ...] = METRIC_NAMES + DIAGNOSTIC_NAMES


@dataclass(frozen=True)
class RunTask:
    """What to run: one scenario (at one design point) with one replication's seed.

    Attributes:
        label: The scenario's label in the experiment.
        point: Index of the design point (0 when nothing is varied).
        replication: Index of the replication; it fixes the seed.
        seed: The model seed of this replication.
        scenario: The fully resolved scenario to run.
    """

    label: str
    point: int
    replication: int
    seed: int
    scenario: Scenario

    @property
    def key(self) -> str:
        """A stable name for the run, used for its file in the output folder."""
        return f"{self.label}/p{self.point:04d}-r{self.replication:04d}"


@dataclass(frozen=True)
class RunResult:
    """What one run produced.

    Attributes:
        key: The task's key.
        weekly: One row per week, one column per name in :data:`WEEKLY_COLUMNS`.
        seconds: Wall time the simulation took.
    """

    key: str
    weekly: np.ndarray
    seconds: float


def simulate(task: RunTask) -> RunResult:
    """Run one replication to the end and return its weekly ledger and diagnostics."""
    started = time.perf_counter()
    model = NPSModel(task.scenario, seed=task.seed)
    weeks = task.scenario.run.weeks
    weekly = np.empty((weeks, len(WEEKLY_COLUMNS)))
    for week in range(weeks):
        model.step()
        diagnostics = model.diagnostics()
        weekly[week, : len(METRIC_NAMES)] = [model.metrics[name] for name in METRIC_NAMES]
        weekly[week, len(METRIC_NAMES) :] = [diagnostics[name] for name in DIAGNOSTIC_NAMES]
    model.close()
    return RunResult(task.key, weekly, time.perf_counter() - started)
