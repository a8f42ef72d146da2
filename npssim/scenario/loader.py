"""Loading scenario files: TOML, ``extends``, ``--set`` overrides and the intervention timeline.

Every problem with an input becomes a :class:`ScenarioError` whose message is one line naming the
file and the parameter path, so the CLI can print it and exit 2 without a traceback.
"""

from __future__ import annotations

import copy
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from npssim.errors import quoted
from npssim.scenario.paths import (
    ScenarioError,
    plain_values,
    schema_at,
    set_path,
    unknown_key_message,
)
from npssim.scenario.schema import PolicyParams, Scenario

BUNDLED_DIR = Path(__file__).resolve().parent.parent / "scenarios"

#: The largest scenario file read. Scenario files are a few kilobytes; the limit keeps a
#: mistaken or hostile file (a log, a generated blob) from taking minutes to be refused.
MAX_FILE_BYTES = 256 * 1024
#: The deepest nesting of tables, arrays and dotted keys: the schema is 4 deep, a timeline 6.
MAX_NESTING = 32
#: The longest key: parameter names are under 40 characters.
MAX_KEY_CHARS = 200
#: What is said of a number too long to read: Python reads no integer of over 4,300 digits.
TOO_LONG = "holds a number too long to read (integers have at most 4,300 digits)"
#: The longest chain of ``extends``.
MAX_EXTENDS = 16
#: The longest file name ``extends`` or the command line may give.
MAX_PATH_CHARS = 1024

# What the scan before parsing looks at: strings and comments (skipped), values and dotted keys
# (their parts counted) and brackets (nesting). It bounds the work tomllib does on a file: its
# arrays and inline tables recurse, and a dotted key costs it the square of its length.
_KEY_PART = r"""(?:[A-Za-z0-9_+-]+|"(?:\\.|[^"\\\n])*"|'[^'\n]*')"""
_TOKENS = re.compile(
    r'"""(?:\\.|[^\\])*?"""'  # a multi-line basic string
    r"|'''.*?'''"  # a multi-line literal string
    rf"|(?P<key>{_KEY_PART}(?:[ \t]*\.[ \t]*{_KEY_PART})*)"  # a value, or a dotted key
    r"|#[^\n]*"  # a comment
    r"|(?P<open>[\[{])|(?P<close>[\]}])",
    re.DOTALL,
)
_PARTS = re.compile(_KEY_PART)


def load_scenario(
    path: str | Path,
    overrides: Mapping[str, Any] | None = None,
    *,
    schema: type[Scenario] = Scenario,
) -> Scenario:
    """Read, merge and validate a scenario file.

    Args:
        path: The TOML file. A bare name such as ``nps_bonus`` is looked up among the bundled
            scenarios when no such file exists.
        overrides: Values to set after loading, by dotted path (``{"run.weeks": 52}``), as the
            CLI's ``--set`` does.
        schema: The schema to validate against: a model class's ``scenario_schema`` accepts
            the tables of the parameters it adds (``[training]``), the base one refuses them.

    Returns:
        The validated scenario.

    Raises:
        ScenarioError: The file is missing or malformed, or a value is unknown or out of range.
    """
    file = scenario_path(path)
    data = _read_with_extends(file, seen=())
    data.setdefault("name", file.stem)
    scenario = validate_scenario(data, source=str(path), schema=schema)
    if not overrides:
        return scenario
    return with_overrides(scenario, overrides, file=str(path))


def with_overrides(
    scenario: Scenario,
    overrides: Mapping[str, Any],
    source: str = "--set",
    *,
    round_integers: bool = False,
    file: str | None = None,
) -> Scenario:
    """A copy of a scenario with some values changed by dotted path, validated again.

    Sweeps and sensitivity analyses use it to build each design point from one loaded scenario;
    ``NPSModel(**params)`` and :func:`npssim.simulate` use it for their keyword arguments.
    Values set this way replace the scenario's starting values; a timeline entry that sets the
    same path later in the run still applies from its week.

    Args:
        scenario: The scenario to start from.
        overrides: Values by dotted path, e.g. ``{"policy.incentives.nps_weight": 0.5}``.
        source: The option or function the values came from, for error messages (``--set``,
            ``--vary``, ``NPSModel``).
        round_integers: Round floats given to whole-number parameters (for samplers in
            Python; see :func:`~npssim.scenario.paths.plain_values`).
        file: The scenario's file, named with ``source`` when the values are valid alone but
            not in it (``--weeks 8`` on a file whose timeline changes policy at week 26).

    Returns:
        The new, validated scenario, of the same schema as ``scenario`` (so a model class's
        own parameters can be set too).

    Raises:
        ScenarioError: A path is unknown or a value out of range.
    """
    schema = type(scenario)
    data = scenario.model_dump()
    values = plain_values(overrides, round_integers=round_integers, schema=schema)
    for dotted, value in values.items():
        set_path(data, dotted, value, source=source, root=schema)
    source = f"{file} with {source}" if file else source
    return validate_scenario(data, source=source, schema=schema)


def as_schema(scenario: Scenario, schema: type[Scenario], source: str = "<scenario>") -> Scenario:
    """A scenario checked against another schema: a model class's, with its own parameters.

    A scenario of the base schema gets the added sections at their defaults; one that already
    has the schema is returned as it is.

    Raises:
        ScenarioError: The scenario has a table the schema does not know (it was made for a
            model class with other parameters).
    """
    if type(scenario) is schema:
        return scenario
    return validate_scenario(scenario.model_dump(), source=source, schema=schema)


def intervene(
    scenario: Scenario, week: int, policy: Mapping[str, Any], source: str = "intervention"
) -> Scenario:
    """A copy of a scenario whose policy takes the given values from ``week`` on.

    This is the question leaders ask: "run the firm as it is, then make this change at week
    ``week``". The given values replace what the scenario's timeline sets for the same paths up
    to and including ``week``; the timeline's later changes still apply after it.

    Args:
        scenario: The scenario to start from; its policy (and timeline) holds before ``week``.
        week: The week the values take effect (0 = from the start).
        policy: Policy values by dotted path, e.g. ``{"policy.incentives.nps_weight": 0.5}``.
        source: Where the values came from, for error messages.

    Returns:
        The new, validated scenario.

    Raises:
        ScenarioError: A path is not a policy value, a value is out of range, or the week is
            beyond the run.
    """
    weeks = scenario.run.weeks
    if not 0 <= week < weeks:
        raise ScenarioError(source, "week", f"week {week} is beyond the run's {weeks} weeks")
    data = scenario.model_dump()
    timeline = []
    for entry in data["timeline"]:
        kept = {
            path: value
            for path, value in entry["set"].items()
            if entry["week"] > week or path not in policy
        }
        if kept:
            timeline.append({"week": entry["week"], "set": kept})
    if week == 0:
        for dotted, value in policy.items():
            set_path(data, dotted, value, source=source, root=_PolicyRoot)
    elif policy:
        timeline.append({"week": week, "set": dict(policy)})
    data["timeline"] = sorted(timeline, key=lambda entry: entry["week"])
    return validate_scenario(data, source=source, schema=type(scenario))


def validate_scenario(
    data: Mapping[str, Any], source: str = "<scenario>", *, schema: type[Scenario] = Scenario
) -> Scenario:
    """Validate a scenario given as nested dictionaries (as a TOML file would give).

    Args:
        data: Nested tables keyed like the scenario file.
        source: Name used in error messages (a file name, or ``--set``).
        schema: The schema: :class:`Scenario`, or a model class's ``scenario_schema``.

    Returns:
        The validated scenario, its timeline checked against the policy schema.

    Raises:
        ScenarioError: Describing the first problem found.
    """
    scenario = _validate(schema, data, source)
    weeks = scenario.run.weeks
    policy = scenario.policy.model_dump()
    for index, entry in sorted(enumerate(scenario.timeline), key=lambda pair: pair[1].week):
        where = f"timeline[{index}]"
        if entry.week >= weeks:
            raise ScenarioError(
                source, f"{where}.week", f"week {entry.week} is beyond the run's {weeks} weeks"
            )
        holder = {"policy": policy}
        for dotted, value in entry.set.items():
            if not dotted.startswith("policy."):
                raise ScenarioError(
                    source, f"{where}.set.{dotted}", "only policy.* values can change during a run"
                )
            set_path(holder, dotted, value, source=source, root=_PolicyRoot, where=where)
        policy = _validate(PolicyParams, holder["policy"], source, prefix=f"{where}.set.policy.")
        policy = policy.model_dump()
    return scenario


def parse_assignment(text: str) -> tuple[str, Any]:
    """Parse a ``path=value`` override; the value is read as a TOML value when it can be.

    Args:
        text: For example ``policy.incentives.nps_weight=0.5`` or ``policy.survey.sampler=rep``.

    Returns:
        The dotted path and the parsed value (a bare word stays a string).

    Raises:
        ScenarioError: When there is no ``=`` or the path is empty.
    """
    path, sep, raw = text.partition("=")
    path = path.strip()
    if not sep or not path:
        raise ScenarioError(
            "--set", text, "expected path=value, e.g. policy.incentives.nps_weight=0.5"
        )
    raw = raw.strip()
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    except ValueError:  # an integer over Python's 4,300 digits: a traceback otherwise
        raise ScenarioError("--set", path, TOO_LONG) from None
    return path, value


def bundled_scenarios() -> list[Path]:
    """The scenario files shipped with npssim, sorted by name."""
    return sorted(BUNDLED_DIR.glob("*.toml"))


class _PolicyRoot(BaseModel):
    """Schema root for timeline paths, which all start with ``policy.``."""

    policy: PolicyParams


def scenario_path(path: str | Path) -> Path:
    """The file a scenario argument names: the path itself, or a bundled scenario by name.

    Raises:
        ScenarioError: There is no such file.
    """
    return _resolve(str(path), relative_to=None, source=str(path) or "''", option="")


def _resolve(name: str, *, relative_to: Path | None, source: str, option: str) -> Path:
    """The scenario file ``name`` means, beside ``relative_to`` or else a bundled scenario.

    The command line and ``extends`` resolve names alike: a file (relative to the folder of the
    file that extends it), else the bundled scenario of that name, with or without ``.toml``.
    """
    if not name or len(name) > MAX_PATH_CHARS or any(ord(char) < 32 for char in name):
        raise ScenarioError(source, option, f"not a usable file name: '{quoted(name)}'")
    candidate = Path(name)
    if relative_to is not None and not candidate.is_absolute():
        candidate = relative_to / candidate
    try:
        if candidate.is_file():
            return candidate
        exists = candidate.exists()
        bundled = BUNDLED_DIR / f"{Path(name).name.removesuffix('.toml')}.toml"
        if not exists and Path(name).parent == Path(".") and bundled.is_file():
            return bundled
    except (OSError, ValueError) as err:  # a name too long for the file system, say
        problem = getattr(err, "strerror", None) or str(err)
        raise ScenarioError(source, option, f"cannot use '{quoted(name)}': {problem}") from None
    if exists:
        raise ScenarioError(
            source, option, f"{quoted(name)} is not a file" if option else "is not a file"
        )
    where = f"no such scenario file: {quoted(name)}" if option else "no such scenario file"
    raise ScenarioError(source, option, where)


def _read_with_extends(file: Path, seen: tuple[Path, ...]) -> dict[str, Any]:
    resolved = file.resolve()
    if resolved in seen:
        chain = " -> ".join(p.name for p in (*seen, resolved))
        raise ScenarioError(str(file), "extends", f"circular extends ({chain})")
    if len(seen) >= MAX_EXTENDS:
        raise ScenarioError(
            str(file), "extends", f"more than {MAX_EXTENDS} files extend each other"
        )
    data = read_toml(file)
    base_name = data.pop("extends", None)
    if base_name is None:
        return data
    if not isinstance(base_name, str):
        raise ScenarioError(str(file), "extends", "must be a file name (a string)")
    base_file = _resolve(base_name, relative_to=file.parent, source=str(file), option="extends")
    if base_file.suffix != ".toml":
        # A scenario file is not a way to read (and echo, in messages) any file on the machine.
        raise ScenarioError(
            str(file), "extends", f"must name a .toml scenario file, got '{quoted(base_name)}'"
        )
    base = _read_with_extends(base_file, seen=(*seen, resolved))
    base.pop("name", None)
    base.pop("description", None)
    return _merge(base, data)


def read_toml(file: Path) -> dict[str, Any]:
    """A TOML file's tables, its size and shape checked before it is parsed.

    Args:
        file: The file to read.

    Returns:
        The file's tables, nested no deeper than :data:`MAX_NESTING`, keys no longer than
        :data:`MAX_KEY_CHARS`.

    Raises:
        ScenarioError: The file is missing, unreadable, too big, too deep or not TOML.
    """
    source = str(file)
    try:
        size = file.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ScenarioError(
                source, "", f"is {size:,} bytes; a scenario file may be at most {MAX_FILE_BYTES:,}"
            )
        text = file.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise ScenarioError(source, "", "no such scenario file") from None
    except UnicodeDecodeError as err:
        raise ScenarioError(source, "", f"is not UTF-8 text (byte {err.start})") from None
    except OSError as err:
        raise ScenarioError(source, "", f"cannot read: {err.strerror or err}") from None
    _check_shape(text, source)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError(source, "", f"TOML syntax error: {err}") from None
    except ValueError:  # an integer over Python's 4,300 digits (TOMLDecodeError is one too)
        raise ScenarioError(source, "", TOO_LONG) from None
    except RecursionError:  # not reached after _check_shape; kept so no input can give a trace
        raise ScenarioError(source, "", f"nested deeper than {MAX_NESTING} levels") from None
    _check_tables(data, source)
    return data


def _check_shape(text: str, source: str) -> None:
    """Refuse text nested or dotted deeper than :data:`MAX_NESTING`, before tomllib sees it."""
    depth = 0
    for token in _TOKENS.finditer(text):
        if token["open"]:
            depth += 1
            if depth > MAX_NESTING:
                line = text.count("\n", 0, token.start()) + 1
                raise ScenarioError(
                    source, "", f"line {line}: nested deeper than {MAX_NESTING} levels"
                )
        elif token["close"]:
            depth = max(depth - 1, 0)
        elif token["key"] and "." in token["key"]:
            parts = len(_PARTS.findall(token["key"]))
            if parts > MAX_NESTING:
                line = text.count("\n", 0, token.start()) + 1
                raise ScenarioError(
                    source,
                    "",
                    f"line {line}: a dotted key of {parts} parts (at most {MAX_NESTING})",
                )


def _check_tables(data: dict[str, Any], source: str) -> None:
    """Refuse parsed tables nested too deep or with overlong keys (walked without recursion)."""
    stack: list[tuple[Any, str, int]] = [(data, "", 1)]
    while stack:
        node, path, depth = stack.pop()
        if depth > MAX_NESTING:
            raise ScenarioError(source, path, f"nested deeper than {MAX_NESTING} levels")
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in items:
            if isinstance(key, str) and len(key) > MAX_KEY_CHARS:
                raise ScenarioError(
                    source, f"{path}{key}", f"a key longer than {MAX_KEY_CHARS} characters"
                )
            if isinstance(value, dict | list):
                child = f"{path}{key}." if isinstance(key, str) else f"{path[:-1]}[{key}]."
                stack.append((value, child, depth + 1))


def _merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Deep-merge tables; arrays (the timeline) and values in ``override`` replace the base's."""
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _validate(
    schema: type[BaseModel], data: Mapping[str, Any], source: str, prefix: str = ""
) -> Any:
    try:
        return schema.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        loc = [str(part) for part in first["loc"]]
        path = prefix + ".".join(loc)
        if first["type"] == "extra_forbidden":
            parent = schema_at(schema, first["loc"][:-1])
            known = parent.model_fields if parent is not None else {}
            message = unknown_key_message(loc[-1], known, ".".join(loc[:-1]))
            path = prefix + ".".join(loc)
        else:
            message = _problem(first)
        raise ScenarioError(source, path, message) from None


def _problem(error: Mapping[str, Any]) -> str:
    """Pydantic's message for one error, with the value given when it is a single value."""
    message = str(error["msg"]).removeprefix("Value error, ")
    given = error.get("input")
    if isinstance(given, Mapping | list | tuple):
        return message  # a whole table: the message says what is wrong with it
    kind = type(given).__name__
    shown = {"bool": "a true/false", "str": "a string", "int": "a whole number"}.get(kind, kind)
    if error["type"] in {"int_type", "float_type", "bool_type", "string_type", "literal_error"}:
        return f"{message} (got {quoted(repr(given))}, {shown})"
    return f"{message} (got {quoted(repr(given))})"
