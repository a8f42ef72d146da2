"""Experiments: replications, paired comparisons, sweeps and sensitivity analyses.

An experiment expands into runs (scenario x design point x replication), executes them on any
``concurrent.futures.Executor`` (in-process, a local process pool, or Dask), stores each run as
it finishes so an interrupted experiment resumes, and reads the runs as tidy tables, summaries
with intervals, comparisons, figures and a report.
"""

from __future__ import annotations

import importlib
from typing import Any

#: Where each public name lives. They are imported on first use: a worker process that only
#: runs replications (``npssim.experiment.runs``) then starts without matplotlib, SALib and the
#: statistics, which halves its start-up and shows in every parallel experiment's wall time.
_HOMES = {
    "DEFAULT_REPLICATIONS": "api",
    "execute_plan": "api",
    "make_plan": "api",
    "run_experiment": "api",
    "ExecutorChoice": "executors",
    "InlineExecutor": "executors",
    "Plan": "plan",
    "CalibrationResult": "calibration",
    "calibrate": "calibration",
    "EvidenceResults": "evidence",
    "run_evidence": "evidence",
    "ExperimentResults": "results",
    "replication_seeds": "seeds",
    "SensitivityResults": "sensitivity",
    "run_sensitivity": "sensitivity",
    "SweepResults": "sweep",
    "parse_vary": "sweep",
    "run_sweep": "sweep",
}
__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return list(__all__)
