"""Dotted parameter paths (``policy.incentives.nps_weight``): find, read, set and check them.

Every front end names parameters by dotted path: scenario files' timelines, ``--set``,
``--vary``, ``--param``, the dashboard's controls, ``NPSModel(**params)``, EMA Workbench and
SALib. This module is the one place that walks a path through the schema or through a scenario's
nested tables, so an unknown path gets the same "did you mean" wherever it was typed.
"""

from __future__ import annotations

import difflib
import functools
import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
from pydantic import BaseModel

from npssim.errors import QUOTE_LIMIT, InputError, quoted
from npssim.scenario.schema import ParamInfo, Scenario, iter_params

#: A file name is quoted whole up to this length (temporary folders make long paths).
SOURCE_LIMIT = 400


class ScenarioError(InputError):
    """A scenario input is wrong; the message names the file (or option) and the parameter path.

    Attributes:
        source: The file, option or function the input came from (``nps_bonus.toml``,
            ``--set``, ``NPSModel``).
        path: The parameter's dotted path, or "" when the problem is the whole input.
        problem: What is wrong, in one line.
    """

    def __init__(self, source: str, path: str, problem: str) -> None:
        self.source = source
        self.path = path
        self.problem = problem
        origin = quoted(source, limit=SOURCE_LIMIT)
        where = f"{origin}: {quoted(path)}: " if path else f"{origin}: "
        super().__init__(where + problem)


@functools.cache
def params_by_path(schema: type[Scenario] = Scenario) -> dict[str, ParamInfo]:
    """Every parameter of the schema by dotted path, in declaration order.

    Args:
        schema: The scenario schema: a model class's ``scenario_schema`` lists its own
            sections' parameters too.
    """
    return {info.path: info for info in iter_params(schema)}


def find_param(path: str, source: str, schema: type[Scenario] = Scenario) -> ParamInfo:
    """The parameter at a dotted path.

    Args:
        path: For example ``reps.integrity_mean``.
        source: Where the path was given, named in the error (``--param``, ``ema_model``).
        schema: The scenario schema to look in (a model class's ``scenario_schema``).

    Raises:
        ScenarioError: No parameter has that path; the message suggests the closest.
    """
    params = params_by_path(schema)
    if path not in params:
        raise ScenarioError(source, path, f"unknown parameter{suggestion(path, params)}")
    return params[path]


def suggestion(path: str, known: Iterable[str]) -> str:
    """A "did you mean" for a mistyped path, trying the full path, then its last name alone."""
    if not _short(path):
        return ""  # no name is that long: nothing to suggest (and difflib is slow on it)
    known = list(known)
    close = difflib.get_close_matches(path, known, n=1, cutoff=0.6)
    if not close:
        # The last name alone, among the paths of the same section when the section is right
        # (reps.nope must not suggest policy.incentives.scope).
        leaf = path.rsplit(".", 1)[-1]
        section = path.split(".", 1)[0] + "."
        if any(name.startswith(section) for name in known):
            known = [name for name in known if name.startswith(section)]
        by_leaf = {name.rsplit(".", 1)[-1]: name for name in reversed(known)}
        names = difflib.get_close_matches(leaf, list(by_leaf), n=1, cutoff=0.6)
        close = [by_leaf[names[0]]] if names else []
    return f"; did you mean '{close[0]}'?" if close else ""


def _short(name: str) -> bool:
    return len(name) <= QUOTE_LIMIT


def get_path(data: Mapping[str, Any], dotted: str) -> Any:
    """``data[a][b][c]`` for ``dotted = "a.b.c"`` in nested tables (a scenario's model_dump)."""
    node: Any = data
    for key in dotted.split("."):
        node = node[key]
    return node


def set_path(
    data: dict[str, Any],
    dotted: str,
    value: Any,
    *,
    source: str,
    root: type[BaseModel],
    where: str = "",
) -> None:
    """Set ``data[a][b][c] = value`` for ``dotted = "a.b.c"``, checking each key exists.

    Args:
        data: Nested tables to change in place.
        dotted: The path.
        value: The value to set (validated later, with the whole scenario).
        source: Where the value came from, for error messages.
        root: The schema ``data`` follows.
        where: A prefix for the path in messages (a timeline entry).

    Raises:
        ScenarioError: A key is unknown, or the path ends at a table or runs through a value.
    """
    keys = dotted.split(".")
    schema: type[BaseModel] | None = root
    node = data
    label = f"{where}.set.{dotted}" if where else dotted
    for depth, key in enumerate(keys):
        fields = schema.model_fields if schema is not None else {}
        if key not in fields:
            prefix = ".".join(keys[:depth])
            raise ScenarioError(source, label, unknown_key_message(key, fields, prefix))
        annotation = fields[key].annotation
        is_table = isinstance(annotation, type) and issubclass(annotation, BaseModel)
        if depth == len(keys) - 1:
            if is_table:
                raise ScenarioError(source, label, "is a table; set one of its values instead")
            node[key] = value
            return
        if not is_table:
            raise ScenarioError(source, label, f"{key} is a value, not a table")
        node = node.setdefault(key, {})
        schema = annotation


def unknown_key_message(key: str, known: Iterable[str], prefix: str) -> str:
    """The message for a key that is not in its table, with the closest known key."""
    where = f" in [{quoted(prefix)}]" if prefix else ""
    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6) if _short(key) else []
    hint = f"; did you mean '{close[0]}'?" if close else ""
    return f"unknown parameter '{quoted(key)}'{where}{hint}"


def schema_at(schema: type[BaseModel], loc: Iterable[Any]) -> type[BaseModel] | None:
    """The table (schema class) at a location, or None if the location is not a table."""
    current: type[BaseModel] | None = schema
    for part in loc:
        if current is None or not isinstance(part, str) or part not in current.model_fields:
            return None
        annotation = current.model_fields[part].annotation
        is_table = isinstance(annotation, type) and issubclass(annotation, BaseModel)
        current = annotation if is_table else None
    return current


def round_half_up(value: float) -> int:
    """The whole number nearest ``value``, halves rounded up (not to even, as ``round`` does)."""
    return math.floor(value + 0.5)


def plain_values(
    values: Mapping[str, Any],
    *,
    round_integers: bool = False,
    schema: type[Scenario] = Scenario,
) -> dict[str, Any]:
    """Values from outside tools made plain Python, whole-number parameters rounded if asked.

    EMA Workbench, SALib and NumPy hand over NumPy scalars, and samplers hand whole-number
    parameters (``policy.survey.wave_interval``) values such as 3.333. Python callers get them
    rounded half up (as :mod:`npssim.experiment.design` rounds sampled designs); the files and
    command line are never rounded, so a typo there is an error, not a silent change.

    Args:
        values: Values by dotted path.
        round_integers: Round finite floats given to whole-number parameters.
        schema: The scenario schema that says which parameters are whole numbers.

    Returns:
        The values as Python scalars, by the same paths.
    """
    params = params_by_path(schema)
    plain: dict[str, Any] = {}
    for path, value in values.items():
        if isinstance(value, np.generic):
            value = value.item()
        info = params.get(path)
        if (
            round_integers
            and info is not None
            and info.kind == "int"
            and isinstance(value, float)
            and math.isfinite(value)
        ):
            value = round_half_up(value)
        plain[path] = value
    return plain
