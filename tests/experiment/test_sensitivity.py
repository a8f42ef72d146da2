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


@pytest.fixture(scope="module")
def two_metrics():
    return run_sensitivity(
        "nps_bonus",
        FACTORS,
        method="morris",
        samples=2,
        metric=["nps_inflation", "net_value"],
        replications=1,
        seed=2,
        overrides={**SMALL, "run.weeks": 16},
        executor="serial",
    )


def test_every_metric_given_is_analysed(two_metrics):
    indices = two_metrics.indices()
    assert list(dict.fromkeys(indices["metric"])) == ["nps_inflation", "net_value"]
    for _, rows in indices.groupby("metric"):
        assert set(rows["parameter"]) == {factor.path for factor in FACTORS}
    design = two_metrics.extra_tables()["design"]
    assert np.allclose(design["net_value"], two_metrics.outputs("net_value"))
    assert np.allclose(design["nps_inflation"], two_metrics.outputs("nps_inflation"))
    titles = [title for title, _ in two_metrics.people_tables()]
    assert len(titles) == 2 and "of nps_inflation" in titles[0] and "of net_value" in titles[1]
    assert set(two_metrics.figures()) == {"sensitivity_nps_inflation", "sensitivity_net_value"}


def test_a_metric_analysed_beside_another_has_the_indices_it_has_alone(two_metrics):
    alone = run_sensitivity(
        "nps_bonus",
        FACTORS,
        method="morris",
        samples=2,
        metric="net_value",
        replications=1,
        seed=2,
        overrides={**SMALL, "run.weeks": 16},
        executor="serial",
    )
    beside = two_metrics.indices().query("metric == 'net_value'").reset_index(drop=True)
    assert beside.equals(alone.indices())


def test_the_answer_names_the_parameter_of_the_largest_index_for_each_metric(two_metrics):
    (line,) = two_metrics.answer()
    for metric, rows in two_metrics.indices().groupby("metric", sort=False):
        ranked = rows[rows["index"] == "mu_star"].sort_values("value", ascending=False)
        label = two_metrics.metric_set.metric(metric).label
        assert f"`{ranked['parameter'].iloc[0]}` matters most for {label} (`{metric}`: " in line
    assert line.startswith(f"{two_metrics.periods()['long'].capitalize()}: ")
