import numpy as np
import pytest

from npssim.survey import (
    answer,
    census_nps,
    draw_sample,
    group_order,
    grouped_nps,
    key_order,
    nps,
    pick,
    pick_mask,
    rank_order,
    respond,
)


def test_nps_is_promoters_minus_detractors():
    assert nps(np.array([10, 9, 8, 7, 6, 0])) == pytest.approx(100 * (2 - 2) / 6)
    assert nps(np.array([10, 10, 10, 3])) == pytest.approx(50.0)


def test_nps_bounds():
    assert nps(np.full(5, 10)) == 100.0
    assert nps(np.zeros(5, dtype=int)) == -100.0


def test_nps_of_nothing_is_nan():
    assert np.isnan(nps(np.array([], dtype=int)))


def test_census_uses_rounding_thresholds():
    assert census_nps(np.array([8.5, 8.49, 6.5, 6.49])) == pytest.approx(0.0)


def test_grouped_nps_is_nan_without_responses():
    result = grouped_nps(np.array([1, 0]), np.array([0, 0]), np.array([2, 0]))
    assert result[0] == 50.0 and np.isnan(result[1])


def test_sample_takes_fraction_of_each_group():
    rng = np.random.default_rng(0)
    rows = np.arange(100)
    groups = np.repeat([0, 1], 50)
    invited, left_out = draw_sample(rng, rows, groups, 2, 0.2)
    assert np.bincount(groups[invited]).tolist() == [10, 10]
    assert left_out.size == 0


def test_random_sample_has_no_cherry_picking():
    rng = np.random.default_rng(1)
    rows = np.arange(1000)
    invited, left_out = draw_sample(rng, rows, rows % 10, 10, 0.25)
    assert left_out.size == 0
    assert invited.size == 250


def test_avoided_accounts_are_kept_out_when_others_suffice():
    rng = np.random.default_rng(2)
    rows = np.arange(40)
    groups = np.zeros(40, dtype=int)
    avoid = rows < 10
    invited, left_out = draw_sample(rng, rows, groups, 1, 0.5, avoid)
    assert not np.isin(invited, rows[avoid]).any()
    assert sorted(left_out.tolist()) == list(range(10))


def test_avoided_accounts_fill_the_quota_when_needed():
    rng = np.random.default_rng(3)
    rows = np.arange(10)
    invited, left_out = draw_sample(rng, rows, np.zeros(10, int), 1, 0.8, rows < 5)
    assert invited.size == 8
    assert left_out.size == 2


def test_unhappy_customers_answer_less():
    rng = np.random.default_rng(4)
    low = respond(rng, np.full(20_000, 4.0), 0.2, 0.3, 0).mean()
    high = respond(rng, np.full(20_000, 9.0), 0.2, 0.3, 0).mean()
    assert low < 0.12 < high


def test_without_bias_response_does_not_depend_on_satisfaction():
    rng = np.random.default_rng(5)
    low = respond(rng, np.full(20_000, 4.0), 0.2, 0.0, 0).mean()
    high = respond(rng, np.full(20_000, 9.0), 0.2, 0.0, 0).mean()
    assert abs(low - high) < 0.02


def test_reminders_raise_response():
    rng = np.random.default_rng(6)
    none = respond(rng, np.full(20_000, 7.5), 0.2, 0.3, 0).mean()
    two = respond(rng, np.full(20_000, 7.5), 0.2, 0.3, 2).mean()
    assert two > none + 0.1


def test_answers_are_clipped_integers():
    rng = np.random.default_rng(7)
    scores = answer(rng, np.array([0.2, 9.9, 5.0]), 0.0, np.array([-3.0, 4.0, 0.4]))
    assert scores.tolist() == [0, 10, 5]


@pytest.mark.parametrize("ties", [False, True])
def test_sample_order_is_the_lexsort_order_with_or_without_tied_keys(ties):
    rng = np.random.default_rng(3)
    groups = rng.integers(0, 40, 2_000)
    key = rng.random(2_000) + (rng.random(2_000) < 0.2)
    if ties:
        key[::7] = 0.5
    expected = np.lexsort((key, groups))
    np.testing.assert_array_equal(group_order(groups, key_order(key)), expected)


def test_sample_order_handles_more_groups_than_16_bits_hold():
    rng = np.random.default_rng(4)
    groups = rng.integers(0, 70_000, 5_000)
    key = rng.random(5_000)
    np.testing.assert_array_equal(group_order(groups, key_order(key)), np.lexsort((key, groups)))


def _lexsort_rank(groups, key, avoid):
    flags = np.zeros(key.size, bool) if avoid is None else avoid
    order = np.lexsort((key, flags, groups))
    return order, groups[order]


@pytest.mark.parametrize("with_avoid", [False, True])
def test_rank_order_is_the_lexsort_of_group_flag_and_key(with_avoid):
    rng = np.random.default_rng(11)
    groups = rng.integers(0, 300, 20_000)
    key = rng.random(groups.size)
    avoid = rng.random(groups.size) < 0.1 if with_avoid else None
    order, sorted_groups = rank_order(groups, 300, key, avoid)
    expected, expected_groups = _lexsort_rank(groups, key, avoid)
    np.testing.assert_array_equal(order, expected)
    np.testing.assert_array_equal(sorted_groups, expected_groups)


@pytest.mark.parametrize(
    "make_key",
    [
        pytest.param(lambda rng, n: 0.5 + rng.integers(0, 4, n) * 2.0**-52, id="same-leading-bits"),
        pytest.param(lambda rng, n: np.round(rng.random(n), 2), id="tied"),
        pytest.param(lambda rng, n: rng.random(n) + 1.0, id="outside-0-1"),
    ],
)
def test_rank_order_stays_exact_where_packed_keys_would_collide(make_key):
    rng = np.random.default_rng(12)
    groups = rng.integers(0, 50, 3_000)
    key = make_key(rng, groups.size)
    avoid = rng.random(groups.size) < 0.2
    order, sorted_groups = rank_order(groups, 50, key, avoid)
    expected, expected_groups = _lexsort_rank(groups, key, avoid)
    np.testing.assert_array_equal(order, expected)
    np.testing.assert_array_equal(sorted_groups, expected_groups)


@pytest.mark.parametrize("tied", [False, True], ids=["packed", "exact"])
def test_rank_order_reads_a_numeric_avoid_mask_as_flags(tied):
    rng = np.random.default_rng(14)
    groups = rng.integers(0, 30, 2_000)
    key = np.round(rng.random(groups.size), 2) if tied else rng.random(groups.size)
    avoid = rng.random(groups.size) < 0.3
    as_flags, _ = rank_order(groups, 30, key, avoid)
    as_numbers, _ = rank_order(groups, 30, key, avoid * 2)
    np.testing.assert_array_equal(as_numbers, as_flags)


def test_rank_order_handles_more_groups_and_rows_than_its_packing_holds():
    rng = np.random.default_rng(13)
    groups = rng.integers(0, 2**40, 5_000)
    key = rng.random(groups.size)
    order, _ = rank_order(groups, 2**40, key)
    np.testing.assert_array_equal(order, np.lexsort((key, groups)))


def test_avoided_accounts_rank_after_the_rest_of_their_rep_s_book():
    rng = np.random.default_rng(5)
    rows = np.arange(2_000)
    groups = rng.integers(0, 40, rows.size)
    key = rng.random(rows.size)
    avoid = rng.random(rows.size) < 0.3
    invited, _ = pick(rows, groups, 40, 0.25, key, avoid)
    expected, _ = pick(rows, groups, 40, 0.25, key + avoid, None)
    np.testing.assert_array_equal(invited, expected)


def test_the_same_keys_without_avoidance_give_the_unpicked_sample():
    rng = np.random.default_rng(6)
    rows = np.arange(1_000)
    groups = rng.integers(0, 20, rows.size)
    key = rng.random(rows.size)
    unpicked, left_out = pick(rows, groups, 20, 0.25, key)
    picked, _ = pick(rows, groups, 20, 0.25, key, np.zeros(rows.size, bool))
    np.testing.assert_array_equal(unpicked, picked)
    assert left_out.size == 0


def test_the_pick_mask_marks_exactly_the_picked_rows():
    rng = np.random.default_rng(8)
    rows = np.sort(rng.choice(5_000, 1_000, replace=False))
    groups = rng.integers(0, 20, rows.size)
    key = rng.random(rows.size)
    avoid = rng.random(rows.size) < 0.2
    invited, left_out = pick(rows, groups, 20, 0.25, key, avoid)
    chosen, masked_left_out = pick_mask(rows, groups, 20, 0.25, key, avoid)
    np.testing.assert_array_equal(rows[chosen], invited)
    np.testing.assert_array_equal(masked_left_out, left_out)
