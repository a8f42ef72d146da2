"""npssim: what happens when Net Promoter Score drives performance reviews.

An agent-based model (Mesa) of a firm's accounts, sales reps and managers, run week by week under
a measurement and incentive policy, that lays the goods beside the bads.

Example:
    >>> from npssim import NPSModel, load_scenario
    >>> model = NPSModel(load_scenario("nps_bonus"))
    >>> weekly = model.run()
    >>> model.ledger()["nps_inflation"]  # doctest: +SKIP
"""

from importlib.metadata import PackageNotFoundError, version

from npssim.ledger import METRIC_NAMES, METRICS
from npssim.model import NPSModel
from npssim.scenario import Scenario, ScenarioError, load_scenario

try:
    __version__ = version("npssim")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"

__all__ = [
    "METRICS",
    "METRIC_NAMES",
    "NPSModel",
    "Scenario",
    "ScenarioError",
    "__version__",
    "load_scenario",
]
