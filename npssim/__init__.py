"""npssim: what happens when Net Promoter Score drives performance reviews.

An agent-based model (Mesa) of a firm's accounts, sales reps and managers, run week by week under
a measurement and incentive policy, that lays the goods beside the bads.

Example:
    >>> import npssim
    >>> model = npssim.NPSModel("nps_bonus", seed=7)
    >>> weekly = model.run()  # doctest: +SKIP
    >>> npssim.simulate("nps_bonus", seed=7)["net_value"]  # doctest: +SKIP

Every name below is imported on first use, so ``import npssim`` (the ``npssim`` command, every
worker process) loads NumPy, pandas and Mesa only when something needs them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from npssim.experiment.api import simulate
    from npssim.metrics import METRIC_NAMES, METRICS, Metric
    from npssim.model import NPSModel
    from npssim.scenario import Scenario, ScenarioError, load_scenario
    from npssim.version import __version__

#: Where each public name lives.
_HOMES = {
    "METRICS": "npssim.metrics",
    "METRIC_NAMES": "npssim.metrics",
    "Metric": "npssim.metrics",
    "NPSModel": "npssim.model",
    "Scenario": "npssim.scenario",
    "ScenarioError": "npssim.scenario",
    "load_scenario": "npssim.scenario",
    "simulate": "npssim.experiment.api",
    "__version__": "npssim.version",
}

__all__ = [
    "METRICS",
    "METRIC_NAMES",
    "Metric",
    "NPSModel",
    "Scenario",
    "ScenarioError",
    "__version__",
    "load_scenario",
    "simulate",
]


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'npssim' has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOMES[name]), name)
    globals()[name] = value  # the next lookup is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
