import pytest

from npssim.errors import InputError
from npssim.experiment import parse_vary, run_sweep
from npssim.experiment.design import grid

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
    assert set(results.figures()) == {"sweep", "sweep_levels"}
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


WEIGHTS = {"policy.incentives.nps_weight": [0.0, 0.5, 1.0]}


@pytest.fixture(scope="module")
def weights():
    return run_sweep(
        "nps_bonus",
        WEIGHTS,
        metrics=["net_value", "true_nps"],
        replications=4,
        seed=3,
        overrides=SMALL,
        executor="serial",
    )


def test_each_point_is_compared_with_the_first_on_the_same_seeds(weights):
    table = weights.table().set_index(["point", "metric"])
    runs = weights.per_run("long").set_index(["point", "replication"])["net_value"]
    paired = (runs.loc[2] - runs.loc[0]).mean()
    assert table.loc[(2, "net_value"), "difference"] == pytest.approx(paired)
    reference = table.loc[(0, "net_value")]
    assert reference["reference"] and reference["difference"] == 0
    assert reference["difference_low"] == reference["difference_high"] == 0


def test_paired_intervals_are_narrower_than_the_levels(weights):
    row = weights.table().set_index(["point", "metric"]).loc[(2, "net_value")]
    paired = row["difference_high"] - row["difference_low"]
    assert paired < row["ci_high"] - row["ci_low"]


def test_a_reference_value_can_be_chosen_and_is_added_when_not_swept():
    results = run_sweep(
        "nps_bonus",
        {"policy.incentives.nps_weight": [0.5, 1.0]},
        metrics=["net_value"],
        reference={"policy.incentives.nps_weight": 0.0},
        replications=2,
        seed=3,
        overrides=SMALL,
        executor="serial",
    )
    table = results.table()
    assert table["policy.incentives.nps_weight"].tolist() == [0.0, 0.5, 1.0]
    assert table.loc[table["reference"], "policy.incentives.nps_weight"].tolist() == [0.0]
    assert results.reference_point == {"policy.incentives.nps_weight": 0.0}


def test_a_reference_for_a_parameter_not_swept_is_bad_input():
    with pytest.raises(InputError, match=r"--reference reps\.integrity_mean: is not varied"):
        run_sweep("nps_bonus", WEIGHTS, reference={"reps.integrity_mean": 0.5}, replications=1)


def test_the_sweep_tables_show_differences_first_then_levels(weights):
    (difference_title, differences), (level_title, levels) = weights.people_tables()
    assert "paired difference from the reference point (nps_weight=0)" in difference_title
    assert "at each design point" in level_title
    assert list(differences[""]) == ["reference", "", ""]
    assert "The firm's net money (USD)" in differences.columns and "Customers' real NPS" in levels
    assert differences["The firm's net money (USD)"].iloc[1].startswith(("+", "-"))


def test_a_bad_reference_value_names_the_reference_option():
    with pytest.raises(InputError, match=r"--reference: policy\.incentives\.nps_weight"):
        run_sweep("nps_bonus", WEIGHTS, reference={"policy.incentives.nps_weight": 2.0})


def test_a_reference_keeps_the_order_the_values_were_given_in():
    from npssim.experiment.sweep import with_reference

    path = "policy.incentives.nps_weight"
    values, point = with_reference({path: [1.0, 0.5, 0.0]}, {path: 0.25})
    assert values[path] == [1.0, 0.5, 0.0, 0.25] and point == {path: 0.25}
    values, _ = with_reference({path: [0.0, 0.5]}, {path: 0.25})
    assert values[path] == [0.0, 0.25, 0.5]


def test_the_sweep_answer_names_the_point_of_most_net_value(weights):
    means = weights.per_run("long").groupby("point")["net_value"].mean()
    best = int(means.idxmax())
    (line,) = weights.answer()
    named = line.split("most net value at ", 1)[1]
    if best == weights.reference:
        assert named.startswith(f"the reference point ({weights._point_text(best)})")
    else:
        assert named.startswith(f"{weights._point_text(best)}: ")


def test_the_sweep_answer_gives_each_chosen_metric_at_its_lowest_and_highest_point(weights):
    from npssim.metrics import REGISTRY
    from npssim.report.tables import format_value

    levels = weights.per_run("long").groupby("point")["true_nps"].mean()
    low, high = int(levels.idxmin()), int(levels.idxmax())
    metric = REGISTRY.metric("true_nps")
    (line,) = weights.answer()
    assert (
        f"{metric.label} from {format_value(metric, levels[low])} at {weights._point_text(low)} "
        f"to {format_value(metric, levels[high])} at {weights._point_text(high)}"
    ) in line


def test_the_sweep_reads_its_period_in_compares_words(weights):
    from npssim.experiment.analysis import HORIZON_TITLES

    period = weights.periods()["long"]  # what compare calls it: "all 30 weeks" here
    assert weights.period == period
    assert weights.answer()[0].startswith(f"{period.capitalize()}: ")
    for title, _ in weights.people_tables():
        assert period in title and HORIZON_TITLES["long"] not in title
