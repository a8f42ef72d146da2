import time
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


def test_override_out_of_range_names_the_file_and_set():
    with pytest.raises(
        ScenarioError, match=r"^baseline with --set: policy\.incentives\.nps_weight"
    ):
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


# ---------------------------------------------------------------- limits, checked before parsing


def refused(path: Path, *needles: str) -> str:
    """Load a file that must be refused quickly, in one line naming it; return the message."""
    started = time.perf_counter()
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert time.perf_counter() - started < 1.0
    message = str(caught.value)
    assert "\n" not in message and "\r" not in message
    assert message.startswith(str(path))
    for needle in needles:
        assert needle in message
    return message


def test_deeply_nested_arrays_are_refused_before_parsing(tmp_path):
    refused(write(tmp_path, "a.toml", "x = " + "[" * 1000 + "]" * 1000), "nested deeper")


def test_deeply_nested_inline_tables_are_refused_before_parsing(tmp_path):
    refused(write(tmp_path, "a.toml", "x = " + "{a = " * 1000 + "1" + "}" * 1000), "nested")


def test_a_dotted_key_of_thousands_of_parts_is_refused_before_parsing(tmp_path):
    text = 'extends = "baseline"\n' + ".".join(["a"] * 50_000) + " = 1\n"
    refused(write(tmp_path, "a.toml", text), "dotted key of 50000 parts")


def test_deep_table_headers_are_refused_without_recursion(tmp_path):
    # Each header and key is short enough; together they nest 33 tables deep.
    text = f"[{'.'.join(['a'] * 30)}]\nx.y.z = 1\n"
    refused(write(tmp_path, "a.toml", text), "nested deeper")


def test_an_oversized_file_is_refused_unread(tmp_path):
    refused(write(tmp_path, "a.toml", "# padding\n" * 40_000), "at most 262,144")


def test_an_overlong_key_is_refused_and_quoted_short(tmp_path):
    message = refused(write(tmp_path, "a.toml", f"{'k' * 5000} = 1\n"), "longer than 200")
    assert len(message) < 400


def test_text_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "a.toml"
    path.write_bytes(b"name = '\xff'\n")
    refused(path, "not UTF-8")


def test_a_key_with_a_newline_is_reported_on_one_line(tmp_path):
    refused(write(tmp_path, "a.toml", '"a\\nb" = 1\n'), "unknown parameter 'a\\nb'")


def test_an_extends_name_with_control_characters_is_refused_on_one_line(tmp_path):
    refused(write(tmp_path, "a.toml", 'extends = "base\\nline"\n'), "extends", "base\\nline")


def test_an_extends_name_too_long_for_the_file_system_is_refused(tmp_path):
    refused(write(tmp_path, "a.toml", f'extends = "{"x" * 300}"\n'), "extends", "300 characters")


def test_a_bare_extends_name_is_a_bundled_scenario_like_on_the_command_line(tmp_path):
    scenario = load_scenario(write(tmp_path, "mine.toml", 'extends = "nps_bonus"\n'))
    assert scenario.policy == load_scenario("nps_bonus").policy


def test_extends_prefers_a_file_beside_the_scenario_to_a_bundled_one(tmp_path):
    write(tmp_path, "nps_bonus.toml", "[firm]\nmanagers = 3\n")
    scenario = load_scenario(write(tmp_path, "mine.toml", 'extends = "nps_bonus.toml"\n'))
    assert scenario.firm.managers == 3


# ---------------------------------------------------------------- strict types and ranges


@pytest.mark.parametrize(
    ("text", "path", "needle"),
    [
        ("[firm]\nmanagers = true\n", "firm.managers", "a true/false"),
        ('[firm]\nproduct_quality = "5"\n', "firm.product_quality", "a string"),
        ('[run]\nweeks = "8"\n', "run.weeks", "a string"),
        ("[run]\nweeks = 8.0\n", "run.weeks", "float"),
        ("[run]\nseed = true\n", "run.seed", "a true/false"),
        ("[policy.survey]\nanonymous = 1\n", "policy.survey.anonymous", "whole number"),
        ("name = 5\n", "name", "whole number"),
        ('[[timeline]]\nweek = "3"\nset = {"policy.incentives.nps_weight" = 0.1}\n',
         "timeline.0.week", "a string"),
        ('[[timeline]]\nweek = 3\nset = {"policy.incentives.nps_weight" = true}\n',
         "policy.incentives.nps_weight", "a true/false"),
    ],
)  # fmt: skip
def test_values_of_the_wrong_type_are_refused_not_converted(tmp_path, text, path, needle):
    refused(write(tmp_path, "a.toml", text), path, needle)


def test_a_whole_number_is_accepted_for_a_real_parameter(tmp_path):
    scenario = load_scenario(write(tmp_path, "a.toml", "[firm]\nproduct_quality = 6\n"))
    assert scenario.firm.product_quality == 6.0


def test_set_values_are_as_strict_as_the_files():
    with pytest.raises(ScenarioError, match=r"firm\.managers.*a true/false"):
        load_scenario("baseline", dict([parse_assignment("firm.managers=true")]))


@pytest.mark.parametrize(
    "path",
    [
        "accounts.acv_median",
        "firm.rep_turnover_cost",
        "policy.pay.base_salary",
        "policy.concessions.approval_threshold",
    ],
)
@pytest.mark.parametrize("value", ["1e300", "inf"])
def test_amounts_of_money_beyond_any_firm_are_refused(tmp_path, path, value):
    section, name = path.rsplit(".", 1)
    refused(write(tmp_path, "a.toml", f"[{section}]\n{name} = {value}\n"), path)


def test_a_firm_too_big_for_the_machine_is_refused(tmp_path):
    text = "[firm]\nmanagers = 100000\nreps_per_manager = 1000\naccounts_per_rep = 100000\n"
    refused(write(tmp_path, "a.toml", text), "firm", "accounts", "up to 5,000,000")


@pytest.mark.parametrize("name", ["x" * 300, "a/b", "..", "tab\there", ""])
def test_a_name_that_cannot_name_a_folder_is_refused(tmp_path, name):
    refused(write(tmp_path, "a.toml", f"name = {name!r}\n".replace("\t", "\\t")), "name")


def test_an_integer_too_long_for_python_is_refused_in_one_line(tmp_path):
    scenario = write(tmp_path, "big.toml", "[run]\nweeks = " + "9" * 5000 + "\n")
    with pytest.raises(ScenarioError, match=r"big\.toml: holds a number too long") as caught:
        load_scenario(scenario)
    assert len(str(caught.value)) < 200


def test_an_assignment_too_long_for_python_is_refused_in_one_line():
    with pytest.raises(ScenarioError, match=r"--set: run\.weeks: holds a number too long"):
        parse_assignment("run.weeks=" + "9" * 5000)


@pytest.mark.parametrize("name", ["secret.txt", ".env", "/etc/passwd"])
def test_extends_names_only_toml_scenario_files(tmp_path, name):
    for secret in ("secret.txt", ".env"):
        (tmp_path / secret).write_text('[firm]\ncurrency = "s3cr3t-TOKEN-123"\n')
    scenario = write(tmp_path, "s.toml", f'extends = "{name}"\n')
    with pytest.raises(ScenarioError, match=r"extends: must name a \.toml scenario file") as caught:
        load_scenario(scenario)
    assert "s3cr3t" not in str(caught.value)
