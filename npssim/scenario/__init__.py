"""Scenario files: the parameter schema and the loader."""

from npssim.scenario.loader import (
    as_schema,
    bundled_scenarios,
    intervene,
    load_scenario,
    parse_assignment,
    scenario_path,
    validate_scenario,
    with_overrides,
)
from npssim.scenario.paths import ScenarioError, find_param, get_path, params_by_path
from npssim.scenario.schema import (
    ParamInfo,
    PolicyParams,
    Scenario,
    ScenarioSchema,
    Section,
    iter_params,
    param,
)

__all__ = [
    "ParamInfo",
    "PolicyParams",
    "Scenario",
    "ScenarioError",
    "ScenarioSchema",
    "Section",
    "as_schema",
    "bundled_scenarios",
    "find_param",
    "get_path",
    "intervene",
    "iter_params",
    "load_scenario",
    "param",
    "params_by_path",
    "parse_assignment",
    "scenario_path",
    "validate_scenario",
    "with_overrides",
]
