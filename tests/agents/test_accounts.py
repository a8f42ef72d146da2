import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from npssim import NPSModel
from npssim.agents.accounts import (
    SAVVY_LINE,
    AccountBook,
    account_power,
    beta_with_mean,
    choose_weighted,
    churn_chance,
    draw_accounts,
    quantile_of,
    spread_savvy,
)
from npssim.scenario.schema import AccountParams, FirmParams


def book_with(satisfaction, baseline=None) -> AccountBook:
    book = AccountBook(capacity=2)
    n = len(satisfaction)
    book.add(
        n,
        active=np.ones(n, bool),
        satisfaction=np.array(satisfaction, float),
        baseline=np.array(baseline if baseline is not None else satisfaction, float),
        rep=np.zeros(n, np.int32),
    )
    return book


def test_book_grows_beyond_capacity_and_keeps_rows():
    book = book_with([1.0, 2.0])
    rows = book.add(3, satisfaction=np.array([3.0, 4.0, 5.0]))
    assert rows.tolist() == [2, 3, 4]
    assert book.satisfaction.tolist() == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert len(book) == 5


def test_satisfaction_relaxes_toward_baseline():
    book = book_with([5.0], baseline=[8.0])
    firm = FirmParams(relaxation_rate=0.5, incident_rate=0.0)
    book.drift(np.random.default_rng(0), firm)
    assert book.satisfaction[0] == pytest.approx(6.5)


def test_incidents_lower_satisfaction():
    book = book_with([8.0] * 200)
    firm = FirmParams(relaxation_rate=0.0, incident_rate=0.5, incident_severity=2.0)
    book.drift(np.random.default_rng(1), firm)
    assert book.satisfaction.mean() < 7.5
    assert book.satisfaction.min() >= 0.0


def test_drawn_contract_values_are_heavy_tailed():
    rng = np.random.default_rng(2)
    columns = draw_accounts(rng, 20_000, AccountParams(), FirmParams(), np.zeros(20_000, int))
    acv = np.sort(columns["acv"])[::-1]
    assert acv[:2000].sum() / acv.sum() > 0.3  # the top 10% carry over 30% of revenue


def test_honest_satisfaction_is_left_skewed():
    rng = np.random.default_rng(3)
    baseline = draw_accounts(rng, 20_000, AccountParams(), FirmParams(), np.zeros(20_000, int))[
        "baseline"
    ]
    assert np.mean(baseline) < np.median(baseline)


def test_initial_savvy_share_is_respected():
    rng = np.random.default_rng(4)
    params = AccountParams(initial_savvy_share=0.1)
    savvy = draw_accounts(rng, 20_000, params, FirmParams(), np.zeros(20_000, int))["savvy"]
    assert np.mean(savvy >= SAVVY_LINE) == pytest.approx(0.1, abs=0.01)


def test_power_grows_with_size_and_outside_options():
    small = account_power(np.array([1.0]), np.array([10.0]), np.array([0.8]))
    large = account_power(np.array([50.0]), np.array([10.0]), np.array([0.8]))
    captive = account_power(np.array([50.0]), np.array([10.0]), np.array([0.0]))
    assert small < large and captive == 0.0


def test_churn_falls_with_satisfaction():
    chance = churn_chance(np.array([2.0, 5.0, 9.0]), AccountParams())
    assert chance[0] > chance[1] > chance[2] >= AccountParams().base_churn


def test_granted_demand_teaches_and_refusal_fades():
    book = book_with([7.0, 7.0])
    book.savvy[:] = 0.6
    book.learn_from_demands(np.array([0, 1]), np.array([True, False]), 0.5, 0.5)
    assert book.savvy.tolist() == pytest.approx([0.8, 0.3])


def test_a_demand_met_in_part_teaches_in_part():
    book = book_with([7.0, 7.0, 7.0])
    book.savvy[:] = 0.6
    book.learn_from_demands(np.arange(3), np.array([1.0, 0.5, 0.0]), 0.5, 0.5)
    assert book.savvy.tolist() == pytest.approx([0.8, 0.55, 0.3])


def test_demand_scales_with_contract_value():
    model = NPSModel(seed=0)
    account = model.account(0)
    params = AccountParams(concession_size=0.1, demand_dispersion=0.5)
    assert account.demand_concession(params, 0.0) == pytest.approx(
        account.acv * 0.1 * np.exp(-0.125)
    )


def test_demanded_concessions_average_the_concession_size_whatever_their_spread():
    model = NPSModel(seed=0)
    account = model.account(0)
    draws = np.random.default_rng(1).standard_normal(20_000)
    for spread in (0.0, 0.5, 1.0):
        params = AccountParams(concession_size=0.05, demand_dispersion=spread)
        mean = np.mean([account.demand_concession(params, float(d)) for d in draws[:4_000]])
        assert mean == pytest.approx(account.acv * 0.05, rel=0.06)


def test_powerful_accounts_ask_bigger_discounts():
    book = book_with([7.0, 7.0])
    book.power[:] = [0.1, 0.9]
    ordinary, for_score = book.ask_discount(np.arange(2), AccountParams(), exposure=1.0)
    assert ordinary[1] > ordinary[0] and for_score[1] > for_score[0]


def test_savvy_accounts_ask_more_for_their_score():
    book = book_with([7.0, 7.0])
    book.power[:] = 0.5
    book.savvy[:] = [0.0, 1.0]
    ordinary, for_score = book.ask_discount(np.arange(2), AccountParams(), exposure=1.0)
    assert ordinary[0] == ordinary[1]
    assert for_score[1] == pytest.approx(for_score[0] * (1 + AccountParams().savvy_leverage))


def test_no_score_discount_is_asked_where_the_answer_counts_for_nothing():
    book = book_with([7.0])
    book.power[:] = 1.0
    _, for_score = book.ask_discount(np.arange(1), AccountParams(), exposure=0.0)
    assert for_score[0] == 0.0


def test_discounts_cut_revenue_and_are_counted_as_forgone():
    book = book_with([7.0, 7.0])
    book.acv[:] = [100.0, 300.0]
    book.reprice(np.arange(2), np.array([0.1, 0.2]))
    revenue, forgone = book.revenue(np.arange(2))
    assert revenue == pytest.approx(90.0 + 240.0)
    assert forgone == pytest.approx(10.0 + 60.0)


def test_a_discount_raises_the_odds_of_renewal():
    params = AccountParams()
    satisfaction = np.full(2, 6.0)
    chance = churn_chance(satisfaction, params, discount=np.array([0.0, 0.2]))
    assert chance[1] < chance[0]


def test_a_recent_change_of_rep_puts_renewal_at_risk():
    params = AccountParams(disruption_churn=0.2)
    satisfaction = np.full(2, 6.0)
    chance = churn_chance(satisfaction, params, disrupted=np.array([False, True]))
    assert chance[1] == pytest.approx(chance[0] + (1 - chance[0]) * 0.2)


def test_disruption_lowers_satisfaction_and_is_dated():
    book = book_with([7.0, 7.0])
    book.disrupt(np.array([1]), week=30, loss=0.5)
    assert book.satisfaction.tolist() == pytest.approx([7.0, 6.5])
    assert book.disrupted_week[1] == 30


def test_lifts_and_losses_stay_on_the_scale():
    book = book_with([9.8, 0.2])
    book.lift(np.array([0]), 1.0)
    book.sour(np.array([1]), 1.0)
    assert book.satisfaction.tolist() == [10.0, 0.0]


def test_savvy_spreads_only_where_demands_paid():
    book = book_with([7.0] * 400)
    rows = np.arange(400)
    territory = np.repeat([0, 1], 200)
    learned = spread_savvy(
        np.random.default_rng(5), book, rows, territory, successes=np.array([10, 0]), spread=4.0
    )
    assert learned > 0
    assert (book.savvy[200:] == 0).all()
    assert (book.savvy[:200][book.savvy[:200] > 0] >= SAVVY_LINE).all()


def test_churned_account_leaves_the_model():
    model = NPSModel(seed=0)
    account = model.account(3)
    before = len(model.agents)
    account.leave()
    assert not account.active
    assert len(model.agents) == before - 1


@pytest.mark.parametrize("mean", [0.0, 0.2, 0.9, 1.0])
def test_trait_draws_use_one_number_each_whatever_the_mean(mean):
    reference, rng = np.random.default_rng(3), np.random.default_rng(3)
    reference.random(50)
    beta_with_mean(rng, mean, 4.0, 50)
    assert rng.random() == reference.random()


def test_trait_draws_have_the_asked_mean():
    values = beta_with_mean(np.random.default_rng(4), 0.3, 6.0, 50_000)
    assert values.mean() == pytest.approx(0.3, abs=0.005)


def test_thinning_a_draw_gives_the_values_of_indexing_the_whole_draw():
    params, firm, reps = AccountParams(), FirmParams(), np.arange(3_000) % 30
    kept = np.sort(np.random.default_rng(1).choice(3_000, 1_000, replace=False))
    whole = draw_accounts(np.random.default_rng(9), 3_000, params, firm, reps)
    thinned = draw_accounts(np.random.default_rng(9), 3_000, params, firm, reps, lambda b, r: kept)
    for name, values in whole.items():
        np.testing.assert_array_equal(thinned[name], values[kept], err_msg=name)


def test_thinning_sees_the_whole_draw_s_baselines_and_reps():
    seen = {}

    def keep(baseline, reps):
        seen["sizes"] = (baseline.size, reps.size)
        return np.arange(10)

    columns = draw_accounts(
        np.random.default_rng(2), 50, AccountParams(), FirmParams(), np.zeros(50, int), keep
    )
    assert seen["sizes"] == (50, 50) and columns["candor"].size == 10


def test_renewals_due_are_the_rows_renewing_that_week_in_row_order():
    book = AccountBook(capacity=2)
    book.add(5, renewal_offset=np.array([3, 1, 3, 0, 3]), created_week=np.full(5, -1))
    book.add(2, renewal_offset=np.array([3, 3]), created_week=np.array([10, 55]))
    assert book.due(3, 52).tolist() == [0, 2, 4]
    assert book.due(55, 52).tolist() == [0, 2, 4, 5]  # the account won in week 55 waits a year
    assert book.due(107, 52).tolist() == [0, 2, 4, 5, 6]
    assert book.due(2, 52).size == 0


@given(
    values=hnp.arrays(
        np.float64,
        st.integers(1, 300),
        elements=st.floats(-1e6, 1e6, allow_nan=False, allow_subnormal=False),
    ),
    share=st.floats(0.0, 1.0),
)
def test_quantile_of_is_numpys_quantile_bit_for_bit(values, share):
    assert quantile_of(values, share) == np.quantile(values, share)


@given(
    seed=st.integers(0, 2**32 - 1),
    population=st.integers(1, 3_000),
    share=st.floats(0.0, 1.0),
    skew=st.floats(0.0, 6.0),
)
def test_choose_weighted_is_numpys_choice_without_replacement_draw_for_draw(
    seed, population, share, skew
):
    weights = np.random.default_rng(seed ^ 1).random(population) ** skew + 1e-6
    p = weights / weights.sum()
    size = int(share * population)
    expected = np.random.default_rng(seed).choice(population, size, replace=False, p=p)
    np.testing.assert_array_equal(choose_weighted(np.random.default_rng(seed), p, size), expected)


def test_choose_weighted_leaves_the_stream_where_numpys_choice_does():
    p = np.full(500, 1 / 500)
    ours, numpys = np.random.default_rng(5), np.random.default_rng(5)
    choose_weighted(ours, p, 300)
    numpys.choice(500, 300, replace=False, p=p)
    assert ours.random() == numpys.random()
