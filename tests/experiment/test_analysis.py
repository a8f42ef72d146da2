import math

import numpy as np
import pytest
from scipy import stats

from npssim.experiment.analysis import COLUMNS, Interval, interval, over_window, verdict


def cube_with(weeks: int = 10, **columns: np.ndarray) -> np.ndarray:
    cube = np.zeros((1, weeks, len(COLUMNS)))
    for name, values in columns.items():
        cube[0, :, COLUMNS.index(name)] = values
    return cube


def test_running_totals_are_read_as_the_amount_accrued_in_the_window():
    cube = cube_with(concession_cost=np.arange(10) * 100.0)
    values = over_window(cube, 4, 8)
    assert values[0, COLUMNS.index("concession_cost")] == 700.0 - 300.0


def test_levels_are_read_as_their_mean_over_the_window():
    cube = cube_with(true_nps=np.arange(10.0))
    assert over_window(cube, 2, 6)[0, COLUMNS.index("true_nps")] == pytest.approx(3.5)


def test_weeks_without_a_value_are_left_out_of_a_level_mean():
    cube = cube_with(reported_nps=np.array([np.nan, 10, np.nan, 20] + [0] * 6))
    assert over_window(cube, 0, 4)[0, COLUMNS.index("reported_nps")] == 15.0


def test_retention_over_a_window_is_the_share_of_its_renewals_kept():
    cube = cube_with(
        renewals_due=np.array([0, 10, 20, 40, 60, 80, 100, 100, 100, 100.0]),
        churned_accounts=np.array([0, 1, 2, 4, 6, 8, 10, 10, 10, 10.0]) * 2,
    )
    # weeks 3..5: 80 - 20 = 60 renewals due, 16 - 4 = 12 churned
    assert over_window(cube, 3, 6)[0, COLUMNS.index("retention_rate")] == pytest.approx(0.8)


def test_the_end_horizon_keeps_running_totals_since_week_zero():
    cube = cube_with(revenue=np.arange(10) * 5.0)
    assert over_window(cube, 9, 10, "end")[0, COLUMNS.index("revenue")] == 45.0


def test_interval_is_the_student_t_interval_of_the_mean():
    data = np.array([1.0, 2.0, 4.0, 7.0])
    result = interval(data)
    half = stats.t.ppf(0.975, 3) * data.std(ddof=1) / 2
    assert result.mean == 3.5
    assert result.low == pytest.approx(3.5 - half)
    assert result.high == pytest.approx(3.5 + half)
    assert result.n == 4


def test_interval_ignores_missing_replications_and_needs_two_values():
    assert interval([np.nan, 2.0, 4.0]).n == 2
    single = interval([5.0, np.nan])
    assert single.mean == 5.0 and math.isnan(single.low)


@pytest.mark.parametrize(
    ("name", "low", "high", "expected"),
    [
        ("true_nps", 1.0, 3.0, "better"),
        ("true_nps", -3.0, -1.0, "worse"),
        ("nps_inflation", 1.0, 3.0, "worse"),
        ("net_value", -1.0, 3.0, "no clear change"),
        ("reported_nps", 1.0, 3.0, ""),
        ("money_given_away", 1.0, 3.0, ""),  # context: ordinary discounts buy renewals
        # 0.0 pp ± 0.0 pp: the interval excludes zero, the difference shows as zero.
        ("retention_rate", -4e-5, -2e-5, "no clear change"),
        ("retention_rate", math.nan, math.nan, "no clear change"),
    ],
)
def test_verdict_follows_the_metrics_better_direction_and_the_interval(name, low, high, expected):
    difference = Interval((low + high) / 2, low, high, 1.0, 10)
    assert verdict(name, difference) == expected
