"""EMA Workbench 3 drives npssim through npssim.interop.ema_model.

EMA Workbench 3 needs Python 3.12, so this module runs in the Python 3.12 suite (``.ci/run``
runs both); ``tests/conftest.py`` leaves it out under Python 3.11, where the workbench cannot be
installed and ``ema_model`` says so (``test_interop.py`` checks that message on both).
"""

import numpy as np
import pytest
from ema_workbench import (
    BooleanParameter,
    CategoricalParameter,
    IntegerParameter,
    MultiprocessingEvaluator,
    RealParameter,
    ScalarOutcome,
    SequentialEvaluator,
)
from ema_workbench.analysis import prim

import npssim
from npssim.errors import InputError
from npssim.interop import ema_model
from npssim.seeds import replication_seeds

from .conftest import TINY
from .experiment.models import StrictFirm, TrainedFirm
from .readme import examples, run_as_a_file, same_text

FIRM = {**TINY, "run.weeks": 26}
UNCERTAIN = [
    "reps.integrity_mean",
    "accounts.candor_mean=0.3:0.9",
    "policy.survey.wave_interval=2:8",
]
LEVERS = ["policy.incentives.nps_weight=0:0.5", "policy.survey.sampler", "policy.survey.anonymous"]
#: Each EMA name, and the dotted path the model receives.
PATHS = {
    "integrity_mean": "reps.integrity_mean",
    "candor_mean": "accounts.candor_mean",
    "wave_interval": "policy.survey.wave_interval",
    "nps_weight": "policy.incentives.nps_weight",
    "sampler": "policy.survey.sampler",
    "anonymous": "policy.survey.anonymous",
}
SAMPLING = {"uncertainty_sampling_kwargs": {"rng": 1}, "lever_sampling_kwargs": {"rng": 2}}


def model(**options):
    settings = {
        "outcomes": ["net_value", "true_nps", "reported_nps"],
        "scenario": "nps_bonus",
        "replications": 2,
        "seed": 5,
        "fixed": FIRM,
        **options,
    }
    return ema_model(UNCERTAIN, LEVERS, **settings)


def test_parameters_carry_the_schema_s_types_bounds_and_choices():
    built = model()
    integrity = built.uncertainties["integrity_mean"]
    assert isinstance(integrity, RealParameter)
    assert (integrity.lower_bound, integrity.upper_bound) == (0, 1)
    assert integrity.variable_name == ["reps.integrity_mean"]
    assert built.uncertainties["candor_mean"].upper_bound == 0.9
    interval = built.uncertainties["wave_interval"]
    assert isinstance(interval, IntegerParameter) and interval.upper_bound == 8
    sampler = built.levers["sampler"]
    assert isinstance(sampler, CategoricalParameter)
    assert [category.value for category in sampler.categories] == ["rep", "random", "third_party"]
    assert isinstance(built.levers["anonymous"], BooleanParameter)


def test_outcomes_say_which_way_is_better():
    kinds = {outcome.name: outcome.kind for outcome in model().outcomes}
    assert kinds == {
        "net_value": ScalarOutcome.MAXIMIZE,
        "true_nps": ScalarOutcome.MAXIMIZE,
        "reported_nps": ScalarOutcome.INFO,
    }


def test_every_experiment_runs_the_same_replication_seeds():
    assert [entry["seed"] for entry in model().replications] == replication_seeds(5, 2)


def test_a_bad_parameter_is_one_line_naming_it():
    with pytest.raises(InputError, match=r"ema_model: reps\.integrity_man: unknown parameter"):
        ema_model(["reps.integrity_man"])


@pytest.fixture(scope="module")
def sequential():
    with SequentialEvaluator(model()) as evaluator:
        return evaluator.perform_experiments(scenarios=3, policies=2, **SAMPLING)


def test_outcomes_are_the_replications_mean_as_npssim_simulates_it(sequential):
    experiments, outcomes = sequential
    first = experiments.iloc[0]
    values = {path: first[name] for name, path in PATHS.items()}
    runs = [npssim.simulate("nps_bonus", seed=s, **values, **FIRM) for s in replication_seeds(5, 2)]
    assert outcomes["net_value"][0] == pytest.approx(np.mean([run["net_value"] for run in runs]))
    assert len(outcomes["true_nps"]) == 3 * 2


def test_the_multiprocessing_evaluator_gives_the_same_outcomes(sequential):
    experiments, outcomes = sequential
    with MultiprocessingEvaluator(model(), n_processes=2) as evaluator:
        again, results = evaluator.perform_experiments(scenarios=3, policies=2, **SAMPLING)
    np.testing.assert_array_equal(
        again[list(PATHS)].to_numpy(), experiments[list(PATHS)].to_numpy()
    )
    np.testing.assert_array_equal(results["net_value"], outcomes["net_value"])


def test_prim_boxes_the_experiments_where_the_bonus_costs_the_most_true_nps():
    built = ema_model(
        ["reps.integrity_mean", "accounts.candor_mean"],
        levers=["policy.incentives.nps_weight=0:0.5"],
        outcomes=["true_nps"],
        scenario="nps_bonus",
        reference="baseline",
        fixed=FIRM,
    )
    with SequentialEvaluator(built) as evaluator:
        experiments, outcomes = evaluator.perform_experiments(scenarios=16, policies=2, **SAMPLING)
    worse = outcomes["true_nps"] < np.median(outcomes["true_nps"])
    box = prim.Prim(experiments[["integrity_mean", "candor_mean", "nps_weight"]], worse).find_box()
    assert box.coverage > 0 and box.density >= worse.mean()
    assert set(box.box_lim.columns) <= {"integrity_mean", "candor_mean", "nps_weight"}


def test_a_custom_model_class_runs_under_ema():
    # Every discount traded for a score needs approval, which a strict manager never gives.
    fixed = {**FIRM, "policy.concessions.approval_threshold": 0.0}
    strict = ema_model(
        ["reps.integrity_mean"], outcomes=["discount_cost"], scenario="nps_bonus",
        fixed=fixed, model_class=StrictFirm,
    )  # fmt: skip
    plain = ema_model(
        ["reps.integrity_mean"], outcomes=["discount_cost"], scenario="nps_bonus", fixed=fixed
    )
    found = {}
    for label, built in (("strict", strict), ("plain", plain)):
        with SequentialEvaluator(built) as evaluator:
            found[label] = evaluator.perform_experiments(scenarios=3, **SAMPLING)[1]
    assert found["strict"]["discount_cost"].sum() < found["plain"]["discount_cost"].sum()


def test_a_subclass_s_own_parameter_and_outcome_run_under_ema():
    built = ema_model(
        ["training.hours=0:4"], outcomes=["training_hours"], window="end", model_class=TrainedFirm,
        fixed={**FIRM, "run.weeks": 3},
    )  # fmt: skip
    assert [outcome.kind for outcome in built.outcomes] == [ScalarOutcome.INFO]  # no "better"
    with SequentialEvaluator(built) as evaluator:
        experiments, outcomes = evaluator.perform_experiments(scenarios=3, **SAMPLING)
    reps = FIRM["firm.managers"] * FIRM["firm.reps_per_manager"]
    expected = experiments["hours"].to_numpy() * reps * 3
    assert np.allclose(outcomes["training_hours"], expected)


@pytest.mark.slow
def test_the_readme_s_ema_example_runs_as_a_file_and_prints_its_box(tmp_path):
    (example,) = [example for example in examples() if "ema_workbench" in example.code]
    printed = run_as_a_file(example, tmp_path)
    assert same_text(printed, example.output), printed
