import pytest

from npssim.errors import InputError
from npssim.experiment import make_plan
from npssim.experiment.plan import intervention_week, period_titles, unique_label, windows
from npssim.scenario import load_scenario

from .conftest import SMALL


def test_tasks_pair_replications_across_scenarios():
    plan = make_plan("compare", ["baseline", "nps_bonus"], 3, 11, None, SMALL)
    tasks = plan.tasks()
    assert [task.label for task in tasks] == ["baseline"] * 3 + ["nps_bonus"] * 3
    assert [task.seed for task in tasks[:3]] == [task.seed for task in tasks[3:]]
    assert len({task.seed for task in tasks[:3]}) == 3


def test_same_scenario_twice_gets_distinct_labels():
    plan = make_plan("compare", ["baseline", "baseline"], 1, 1, None, SMALL)
    assert plan.labels == ["baseline", "baseline-2"]


def test_labels_are_safe_file_names():
    assert unique_label("my policy/v2", {}) == "my_policy_v2"


def test_scenarios_of_different_lengths_cannot_be_compared(tmp_path):
    short = tmp_path / "short.toml"
    short.write_text('extends = "baseline.toml"\n[run]\nweeks = 20\n')
    with pytest.raises(InputError, match=r"run\.weeks"):
        make_plan("compare", ["baseline", str(short)], 1, 1, None, None)


def test_policy_change_starts_the_short_run():
    assert intervention_week(load_scenario("intervention_week26")) == 26
    assert intervention_week(load_scenario("nps_bonus")) == 0


def test_short_run_starts_where_policies_first_differ_from_the_reference():
    baseline = load_scenario("baseline")
    assert intervention_week(load_scenario("intervention_week26"), baseline) == 26
    assert intervention_week(load_scenario("nps_bonus"), baseline) == 0


def test_windows_are_two_quarters_after_the_change_and_the_last_four_quarters():
    assert windows(26, 104) == {"short": (26, 52), "long": (52, 104), "end": (103, 104)}
    assert windows(0, 30)["long"] == (0, 30)


def test_at_least_one_replication_is_required():
    with pytest.raises(InputError, match="--replications"):
        make_plan("run", ["baseline"], 0, 1, None, SMALL)


@pytest.mark.parametrize(
    ("weeks", "first_week", "short", "long"),
    [
        (104, 0, "first 26 weeks from the start", "second year"),
        (104, 26, "first 26 weeks after the change", "second year"),
        (156, 0, "first 26 weeks from the start", "third year"),
        (80, 0, "first 26 weeks from the start", "last 52 weeks"),
        (20, 0, "first 20 weeks from the start", "all 20 weeks"),
    ],
)
def test_periods_are_named_as_a_reader_counts_them(weeks, first_week, short, long):
    titles = period_titles(weeks, first_week)
    assert (titles["short"], titles["long"]) == (short, long)
