import pytest

from npssim import load_scenario
from npssim.errors import InputError
from npssim.experiment import calibrate, run_experiment

from .conftest import SMALL
from .models import StrictFirm

#: 360 accounts for a year: enough that reported NPS pins down product quality.
FIRM = {**SMALL, "firm.accounts_per_rep": 60, "run.weeks": 52}
TRUTH = {"accounts.response_rate": 0.35, "firm.product_quality": 6.6}
FREE = {"accounts.response_rate": (0.1, 0.6), "firm.product_quality": (5.0, 8.0)}


@pytest.fixture(scope="module")
def observed():
    """Targets the model itself generated at known parameters, on seeds the fit never uses."""
    data = run_experiment(
        "baseline", replications=24, seed=999, overrides={**FIRM, **TRUTH}, executor="serial"
    )
    means = data.per_run("long")[["response_rate", "reported_nps"]].mean()
    return means.to_dict()


def fit(observed):
    return calibrate(
        "baseline",
        observed,
        FREE,
        replications=6,
        max_evaluations=40,
        seed=1,
        overrides=FIRM,
        executor="serial",
    )


@pytest.fixture(scope="module")
def fitted(observed):
    return fit(observed)


@pytest.mark.slow
def test_parameters_that_generated_the_targets_are_recovered(fitted):
    # Tolerance: within 5% of each free parameter's range of the value that made the data.
    for path, (low, high) in FREE.items():
        assert fitted.values[path] == pytest.approx(TRUTH[path], abs=0.05 * (high - low)), path


@pytest.mark.slow
def test_fitted_metrics_match_the_targets_within_their_intervals(fitted):
    for row in fitted.fit.itertuples():
        assert abs(row.error) < 3, row


@pytest.mark.slow
def test_the_search_explores_then_refines_within_its_budget(fitted):
    stages = list(dict.fromkeys(fitted.history["stage"]))
    assert stages == ["explore", "refine"]
    assert fitted.evaluations <= 40
    assert fitted.objective == fitted.history["objective"].min()


@pytest.mark.slow
def test_the_same_seed_gives_the_same_fit(fitted, observed):
    again = fit(observed)
    assert again.values == fitted.values
    assert again.objective == fitted.objective


@pytest.mark.slow
def test_fitted_scenario_file_loads_with_the_fitted_values_and_states_the_fit(fitted, tmp_path):
    path = fitted.save(tmp_path / "fitted.toml")
    text = path.read_text()
    assert "method of simulated moments" in text and "Objective J" in text
    assert "reported_nps" in text.split("[")[0]  # the fit table is in the header comments
    loaded = load_scenario(path)
    assert loaded.accounts.response_rate == pytest.approx(fitted.values["accounts.response_rate"])
    assert loaded.firm.product_quality == pytest.approx(fitted.values["firm.product_quality"])


def test_more_free_parameters_than_targets_is_refused():
    with pytest.raises(InputError, match="--free: 2 free parameters but 1 target"):
        calibrate("baseline", {"response_rate": 0.3}, FREE, executor="serial")


def test_an_unknown_target_metric_is_refused_with_a_suggestion():
    with pytest.raises(InputError, match="did you mean 'response_rate'"):
        calibrate("baseline", {"response_rat": 0.3}, {"accounts.response_rate": (0.1, 0.6)})


def test_a_fit_runs_the_model_class_it_is_given():
    result = calibrate(
        "nps_bonus",
        {"reported_nps": 30.0},
        {"accounts.response_rate": (0.1, 0.6)},
        replications=1,
        max_evaluations=4,
        seed=1,
        overrides={**SMALL, "run.weeks": 20},
        executor="serial",
        model_class=StrictFirm,
    )
    assert result.settings["model"] == "tests.experiment.models:StrictFirm"
    assert result.evaluations <= 4
