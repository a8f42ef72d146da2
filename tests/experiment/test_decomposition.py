"""Exact Shapley values, and a decomposition's contributions summing to its policy's total."""

import itertools

import numpy as np
import pandas as pd
import pytest

from npssim.experiment import run_experiment
from npssim.experiment.decomposition import OUTCOMES, TOTAL, decompose, shapley

from ..conftest import TINY

FAST = {
    "overrides": {**TINY, "run.weeks": 30},
    "replications": 2,
    "seed": 5,
    "executor": "serial",
}


def _game(worth, k):
    """A game's worth on every coalition, row = bit mask."""
    return np.array(
        [worth({i for i in range(k) if mask >> i & 1}) for mask in range(2**k)], dtype=float
    )


def test_shapley_sums_to_the_whole_in_every_column():
    rng = np.random.default_rng(3)
    for k in (1, 2, 3, 5):
        values = rng.normal(size=(2**k, 7))
        result = shapley(values)
        assert result.shape == (k, 7)
        np.testing.assert_allclose(result.sum(axis=0), values[-1] - values[0], atol=1e-12)


def test_shapley_of_an_additive_game_is_each_players_own_worth():
    own = [3.0, -2.0, 0.5, 7.0]
    values = _game(lambda members: sum(own[i] for i in members) + 10.0, len(own))
    np.testing.assert_allclose(shapley(values), own)


def test_symmetric_players_share_equally_and_a_null_player_gets_nothing():
    # Players 0 and 1 are worth 6 only together (a unanimity game); player 2 changes nothing.
    values = _game(lambda members: 6.0 if {0, 1} <= members else 0.0, 3)
    np.testing.assert_allclose(shapley(values), [3.0, 3.0, 0.0])


def test_shapley_matches_the_mean_over_orders():
    rng = np.random.default_rng(8)
    k = 4
    values = rng.normal(size=2**k)
    expected = np.zeros(k)
    orders = list(itertools.permutations(range(k)))
    for order in orders:
        mask = 0
        for player in order:
            expected[player] += values[mask | 1 << player] - values[mask]
            mask |= 1 << player
    np.testing.assert_allclose(shapley(values), expected / len(orders))


def test_shapley_needs_a_power_of_two():
    with pytest.raises(ValueError, match="2\\*\\*k"):
        shapley(np.zeros(6))


@pytest.fixture(scope="module")
def decomposed():
    return decompose("third_party_survey", **FAST)


def test_contributions_sum_to_the_total_in_every_replication(decomposed):
    frame = decomposed.per_replication
    assert set(frame["outcome"]) == set(OUTCOMES)
    assert set(frame["element"]) == {"sampler", "anonymity", "rep_weight", TOTAL}
    for (_, _), group in frame.groupby(["outcome", "replication"]):
        parts = group.loc[group["element"] != TOTAL, "value"].sum()
        total = group.loc[group["element"] == TOTAL, "value"].item()
        assert parts == pytest.approx(total, rel=1e-9, abs=1e-6)
    means = decomposed.contributions.set_index(["outcome", "element"])["mean"]
    for metric in OUTCOMES:
        parts = means[metric].drop(TOTAL).sum()
        assert parts == pytest.approx(means[(metric, TOTAL)], rel=1e-9, abs=1e-6)


def test_the_total_is_the_comparison_of_policy_and_baseline(decomposed):
    compared = run_experiment(["baseline", "third_party_survey"], **FAST)
    runs = compared.per_run("long", reference="baseline").sort_values("replication")
    policy = runs[runs["scenario"] == "third_party_survey"]
    baseline = runs[runs["scenario"] == "baseline"]
    totals = decomposed.per_replication
    for metric in OUTCOMES:
        mine = totals[(totals["outcome"] == metric) & (totals["element"] == TOTAL)]
        expected = policy[metric].to_numpy(float) - baseline[metric].to_numpy(float)
        np.testing.assert_allclose(mine["value"].to_numpy(), expected)


def test_outputs_name_every_element_and_say_what_earns(decomposed, tmp_path):
    table = decomposed.table()
    assert list(table["element"]) == [
        "who picks the sample",
        "anonymity of answers",
        "reps' pay on NPS",
        "the whole of third_party_survey",
    ]
    assert decomposed.statement().startswith(
        "Against baseline, third_party_survey changes the firm's net value in all 30 weeks by"
    )
    written = decomposed.save(tmp_path)
    assert (tmp_path / "figures" / "waterfall.png").read_bytes()[:4] == b"\x89PNG"
    report = (tmp_path / "report.md").read_text()
    assert "What each element earns" in report and "Shapley" in report
    combos = pd.read_csv(tmp_path / "combinations.csv")
    assert len(combos) == 8 and combos["elements"].iloc[0] == "(baseline)"
    assert tmp_path / "contributions.csv" in written


def test_the_same_seed_gives_the_same_contributions_on_a_process_pool(decomposed):
    pooled = decompose("third_party_survey", **{**FAST, "executor": "processes", "workers": 2})
    pd.testing.assert_frame_equal(pooled.per_replication, decomposed.per_replication)
