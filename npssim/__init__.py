"""npssim: what happens when Net Promoter Score drives performance reviews.

An agent-based model (Mesa) of a firm's accounts, sales reps and managers, run week by week under
a measurement and incentive policy, that lays the goods beside the bads.

Example:
    >>> import npssim
    >>> model = npssim.NPSModel("nps_bonus", seed=7)
    >>> weekly = model.run()  # doctest: +SKIP
    >>> npssim.simulate("nps_bonus", seed=7)["net_value"]  # doctest: +SKIP
"""

from typing import Any

from npssim.metrics import METRIC_NAMES, METRICS, Metric
from npssim.model import NPSModel
from npssim.scenario import Scenario, ScenarioError, load_scenario
from npssim.version import __version__

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
    # simulate reads windows and statistics from the experiment package; importing it on first
    # use keeps ``import npssim`` (and every worker process) light.
    if name == "simulate":
        from npssim.experiment.api import simulate

        return simulate
    raise AttributeError(f"module 'npssim' has no attribute {name!r}")
