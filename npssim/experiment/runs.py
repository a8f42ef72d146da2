"""One replication of one scenario: the unit of work every executor runs.

:func:`run_task` (and :func:`run_batch`, several of them in one call) is a plain top-level
function of picklable arguments, so a process pool or a Dask cluster can run it; it returns
every metric week by week as one float array. The task names the model class to build, so an
experiment can run a researcher's subclass of :class:`NPSModel` on any executor: the class
travels by its import path (``module:Class``), as pickle carries classes, and Dask's
cloudpickle also carries one defined in the script that runs the experiment.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from npssim.errors import InputError
from npssim.model import NPSModel
from npssim.scenario import Scenario


@dataclass(frozen=True)
class RunTask:
    """What to run: one scenario (at one design point) with one replication's seed.

    Attributes:
        label: The scenario's label in the experiment.
        point: Index of the design point (0 when nothing is varied).
        replication: Index of the replication; it fixes the seed.
        seed: The model seed of this replication.
        scenario: The fully resolved scenario to run.
        model_class: The model to build: :class:`NPSModel` or a subclass.
    """

    label: str
    point: int
    replication: int
    seed: int
    scenario: Scenario
    model_class: type[NPSModel] = field(default=NPSModel)

    @property
    def key(self) -> str:
        """A stable name for the run, used for its file in the output folder."""
        return f"{self.label}/p{self.point:04d}-r{self.replication:04d}"


@dataclass(frozen=True)
class RunResult:
    """What one run produced.

    Attributes:
        key: The task's key.
        weekly: One row per week, one column per metric of the task's model class
            (``model_class.metric_set.names``: the registry's, then any the class adds).
        seconds: Wall time the simulation took.
    """

    key: str
    weekly: np.ndarray
    seconds: float


def run_task(task: RunTask) -> RunResult:
    """Run one replication to the end and return its weekly metrics."""
    started = time.perf_counter()
    model = task.model_class(task.scenario, seed=task.seed)
    weeks = task.scenario.run.weeks
    names = task.model_class.metric_set.names
    weekly = np.empty((weeks, len(names)))
    for week in range(weeks):
        model.step()
        weekly[week] = [model.metrics[name] for name in names]
    model.close()
    return RunResult(task.key, weekly, time.perf_counter() - started)


def run_batch(tasks: Sequence[RunTask]) -> list[RunResult]:
    """Run several replications one after another, on whichever worker got the batch.

    A pool or Dask cluster pays a round trip per submitted call (on a local Dask cluster about
    10 ms, more to a remote scheduler), and pickles each call's arguments afresh: a batch pays
    them once, and its tasks' shared scenario is pickled once. Each task is still seeded by
    itself alone, so a result never depends on the batch it ran in.

    Args:
        tasks: The replications, in the order their results are wanted.

    Returns:
        One result per task, in the tasks' order.
    """
    return [run_task(task) for task in tasks]


# ---------------------------------------------------------------------- model classes by path


def model_path(model_class: type) -> str:
    """The import path of a model class, ``module:QualifiedName``, as manifests record it.

    A class defined in the script that is running is recorded by the script's file
    (``/path/study.py:StrictFirm``), which ``--model`` loads as it is.
    """
    module = model_class.__module__
    if module == "__main__":
        script = getattr(sys.modules.get("__main__"), "__file__", None)
        module = str(Path(script).resolve()) if script else module
    return f"{module}:{model_class.__qualname__}"


def load_model_class(text: str, option: str = "--model") -> type[NPSModel]:
    """The model class an import path names: ``package.module:Class`` or ``file.py:Class``.

    A module is looked up from the current folder first (as ``python -m`` would); a ``.py``
    file's folder is put on the import path, so worker processes find it too.

    Args:
        text: The path, e.g. ``my_models:StrictFirm`` or ``models/strict.py:StrictFirm``.
        option: The option the path came from, named in errors.

    Raises:
        InputError: The path is malformed, the module cannot be imported, it has no such
            class, or the class is not a subclass of :class:`NPSModel`.
    """
    module_name, sep, qualname = text.partition(":")
    if not sep or not module_name or not qualname:
        raise InputError(f"{option} {text}: expected module:Class, e.g. my_models:StrictFirm")
    if module_name.endswith(".py"):
        file = Path(module_name)
        if not file.is_file():
            raise InputError(f"{option} {text}: no such file {module_name}")
        folder = str(file.resolve().parent)
        if folder not in sys.path:
            sys.path.insert(0, folder)
        module_name = file.stem
    elif "" not in sys.path and str(Path.cwd()) not in sys.path:
        sys.path.insert(0, str(Path.cwd()))
    try:
        module = importlib.import_module(module_name)
    except ImportError as err:
        raise InputError(f"{option} {text}: cannot import {module_name} ({err})") from None
    value: object = module
    for part in qualname.split("."):
        value = getattr(value, part, None)
    if value is None:
        raise InputError(f"{option} {text}: {module_name} has no {qualname}")
    if not (isinstance(value, type) and issubclass(value, NPSModel)):
        raise InputError(f"{option} {text}: {qualname} is not a subclass of npssim.NPSModel")
    return value


def check_model_class(model_class: object, *, in_process: bool, dask: bool = False) -> None:
    """Refuse, before anything runs, a model class the chosen executor could not build.

    Args:
        model_class: The class an experiment was given.
        in_process: Every run happens in this process (any class will do).
        dask: The runs go to a Dask cluster, whose pickler (cloudpickle) carries classes
            defined in the running script, or inside a function, by value.

    Raises:
        InputError: It is not a subclass of :class:`NPSModel`, its ``extra_metrics`` or
            ``extra_params`` are badly declared, or worker processes could not import it
            (defined inside a function, or in a notebook or interactive session).
    """
    if not (isinstance(model_class, type) and issubclass(model_class, NPSModel)):
        raise InputError(
            f"model_class: expected npssim.NPSModel or a subclass of it, got {model_class!r}"
        )
    try:  # its own metrics and parameters, checked here rather than in every worker
        model_class.metric_set, model_class.scenario_schema  # noqa: B018
    except TypeError as err:
        raise InputError(f"model_class {model_path(model_class)}: {err}") from None
    if in_process:
        return
    name = model_path(model_class)
    if "<locals>" in model_class.__qualname__ and not dask:
        raise InputError(
            f"model_class {name}: defined inside a function, so worker processes cannot import "
            "it; define it at the top level of a module, or run with executor='serial'"
        )
    main = sys.modules.get("__main__")
    interactive = model_class.__module__ == "__main__" and not getattr(main, "__file__", None)
    if interactive and not dask:
        raise InputError(
            f"model_class {name}: defined in a notebook or interactive session, which worker "
            "processes cannot import; put it in a module (a .py file beside the notebook), or "
            "run with executor='serial'"
        )
