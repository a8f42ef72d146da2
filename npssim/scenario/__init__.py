"""Scenario files: the parameter schema and the loader."""

from npssim.scenario.loader import (
    bundled_scenarios,
    intervene,
    load_scenario,
    parse_assignment,
    scenario_path,
    validate_scenario,
    with_overrides,
)
from npssim.scenario.paths import ScenarioError, find_param, get_path, params_by_path
from npssim.scenario.schema import ParamInfo, PolicyParams, Scenario, iter_params

__all__ = [
    "ParamInfo",
    "PolicyParams",
    "Scenario",
    "ScenarioError",
    "bundled_scenarios",
    "find_param",
    "get_path",
    "intervene",
    "iter_params",
    "load_scenario",
    "params_by_path",
    "parse_assignment",
    "scenario_path",
    "validate_scenario",
    "with_overrides",
]
