"""The dashboard's model and controls (the browser test drives the served page)."""

import pytest

from npssim import NPSModel, load_scenario
from npssim.app import ExploreModel, control, levers, model_params
from npssim.scenario import bundled_scenarios, iter_params, validate_scenario

SMALL = {"firm.managers": 2, "firm.reps_per_manager": 4, "firm.accounts_per_rep": 25}


def initial_values(params):
    return {
        name: spec["value"] if isinstance(spec, dict) else spec for name, spec in params.items()
    }


def small(name="intervention_week26"):
    return load_scenario(name, {**SMALL, "run.weeks": 40})


def test_controls_are_the_schemas_levers_policy_first():
    paths = [info.path for info in levers()]
    assert paths == sorted(paths, key=lambda path: not path.startswith("policy."))
    assert set(paths) == {info.path for info in iter_params() if info.lever}
    assert "policy.incentives.nps_weight" in paths and "reps.integrity_mean" in paths


@pytest.mark.parametrize("name", sorted(bundled_scenarios()))
def test_every_control_starts_inside_its_range(name):
    params = model_params(load_scenario(name, {"policy.concessions.giveaway_budget": 250_000}))
    for info in levers():
        spec = params[info.path]
        if spec["type"].startswith("Slider"):
            assert spec["min"] <= spec["value"] <= spec["max"], info.path
            assert spec["step"] > 0
        elif spec["type"] == "Select":
            assert spec["value"] in spec["values"]


def test_control_kind_follows_the_parameters_type():
    by_path = {info.path: info for info in levers()}
    assert control(by_path["policy.survey.anonymous"], True)["type"] == "Checkbox"
    assert control(by_path["policy.survey.sampler"], "rep")["values"] == [
        "rep",
        "random",
        "third_party",
    ]
    budget = control(by_path["policy.concessions.giveaway_budget"], 25_000.0)
    assert budget["type"] == "SliderFloat" and budget["max"] == 100_000


def test_dashboard_opens_on_the_scenarios_own_intervention():
    params = model_params(load_scenario("intervention_week26"))
    assert params["intervention_week"]["value"] == 26
    assert params["policy.incentives.nps_weight"]["value"] == 0.5


def test_default_controls_reproduce_the_scenario():
    scenario = small()
    dashboard = ExploreModel(**initial_values(model_params(scenario, seed=3)))
    dashboard.run(30)
    reference = NPSModel(scenario, seed=3)
    reference.run(30)
    assert dashboard.ledger() == reference.ledger()
    assert dashboard.change_weeks == [26]


def test_default_controls_reproduce_a_timeline_of_several_changes():
    data = small().model_dump()
    data["timeline"] = [
        {"week": 10, "set": {"policy.incentives.nps_weight": 0.5}},
        {"week": 20, "set": {"policy.survey.sampler": "third_party"}},
        {"week": 30, "set": {"policy.incentives.nps_weight": 0.0}},
    ]
    scenario = validate_scenario(data)
    dashboard = ExploreModel(**initial_values(model_params(scenario, seed=4)))
    reference = NPSModel(scenario, seed=4)
    for week in range(40):
        dashboard.step()
        reference.step()
        assert dashboard.policy == reference.policy, week
    assert dashboard.ledger() == reference.ledger()
    assert dashboard.change_weeks == [10, 20, 30]


def test_policy_levers_apply_from_the_intervention_week():
    values = initial_values(model_params(small()))
    values.update({"intervention_week": 30, "policy.incentives.nps_weight": 0.8})
    model = ExploreModel(**values)
    model.run(30)
    assert model.policy.incentives.nps_weight == 0.0  # the scenario's week-26 change gave way
    model.step()
    assert model.policy.incentives.nps_weight == 0.8
    assert model.change_weeks == [30]


def test_assumption_levers_apply_from_the_start():
    values = initial_values(model_params(small()))
    values["reps.integrity_mean"] = 0.9
    assert ExploreModel(**values).params.reps.integrity_mean == 0.9


def test_model_stops_at_the_end_of_the_run():
    model = ExploreModel(**initial_values(model_params(small())))
    model.run(39)
    assert model.running
    model.step()
    assert not model.running
    ledger = model.ledger()
    model.run(4)  # SolaraViz's Step runs several steps at once
    assert model.week == 40 and model.ledger() == ledger


def test_mesas_own_scenario_argument_is_ignored():
    values = initial_values(model_params(small()))
    assert ExploreModel(**values, scenario=object()).params == ExploreModel(**values).params
