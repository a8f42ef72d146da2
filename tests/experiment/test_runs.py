import gc
import subprocess
import sys

from npssim import NPSModel, load_scenario
from npssim.experiment.runs import WEEKLY_COLUMNS, RunTask, simulate

from .conftest import SMALL


def _live_models() -> int:
    gc.collect()
    return sum(isinstance(thing, NPSModel) for thing in gc.get_objects())


def test_a_replication_returns_every_week_and_column():
    task = RunTask("baseline", 0, 0, 7, load_scenario("baseline", SMALL))
    result = simulate(task)
    assert result.weekly.shape == (30, len(WEEKLY_COLUMNS))
    assert result.key == "baseline/p0000-r0000"


def test_a_replication_leaves_no_model_behind():
    # Mesa 3.3 keeps every model it has seen unless it is closed (mesa#3179): an experiment
    # of a thousand replications would hold a thousand firms.
    before = _live_models()
    for seed in range(3):
        simulate(RunTask("nps_bonus", 0, seed, seed, load_scenario("nps_bonus", SMALL)))
    assert _live_models() == before


def test_a_worker_starts_without_the_plotting_and_statistics_stack():
    # Every process-pool or Dask worker imports this module before its first replication.
    code = (
        "import sys, npssim.experiment.runs; "
        "print([m for m in ('matplotlib', 'SALib', 'scipy.stats') if m in sys.modules])"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "[]"
