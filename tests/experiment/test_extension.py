"""A researcher's subclass adds a parameter and an outcome, and every layer sees both.

``TrainedFirm`` (in ``models.py``, importable by worker processes) declares one section of
parameters (``training.hours``) and one metric computed from it (``training_hours``), and
overrides nothing: these tests run it through files, keywords, ``run_experiment`` on a process
pool, sweeps, sensitivity and ``simulate``, and check that NPSModel itself is unchanged.
"""

from __future__ import annotations

import json
import pickle
import tomllib

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from npssim import NPSModel
from npssim.errors import InputError
from npssim.experiment import run_experiment, simulate
from npssim.experiment.design import parse_factor
from npssim.experiment.executors import ExecutorChoice
from npssim.experiment.sensitivity import run_sensitivity
from npssim.experiment.sweep import run_sweep
from npssim.interop import salib_problem
from npssim.metrics import METRIC_NAMES, REGISTRY, Metric, MetricSet
from npssim.scenario import Scenario, ScenarioError, load_scenario
from npssim.scenario.schema import iter_params

from ..conftest import TINY
from .models import StrictFirm, TrainedFirm, TrainingParams

SMALL = {**TINY, "firm.accounts_per_rep": 10, "run.weeks": 8}
REPS = SMALL["firm.managers"] * SMALL["firm.reps_per_manager"]


def trained(hours: float, name: str) -> Scenario:
    """The baseline, small, for TrainedFirm, with the given training hours."""
    values = {**SMALL, "training.hours": hours, "name": name}
    return load_scenario("baseline", values, schema=TrainedFirm.scenario_schema)


def test_the_subclass_overrides_no_private_method():
    # Mesa 3.5 adds data attributes of its own (observables) to every subclass: only methods
    # count, and the one method of the class is its outcome's.
    methods = [name for name, value in vars(TrainedFirm).items() if callable(value)]
    assert methods == ["training_hours"]
    assert not hasattr(NPSModel, "training_hours")


def test_npsmodel_keeps_the_registry_and_the_strict_schema():
    assert NPSModel.metric_set is REGISTRY
    assert NPSModel.metric_set.names == METRIC_NAMES
    assert NPSModel.scenario_schema is Scenario
    assert StrictFirm.metric_set is REGISTRY and StrictFirm.scenario_schema is Scenario


def test_the_subclass_declares_its_parameter_and_metric_once():
    assert TrainedFirm.metric_set.names == (*METRIC_NAMES, "training_hours")
    assert "training.hours" in [info.path for info in iter_params(TrainedFirm.scenario_schema)]
    assert "training.hours" not in [info.path for info in iter_params()]
    assert TrainedFirm.scenario_schema is TrainedFirm.scenario_schema  # one class, cached


def test_a_model_reads_its_parameter_and_collects_its_metric():
    model = TrainedFirm(**{**SMALL, "training.hours": 2.5, "run.weeks": 3})
    assert model.params.training.hours == 2.5
    frame = model.run()
    assert list(frame.columns) == list(TrainedFirm.metric_set.names)
    assert frame["training_hours"].tolist() == [2.5 * REPS * week for week in (1, 2, 3)]
    assert model.ledger()["training_hours"] == 2.5 * REPS * 3
    assert model.metrics_frame(flows=True)["training_hours"].tolist() == [2.5 * REPS] * 3


def test_its_metric_does_not_change_the_registrys_metrics():
    plain = NPSModel(**SMALL, seed=3).run()
    extended = TrainedFirm(**SMALL, seed=3).run()
    pd.testing.assert_frame_equal(plain, extended[list(METRIC_NAMES)])


def test_a_scenario_file_sets_the_parameter_and_the_base_schema_refuses_it(tmp_path):
    file = tmp_path / "trained.toml"
    file.write_text('extends = "baseline"\n\n[training]\nhours = 3.0\n', encoding="utf-8")
    assert TrainedFirm(file).params.training.hours == 3.0
    assert load_scenario(file, schema=TrainedFirm.scenario_schema).training.hours == 3.0
    with pytest.raises(ScenarioError, match=r"unknown parameter 'training'") as raised:
        load_scenario(file)
    assert "\n" not in str(raised.value)
    with pytest.raises(ScenarioError, match="unknown parameter 'training'"):
        NPSModel(file)


def test_bad_values_get_the_same_one_line_errors_as_built_in_parameters(tmp_path):
    with pytest.raises(ScenarioError) as raised:
        TrainedFirm(**{"training.hours": 30})
    assert str(raised.value) == (
        "TrainedFirm: training.hours: Input should be less than or equal to 10 (got 30)"
    )
    with pytest.raises(ScenarioError, match="did you mean 'hours'"):
        TrainedFirm(**{"training.hourz": 3})
    with pytest.raises(ScenarioError, match="unknown parameter 'training'"):
        NPSModel(**{"training.hours": 3})
    file = tmp_path / "bad.toml"
    file.write_text("[training]\nhours = true\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"training.hours: .*got True, a true/false"):
        TrainedFirm(file)


def test_a_base_scenario_given_to_the_subclass_gets_the_default_section():
    assert TrainedFirm(load_scenario("baseline")).params.training == TrainingParams()


def test_a_scenario_of_the_extended_schema_pickles_to_an_equal_one():
    scenario = trained(4.0, "four")
    again = pickle.loads(pickle.dumps(scenario))
    assert type(again) is type(scenario) and again == scenario
    assert again.training.hours == 4.0


def test_parameter_and_outcome_run_through_a_process_pool_into_every_table(tmp_path):
    scenarios = [trained(1.0, "one_hour"), trained(3.0, "three_hours")]
    pooled = run_experiment(
        scenarios, replications=2, seed=11, model_class=TrainedFirm, executor="processes",
        workers=2,
    )  # fmt: skip
    serial = run_experiment(
        scenarios, replications=2, seed=11, model_class=TrainedFirm, executor="serial"
    )
    pd.testing.assert_frame_equal(pooled.timeseries, serial.timeseries)  # any executor, same
    assert {label: s.training.hours for label, s in pooled.scenarios.items()} == {
        "one_hour": 1.0,
        "three_hours": 3.0,
    }
    end = pooled.ledger.set_index(["scenario", "replication"])["training_hours"]
    assert set(end.loc["one_hour"]) == {1.0 * REPS * 8}
    assert set(end.loc["three_hours"]) == {3.0 * REPS * 8}
    compared = pooled.compare().set_index(["horizon", "metric"])
    assert compared.loc[("long", "training_hours"), "difference"] == 2.0 * REPS * 8
    out = tmp_path / "out"
    pooled.save(out)
    for table in ("ledger", "timeseries", "summary", "comparison"):
        frame = pd.read_csv(out / f"{table}.csv")
        names = set(frame.columns) | set(frame.get("metric", []))
        assert "training_hours" in names, table
    resolved = tomllib.loads((out / "scenarios" / "three_hours.toml").read_text("utf-8"))
    assert resolved["training"] == {"hours": 3.0}
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert manifest["plan"]["scenarios"]["one_hour"]["training"] == {"hours": 1.0}
    assert "Hours of training taken" in (out / "report.md").read_text("utf-8")


def test_overrides_set_the_parameter_in_an_experiment():
    results = run_experiment(
        "baseline", replications=1, model_class=TrainedFirm, executor="serial",
        overrides={**SMALL, "training.hours": 0.5},
    )  # fmt: skip
    assert results.ledger["training_hours"].tolist() == [0.5 * REPS * 8]


def test_a_sweep_varies_the_parameter_and_reads_the_outcome():
    results = run_sweep(
        "baseline", {"training.hours": [1.0, 2.0]}, metrics=["training_hours", "true_nps"],
        horizon="end", replications=1, overrides=SMALL, executor="serial",
        model_class=TrainedFirm,
    )  # fmt: skip
    table = results.table().query("metric == 'training_hours'")
    assert table["mean"].tolist() == [1.0 * REPS * 8, 2.0 * REPS * 8]
    assert table["difference"].tolist() == [0.0, 1.0 * REPS * 8]
    figure = results.figures()["sweep_levels"]
    drawn = {(axes.get_title(), axes.get_ylabel()) for axes in figure.axes}
    plt.close("all")
    assert ("Hours of training taken", "hours") in drawn


def test_sensitivity_varies_the_parameter_and_reads_the_outcome():
    schema = TrainedFirm.scenario_schema
    factors = [
        parse_factor("training.hours=0:4", schema=schema),
        parse_factor("reps.integrity_mean=0.4:0.8", schema=schema),
    ]
    results = run_sensitivity(
        "baseline", factors, method="morris", samples=2, metric="training_hours",
        horizon="end", replications=1, overrides={**SMALL, "run.weeks": 2},
        executor="serial", model_class=TrainedFirm,
    )  # fmt: skip
    hours = results.design["training.hours"].to_numpy()
    assert np.allclose(results.outputs(), hours * REPS * 2)
    mu_star = results.indices().query("index == 'mu_star'").set_index("parameter")["value"]
    assert mu_star["training.hours"] > 0
    assert mu_star["reps.integrity_mean"] == 0


def test_simulate_returns_the_outcome_of_the_parameter():
    low = simulate(model_class=TrainedFirm, window="end", **{**SMALL, "training.hours": 1.0})
    high = simulate(model_class=TrainedFirm, window="end", **{**SMALL, "training.hours": 2.0})
    assert (low["training_hours"], high["training_hours"]) == (REPS * 8, 2 * REPS * 8)
    assert list(low) == list(TrainedFirm.metric_set.names)


def test_an_unknown_metric_of_the_subclass_is_refused_with_a_suggestion():
    with pytest.raises(Exception, match="did you mean 'training_hours'"):
        run_sweep(
            "baseline", {"training.hours": [1.0, 2.0]}, metrics=["training_hour"],
            model_class=TrainedFirm, executor="serial",
        )  # fmt: skip


@pytest.mark.parametrize(
    ("metric", "problem"),
    [
        (Metric("x", "X", "x", "hours", "good", "higher"), "has no compute"),
        (Metric("true_nps", "X", "x", "hours", "good", "higher", compute="week"), "already"),
        (Metric("week", "X", "x", "weeks", "context", None, compute="week"), "tells runs apart"),
        (Metric("a b", "X", "x", "hours", "good", "higher", compute="week"), "plain name"),
    ],
)
def test_a_badly_declared_metric_is_refused_when_the_set_is_made(metric, problem):
    with pytest.raises(TypeError, match=problem):
        MetricSet([metric])


@pytest.mark.parametrize(
    ("sections", "problem"),
    [
        ({"policy": TrainingParams}, "already part of the scenario"),
        ({"sections": TrainingParams}, "already part of the scenario"),
        ({"training": dict}, "subclass of npssim.scenario.schema.Section"),
        ({"two words": TrainingParams}, "not a usable table name"),
    ],
)
def test_a_badly_declared_section_is_refused(sections, problem):
    with pytest.raises(TypeError, match=problem):
        Scenario.extended(sections)


def test_two_declarations_computed_differently_get_their_own_sets():
    first = Metric("n", "N", "n", "weeks", "context", None, compute="week")
    second = Metric("n", "N", "n", "weeks", "context", None, compute=lambda model: 2 * model.week)

    class One(NPSModel):
        extra_metrics = (first,)

    class Two(NPSModel):
        extra_metrics = (second,)

    one = One(**{**SMALL, "run.weeks": 2})
    two = Two(**{**SMALL, "run.weeks": 2})
    one.run(), two.run()
    # Read as each week closes, while ``model.week`` is still that week's index (1).
    assert (one.ledger()["n"], two.ledger()["n"]) == (1.0, 2.0)


def test_the_process_pool_refuses_a_subclass_defined_in_a_function():
    class Local(TrainedFirm):
        pass

    with pytest.raises(Exception, match="defined inside a function"):
        run_experiment(
            "baseline", replications=2, model_class=Local, overrides=SMALL,
            executor=ExecutorChoice(workers=2),
        )  # fmt: skip


def test_an_experiment_refuses_a_badly_declared_class_before_it_runs():
    class Undeclared(NPSModel):
        extra_metrics = (Metric("x", "X", "x", "hours", "good", "higher"),)

    with pytest.raises(InputError, match=r"Undeclared: extra_metrics: metric 'x' has no compute"):
        run_experiment("baseline", replications=1, model_class=Undeclared, executor="serial")


def test_a_salib_problem_samples_the_parameter_and_reads_the_outcome():
    problem = salib_problem(
        ["training.hours=0:4", "reps.integrity_mean=0.4:0.8"], outputs=["training_hours"],
        window="end", model_class=TrainedFirm, fixed={**SMALL, "run.weeks": 2}, seed=1,
    )  # fmt: skip
    problem.sample_morris(2, num_levels=4, seed=1).evaluate(executor="serial")
    hours = problem.samples[:, problem["names"].index("training.hours")]
    assert np.allclose(np.ravel(problem.results), hours * REPS * 2)
