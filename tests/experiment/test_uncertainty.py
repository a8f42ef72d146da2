"""The spread over plausible assumptions: its sample, its pairing, and what it says."""

import numpy as np
import pandas as pd
import pytest

from npssim.experiment import assumptions
from npssim.experiment.design import parse_assumptions
from npssim.experiment.uncertainty import (
    AssumptionSpread,
    assumption_spread,
    box_words,
    sample_points,
)
from npssim.scenario import params_by_path

from ..conftest import tiny_scenario

SHORT = {"run.weeks": 20}


def small(name: str, **overrides):
    scenario = tiny_scenario(name, {**SHORT, **overrides})
    return scenario.model_copy(update={"name": overrides.pop("label", name)})


def test_plausible_firms_are_a_seeded_latin_hypercube_within_the_plausible_ranges():
    factors = parse_assumptions(None)
    points = sample_points(factors, 10, seed=7)
    assert points == sample_points(factors, 10, seed=7)
    assert points != sample_points(factors, 10, seed=8)
    frame = pd.DataFrame(points)
    for factor in factors:
        values = frame[factor.path].to_numpy()
        assert (values >= factor.lower).all() and (values <= factor.upper).all()
        # A Latin hypercube: every tenth of each range holds exactly one firm.
        strata = np.floor((values - factor.lower) / (factor.upper - factor.lower) * 10)
        assert sorted(np.minimum(strata, 9)) == list(range(10))
    assert set(frame.columns) == {path for path, info in params_by_path().items() if info.uncertain}


@pytest.fixture(scope="module")
def spread():
    """The baseline, the bonus, and the baseline again under another name, in 10 firms."""
    twin = tiny_scenario("baseline", SHORT).model_copy(update={"name": "twin"})
    return assumption_spread(
        [small("nps_bonus"), twin], small("baseline"), samples=10, seed=3, executor="serial"
    )


def test_every_policy_meets_the_same_plausible_firms(spread):
    frame = spread.frame()
    bonus = frame[frame["policy"] == "nps_bonus"].reset_index(drop=True)
    twin = frame[frame["policy"] == "twin"].reset_index(drop=True)
    pd.testing.assert_frame_equal(bonus[spread.assumptions], twin[spread.assumptions])
    assert list(bonus["firm"]) == list(range(10)) and spread.samples == 10
    assert spread.runs == 3 * 10


def test_a_policy_is_found_by_its_label_or_its_scenario_s_name():
    scenario = small("nps_bonus").model_copy(update={"name": "bonus from week 0"})
    spread = assumption_spread([scenario], small("baseline"), samples=10, executor="serial")
    assert spread.policies == ["bonus_from_week_0"]
    assert spread.pays("bonus from week 0") == spread.pays("bonus_from_week_0")
    assert "bonus from week 0" in spread and "other" not in spread
    assert spread.statement("bonus from week 0").startswith("pays in ")


def test_common_random_numbers_make_a_copy_of_the_baseline_differ_by_exactly_nothing(spread):
    twin = spread.frame().query("policy == 'twin'")
    assert (twin["difference"] == 0.0).all()
    assert spread.pays("twin") == (0, 10)
    # The policy does differ, firm by firm: the pairing cancels noise, not the policy.
    assert spread.frame().query("policy == 'nps_bonus'")["difference"].std() > 0


def test_the_spread_is_the_same_for_the_same_seed_and_stored_runs_resume(spread, tmp_path):
    twin = tiny_scenario("baseline", SHORT).model_copy(update={"name": "twin"})
    stored = assumption_spread(
        [small("nps_bonus"), twin],
        small("baseline"),
        samples=10,
        seed=3,
        executor="serial",
        out=tmp_path / "spread",
    )
    pd.testing.assert_frame_equal(stored.frame(), spread.frame())
    assert len(list((tmp_path / "spread" / "runs").rglob("*.npz"))) == 30
    again = assumption_spread(
        [small("nps_bonus"), twin],
        small("baseline"),
        samples=10,
        seed=3,
        executor="serial",
        out=tmp_path / "spread",
        resume=True,
    )
    pd.testing.assert_frame_equal(again.frame(), spread.frame())


def constructed(differences, candour=None, policy="bonus") -> AssumptionSpread:
    count = len(differences)
    candour = np.linspace(0.4, 0.8, count) if candour is None else candour
    integrity = np.random.default_rng(0).uniform(0.45, 0.85, count)
    frame = pd.DataFrame(
        {
            "policy": policy,
            "firm": range(count),
            "accounts.candor_mean": candour,
            "reps.integrity_mean": integrity,
            "difference": differences,
        }
    )
    return AssumptionSpread(
        frame,
        assumptions=["accounts.candor_mean", "reps.integrity_mean"],
        baseline="baseline",
        currency="EUR",
    )


def test_k_of_n_counts_firms_whose_mean_paired_difference_is_above_zero():
    spread = constructed([-3.0, -1.0, 0.0, 2.0, 5.0])
    assert spread.pays("bonus") == (2, 5)  # zero does not pay
    assert spread.frame()["pays"].tolist() == [False, False, False, True, True]
    with pytest.raises(KeyError, match="no policy labelled 'other'"):
        spread.pays("other")


def test_percentiles_are_the_10th_and_90th_of_the_paired_difference():
    values = np.arange(101, dtype=float) * 1000 - 50_000
    spread = constructed(values)
    low, high = spread.percentiles("bonus")
    assert low == pytest.approx(-40_000) and high == pytest.approx(40_000)


def test_where_every_firm_agrees_no_flip_is_found_and_the_statement_says_so():
    spread = constructed(-np.linspace(1e5, 2e6, 20))
    assert spread.conditions("bonus") is None
    statement = spread.statement("bonus")
    assert statement.startswith("pays in 0 of 20 plausible firms (10th-90th percentile -")
    assert "EUR a year)" in statement and statement.endswith("no flip found.")


def test_the_flip_is_prim_s_box_in_the_parameter_s_label_and_unit():
    candour = np.linspace(0.4, 0.8, 40)
    spread = constructed(np.where(candour > 0.7, 5e5, -5e5), candour)
    words = spread.conditions("bonus")
    name = assumptions.lower_first(assumptions.name("accounts.candor_mean"))
    assert words is not None and words.startswith(f"{name} is above ")
    assert 0.65 <= float(words.removeprefix(f"{name} is above ")) <= 0.71
    assert "candor_mean" not in words  # as a firm could measure it, not a path
    statement = spread.statement("bonus")
    assert statement.startswith("pays in 10 of 40 plausible firms")
    assert f"; it pays only when {name} is above" in statement
    # Mostly paying: the box is where it loses money.
    flipped = constructed(np.where(candour > 0.7, -5e5, 5e5), candour)
    assert f"; it loses money when {name} is above" in flipped.statement("bonus")


def test_a_box_round_too_few_firms_is_no_condition():
    candour = np.linspace(0.4, 0.8, 40)
    spread = constructed(np.where(candour > 0.78, 5e5, -5e5), candour)
    assert spread.pays("bonus") == (2, 40)
    assert spread.conditions("bonus") is None


def test_a_box_reads_as_break_even_names_each_assumption_with_its_unit():
    limits = pd.DataFrame(
        [
            ["accounts.candor_mean", 0.5, 0.6, "between"],
            ["managers.closed_loop_lift", 1.0, 3.0, "above"],
            ["reps.moral_cost", 4000.0, 9000.0, "below"],
        ],
        columns=["assumption", "lower", "upper", "restricted"],
    )
    candour = assumptions.lower_first(assumptions.name("accounts.candor_mean"))
    lift = assumptions.lower_first(assumptions.name("managers.closed_loop_lift"))
    cost = assumptions.lower_first(assumptions.name("reps.moral_cost"))
    assert box_words(limits, "EUR") == (
        f"{candour} is between 0.50 and 0.60; {lift} is above 1.00 points; and {cost} is "
        "below 9.00k EUR per use"
    )
    assert "candor_mean" not in box_words(limits)


def test_a_comparison_samples_the_default_number_of_firms_unless_told(monkeypatch):
    from npssim.experiment import defaults, run_experiment

    monkeypatch.setattr(defaults, "ASSUMPTION_SAMPLES", 10)
    options = {"replications": 1, "executor": "serial", "weeks": 26}
    scenarios = [small("baseline"), small("nps_bonus")]
    assert run_experiment(scenarios, **options).assumption_spread.samples == 10
    assert run_experiment(scenarios, assumption_samples=0, **options).assumption_spread is None
