import numpy as np
import pytest

from npssim.experiment import run_sensitivity
from npssim.experiment.design import parse_factor

from .conftest import SMALL

FACTORS = [
    parse_factor("policy.incentives.nps_weight=0:1"),
    parse_factor("reps.prior_belief.coach=0:80"),
]


@pytest.mark.parametrize(("method", "indices"), [("sobol", {"S1", "ST"}), ("morris", {"mu_star"})])
def test_small_design_gives_indices_for_every_varied_parameter(method, indices):
    results = run_sensitivity(
        "nps_bonus",
        FACTORS,
        method=method,
        samples=4 if method == "sobol" else 2,
        metric="nps_inflation",
        replications=1,
        seed=2,
        overrides={**SMALL, "run.weeks": 16},
        executor="serial",
    )
    table = results.indices()
    for name in indices:
        rows = table[table["index"] == name]
        assert list(rows["parameter"]) == [factor.path for factor in FACTORS]
        assert np.isfinite(rows["value"]).all()
    assert set(results.extra_tables()) == {"indices", "design"}
    assert len(results.plan.points) == len(results.outputs())
