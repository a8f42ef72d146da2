"""Loading scenario files: TOML, ``extends``, ``--set`` overrides and the intervention timeline.

Every problem with an input becomes a :class:`ScenarioError` whose message is one line naming the
file and the parameter path, so the CLI can print it and exit 2 without a traceback.
"""

from __future__ import annotations

import copy
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from npssim.scenario.paths import (
    ScenarioError,
    plain_values,
    schema_at,
    set_path,
    unknown_key_message,
)
from npssim.scenario.schema import PolicyParams, Scenario

BUNDLED_DIR = Path(__file__).resolve().parent.parent / "scenarios"


def load_scenario(
    path: str | Path,
    overrides: Mapping[str, Any] | None = None,
) -> Scenario:
    """Read, merge and validate a scenario file.

    Args:
        path: The TOML file. A bare name such as ``nps_bonus`` is looked up among the bundled
            scenarios when no such file exists.
        overrides: Values to set after loading, by dotted path (``{"run.weeks": 52}``), as the
            CLI's ``--set`` does.

    Returns:
        The validated scenario.

    Raises:
        ScenarioError: The file is missing or malformed, or a value is unknown or out of range.
    """
    file = scenario_path(path)
    data = _read_with_extends(file, seen=())
    data.setdefault("name", file.stem)
    scenario = validate_scenario(data, source=str(path))
    if not overrides:
        return scenario
    return with_overrides(scenario, overrides)


def with_overrides(
    scenario: Scenario,
    overrides: Mapping[str, Any],
    source: str = "--set",
    *,
    round_integers: bool = False,
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

    Returns:
        The new, validated scenario.

    Raises:
        ScenarioError: A path is unknown or a value out of range.
    """
    data = scenario.model_dump()
    for dotted, value in plain_values(overrides, round_integers=round_integers).items():
        set_path(data, dotted, value, source=source, root=Scenario)
    return validate_scenario(data, source=source)


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
    return validate_scenario(data, source=source)


def validate_scenario(data: Mapping[str, Any], source: str = "<scenario>") -> Scenario:
    """Validate a scenario given as nested dictionaries (as a TOML file would give).

    Args:
        data: Nested tables keyed like the scenario file.
        source: Name used in error messages (a file name, or ``--set``).

    Returns:
        The validated scenario, its timeline checked against the policy schema.

    Raises:
        ScenarioError: Describing the first problem found.
    """
    scenario = _validate(Scenario, data, source)
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
    path = Path(path)
    if path.is_file():
        return path
    if path.exists():
        raise ScenarioError(str(path), "", "is not a file")
    bundled = BUNDLED_DIR / f"{path.name.removesuffix('.toml')}.toml"
    if path.parent == Path(".") and bundled.is_file():
        return bundled
    raise ScenarioError(str(path), "", "no such scenario file")


def _read_with_extends(file: Path, seen: tuple[Path, ...]) -> dict[str, Any]:
    resolved = file.resolve()
    if resolved in seen:
        chain = " -> ".join(p.name for p in (*seen, resolved))
        raise ScenarioError(str(file), "extends", f"circular extends ({chain})")
    try:
        with file.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise ScenarioError(str(file), "", "no such scenario file") from None
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError(str(file), "", f"TOML syntax error: {err}") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ScenarioError(str(file), "", f"cannot read: {err}") from None
    base_name = data.pop("extends", None)
    if base_name is None:
        return data
    if not isinstance(base_name, str):
        raise ScenarioError(str(file), "extends", "must be a file name (a string)")
    base_file = (file.parent / base_name) if not Path(base_name).is_absolute() else Path(base_name)
    bundled = BUNDLED_DIR / Path(base_name).name
    if not base_file.is_file() and Path(base_name).parent == Path(".") and bundled.is_file():
        base_file = bundled  # a bare name not beside the file: a bundled scenario
    if not base_file.is_file():
        raise ScenarioError(str(file), "extends", f"no such scenario file: {base_name}")
    base = _read_with_extends(base_file, seen=(*seen, resolved))
    base.pop("name", None)
    base.pop("description", None)
    return _merge(base, data)


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
            message = f"{first['msg']} (got {first.get('input')!r})"
        raise ScenarioError(source, path, message) from None
