"""The commands that describe rather than simulate: validate, params, metrics, scenarios, ..."""

import json
import socket

import pytest

from npssim.metrics import METRICS
from npssim.scenario import Scenario, bundled_scenarios, iter_params, load_scenario

from .conftest import assert_one_line_error, run_cli

NPS_WEIGHT = "policy.incentives.nps_weight"


def param_info(path: str):
    (info,) = [info for info in iter_params() if info.path == path]
    return info


def without_labels(scenario: Scenario) -> dict:
    return scenario.model_dump(exclude={"name", "description"})


def hidden_files(folder) -> list[str]:
    return sorted(path.name for path in folder.iterdir() if path.name.startswith("."))


# validate


def test_validate_prints_ok_line_for_each_good_bundled_file(capsys):
    files = [str(path) for path in bundled_scenarios()]
    status, stdout, err = run_cli(capsys, "validate", *files)
    assert status == 0
    assert err == ""
    lines = stdout.strip().splitlines()
    assert len(lines) == len(files)
    for line, name in zip(lines, files, strict=True):
        assert line.startswith(f"ok: {name} (")


def test_validate_names_bad_file_and_parameter_path(capsys, tmp_path):
    good = str(bundled_scenarios()[0])
    bad = tmp_path / "bad.toml"
    bad.write_text("[firm]\nmanagers = 0\n")
    status, stdout, err = run_cli(capsys, "validate", good, str(bad))
    assert_one_line_error(status, err, "bad.toml: firm.managers")
    assert f"ok: {good}" in stdout
    assert "bad.toml" not in stdout


def test_validate_reports_missing_file(capsys, tmp_path):
    status, _, err = run_cli(capsys, "validate", str(tmp_path / "nope.toml"))
    assert_one_line_error(status, err, "nope.toml", "no such scenario file")


# params


def test_params_lists_nps_weight_with_its_bounds(capsys):
    info = param_info(NPS_WEIGHT)
    status, stdout, _ = run_cli(capsys, "params")
    assert status == 0
    (line,) = [line for line in stdout.splitlines() if line.startswith(f"{NPS_WEIGHT} =")]
    assert f"[{info.lower} .. {info.upper}]" in line


def test_params_lists_every_parameter(capsys):
    status, stdout, _ = run_cli(capsys, "params")
    assert status == 0
    starts = {line.split(" = ")[0] for line in stdout.splitlines() if " = " in line}
    assert {info.path for info in iter_params()} <= starts


def test_params_shows_the_unit_of_each_parameter(capsys):
    info = param_info(NPS_WEIGHT)
    assert info.unit
    status, stdout, _ = run_cli(capsys, "params")
    assert status == 0
    (line,) = [line for line in stdout.splitlines() if line.startswith(f"{NPS_WEIGHT} =")]
    assert info.unit in line


def test_params_markdown_prints_table_header_row(capsys):
    status, stdout, _ = run_cli(capsys, "params", "--markdown")
    assert status == 0
    header, rule, *rows = stdout.strip().splitlines()
    assert header == "| parameter | default | range | unit | meaning | source |"
    assert rule == "|---|---|---|---|---|---|"
    assert len(rows) == len(list(iter_params()))


def test_params_markdown_rows_have_one_cell_per_column(capsys):
    _, stdout, _ = run_cli(capsys, "params", "--markdown")
    header, _, *rows = stdout.strip().splitlines()
    columns = header.count("|")
    for row in rows:
        assert row.replace("\\|", "").count("|") == columns, row


# scenarios


def test_scenarios_lists_every_bundled_scenario_on_one_line_with_description(capsys):
    status, stdout, err = run_cli(capsys, "scenarios")
    assert status == 0
    assert err == ""
    lines = stdout.strip().splitlines()
    names = [path.stem for path in bundled_scenarios()]
    assert len(lines) == len(names)
    for line, name in zip(lines, names, strict=True):
        label, _, summary = line.partition(" ")
        assert label == name
        assert summary.strip(), line


# new


def test_new_writes_name_toml_in_current_folder(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    status, stdout, err = run_cli(capsys, "new", "my_policy")
    assert status == 0
    assert err == ""
    assert [path.name for path in tmp_path.iterdir()] == ["my_policy.toml"]
    assert "my_policy.toml" in stdout


def test_new_file_loads_to_defaults_under_the_new_name(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run_cli(capsys, "new", "my_policy")
    scenario = load_scenario(tmp_path / "my_policy.toml")
    assert scenario.name == "my_policy"
    assert without_labels(scenario) == without_labels(Scenario())


def test_new_strips_toml_suffix_from_name(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    status, _, _ = run_cli(capsys, "new", "my_policy.toml")
    assert status == 0
    assert load_scenario(tmp_path / "my_policy.toml").name == "my_policy"


def test_new_refuses_to_overwrite_without_force(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "my_policy.toml"
    target.write_text("keep me")
    status, _, err = run_cli(capsys, "new", "my_policy")
    assert_one_line_error(status, err, "my_policy.toml", "--force")
    assert target.read_text() == "keep me"


def test_new_force_replaces_existing_file(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "my_policy.toml"
    target.write_text("keep me")
    status, _, _ = run_cli(capsys, "new", "my_policy", "--force")
    assert status == 0
    assert load_scenario(target).name == "my_policy"


@pytest.mark.parametrize("name", ["9lives", "a b", "sub/name", ""])
def test_new_rejects_bad_name(capsys, tmp_path, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    status, _, err = run_cli(capsys, "new", name)
    assert_one_line_error(status, err, "NAME", name)
    assert list(tmp_path.iterdir()) == []


def test_new_extends_bundled_scenario_keeps_its_policy(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    status, _, _ = run_cli(capsys, "new", "bonus_variant", "--extends", "nps_bonus")
    assert status == 0
    scenario = load_scenario(tmp_path / "bonus_variant.toml")
    base = load_scenario("nps_bonus")
    assert scenario.name == "bonus_variant"
    assert scenario.policy.incentives.nps_weight == base.policy.incentives.nps_weight
    assert scenario.policy.incentives.nps_weight != Scenario().policy.incentives.nps_weight
    assert without_labels(scenario) == without_labels(base)


def test_new_extends_comments_the_values_the_base_gives(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    status, _, _ = run_cli(capsys, "new", "bonus_variant", "--extends", "nps_bonus")
    assert status == 0
    lines = (tmp_path / "bonus_variant.toml").read_text().splitlines()
    weight = load_scenario("nps_bonus").policy.incentives.nps_weight
    assert weight != Scenario().policy.incentives.nps_weight
    assert f"# nps_weight = {weight}" in lines


def test_new_extends_missing_scenario_is_bad_input(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    status, _, err = run_cli(capsys, "new", "orphan", "--extends", "no_such_base")
    assert_one_line_error(status, err, "no_such_base")
    assert list(tmp_path.iterdir()) == []


def test_new_out_writes_the_given_file(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    status, _, _ = run_cli(capsys, "new", "my_policy", "--out", "sub/custom.toml")
    assert status == 0
    assert not (tmp_path / "my_policy.toml").exists()
    assert load_scenario(tmp_path / "sub" / "custom.toml").name == "my_policy"


def test_new_out_into_missing_folder_is_bad_input(capsys, tmp_path):
    target = tmp_path / "missing" / "my_policy.toml"
    status, _, err = run_cli(capsys, "new", "my_policy", "--out", str(target))
    assert_one_line_error(status, err, "--out", "missing")
    assert list(tmp_path.iterdir()) == []


def test_new_out_onto_a_folder_is_bad_input_even_with_force(capsys, tmp_path):
    folder = tmp_path / "taken"
    folder.mkdir()
    status, _, err = run_cli(capsys, "new", "my_policy", "--out", str(folder), "--force")
    assert_one_line_error(status, err, "taken")
    assert folder.is_dir()
    assert hidden_files(tmp_path) == []


def test_new_leaves_no_temporary_files(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run_cli(capsys, "new", "my_policy")
    run_cli(capsys, "new", "my_policy", "--force")
    run_cli(capsys, "new", "my_policy")
    assert hidden_files(tmp_path) == []
    assert [path.name for path in tmp_path.iterdir()] == ["my_policy.toml"]


# schema


def test_schema_prints_json_schema_with_firm_managers(capsys):
    status, stdout, err = run_cli(capsys, "schema")
    assert status == 0
    assert err == ""
    schema = json.loads(stdout)
    assert "$schema" in schema
    managers = schema["properties"]["firm"]["properties"]["managers"]
    assert managers["type"] == "integer"


def test_schema_out_writes_the_same_json_to_a_file(capsys, tmp_path):
    _, printed, _ = run_cli(capsys, "schema")
    target = tmp_path / "npssim.schema.json"
    status, stdout, _ = run_cli(capsys, "schema", "--out", str(target))
    assert status == 0
    assert stdout == ""
    assert target.read_text(encoding="utf-8") == printed
    assert hidden_files(tmp_path) == []


def test_schema_out_into_missing_folder_is_bad_input(capsys, tmp_path):
    target = tmp_path / "missing" / "schema.json"
    status, _, err = run_cli(capsys, "schema", "--out", str(target))
    assert_one_line_error(status, err, "--out", "missing")
    assert list(tmp_path.iterdir()) == []


def test_schema_out_onto_a_folder_is_bad_input(capsys, tmp_path):
    folder = tmp_path / "taken"
    folder.mkdir()
    status, _, err = run_cli(capsys, "schema", "--out", str(folder))
    assert_one_line_error(status, err, "taken")
    assert folder.is_dir()
    assert hidden_files(tmp_path) == []


def test_explore_refuses_a_missing_scenario(capsys, tmp_path):
    status, _, err = run_cli(capsys, "explore", str(tmp_path / "nope.toml"))
    assert_one_line_error(status, err, "nope.toml", "no such scenario file")


def test_explore_refuses_a_port_out_of_range(capsys):
    status, _, err = run_cli(capsys, "explore", "--port", "70000")
    assert_one_line_error(status, err, "--port")


def test_explore_refuses_a_port_in_use(capsys):
    with socket.create_server(("localhost", 0)) as taken:
        port = taken.getsockname()[1]
        status, _, err = run_cli(capsys, "explore", "--port", str(port))
    assert_one_line_error(status, err, "--port", str(port), "cannot listen")


def test_metrics_lists_every_metric_with_its_label(capsys):
    status, out, _ = run_cli(capsys, "metrics")
    assert status == 0
    for metric in METRICS:
        assert metric.name in out and metric.label in out


def test_metrics_markdown_is_a_table_of_the_registry(capsys):
    status, out, _ = run_cli(capsys, "metrics", "--markdown")
    lines = out.strip().splitlines()
    assert status == 0 and lines[0].startswith("| name | label |")
    assert len(lines) == 2 + len(METRICS)


def test_metrics_shows_every_metrics_unit_kind_and_side(capsys):
    # Rich once read the "[unit; kind; side]" bracket as markup and dropped it for most.
    from npssim.cli.discovery import _SIDE_WORDS

    status, out, _ = run_cli(capsys, "metrics")
    assert status == 0
    lines = {line.split("  ", 1)[0]: line for line in out.splitlines() if line[:1] != " "}
    for metric in METRICS:
        kind = "running total" if metric.cumulative else "level"
        assert f"[{metric.unit}; {kind}; {_SIDE_WORDS[metric.side]}" in lines[metric.name]
