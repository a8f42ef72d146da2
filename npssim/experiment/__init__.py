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
    "DEFAULT_REPLICATIONS": "npssim.experiment.plan",
    "execute_plan": "npssim.experiment.api",
    "make_plan": "npssim.experiment.api",
    "run_experiment": "npssim.experiment.answer",
    "AssumptionSpread": "npssim.experiment.uncertainty",
    "assumption_spread": "npssim.experiment.uncertainty",
    "simulate": "npssim.experiment.api",
    "ExecutorChoice": "npssim.experiment.executors",
    "InlineExecutor": "npssim.experiment.executors",
    "Plan": "npssim.experiment.plan",
    "BreakevenResults": "npssim.experiment.breakeven",
    "run_breakeven": "npssim.experiment.breakeven",
    "CalibrationResult": "npssim.experiment.calibration",
    "calibrate": "npssim.experiment.calibration",
    "DecompositionResults": "npssim.experiment.decomposition",
    "decompose": "npssim.experiment.decomposition",
    "check_same_firm": "npssim.experiment.firms",
    "counterfactual": "npssim.experiment.firms",
    "firm_differences": "npssim.experiment.firms",
    "Design": "npssim.experiment.design",
    "Factor": "npssim.experiment.design",
    "analyze": "npssim.experiment.design",
    "grid": "npssim.experiment.design",
    "parse_factor": "npssim.experiment.design",
    "parse_vary": "npssim.experiment.design",
    "EvidenceResults": "npssim.experiment.evidence",
    "run_evidence": "npssim.experiment.evidence",
    "ExperimentResults": "npssim.experiment.results",
    "replication_seeds": "npssim.seeds",
    "SensitivityResults": "npssim.experiment.sensitivity",
    "run_sensitivity": "npssim.experiment.sensitivity",
    "SweepResults": "npssim.experiment.sweep",
    "run_sweep": "npssim.experiment.sweep",
}
__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOMES[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return list(__all__)
