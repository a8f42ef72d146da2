import pytest

from npssim.errors import InputError
from npssim.experiment import parse_vary, run_sweep
from npssim.experiment.sweep import grid

from .conftest import SMALL


def test_vary_takes_a_list_of_values():
    assert parse_vary("policy.incentives.nps_weight=0,0.5,1") == (
        "policy.incentives.nps_weight",
        [0, 0.5, 1],
    )


def test_vary_takes_an_evenly_spaced_range():
    assert parse_vary("policy.incentives.nps_weight=0:1:5")[1] == [0, 0.25, 0.5, 0.75, 1]


def test_vary_rounds_a_range_of_whole_numbers():
    assert parse_vary("firm.managers=2:4:5")[1] == [2, 3, 4]


def test_vary_takes_words_for_choices():
    assert parse_vary("policy.survey.sampler=rep,random")[1] == ["rep", "random"]


@pytest.mark.parametrize(
    "text", ["policy.incentives.nps_weight=", "x=0:1:1", "x=a:b:3", "x=1,,2", "nopath"]
)
def test_malformed_vary_is_bad_input(text):
    with pytest.raises(InputError, match=r"--vary|--set"):
        parse_vary(text)


def test_grid_is_every_combination():
    points = grid({"a": [1, 2], "b": ["x", "y", "z"]})
    assert len(points) == 6
    assert points[0] == {"a": 1, "b": "x"} and points[-1] == {"a": 2, "b": "z"}


def test_sweep_tabulates_every_point_and_metric():
    results = run_sweep(
        "nps_bonus",
        {"policy.incentives.nps_weight": [0.0, 0.5]},
        metrics=["nps_inflation", "net_value"],
        replications=2,
        seed=3,
        overrides=SMALL,
        executor="serial",
    )
    table = results.table()
    assert len(table) == 2 * 2
    assert set(table["policy.incentives.nps_weight"]) == {0.0, 0.5}
    assert set(results.figures()) == {"sweep"}
    bonus = results.summary(["end"]).query("metric == 'bonus_paid'").sort_values("point")
    assert bonus["mean"].iloc[0] == 0 < bonus["mean"].iloc[1]


def test_sweep_value_out_of_range_names_vary():
    with pytest.raises(InputError, match=r"--vary: policy\.incentives\.nps_weight"):
        run_sweep(
            "nps_bonus",
            {"policy.incentives.nps_weight": [0.5, 2.0]},
            replications=1,
            overrides=SMALL,
            executor="serial",
        )


def test_unknown_sweep_metric_suggests_the_closest():
    with pytest.raises(InputError, match="did you mean 'nps_inflation'"):
        run_sweep("nps_bonus", {"firm.managers": [2]}, metrics=["nps_inflaton"])


def test_sweep_over_choices_draws_them_as_categories():
    results = run_sweep(
        "nps_bonus",
        {"policy.incentives.payout": ["linear", "cliff"], "policy.audits.probability": [0.0, 0.5]},
        replications=1,
        seed=3,
        overrides=SMALL,
        executor="serial",
    )
    figure = results.figures()["sweep"]
    labels = [tick.get_text() for tick in figure.axes[0].get_xticklabels()]
    assert labels == ["linear", "cliff"]
    assert len(results.table()) == 4 * 4
