from pathlib import Path

import pytest

from npssim.scenario import (
    Scenario,
    ScenarioError,
    bundled_scenarios,
    intervene,
    load_scenario,
    parse_assignment,
    validate_scenario,
)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_every_bundled_scenario_validates():
    names = {path.stem for path in bundled_scenarios()}
    assert {
        "baseline",
        "nps_bonus",
        "rank_and_yank",
        "team_target",
        "third_party_survey",
        "audited",
        "intervention_week26",
    } <= names
    for path in bundled_scenarios():
        assert load_scenario(path).name == path.stem


def test_empty_file_gives_all_defaults(tmp_path):
    scenario = load_scenario(write(tmp_path, "empty.toml", ""))
    assert scenario.model_dump(exclude={"name"}) == Scenario().model_dump(exclude={"name"})
    assert scenario.name == "empty"


def test_bare_name_finds_bundled_scenario():
    assert load_scenario("nps_bonus").policy.incentives.nps_weight == 0.5


def test_unknown_key_is_rejected_with_suggestion(tmp_path):
    path = write(tmp_path, "typo.toml", "[policy.incentives]\nnps_wieght = 0.5\n")
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    message = str(err.value)
    assert str(path) in message
    assert "policy.incentives.nps_wieght" in message
    assert "did you mean 'nps_weight'" in message


def test_unknown_table_is_rejected(tmp_path):
    path = write(tmp_path, "typo.toml", "[polcy]\nx = 1\n")
    with pytest.raises(ScenarioError, match=r"unknown parameter 'polcy'.*did you mean 'policy'"):
        load_scenario(path)


def test_wrong_type_names_parameter(tmp_path):
    path = write(tmp_path, "bad.toml", '[firm]\nmanagers = "many"\n')
    with pytest.raises(ScenarioError, match=r"firm\.managers: .*'many'"):
        load_scenario(path)


def test_out_of_range_value_names_parameter(tmp_path):
    path = write(tmp_path, "bad.toml", "[policy.survey]\nsample_fraction = 1.5\n")
    with pytest.raises(ScenarioError, match=r"policy\.survey\.sample_fraction: .*1\.5"):
        load_scenario(path)


@pytest.mark.parametrize("text", ["inf", "-inf", "nan"])
def test_a_number_that_is_not_finite_names_the_parameter(tmp_path, text):
    # acv_median is bounded only below: without a finite check inf ran and gave NaN money.
    path = write(tmp_path, "bad.toml", f"[accounts]\nacv_median = {text}\n")
    with pytest.raises(ScenarioError, match=r"accounts\.acv_median: .*finite number"):
        load_scenario(path)


def test_a_timeline_value_that_is_not_finite_names_the_entry(tmp_path):
    text = '[[timeline]]\nweek = 3\nset = { "policy.concessions.giveaway_budget" = inf }\n'
    path = write(tmp_path, "bad.toml", text)
    with pytest.raises(ScenarioError, match=r"timeline\[0\]\.set\.policy\.concessions"):
        load_scenario(path)


def test_invalid_choice_is_rejected(tmp_path):
    path = write(tmp_path, "bad.toml", '[policy.survey]\nsampler = "manager"\n')
    with pytest.raises(ScenarioError, match=r"policy\.survey\.sampler"):
        load_scenario(path)


def test_toml_syntax_error_names_file(tmp_path):
    path = write(tmp_path, "broken.toml", "[firm\nmanagers = 3\n")
    with pytest.raises(ScenarioError, match="TOML syntax error"):
        load_scenario(path)


def test_missing_file_is_reported(tmp_path):
    with pytest.raises(ScenarioError, match="no such scenario file"):
        load_scenario(tmp_path / "nope.toml")


def test_folder_is_not_a_scenario(tmp_path):
    with pytest.raises(ScenarioError, match="is not a file"):
        load_scenario(tmp_path)


def test_extends_merges_tables(tmp_path):
    write(tmp_path, "base.toml", "[firm]\nmanagers = 3\nreps_per_manager = 5\n")
    child = write(tmp_path, "child.toml", 'extends = "base.toml"\n[firm]\nmanagers = 4\n')
    scenario = load_scenario(child)
    assert (scenario.firm.managers, scenario.firm.reps_per_manager) == (4, 5)
    assert scenario.name == "child"


def test_extends_cycle_is_reported(tmp_path):
    write(tmp_path, "a.toml", 'extends = "b.toml"\n')
    write(tmp_path, "b.toml", 'extends = "a.toml"\n')
    with pytest.raises(ScenarioError, match="circular extends"):
        load_scenario(tmp_path / "a.toml")


def test_extends_missing_base_is_reported(tmp_path):
    path = write(tmp_path, "a.toml", 'extends = "gone.toml"\n')
    with pytest.raises(ScenarioError, match=r"extends: no such scenario file: gone\.toml"):
        load_scenario(path)


def test_override_sets_value():
    scenario = load_scenario("baseline", {"policy.incentives.nps_weight": 0.3})
    assert scenario.policy.incentives.nps_weight == 0.3


def test_override_with_unknown_path_is_reported():
    with pytest.raises(ScenarioError, match=r"--set: policy\.incentive\.nps_weight.*did you mean"):
        load_scenario("baseline", {"policy.incentive.nps_weight": 0.3})


def test_override_out_of_range_is_attributed_to_set():
    with pytest.raises(ScenarioError, match=r"^--set: policy\.incentives\.nps_weight"):
        load_scenario("baseline", {"policy.incentives.nps_weight": 3.0})


def test_parse_assignment_reads_toml_values():
    assert parse_assignment("policy.incentives.nps_weight=0.5") == (
        "policy.incentives.nps_weight",
        0.5,
    )
    assert parse_assignment("policy.survey.sampler=rep") == ("policy.survey.sampler", "rep")
    assert parse_assignment("policy.survey.anonymous=true") == ("policy.survey.anonymous", True)


def test_parse_assignment_without_equals_is_rejected():
    with pytest.raises(ScenarioError, match="expected path=value"):
        parse_assignment("policy.incentives.nps_weight")


def test_timeline_entry_is_validated_against_policy_schema():
    data = {"timeline": [{"week": 3, "set": {"policy.incentives.nps_weight": 2.0}}]}
    with pytest.raises(ScenarioError, match=r"timeline\[0\]\.set\.policy\.incentives\.nps_weight"):
        validate_scenario(data)


def test_timeline_unknown_path_is_reported():
    data = {"timeline": [{"week": 3, "set": {"policy.incentives.bonus": 2.0}}]}
    with pytest.raises(ScenarioError, match="unknown parameter 'bonus'"):
        validate_scenario(data)


def test_timeline_may_only_change_policy():
    data = {"timeline": [{"week": 3, "set": {"firm.managers": 2}}]}
    with pytest.raises(ScenarioError, match=r"only policy\.\* values"):
        validate_scenario(data)


def test_timeline_week_beyond_run_is_rejected():
    data = {"run": {"weeks": 10}, "timeline": [{"week": 10, "set": {}}]}
    with pytest.raises(ScenarioError, match=r"timeline\[0\]\.week"):
        validate_scenario(data)


def test_intervention_replaces_the_timelines_earlier_change_of_the_same_path():
    scenario = load_scenario("intervention_week26")
    changed = intervene(scenario, 30, {"policy.incentives.nps_weight": 0.8})
    assert [(entry.week, entry.set) for entry in changed.timeline] == [
        (30, {"policy.incentives.nps_weight": 0.8})
    ]
    assert changed.policy.incentives.nps_weight == 0.0


def test_intervention_leaves_the_timelines_later_changes():
    scenario = load_scenario("intervention_week26")
    changed = intervene(scenario, 10, {"policy.incentives.nps_weight": 0.8})
    assert [(entry.week, entry.set) for entry in changed.timeline] == [
        (10, {"policy.incentives.nps_weight": 0.8}),
        (26, {"policy.incentives.nps_weight": 0.5}),
    ]


def test_intervention_at_week_zero_sets_the_starting_policy():
    changed = intervene(
        load_scenario("intervention_week26"), 0, {"policy.incentives.nps_weight": 0.3}
    )
    assert changed.policy.incentives.nps_weight == 0.3
    assert [entry.week for entry in changed.timeline] == [26]


def test_intervention_keeps_the_timelines_other_paths():
    data = load_scenario("intervention_week26").model_dump()
    data["timeline"][0]["set"]["policy.audits.probability"] = 0.5
    changed = intervene(validate_scenario(data), 40, {"policy.incentives.nps_weight": 0.8})
    assert [(entry.week, entry.set) for entry in changed.timeline] == [
        (26, {"policy.audits.probability": 0.5}),
        (40, {"policy.incentives.nps_weight": 0.8}),
    ]


@pytest.mark.parametrize(
    ("week", "values", "needle"),
    [
        (0, {"reps.integrity_mean": 0.5}, "reps"),
        (200, {"policy.incentives.nps_weight": 0.5}, "beyond the run"),
        (200, {}, "beyond the run"),
        (5, {"policy.incentives.nps_weight": 2.0}, "nps_weight"),
    ],
)
def test_intervention_refuses_what_a_timeline_cannot_do(week, values, needle):
    with pytest.raises(ScenarioError, match=needle):
        intervene(load_scenario("baseline"), week, values)
