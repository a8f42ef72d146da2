import numpy as np
import pytest

import npssim
from npssim import NPSModel
from npssim.errors import InputError
from npssim.experiment import run_experiment
from npssim.metrics import INTEGER, METRIC_NAMES
from npssim.scenario import ScenarioError, load_scenario

from .conftest import SMALL
from .models import StrictFirm


@pytest.fixture(scope="module")
def experiment():
    return run_experiment(
        ["baseline", "nps_bonus"], replications=2, seed=9, overrides=SMALL, executor="serial"
    )


def test_simulate_is_importable_from_the_package():
    assert npssim.simulate is npssim.experiment.simulate


def test_simulate_returns_every_metric():
    values = npssim.simulate("nps_bonus", seed=1, **SMALL)
    assert list(values) == list(METRIC_NAMES)


@pytest.mark.parametrize("window", ["short", "long", "end"])
def test_simulate_reads_a_window_as_the_experiment_does(experiment, window):
    seed = experiment.plan.seeds()[1]
    values = npssim.simulate("nps_bonus", seed=seed, window=window, **SMALL)
    frame = experiment.per_run(window)
    row = frame[(frame["scenario"] == "nps_bonus") & (frame["replication"] == 1)].iloc[0]
    np.testing.assert_allclose(
        [values[m] for m in METRIC_NAMES],
        row[list(METRIC_NAMES)].to_numpy(dtype=float),
        equal_nan=True,
    )


def test_simulate_against_a_reference_gives_the_paired_difference(experiment):
    seed = experiment.plan.seeds()[0]
    difference = npssim.simulate("nps_bonus", seed=seed, reference="baseline", **SMALL)
    frame = experiment.per_run("long").set_index(["scenario", "replication"])
    paired = frame.loc[("nps_bonus", 0), "net_value"] - frame.loc[("baseline", 0), "net_value"]
    assert difference["net_value"] == pytest.approx(paired)


def test_a_reference_keeps_its_own_policy_and_takes_the_firm_s_values():
    # A policy value given for the evaluated scenario is not given to the reference: paying
    # nothing and comparing with a reference that pays nothing shows no bonus at all.
    values = npssim.simulate(
        "baseline", seed=2, reference="baseline", **{**SMALL, "policy.audits.probability": 0.5}
    )
    assert values["measurement_cost"] > 0 and values["bonus_paid"] == 0


def test_counts_accrued_over_a_window_are_whole_numbers():
    values = npssim.simulate("baseline", seed=3, **SMALL)
    assert all(type(values[name]) is int for name in INTEGER if name != "accounts_active")
    assert type(values["accounts_active"]) is float  # a mean over the window's weeks
    assert (
        type(npssim.simulate("baseline", seed=3, window="end", **SMALL)["accounts_active"]) is int
    )


def test_a_float_for_a_whole_number_parameter_is_rounded():
    rounded = npssim.simulate("baseline", seed=4, **{**SMALL, "policy.survey.wave_interval": 3.333})
    exact = npssim.simulate("baseline", seed=4, **{**SMALL, "policy.survey.wave_interval": 3})
    assert rounded.keys() == exact.keys()
    np.testing.assert_equal(rounded, exact)  # NaN where nothing was measured, in both


def test_a_bad_parameter_names_simulate_and_the_parameter_not_the_command_line():
    with pytest.raises(ScenarioError) as caught:
        npssim.simulate(**{"reps.integrity_man": 0.5})
    message = str(caught.value)
    assert message.startswith("simulate: reps.integrity_man: ") and "--set" not in message


def test_an_unknown_window_is_refused():
    with pytest.raises(ValueError, match="window must be one of short, long, end"):
        npssim.simulate(window="year")


def test_simulate_builds_the_model_class_it_is_given():
    plain = npssim.simulate("nps_bonus", seed=5, **SMALL)
    strict = npssim.simulate("nps_bonus", seed=5, model_class=StrictFirm, **SMALL)
    assert strict["discount_cost"] <= plain["discount_cost"]
    with pytest.raises(InputError, match="model_class"):
        npssim.simulate(model_class=dict)


def test_simulate_takes_a_scenario_object():
    scenario = load_scenario("baseline", SMALL)
    assert npssim.simulate(scenario, seed=6) == npssim.simulate("baseline", seed=6, **SMALL)


def test_one_replication_needs_no_count_and_is_the_experiment_s(experiment):
    alone = run_experiment("nps_bonus", seed=9, overrides=SMALL, executor="serial", replication=1)
    assert alone.ledger["replication"].tolist() == [1]
    whole = experiment.ledger.query("scenario == 'nps_bonus' and replication == 1")
    assert alone.ledger["net_value"].iloc[0] == whole["net_value"].iloc[0]


def test_one_replication_with_another_count_is_refused():
    with pytest.raises(InputError, match="leave out replications=3"):
        run_experiment("baseline", replications=3, replication=1, overrides=SMALL)


def test_the_short_window_against_a_reference_does_not_move_with_the_values_given():
    # intervention_week26 parts from the baseline at week 26; a survey every 2 weeks would
    # part it from week 0, but the window stays where the scenarios as given part.
    values = {**SMALL, "run.weeks": 60, "policy.survey.wave_interval": 2}
    difference = npssim.simulate(
        "intervention_week26", seed=3, window="short", reference="baseline", **values
    )
    mine = NPSModel(load_scenario("intervention_week26"), seed=3, **values).run()
    firm = {k: v for k, v in values.items() if not k.startswith("policy.")}
    theirs = NPSModel(load_scenario("baseline"), seed=3, **firm).run()
    accrued = (mine - theirs)["revenue"]
    assert difference["revenue"] == pytest.approx(accrued.iloc[51] - accrued.iloc[25])
