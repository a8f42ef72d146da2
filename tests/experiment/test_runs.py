import gc
import subprocess
import sys

import numpy as np
import pytest

from npssim import NPSModel, load_scenario
from npssim.errors import InputError
from npssim.experiment import run_experiment
from npssim.experiment.runs import (
    RunTask,
    check_model_class,
    load_model_class,
    model_path,
    run_task,
)
from npssim.metrics import METRIC_NAMES

from .conftest import SMALL
from .models import StrictFirm


def _live_models() -> int:
    gc.collect()
    return sum(isinstance(thing, NPSModel) for thing in gc.get_objects())


def test_a_replication_returns_every_week_and_metric():
    task = RunTask("baseline", 0, 0, 7, load_scenario("baseline", SMALL))
    result = run_task(task)
    assert result.weekly.shape == (30, len(METRIC_NAMES))
    assert result.key == "baseline/p0000-r0000"


def test_a_replication_builds_the_task_s_model_class():
    # Every discount traded for a score needs approval, which a strict manager never gives.
    scenario = load_scenario("nps_bonus", {**SMALL, "policy.concessions.approval_threshold": 0})
    plain = run_task(RunTask("nps_bonus", 0, 0, 7, scenario)).weekly
    strict = run_task(RunTask("nps_bonus", 0, 0, 7, scenario, StrictFirm)).weekly
    discount = METRIC_NAMES.index("score_discount_cost")
    assert strict[-1, discount] < plain[-1, discount]


def test_a_replication_leaves_no_model_behind():
    # Mesa 3.3 keeps every model it has seen unless it is closed (mesa#3179): an experiment
    # of a thousand replications would hold a thousand firms.
    before = _live_models()
    for seed in range(3):
        run_task(RunTask("nps_bonus", 0, seed, seed, load_scenario("nps_bonus", SMALL)))
    assert _live_models() == before


def test_a_worker_starts_without_the_plotting_and_statistics_stack():
    # Every process-pool or Dask worker imports this module before its first replication.
    code = (
        "import sys, npssim.experiment.runs; "
        "print([m for m in ('matplotlib', 'SALib', 'scipy.stats') if m in sys.modules])"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "[]"


def test_a_model_class_is_named_by_its_import_path():
    assert model_path(NPSModel) == "npssim.model:NPSModel"
    assert model_path(StrictFirm) == "tests.experiment.models:StrictFirm"


def test_an_import_path_loads_the_model_class():
    assert load_model_class("tests.experiment.models:StrictFirm") is StrictFirm


def test_a_python_file_loads_its_model_class(tmp_path):
    (tmp_path / "my_firm_models.py").write_text(
        "from npssim import NPSModel\n\nclass MyFirm(NPSModel):\n    pass\n"
    )
    loaded = load_model_class(f"{tmp_path / 'my_firm_models.py'}:MyFirm")
    assert loaded.__name__ == "MyFirm" and issubclass(loaded, NPSModel)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("StrictFirm", "expected module:Class"),
        ("no_such_module_here:Firm", "cannot import no_such_module_here"),
        ("tests.experiment.models:Nobody", "has no Nobody"),
        ("tests.experiment.models:NotAModel", "not a subclass of npssim.NPSModel"),
        ("missing.py:Firm", "no such file missing.py"),
    ],
)
def test_a_bad_model_path_is_one_line_naming_the_option(text, needle):
    with pytest.raises(InputError) as caught:
        load_model_class(text)
    message = str(caught.value)
    assert message.startswith(f"--model {text}: ") and needle in message and "\n" not in message


def test_a_class_defined_in_a_function_is_refused_for_worker_processes():
    class Local(NPSModel):
        pass

    check_model_class(Local, in_process=True)
    with pytest.raises(InputError, match="defined inside a function"):
        check_model_class(Local, in_process=False)


def test_something_that_is_not_a_model_is_refused():
    with pytest.raises(InputError, match=r"expected npssim\.NPSModel or a subclass"):
        check_model_class(dict, in_process=True)


def test_an_experiment_refuses_a_local_class_before_starting_a_pool():
    class Local(NPSModel):
        pass

    with pytest.raises(InputError, match="defined inside a function"):
        run_experiment(
            "nps_bonus", replications=2, overrides=SMALL, executor="processes", model_class=Local
        )


@pytest.mark.slow
def test_a_custom_model_runs_the_same_in_process_and_in_the_pool():
    options = {"replications": 2, "seed": 4, "overrides": SMALL, "model_class": StrictFirm}
    serial = run_experiment("nps_bonus", executor="serial", **options)
    pooled = run_experiment("nps_bonus", executor="processes", workers=2, **options)
    plain = run_experiment("nps_bonus", executor="serial", replications=2, seed=4, overrides=SMALL)
    np.testing.assert_array_equal(serial.ledger.to_numpy(), pooled.ledger.to_numpy())
    strict, lenient = serial.ledger["discount_cost"], plain.ledger["discount_cost"]
    assert (strict <= lenient).all() and strict.sum() < lenient.sum()
    assert serial.manifest()["model"] == "tests.experiment.models:StrictFirm"


def test_a_refused_model_class_writes_nothing(tmp_path):
    class Local(NPSModel):
        pass

    for _ in range(2):  # the same mistake twice gets the same answer, not "not empty"
        with pytest.raises(InputError, match="defined inside a function"):
            run_experiment(
                "nps_bonus", replications=2, overrides=SMALL, executor="processes",
                model_class=Local, out=tmp_path / "out",
            )  # fmt: skip
    assert not (tmp_path / "out").exists()


def test_threads_and_dask_take_a_class_defined_in_a_function():
    class Local(NPSModel):
        pass

    check_model_class(Local, in_process=False, dask=True)
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as threads:
        run_experiment("baseline", replications=2, overrides=SMALL, executor=threads,
                       model_class=Local)  # fmt: skip
