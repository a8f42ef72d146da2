import math

import numpy as np
import pandas as pd
import pytest

from npssim.experiment.design import Design, Factor, analyze, assess, design, parse_factor
from npssim.scenario import ScenarioError

# SALib must stay silent in normal use (e.g. Sobol' with a power-of-two sample).
pytestmark = pytest.mark.filterwarnings("error")

STRONG = "policy.incentives.nps_weight"
WEAK = "policy.audits.probability"
UNUSED = "reps.greed_mean"
FACTORS = [parse_factor(f"{path}=0:1") for path in (STRONG, WEAK, UNUSED)]


def linear(matrix: np.ndarray) -> np.ndarray:
    """y = 4a + 0.1b; the third factor has no effect."""
    return 4.0 * matrix[:, 0] + 0.1 * matrix[:, 1]


def indices(result: pd.DataFrame, index: str) -> pd.Series:
    return result[result["index"] == index].set_index("parameter")["value"]


def run(method: str, samples: int, seed: int = 7) -> tuple[Design, pd.DataFrame]:
    plan = design(FACTORS, method, samples, seed)
    return plan, analyze(plan, linear(plan.matrix))


def bad_input(call, *args) -> str:
    with pytest.raises(ScenarioError) as caught:
        call(*args)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_parse_factor_reads_path_and_bounds():
    assert parse_factor(" policy.incentives.target_nps = -50 : 25 ") == Factor(
        "policy.incentives.target_nps", -50.0, 25.0, integer=False
    )


def test_parse_factor_marks_int_parameters_integer():
    assert parse_factor("policy.survey.wave_interval=1:8").integer


def test_sobol_design_has_base_times_factors_plus_two_rows():
    assert design(FACTORS, "sobol", 16, seed=1).matrix.shape == (16 * (3 + 2), 3)


def test_morris_design_has_trajectories_times_factors_plus_one_rows():
    assert design(FACTORS, "morris", 5, seed=1).matrix.shape == (5 * (3 + 1), 3)


def test_design_stays_within_factor_bounds():
    factor = parse_factor("policy.incentives.target_nps=-20:30")
    other = parse_factor("reps.integrity_mean=0.3:0.9")
    matrix = design([factor, other], "sobol", 32, seed=3).matrix
    assert matrix[:, 0].min() >= -20 and matrix[:, 0].max() <= 30


def test_a_design_of_one_factor_is_refused_before_any_run():
    factor = parse_factor("policy.incentives.target_nps=-20:30")
    with pytest.raises(ScenarioError, match="at least 2 factors"):
        design([factor], "sobol", 32, seed=3)


def test_sobol_ranks_influential_factor_first_and_unused_near_zero():
    _, result = run("sobol", 64)
    for index in ("S1", "ST"):
        values = indices(result, index)
        assert values.idxmax() == STRONG
        assert values[STRONG] > values[WEAK]
        assert abs(values[UNUSED]) < 0.02
    assert indices(result, "S1")[STRONG] == pytest.approx(1.0, abs=0.1)


def test_morris_ranks_influential_factor_first_and_unused_zero():
    _, result = run("morris", 10)
    mu_star = indices(result, "mu_star")
    assert list(mu_star.sort_values(ascending=False).index) == [STRONG, WEAK, UNUSED]
    # The effect of sweeping a factor's whole range: 4 for a, 0.1 for b.
    assert mu_star[STRONG] == pytest.approx(4.0)
    assert mu_star[UNUSED] == pytest.approx(0.0)


@pytest.mark.parametrize(
    ("method", "samples", "names"),
    [("sobol", 16, ["S1", "ST"]), ("morris", 4, ["mu_star", "sigma", "mu"])],
)
def test_every_factor_gets_a_row_for_every_index_in_factor_order(method, samples, names):
    _, result = run(method, samples)
    assert list(result.columns) == ["parameter", "index", "value", "conf_low", "conf_high"]
    expected = [(factor.path, name) for factor in FACTORS for name in names]
    assert list(zip(result["parameter"], result["index"], strict=True)) == expected


def test_sobol_confidence_interval_brackets_the_value():
    _, result = run("sobol", 32)
    assert (result["conf_low"] <= result["value"]).all()
    assert (result["value"] <= result["conf_high"]).all()
    assert (result["conf_high"] > result["conf_low"]).any()


def test_morris_confidence_only_for_mu_star():
    plan = design(FACTORS, "morris", 6, seed=2)
    noisy = linear(plan.matrix) + np.random.default_rng(0).normal(0, 0.5, plan.matrix.shape[0])
    result = analyze(plan, noisy)
    mu_star = result[result["index"] == "mu_star"]
    others = result[result["index"] != "mu_star"]
    assert (mu_star["conf_high"] > mu_star["conf_low"]).all()
    assert others[["conf_low", "conf_high"]].isna().all().all()


@pytest.mark.parametrize(("method", "samples"), [("sobol", 16), ("morris", 4)])
def test_same_seed_gives_identical_design_and_indices(method, samples):
    first_plan, first = run(method, samples, seed=11)
    second_plan, second = run(method, samples, seed=11)
    np.testing.assert_array_equal(first_plan.matrix, second_plan.matrix)
    pd.testing.assert_frame_equal(first, second)


@pytest.mark.parametrize(("method", "samples"), [("sobol", 16), ("morris", 4)])
def test_different_seed_gives_different_design(method, samples):
    first = design(FACTORS, method, samples, seed=1).matrix
    second = design(FACTORS, method, samples, seed=2).matrix
    assert not np.array_equal(first, second)


@pytest.mark.parametrize(("method", "samples"), [("sobol", 32), ("morris", 6)])
def test_integer_factors_are_whole_numbers_in_the_design(method, samples):
    factor = parse_factor("policy.survey.wave_interval=1:4")
    plan = design([factor, FACTORS[0]], method, samples, seed=5)
    column = plan.matrix[:, 0]
    np.testing.assert_array_equal(column, np.round(column))
    assert set(column) == {1.0, 2.0, 3.0, 4.0}
    assert not np.array_equal(plan.matrix[:, 1], np.round(plan.matrix[:, 1]))


def test_overrides_give_ints_for_integer_factors():
    factor = parse_factor("policy.survey.wave_interval=1:4")
    plan = design([factor, FACTORS[0]], "morris", 2, seed=5)
    rows = plan.overrides()
    assert len(rows) == plan.matrix.shape[0]
    assert all(type(row["policy.survey.wave_interval"]) is int for row in rows)
    assert rows[0][STRONG] == plan.matrix[0, 1]


def test_morris_with_integer_factor_finds_its_effect():
    factor = parse_factor("policy.survey.wave_interval=1:4")
    plan = design([factor, FACTORS[2]], "morris", 8, seed=4)
    result = analyze(plan, 2.0 * plan.matrix[:, 0])
    mu_star = indices(result, "mu_star")
    assert mu_star["policy.survey.wave_interval"] == pytest.approx(6.0)
    assert mu_star[UNUSED] == pytest.approx(0.0)


def test_sobol_of_constant_output_is_zero():
    plan = design(FACTORS, "sobol", 8, seed=1)
    result = analyze(plan, np.full(plan.matrix.shape[0], 3.0))
    assert (result[["value", "conf_low", "conf_high"]] == 0.0).all().all()


def test_nan_output_is_rejected():
    plan = design(FACTORS, "sobol", 8, seed=1)
    outputs = linear(plan.matrix)
    outputs[3] = np.nan
    with pytest.raises(ValueError, match=r"NaN or infinite \(rows 3\)"):
        analyze(plan, outputs)


def test_output_count_must_match_design_rows():
    plan = design(FACTORS, "morris", 2, seed=1)
    with pytest.raises(ValueError, match="one output per design row"):
        analyze(plan, np.zeros(plan.matrix.shape[0] - 1))


def test_unknown_path_suggests_the_closest():
    message = bad_input(parse_factor, "policy.incentives.nps_wieght=0:1")
    assert message.startswith("--param: policy.incentives.nps_wieght: unknown parameter")
    assert "did you mean 'policy.incentives.nps_weight'?" in message


def test_bare_parameter_name_suggests_full_path():
    message = bad_input(parse_factor, "wave_interval=1:4")
    assert "did you mean 'policy.survey.wave_interval'?" in message


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("policy.incentives.payout=0:1", "takes one of 'linear' or 'cliff'"),
        ("policy.survey.anonymous=0:1", "is true or false"),
    ],
)
def test_non_numeric_parameter_is_rejected(text, why):
    message = bad_input(parse_factor, text)
    assert message.startswith("--param: ") and why in message


@pytest.mark.parametrize("bounds", ["0.5:0.5", "0.8:0.2"])
def test_lower_bound_must_be_below_upper(bounds):
    message = bad_input(parse_factor, f"{STRONG}={bounds}")
    assert message.startswith(f"--param: {STRONG}: lower bound")


def test_range_outside_schema_names_allowed_range():
    message = bad_input(parse_factor, f"{STRONG}=0:2")
    assert message == f"--param: {STRONG}: range 0:2 leaves the allowed range [0, 1]"


def test_integer_parameter_needs_whole_bounds():
    message = bad_input(parse_factor, "policy.survey.wave_interval=1.5:4")
    assert "whole numbers" in message


def test_seed_is_not_a_factor():
    assert "seed" in bad_input(parse_factor, "run.seed=0:10")


@pytest.mark.parametrize("text", ["x=1", "x=a:b", f"{STRONG}0:1", "=0:1", f"{STRONG}=nan:1"])
def test_malformed_factor_text_is_rejected(text):
    message = bad_input(parse_factor, text)
    assert message.startswith("--param: ") and "expected path=lo:hi" in message


@pytest.mark.parametrize(("samples", "suggested"), [(100, "64 or 128"), (3, "2 or 4"), (1, "2")])
def test_sobol_samples_must_be_a_power_of_two(samples, suggested):
    message = bad_input(design, FACTORS, "sobol", samples, 0)
    assert message.startswith("--samples: ") and f"try {suggested}" in message


def test_morris_needs_two_trajectories():
    assert bad_input(design, FACTORS, "morris", 1, 0).startswith("--samples: ")


def test_unknown_method_is_rejected():
    message = bad_input(design, FACTORS, "sobl", 16, 0)
    assert message.startswith("--method: sobl: unknown method")
    assert "did you mean 'sobol'?" in message


def test_duplicated_factor_is_rejected():
    message = bad_input(design, [*FACTORS, FACTORS[1]], "morris", 4, 0)
    assert message == f"--param: {WEAK}: is given more than once"


def test_no_factor_is_rejected():
    assert bad_input(design, [], "sobol", 16, 0).startswith("--param: ")


def test_sobol_integer_factor_gives_endpoints_their_full_share():
    factor = parse_factor("policy.survey.wave_interval=1:4")
    other = parse_factor("reps.integrity_mean=0.3:0.9")
    column = design([factor, other], "sobol", 256, seed=9).matrix[:, 0]
    counts = np.unique(column, return_counts=True)[1]
    assert counts.min() / counts.max() > 0.8


def test_a_large_enough_sample_reads_without_warning():
    plan, result = run("sobol", 256)
    assert assess(plan, result) == []


def test_a_small_sobol_sample_is_flagged_with_a_power_of_two_that_would_do():
    plan = design(FACTORS, "sobol", 4, seed=3)
    noisy = linear(plan.matrix) + np.random.default_rng(0).normal(0, 2, len(plan.matrix))
    (warning,) = assess(plan, analyze(plan, noisy))
    needed = int(warning.split("--samples ")[1].split(")")[0])
    assert needed > 4 and needed & (needed - 1) == 0
    assert "instead of 4" in warning


def test_an_index_outside_zero_to_one_is_flagged():
    plan = design(FACTORS, "sobol", 4, seed=3)
    indices = pd.DataFrame(
        [(STRONG, "S1", 1.15, 0.52, 1.78)], columns=["parameter", "index", "value", "conf_low",
                                                     "conf_high"]
    )  # fmt: skip
    (warning,) = assess(plan, indices)
    assert "indices outside [0, 1]" in warning and f"S1 of {STRONG} is 1.15 ± 0.63" in warning


def test_a_morris_index_narrower_than_itself_is_read_without_warning():
    plan, result = run("morris", 10)
    assert assess(plan, result) == []


def test_a_bare_path_takes_the_schema_s_range():
    assert parse_factor("reps.integrity_mean") == Factor("reps.integrity_mean", 0.0, 1.0, False)


def test_a_bare_path_without_schema_bounds_asks_for_a_range():
    message = bad_input(parse_factor, "accounts.acv_median")
    assert "gives no upper bound; give a range, e.g. accounts.acv_median=lo:hi" in message


def test_choices_are_factors_only_where_a_sampler_takes_them():
    assert parse_factor("policy.survey.sampler", categorical=True).choices == (
        "rep", "random", "third_party"
    )  # fmt: skip
    assert parse_factor("policy.survey.anonymous", categorical=True).choices == (False, True)
    picked = parse_factor("policy.survey.sampler=rep,third_party", categorical=True)
    assert picked.choices == ("rep", "third_party")
    message = bad_input(lambda: parse_factor("policy.survey.sampler=rep,x", categorical=True))
    assert message == "--param: policy.survey.sampler: 'x' is not one of 'rep', 'random' or " + (
        "'third_party'"
    )


def indices_frame(rows) -> pd.DataFrame:
    """Indices as ``analyze`` gives them, from (parameter, index, value, half-width)."""
    return pd.DataFrame(
        [(p, i, v, v - h, v + h) for p, i, v, h in rows],
        columns=["parameter", "index", "value", "conf_low", "conf_high"],
    )


def advised(warning: str) -> int:
    return int(warning.split("--samples ")[1].split(")")[0])


@pytest.mark.parametrize(
    ("value", "half", "needed"),
    [
        (0.4, 0.5, 16 * (0.5 / 0.2) ** 2),  # wider than the index: to half the index
        (0.01, 0.1, 16 * (0.1 / 0.025) ** 2),  # an index near zero: to half the precision
        (1.15, 0.03, 16 * (0.15 / 0.025) ** 2),  # biased beyond 1: the bias to half the precision
        (-0.2, 0.1, 16 * (0.2 / 0.025) ** 2),  # biased below 0
    ],
)
def test_the_advised_sobol_sample_is_n_times_error_over_target_squared(value, half, needed):
    plan = design(FACTORS, "sobol", 16, seed=3)
    (warning,) = assess(plan, indices_frame([(STRONG, "S1", value, half)]))
    assert advised(warning) == 1 << (math.ceil(needed) - 1).bit_length()


def test_the_advised_morris_sample_is_not_rounded_to_a_power_of_two():
    plan = design(FACTORS, "morris", 10, seed=3)
    rows = [(STRONG, "mu_star", 1.0, 1.2), (WEAK, "mu_star", 0.2, 0.05)]
    (warning,) = assess(plan, indices_frame(rows))
    assert advised(warning) == math.ceil(10 * (1.2 / 0.5) ** 2)


@pytest.mark.parametrize(
    "rows",
    [
        [(STRONG, "S1", 0.6, 0.7), (WEAK, "S1", 0.02, 0.3)],
        [(STRONG, "ST", 1.2, 0.1), (UNUSED, "S1", -0.1, 0.12)],
        [(STRONG, "S1", 0.3, 0.32), (WEAK, "ST", 0.08, 0.09)],
    ],
)
@pytest.mark.parametrize("samples", [16, 32])
def test_at_the_advised_size_the_same_indices_are_not_flagged_again(rows, samples):
    # Intervals and biases shrinking as one over the square root of the sample: the advice
    # is an estimate of the size that does, not a doubling that asks again at the next size.
    plan = design(FACTORS, "sobol", samples, seed=3)
    (warning,) = assess(plan, indices_frame(rows))
    needed = advised(warning)
    shrink = math.sqrt(samples / needed)
    bigger = design(FACTORS, "sobol", needed, seed=3)
    shrunk = [
        (p, i, min(max(v, 0.0), 1.0) + (v - min(max(v, 0.0), 1.0)) * shrink, h * shrink)
        for p, i, v, h in rows
    ]
    assert assess(bigger, indices_frame(shrunk)) == []
