"""Experiments: replications, paired comparisons, sweeps and sensitivity analyses.

An experiment expands into runs (scenario x design point x replication), executes them on any
``concurrent.futures.Executor`` (in-process, a local process pool, or Dask), stores each run as
it finishes so an interrupted experiment resumes, and reads the runs as tidy tables, summaries
with intervals, comparisons, figures and a report.
"""

from npssim.experiment.api import DEFAULT_REPLICATIONS, execute_plan, make_plan, run_experiment
from npssim.experiment.executors import ExecutorChoice, InlineExecutor
from npssim.experiment.plan import Plan
from npssim.experiment.results import ExperimentResults
from npssim.experiment.seeds import replication_seeds
from npssim.experiment.sensitivity import SensitivityResults, run_sensitivity
from npssim.experiment.sweep import SweepResults, parse_vary, run_sweep

__all__ = [
    "DEFAULT_REPLICATIONS",
    "ExecutorChoice",
    "ExperimentResults",
    "InlineExecutor",
    "Plan",
    "SensitivityResults",
    "SweepResults",
    "execute_plan",
    "make_plan",
    "parse_vary",
    "replication_seeds",
    "run_experiment",
    "run_sensitivity",
    "run_sweep",
]
