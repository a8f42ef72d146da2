"""Scenario files: the parameter schema and the loader."""

from npssim.scenario.loader import (
    ScenarioError,
    bundled_scenarios,
    intervene,
    load_scenario,
    parse_assignment,
    scenario_path,
    validate_scenario,
    with_overrides,
)
from npssim.scenario.schema import ParamInfo, PolicyParams, Scenario, iter_params

__all__ = [
    "ParamInfo",
    "PolicyParams",
    "Scenario",
    "ScenarioError",
    "bundled_scenarios",
    "intervene",
    "iter_params",
    "load_scenario",
    "parse_assignment",
    "scenario_path",
    "validate_scenario",
    "with_overrides",
]
