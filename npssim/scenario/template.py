"""Scenario templates and the JSON Schema, both generated from the parameter schema.

`npssim new NAME` writes :func:`scenario_template`: a scenario file that lists every parameter,
commented out at its default, with its meaning, unit, range and source beside it, so a user edits
values instead of typing paths from `npssim params`. `npssim schema` prints :func:`json_schema`,
which TOML editors (Taplo, Even Better TOML) use for completion, hover help and range checks.

Both are walked from the pydantic models in :mod:`npssim.scenario.schema`; neither keeps its own
list of parameters, so a parameter added to the schema shows up in both without further edits.
"""

from __future__ import annotations

import copy
import inspect
import math
import re
import textwrap
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from npssim.scenario.loader import ScenarioError
from npssim.scenario.schema import SECTIONS, ParamInfo, Scenario, iter_params

#: JSON Schema dialect of :func:`json_schema` (the one pydantic 2 generates).
SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_TITLE = "npssim scenario"

#: Longest name `npssim new` accepts; it becomes a file name and a label in tables and figures.
MAX_NAME_LENGTH = 64
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")

_WIDTH = 100
_RULE = "# " + "-" * (_WIDTH - 2)

#: The example [[timeline]] entry: a change that is valid against the default run length.
_TIMELINE_EXAMPLE_WEEK = 26
_TIMELINE_EXAMPLE_PATH = "policy.incentives.nps_weight"
_TIMELINE_EXAMPLE_VALUE = 0.5

_EXTENDS_MEANING = (
    "Scenario file this one builds on, read relative to this file, or a bundled scenario "
    '(e.g. "baseline.toml"): its values apply wherever this file does not set one. Its name '
    "and description are not inherited."
)


def check_scenario_name(name: str) -> str:
    """Validate the NAME given to `npssim new`, which becomes the file name and the scenario name.

    The rules keep the name usable as a file name on every platform, as a shell argument without
    quoting and as a label in tables: letters, digits, '_' and '-', starting with a letter, at
    most 64 characters. A trailing ``.toml`` is accepted and stripped, since users often type the
    file name they want.

    Args:
        name: The name as typed on the command line.

    Returns:
        The name without a ``.toml`` suffix.

    Raises:
        ScenarioError: With a one-line message saying what is wrong with the name.
    """
    clean = name.removesuffix(".toml")
    problem = ""
    if not clean:
        problem = "is empty; give a name such as my_policy"
    elif "/" in clean or "\\" in clean:
        problem = f"must be a plain name, not a path (got {name!r})"
    elif len(clean) > MAX_NAME_LENGTH:
        problem = f"is {len(clean)} characters long; at most {MAX_NAME_LENGTH} are allowed"
    elif not clean[0].isascii() or not clean[0].isalpha():
        problem = f"must start with a letter (got {name!r})"
    elif not _NAME.fullmatch(clean):
        problem = f"may contain only ASCII letters, digits, '_' and '-' (got {name!r})"
    if problem:
        raise ScenarioError("npssim new", "NAME", problem)
    return clean


def scenario_template(
    name: str, extends: str | None = None, inherited: Scenario | None = None
) -> str:
    """A commented scenario file listing every parameter at its default, generated from the schema.

    Every table of the schema gets its header, and every parameter a comment with its meaning,
    unit, allowed range or choices and source, followed by the parameter itself commented out at
    the value that applies (``# nps_weight = 0.0``, or ``0.5`` in a file extending
    ``nps_bonus``). Left as written, the file loads to the default scenario (or to the
    ``extends`` base) under the new name; uncommenting any line gives a valid value to edit and
    changes nothing until it is edited. A commented ``[[timeline]]`` entry closes the file.

    Args:
        name: Scenario name, checked by :func:`check_scenario_name` (a ``.toml`` suffix is
            stripped).
        extends: Scenario file the new one builds on, relative to the new file, or a bundled
            one; ``.toml`` is appended when missing (``"baseline"`` gives ``"baseline.toml"``).
        inherited: The values the ``extends`` chain gives (the file loaded once written, so
            the base is found as it will be read); the commented lines show them. The schema's
            defaults when None.

    Returns:
        The TOML text, ending with a newline.

    Raises:
        ScenarioError: When the name is not acceptable or ``extends`` is empty.
    """
    name = check_scenario_name(name)
    lines = [*_header(name, extends=extends is not None, inherited=inherited is not None), ""]
    lines += _comment(Scenario.model_fields["name"].description or "")
    lines.append(f"name = {_toml_value(name)}")
    lines += _comment(Scenario.model_fields["description"].description or "")
    lines.append(f"description = {_toml_value('Replace with what this scenario shows.')}")
    if extends is not None:
        base = extends.strip()
        if not base:
            raise ScenarioError("npssim new", "extends", "is empty; give a scenario file name")
        if not base.endswith(".toml"):
            base += ".toml"
        lines += _comment(_EXTENDS_MEANING)
        lines.append(f"extends = {_toml_value(base)}")

    params = _params_by_table()
    for path, model in _tables():
        depth = path.count(".")
        lines.append("")
        if depth == 0:
            lines += [_RULE, *_comment(f"[{path}] {_doc(model)}"), _RULE]
        else:
            lines += _comment(f"[{path}] {_doc(model)}")
        leaves = params.get(path, [])
        if not leaves:
            continue
        lines.append(f"[{path}]")
        for info in leaves:
            leaf = info.path.rsplit(".", 1)[1]
            annotation = model.model_fields[leaf].annotation
            lines.append("")
            lines += _comment(info.meaning)
            lines += _comment(_facts(info, whole=annotation is int))
            value = info.default if inherited is None else _value_at(inherited, info.path)
            lines.append(f"# {leaf} = {_toml_value(_typed(value, annotation))}")
    lines += ["", *_timeline_example()]
    return "\n".join(lines) + "\n"


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a scenario file, for editor completion and hover help.

    Built from ``Scenario.model_json_schema()`` with every ``$ref`` inlined, so each parameter is
    found at its own path of nested ``properties`` (simpler for editors and for anyone reading
    the schema). Each parameter's description also states its unit, range and source, since
    editors show the description on hover but not pydantic's extra ``unit`` and ``source``
    keywords (kept as annotations). ``extends`` is allowed at the top level as the loader accepts
    it, and the timeline's ``set`` lists the policy paths it may change. Key order is fixed, so
    the printed schema diffs cleanly: keywords sorted, tables and parameters in schema order.

    Returns:
        The schema as JSON-ready nested dictionaries; a new copy on every call.
    """
    raw = Scenario.model_json_schema()
    tree = _inline(raw, raw.get("$defs", {}))
    props: dict[str, Any] = tree["properties"]

    for info in iter_params():
        node = _schema_at_path(tree, info.path)
        node["description"] = f"{info.meaning}\n{_facts(info, whole=node.get('type') == 'integer')}"
        if not node.get("unit"):
            node.pop("unit", None)

    policy_paths = [info.path for info in iter_params() if info.path.startswith("policy.")]
    entry = props["timeline"]["items"]
    entry["properties"]["set"] = {
        **entry["properties"]["set"],
        "properties": {path: copy.deepcopy(_schema_at_path(tree, path)) for path in policy_paths},
        "additionalProperties": False,
    }

    extends = {
        "description": _EXTENDS_MEANING,
        "minLength": 1,
        "title": "Extends",
        "type": "string",
    }
    ordered: dict[str, Any] = {}
    for key, value in props.items():
        ordered[key] = value
        if key == "description":
            ordered["extends"] = extends
    schema = {
        "$schema": SCHEMA_DIALECT,
        "additionalProperties": False,
        "description": tree.get("description", _doc(Scenario)),
        "properties": ordered,
        "title": SCHEMA_TITLE,
        "type": "object",
    }
    return _sorted_keywords(schema)


def _header(name: str, *, extends: bool, inherited: bool = False) -> list[str]:
    """The opening comment: what the file is, how to edit it and the commands that use it."""
    shown = "the value `extends` gives it" if inherited else "its default value"
    intro = (
        f"{name}: an npssim scenario, written by `npssim new` from the parameter schema. Every "
        f"parameter is listed below, commented out at {shown}. To change one, delete the "
        "'# ' in front of it and edit the value; lines left commented keep the default"
        + (" (or the value of the file named by `extends`)." if extends else ".")
        + " Above each parameter: its meaning, then its unit, allowed range or choices, and the "
        "source of the default (references.md, or an assumption)."
    )
    if not extends:
        intro += " To build on another scenario file, add an `extends` line below `description`."
    commands = [
        (f"npssim validate {name}.toml", "check this file against the schema"),
        (f"npssim run {name}.toml", "run replications and print the goods and bads"),
        ("npssim params", "every parameter, with its documentation"),
    ]
    width = max(len(command) for command, _ in commands)
    return [
        *_comment(intro),
        "#",
        *(f"#     {command.ljust(width)}   {what}" for command, what in commands),
    ]


def _timeline_example() -> list[str]:
    """A commented [[timeline]] entry that is valid once uncommented."""
    field = Scenario.model_fields["timeline"]
    text = (
        f"[[timeline]] {field.description} Each entry changes policy values, by dotted path, "
        "from the given week (0-based, before run.weeks) until a later entry changes them again; "
        "only policy.* values can change during a run. For example, to start paying on NPS in week "
        f"{_TIMELINE_EXAMPLE_WEEK}:"
    )
    assignment = f"{_toml_value(_TIMELINE_EXAMPLE_PATH)} = {_toml_value(_TIMELINE_EXAMPLE_VALUE)}"
    return [
        _RULE,
        *_comment(text),
        _RULE,
        "#",
        "#   [[timeline]]",
        f"#   week = {_TIMELINE_EXAMPLE_WEEK}",
        f"#   set = {{ {assignment} }}",
    ]


def _tables(
    model: type[BaseModel] = Scenario, prefix: str = ""
) -> Iterator[tuple[str, type[BaseModel]]]:
    """Every table of the scenario file, parents before children, in declaration order."""
    for name, field in model.model_fields.items():
        if model is Scenario and name not in SECTIONS:
            continue
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            path = f"{prefix}{name}"
            yield path, annotation
            yield from _tables(annotation, prefix=f"{path}.")


def _params_by_table() -> dict[str, list[ParamInfo]]:
    """The parameters grouped by the table that holds them, each group in declaration order.

    Grouping (rather than following iter_params line by line) keeps each table to one header even
    if a sub-table is ever declared between two parameters, which TOML would reject.
    """
    groups: dict[str, list[ParamInfo]] = {}
    for info in iter_params():
        groups.setdefault(info.path.rsplit(".", 1)[0], []).append(info)
    return groups


def _doc(model: type) -> str:
    """First paragraph of a model's docstring: the table's one-line meaning."""
    return inspect.cleandoc(model.__doc__ or "").split("\n\n", 1)[0].replace("\n", " ")


def _comment(text: str) -> list[str]:
    """Wrap text into '# ' comment lines of at most 100 characters."""
    return textwrap.wrap(
        text,
        width=_WIDTH,
        initial_indent="# ",
        subsequent_indent="# ",
        break_long_words=False,
        break_on_hyphens=False,
    ) or ["#"]


def _facts(info: ParamInfo, *, whole: bool) -> str:
    """Unit, allowed values and source of a parameter, as one sentence-like line."""
    parts = []
    if info.unit:
        parts.append(f"Unit: {info.unit}.")
    parts.append(f"{_allowed(info, whole=whole)}.")
    source = info.source.rstrip(".")
    parts.append(f"Source: {source}.")
    return " ".join(parts)


def _allowed(info: ParamInfo, *, whole: bool) -> str:
    """The values a parameter accepts, in words."""
    if info.choices:
        return "One of " + ", ".join(_toml_value(choice) for choice in info.choices)
    if isinstance(info.default, bool):
        return "true or false"
    kind = " (whole number)" if whole else ""
    if info.lower is not None and info.upper is not None:
        return f"Range: {_number(info.lower)} to {_number(info.upper)}{kind}"
    if info.lower is not None:
        return f"Range: at least {_number(info.lower)}{kind}"
    if info.upper is not None:
        return f"Range: at most {_number(info.upper)}{kind}"
    return "Any whole number" if whole else "Any value"


def _number(value: float) -> str:
    """A bound written as TOML would accept it, with '_' between thousands for reading."""
    return f"{value:_}"


def _value_at(scenario: Scenario, path: str) -> Any:
    """A scenario's value of a dotted parameter path."""
    node: Any = scenario
    for key in path.split("."):
        node = getattr(node, key)
    return node


def _typed(value: Any, annotation: Any) -> Any:
    """A value as the field's type, so a float field's value is written as a TOML float."""
    if annotation is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def _toml_value(value: Any) -> str:
    """Write one value as TOML (strings quoted, booleans lowercase, floats with a point).

    Raises:
        TypeError: For a type TOML cannot hold, so a new kind of parameter is noticed at once
            instead of producing a template that does not load.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        text = repr(value)
        return text if "." in text or "e" in text else f"{text}.0"
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        items = ", ".join(f"{_toml_string(str(k))} = {_toml_value(v)}" for k, v in value.items())
        return "{ " + items + " }" if items else "{}"
    raise TypeError(f"cannot write {value!r} ({type(value).__name__}) as a TOML value")


def _toml_string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    escapes = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f"}
    escapes["\r"] = "\\r"
    out = []
    for char in text:
        if char in escapes:
            out.append(escapes[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _inline(node: Any, defs: dict[str, Any]) -> Any:
    """Copy of a JSON Schema with every local ``$ref`` replaced by its definition.

    The table's own definition wins over keywords beside the ``$ref``: its description is the
    model's docstring, fuller than the field's.

    Args:
        node: A schema node (a dictionary, a list or a plain value).
        defs: The ``$defs`` of the root schema.

    Returns:
        The node without ``$ref`` or ``$defs``, sharing nothing with the input.
    """
    if isinstance(node, list):
        return [_inline(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        siblings = {key: value for key, value in node.items() if key != "$ref"}
        target = defs[ref.removeprefix("#/$defs/")]
        return _inline({**siblings, **target}, defs)
    return {key: _inline(value, defs) for key, value in node.items() if key != "$defs"}


def _sorted_keywords(node: Any, *, is_map: bool = False) -> Any:
    """Copy of a schema with each node's keywords sorted; property maps keep declaration order.

    Sorting makes the output independent of the order in which pydantic or this module built each
    node, while parameters stay in the order the template and `npssim params` use.
    """
    if isinstance(node, list):
        return [_sorted_keywords(item) for item in node]
    if not isinstance(node, dict):
        return node
    if is_map:
        return {key: _sorted_keywords(value) for key, value in node.items()}
    return {key: _sorted_keywords(node[key], is_map=key == "properties") for key in sorted(node)}


def _schema_at_path(tree: dict[str, Any], path: str) -> dict[str, Any]:
    """The (inlined) schema node of a dotted parameter path."""
    node = tree
    for key in path.split("."):
        node = node["properties"][key]
    return node
