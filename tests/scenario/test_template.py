import json
import re
import shutil
import tomllib
from pathlib import Path
from typing import Any

import pytest

from npssim.scenario import Scenario, ScenarioError, bundled_scenarios, iter_params, load_scenario
from npssim.scenario.loader import BUNDLED_DIR
from npssim.scenario.schema import SECTIONS
from npssim.scenario.template import check_scenario_name, json_schema, scenario_template

HEADER = re.compile(r"^\[(?P<table>[a-z_.]+)\]$")
COMMENTED = re.compile(r"^# (?P<key>[a-z_]+) = (?P<value>.+)$")
TIMELINE_EXAMPLE = re.compile(r"^#\s+(?P<line>\[\[timeline\]\]|week = .+|set = \{.+\})$")
PATHS = [info.path for info in iter_params()]


def commented_params(text: str) -> dict[str, tuple[int, str]]:
    """Map each commented-out assignment's dotted path to its line number and value text."""
    found: dict[str, tuple[int, str]] = {}
    table = ""
    for number, line in enumerate(text.splitlines()):
        if header := HEADER.match(line):
            table = header["table"]
        elif assignment := COMMENTED.match(line):
            path = f"{table}.{assignment['key']}"
            assert path not in found, f"{path} appears twice"
            found[path] = (number, assignment["value"])
    return found


def uncomment_params(text: str) -> str:
    lines = text.splitlines()
    for number, _ in commented_params(text).values():
        lines[number] = lines[number].removeprefix("# ")
    return "\n".join(lines) + "\n"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def defaults_except_labels(scenario: Scenario) -> dict[str, Any]:
    return scenario.model_dump(exclude={"name", "description"})


def schema_node(schema: dict[str, Any], path: str) -> dict[str, Any]:
    node = schema
    for key in path.split("."):
        node = node["properties"][key]
    return node


def problems(schema: dict[str, Any], value: Any, where: str = "") -> list[str]:
    """A small structural check against the JSON Schema (jsonschema is not a dependency)."""
    types = {
        "object": dict,
        "array": list,
        "string": str,
        "boolean": bool,
        "integer": int,
        "number": (int, float),
    }
    kind = schema.get("type")
    if kind:
        numeric_bool = kind in {"integer", "number"} and isinstance(value, bool)
        if numeric_bool or not isinstance(value, types[kind]):
            return [f"{where}: not {kind}"]
    found = []
    if "enum" in schema and value not in schema["enum"]:
        found.append(f"{where}: not one of {schema['enum']}")
    if "minimum" in schema and value < schema["minimum"]:
        found.append(f"{where}: below {schema['minimum']}")
    if "maximum" in schema and value > schema["maximum"]:
        found.append(f"{where}: above {schema['maximum']}")
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        for key, item in value.items():
            if key in properties:
                found += problems(properties[key], item, f"{where}.{key}")
            elif schema.get("additionalProperties") is False:
                found.append(f"{where}.{key}: unknown")
        found += [
            f"{where}.{key}: missing" for key in schema.get("required", []) if key not in value
        ]
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            found += problems(schema["items"], item, f"{where}[{index}]")
    return found


def test_template_loads_as_the_default_scenario_under_its_name(tmp_path):
    scenario = load_scenario(write(tmp_path, "demo.toml", scenario_template("demo")))
    assert scenario.name == "demo"
    assert scenario.description
    assert defaults_except_labels(scenario) == defaults_except_labels(Scenario())


def test_template_lists_every_parameter_commented_out_at_its_default():
    found = commented_params(scenario_template("demo"))
    assert sorted(found) == sorted(PATHS)
    for info in iter_params():
        value = tomllib.loads(f"v = {found[info.path][1]}")["v"]
        assert value == info.default, info.path
        assert type(value) is type(info.default), info.path


def test_template_documents_each_parameter_in_the_comment_above_it():
    lines = scenario_template("demo").splitlines()
    found = commented_params("\n".join(lines))
    for info in iter_params():
        number = found[info.path][0]
        start = number
        while lines[start - 1].startswith("# "):
            start -= 1
        doc = " ".join(line.removeprefix("# ") for line in lines[start:number])
        assert info.meaning in doc, info.path
        assert info.source.rstrip(".") in doc, info.path
        if info.unit:
            assert f"Unit: {info.unit}." in doc, info.path
        if info.choices:
            assert all(f'"{choice}"' in doc for choice in info.choices), info.path
        elif info.lower is not None and not isinstance(info.default, bool):
            assert f"{info.lower:_}" in doc, info.path


def test_template_has_one_header_per_table_holding_parameters():
    headers = [line for line in scenario_template("demo").splitlines() if HEADER.match(line)]
    expected = list(dict.fromkeys(f"[{path.rsplit('.', 1)[0]}]" for path in PATHS))
    assert sorted(headers) == sorted(expected)
    assert {"[firm]", "[reps.tactic_effect]", "[policy.incentives]", "[run]"} <= set(headers)


def test_template_lines_fit_in_100_columns():
    assert max(len(line) for line in scenario_template("demo").splitlines()) <= 100


def test_uncommenting_every_parameter_still_loads_the_defaults(tmp_path):
    text = uncomment_params(scenario_template("demo"))
    assert commented_params(text) == {}
    scenario = load_scenario(write(tmp_path, "demo.toml", text))
    assert defaults_except_labels(scenario) == defaults_except_labels(Scenario())


def test_an_uncommented_parameter_takes_the_edited_value(tmp_path):
    text = scenario_template("demo").replace("# nps_weight = 0.0", "nps_weight = 0.5")
    scenario = load_scenario(write(tmp_path, "demo.toml", text))
    assert scenario.policy.incentives.nps_weight == 0.5


def test_uncommented_timeline_example_loads(tmp_path):
    lines = scenario_template("demo").splitlines()
    example = [match["line"] for line in lines if (match := TIMELINE_EXAMPLE.match(line))]
    assert example[0] == "[[timeline]]"
    scenario = load_scenario(write(tmp_path, "demo.toml", "\n".join([*lines, *example]) + "\n"))
    assert len(scenario.timeline) == 1
    assert scenario.timeline[0].set == {"policy.incentives.nps_weight": 0.5}


def test_template_with_extends_loads_the_base_values(tmp_path):
    for name in ("baseline.toml", "nps_bonus.toml"):
        shutil.copy(BUNDLED_DIR / name, tmp_path / name)
    text = scenario_template("bonus_variant", extends="nps_bonus")
    scenario = load_scenario(write(tmp_path, "bonus_variant.toml", text))
    base = load_scenario("nps_bonus")
    assert scenario.policy.incentives.nps_weight == 0.5
    assert defaults_except_labels(scenario) == defaults_except_labels(base)
    assert scenario.name == "bonus_variant"
    assert scenario.description != base.description


@pytest.mark.parametrize("base", ["nps_bonus", "well_designed_bonus"])
def test_template_with_inherited_values_shows_the_values_that_apply(tmp_path, base):
    inherited = load_scenario(base)
    text = scenario_template("x", extends=base, inherited=inherited)
    # Uncommented and cut from its base, the file gives the base's every value.
    alone = uncomment_params(text).replace(f'extends = "{base}.toml"', "")
    scenario = load_scenario(write(tmp_path, "x.toml", alone))
    expected = defaults_except_labels(inherited)
    assert defaults_except_labels(scenario) == {**expected, "timeline": []}


def test_template_without_inherited_values_shows_the_schema_defaults():
    found = commented_params(scenario_template("x", extends="nps_bonus"))
    assert found["policy.incentives.nps_weight"][1] == "0.0"


def test_template_extending_a_bundled_scenario_loads_without_copying_it(tmp_path):
    path = write(tmp_path, "x.toml", scenario_template("x", extends="nps_bonus"))
    scenario = load_scenario(path)
    assert defaults_except_labels(scenario) == defaults_except_labels(load_scenario("nps_bonus"))


def test_template_extends_names_a_toml_file():
    assert 'extends = "baseline.toml"' in scenario_template("x", extends="baseline").splitlines()
    assert 'extends = "baseline.toml"' in scenario_template("x", extends="baseline.toml")
    assert "extends =" not in "\n".join(
        line for line in scenario_template("x").splitlines() if not line.startswith("#")
    )


def test_extends_prefers_a_file_beside_the_scenario_to_a_bundled_one(tmp_path):
    write(tmp_path, "nps_bonus.toml", "[firm]\nmanagers = 7\n")
    path = write(tmp_path, "x.toml", scenario_template("x", extends="nps_bonus"))
    assert load_scenario(path).firm.managers == 7


def test_extends_of_a_missing_file_names_it(tmp_path):
    path = write(tmp_path, "x.toml", scenario_template("x", extends="no_such_base"))
    with pytest.raises(ScenarioError, match=r"extends: no such scenario file: no_such_base\.toml"):
        load_scenario(path)


def test_template_rejects_empty_extends():
    with pytest.raises(ScenarioError, match="npssim new: extends: is empty"):
        scenario_template("x", extends=" ")


def test_template_uses_the_checked_name():
    assert 'name = "demo"' in scenario_template("demo.toml").splitlines()
    with pytest.raises(ScenarioError, match="NAME"):
        scenario_template("not a name")


@pytest.mark.parametrize("name", ["my_policy", "Bonus-2", "a", "x" * 64])
def test_good_names_are_accepted(name):
    assert check_scenario_name(name) == name


def test_toml_suffix_is_stripped_from_the_name():
    assert check_scenario_name("my_policy.toml") == "my_policy"


@pytest.mark.parametrize(
    "name",
    [
        "",
        ".toml",
        "2fast",
        "_private",
        "-x",
        "has space",
        "dir/name",
        "dir\\name",
        "a.b",
        "naïve",
        "two\nlines",
        "x" * 65,
    ],
)
def test_bad_names_are_rejected_with_one_line_error(name):
    with pytest.raises(ScenarioError) as err:
        check_scenario_name(name)
    message = str(err.value)
    assert message.startswith("npssim new: NAME: ")
    assert "\n" not in message


def test_json_schema_survives_a_json_round_trip():
    schema = json_schema()
    assert json.loads(json.dumps(schema)) == schema


def test_json_schema_declares_its_dialect_and_title():
    schema = json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"]
    assert schema["type"] == "object"
    assert "$defs" not in json.dumps(schema)
    assert "$ref" not in json.dumps(schema)


def test_json_schema_is_deterministic_and_a_fresh_copy():
    first = json_schema()
    text = json.dumps(first)
    first["properties"].clear()
    assert json.dumps(json_schema()) == text
    assert next(iter(json_schema())) == "$schema"


def test_json_schema_has_every_section_and_parameter_as_nested_properties():
    schema = json_schema()
    assert set(SECTIONS) <= set(schema["properties"])
    for path in PATHS:
        assert "type" in schema_node(schema, path) or "enum" in schema_node(schema, path), path


def test_json_schema_bounds_and_defaults_match_the_schema():
    schema = json_schema()
    for info in iter_params():
        node = schema_node(schema, info.path)
        assert node.get("minimum") == info.lower, info.path
        assert node.get("maximum") == info.upper, info.path
        assert node["default"] == info.default, info.path
        if info.choices:
            assert node["enum"] == list(info.choices), info.path
    assert schema_node(schema, "policy.incentives.rank_and_yank")["maximum"] == 0.5
    assert schema_node(schema, "firm.managers")["type"] == "integer"


def test_json_schema_descriptions_show_unit_and_source():
    schema = json_schema()
    for info in iter_params():
        description = schema_node(schema, info.path)["description"]
        assert description.startswith(info.meaning), info.path
        assert info.source.rstrip(".") in description, info.path
        if info.unit:
            assert f"Unit: {info.unit}." in description, info.path


def test_json_schema_allows_extends_as_a_string():
    assert json_schema()["properties"]["extends"]["type"] == "string"


def test_json_schema_timeline_set_lists_the_policy_paths():
    entry = json_schema()["properties"]["timeline"]["items"]
    settable = entry["properties"]["set"]
    assert list(settable["properties"]) == [path for path in PATHS if path.startswith("policy.")]
    assert settable["additionalProperties"] is False
    assert entry["required"] == ["week", "set"]


def test_bundled_scenarios_conform_to_the_json_schema():
    schema = json_schema()
    for path in bundled_scenarios():
        with path.open("rb") as handle:
            assert problems(schema, tomllib.load(handle)) == [], path.name


def test_uncommented_template_conforms_to_the_json_schema():
    data = tomllib.loads(uncomment_params(scenario_template("demo", extends="baseline")))
    assert problems(json_schema(), data) == []


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[polcy]\nx = 1\n", ".polcy: unknown"),
        ("[policy.survey]\nsample_fraction = 1.5\n", ".policy.survey.sample_fraction: above 1"),
        ('[policy.survey]\nsampler = "manager"\n', ".policy.survey.sampler: not one of"),
        ('[firm]\nmanagers = "many"\n', ".firm.managers: not integer"),
        ("extends = 3\n", ".extends: not string"),
        ('[[timeline]]\nweek = 2\nset = { "run.weeks" = 5 }\n', ".timeline[0].set.run.weeks"),
    ],
)
def test_json_schema_flags_what_the_loader_rejects(tmp_path, text, problem):
    found = problems(json_schema(), tomllib.loads(text))
    assert any(item.startswith(problem) for item in found), found
    with pytest.raises(ScenarioError):
        load_scenario(write(tmp_path, "bad.toml", text))
