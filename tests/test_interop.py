"""Mesa's batch_run and SALib drive npssim with no adapter code (EMA: test_interop_ema.py)."""

import sys
import types

import mesa
import numpy as np
import pandas as pd
import pytest

import npssim
from npssim import NPSModel
from npssim.errors import InputError
from npssim.interop import ema_model, ema_names, salib_problem
from npssim.metrics import METRIC_NAMES
from npssim.seeds import replication_seeds

from .conftest import TINY

#: A firm small enough that a batch of runs takes a second or two.
FIRM = {**TINY, "run.weeks": 20}
GRID = {"policy.incentives.nps_weight": [0.0, 0.5], "reps.integrity_mean": [0.5, 0.8]}


def batch(processes: int = 1) -> pd.DataFrame:
    rows = mesa.batch_run(
        NPSModel,
        parameters={**GRID, **FIRM},
        iterations=2,
        max_steps=10_000,
        number_processes=processes,
        display_progress=False,
    )
    keys = ["iteration", *GRID]
    return pd.DataFrame(rows).sort_values(keys).reset_index(drop=True)


@pytest.fixture(scope="module")
def batched() -> pd.DataFrame:
    return batch()


def test_batch_run_reports_every_metric_once_per_run(batched):
    assert len(batched) == 2 * 2 * 2
    assert set(METRIC_NAMES) <= set(batched.columns)
    assert batched["net_value"].notna().all()


def test_batch_run_iterations_are_distinct_replications(batched):
    by_iteration = batched.set_index(["iteration", *GRID])["net_value"].unstack("iteration")
    assert (by_iteration[0] != by_iteration[1]).all()


def test_batch_run_iteration_i_is_replication_i_run_to_the_scenario_s_weeks(batched):
    row = batched[(batched["iteration"] == 1)].iloc[-1]
    params = {path: row[path] for path in GRID}
    (seed,) = replication_seeds(npssim.load_scenario("baseline").run.seed, 1, first=1)
    alone = npssim.simulate(seed=seed, window="end", **params, **FIRM)
    for name in ("net_value", "true_nps", "churned_accounts", "renewals_due"):
        assert row[name] == pytest.approx(alone[name]), name


@pytest.mark.slow
def test_batch_run_is_reproducible_and_the_same_in_a_process_pool(batched):
    pd.testing.assert_frame_equal(batch(), batched)
    pooled = batch(processes=2)
    columns = ["iteration", *GRID, *METRIC_NAMES]
    pd.testing.assert_frame_equal(pooled[columns], batched[columns])


# ---------------------------------------------------------------------- SALib

FACTORS = ["reps.integrity_mean", "accounts.candor_mean=0.3:0.9", "policy.survey.wave_interval=1:8"]


def test_a_salib_problem_takes_its_bounds_from_the_schema():
    problem = salib_problem(FACTORS)
    assert problem["names"] == [
        "reps.integrity_mean",
        "accounts.candor_mean",
        "policy.survey.wave_interval",
    ]
    assert problem["bounds"] == [[0.0, 1.0], [0.3, 0.9], [1.0, 8.0]]
    assert problem["outputs"] == ["net_value"]


@pytest.mark.parametrize(
    ("factors", "needle"),
    [
        (["accounts.acv_median"], "gives no upper bound; give a range"),
        (["policy.survey.sampler"], "takes one of 'rep', 'random' or 'third_party'"),
        (["reps.integrity_mean", "reps.integrity_mean"], "given more than once"),
        (["reps.integrity_man"], "did you mean 'reps.integrity_mean'"),
        ([], "give at least one factor"),
    ],
)
def test_a_bad_salib_factor_is_one_line_naming_it(factors, needle):
    with pytest.raises(InputError) as caught:
        salib_problem(factors)
    assert needle in str(caught.value) and "\n" not in str(caught.value)


def test_an_unknown_salib_output_suggests_the_closest():
    with pytest.raises(InputError, match="did you mean 'net_value'"):
        salib_problem(FACTORS, outputs=["net_valu"])


@pytest.fixture(scope="module")
def morris():
    problem = salib_problem(
        FACTORS, outputs=["net_value", "true_nps"], scenario="nps_bonus", fixed=FIRM, seed=3
    )
    problem.sample_morris(2, num_levels=4, seed=1).evaluate(executor="serial")
    return problem


def test_salib_evaluates_every_sampled_row_with_the_model(morris):
    assert morris.results.shape == (len(morris.samples), 2)
    first = dict(zip(morris["names"], morris.samples[0], strict=True))
    (seed,) = replication_seeds(3, 1)
    alone = npssim.simulate("nps_bonus", seed=seed, **first, **FIRM)
    assert morris.results[0, 0] == pytest.approx(alone["net_value"])


def test_salib_rounds_a_whole_number_factor_it_samples_as_a_real(morris):
    column = morris["names"].index("policy.survey.wave_interval")
    assert not np.all(np.mod(morris.samples[:, column], 1) == 0)  # SALib gives reals
    assert np.isfinite(morris.results).all()


def test_salib_analyses_the_results_in_its_fluent_chain(morris):
    morris.analyze_morris(num_levels=4, seed=1)
    frames = morris.to_df()
    assert len(frames) == 2  # one per output
    assert list(frames[0].index) == morris["names"]


@pytest.mark.slow
def test_salib_evaluation_is_the_same_on_a_process_pool(morris):
    again = salib_problem(
        FACTORS, outputs=["net_value", "true_nps"], scenario="nps_bonus", fixed=FIRM, seed=3
    )
    again.sample_morris(2, num_levels=4, seed=1).evaluate(executor="processes", workers=2)
    np.testing.assert_array_equal(again.results, morris.results)


def test_evaluating_before_sampling_says_what_to_do():
    with pytest.raises(InputError, match="sample the problem first"):
        salib_problem(FACTORS).evaluate()


def test_salib_s_own_evaluation_still_takes_a_function():
    problem = salib_problem(FACTORS).sample_morris(2, num_levels=4, seed=1)
    problem.evaluate(lambda matrix: matrix.sum(axis=1))
    np.testing.assert_allclose(problem.results, problem.samples.sum(axis=1))


# ---------------------------------------------------------------------- EMA Workbench names


def test_ema_names_are_the_shortest_unambiguous_endings():
    names = ema_names(
        ["policy.incentives.nps_weight", "reps.moral_weight.coach", "reps.tactic_hours.coach"]
    )
    assert names == {
        "policy.incentives.nps_weight": "nps_weight",
        "reps.moral_weight.coach": "moral_weight_coach",
        "reps.tactic_hours.coach": "tactic_hours_coach",
    }
    assert all(name.isidentifier() for name in names.values())


def test_ema_model_without_the_workbench_says_what_it_needs(monkeypatch):
    monkeypatch.setitem(sys.modules, "ema_workbench", None)
    with pytest.raises(InputError, match=r"needs EMA Workbench 3, which needs Python 3.12"):
        ema_model(["reps.integrity_mean"])


def test_one_output_may_be_named_alone():
    assert salib_problem(FACTORS, outputs="true_nps")["outputs"] == ["true_nps"]


@pytest.mark.parametrize(("options", "needle"), [({"replications": 0}, "at least 1"),
                                                 ({"seed": -3}, "between 0")])  # fmt: skip
def test_bad_replications_or_seeds_are_refused(options, needle):
    with pytest.raises(InputError, match=needle):
        salib_problem(FACTORS, **options)


def test_ema_model_with_an_older_workbench_asks_for_version_3(monkeypatch):
    older = types.ModuleType("ema_workbench")
    older.__version__ = "2.5.3"
    monkeypatch.setitem(sys.modules, "ema_workbench", older)
    with pytest.raises(InputError, match="needs EMA Workbench 3"):
        ema_model(["reps.integrity_mean"])
