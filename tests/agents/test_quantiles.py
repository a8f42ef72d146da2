"""The tabled inverse CDFs agree with SciPy's to the stated tolerance, and never vary by process."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special
from scipy.special import betaincinv, gammaincinv

from npssim import NPSModel, load_scenario
from npssim.agents import accounts, quantiles
from npssim.agents.quantiles import TABLE_FROM, TOLERANCE, beta_ppf, gamma_ppf

#: A million uniforms, the size of a large firm's draw.
UNIFORMS = np.random.default_rng(7).random(1_000_000)


def worst_error(got: np.ndarray, exact: np.ndarray) -> float:
    return float(np.max(np.abs(got - exact) / np.maximum(1.0, np.abs(exact))))


@pytest.mark.parametrize(("a", "b"), [(1.2, 2.8), (2.0, 2.0), (0.3, 0.7), (8.0, 2.0), (30, 70)])
def test_beta_quantiles_of_a_large_draw_are_within_the_tolerance_of_scipy(a, b):
    exact = special.betaincinv(a, b, UNIFORMS)
    assert worst_error(beta_ppf(a, b, UNIFORMS), exact) <= 2 * TOLERANCE


@pytest.mark.parametrize("shape", [0.5, 1.0, 2.0, 3.0, 10.0])
def test_gamma_quantiles_of_a_large_draw_are_within_the_tolerance_of_scipy(shape):
    exact = special.gammaincinv(shape, UNIFORMS)
    assert worst_error(gamma_ppf(shape, UNIFORMS), exact) <= 2 * TOLERANCE


@settings(max_examples=25, deadline=None)
@given(
    a=st.floats(0.05, 50.0),
    b=st.floats(0.05, 50.0),
    seed=st.integers(0, 2**32 - 1),
)
def test_beta_quantiles_are_within_the_tolerance_for_any_shape(a, b, seed):
    uniform = np.random.default_rng(seed).random(TABLE_FROM)
    exact = special.betaincinv(a, b, uniform)
    assert worst_error(beta_ppf(a, b, uniform), exact) <= 2 * TOLERANCE


def test_small_draws_are_scipy_exactly():
    uniform = UNIFORMS[: TABLE_FROM - 1]
    np.testing.assert_array_equal(beta_ppf(2.0, 3.0, uniform), special.betaincinv(2, 3, uniform))
    np.testing.assert_array_equal(gamma_ppf(2.0, uniform), special.gammaincinv(2.0, uniform))


def test_a_large_draw_gives_the_same_bits_whether_or_not_its_table_was_cached():
    quantiles._beta_table.cache_clear()
    first = beta_ppf(1.5, 2.5, UNIFORMS)
    again = beta_ppf(1.5, 2.5, UNIFORMS)
    quantiles._beta_table.cache_clear()
    np.testing.assert_array_equal(first, again)
    np.testing.assert_array_equal(first, beta_ppf(1.5, 2.5, UNIFORMS))


def test_the_tails_are_left_to_scipy():
    table = quantiles._gamma_table(2.0)
    # The quantile runs off to infinity at 1, and bends sharply at 0: neither end interpolates.
    assert not table.interpolated[0]
    assert not table.interpolated[-1]
    assert table.interpolated.mean() > 0.8


def test_a_large_firm_runs_as_with_exact_quantiles_within_the_pinned_tolerance(monkeypatch):
    # Account traits always take the tabled path (the week's new accounts too); the exact
    # firm computes every quantile with SciPy.
    scenario = load_scenario(
        "nps_bonus",
        {"firm.managers": 5, "firm.reps_per_manager": 10, "firm.accounts_per_rep": 164},
    )
    tabled = NPSModel(scenario, seed=3)
    monkeypatch.setattr(accounts, "beta_ppf", lambda a, b, u, tabled=None: betaincinv(a, b, u))
    monkeypatch.setattr(accounts, "gamma_ppf", lambda k, u, tabled=None: gammaincinv(k, u))
    exact = NPSModel(scenario, seed=3)
    assert not np.array_equal(tabled.book.candor, exact.book.candor)  # the tables were used
    np.testing.assert_allclose(tabled.book.candor, exact.book.candor, rtol=0, atol=2 * TOLERANCE)
    np.testing.assert_allclose(
        tabled.run(12).to_numpy(float), exact.run(12).to_numpy(float), rtol=1e-9
    )


def test_a_small_draw_asked_to_use_the_table_is_within_the_tolerance():
    uniform = UNIFORMS[:40]  # a week's new accounts
    tabled = beta_ppf(1.5, 2.5, uniform, tabled=True)
    assert not np.array_equal(tabled, beta_ppf(1.5, 2.5, uniform))
    assert worst_error(tabled, special.betaincinv(1.5, 2.5, uniform)) <= 2 * TOLERANCE
    assert worst_error(gamma_ppf(2.0, uniform, tabled=True), special.gammaincinv(2.0, uniform)) <= (
        2 * TOLERANCE
    )


def test_a_large_draw_asked_to_be_exact_is_scipy_exactly():
    exact = beta_ppf(1.5, 2.5, UNIFORMS[:TABLE_FROM], tabled=False)
    np.testing.assert_array_equal(exact, special.betaincinv(1.5, 2.5, UNIFORMS[:TABLE_FROM]))
