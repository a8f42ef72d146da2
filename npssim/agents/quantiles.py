"""Fast inverse CDFs of the Beta and Gamma distributions, for drawing large books of accounts.

Accounts' traits are drawn by inverting the CDF of one uniform each (common random numbers: see
:func:`npssim.agents.accounts.beta_with_mean`). SciPy's ``betaincinv`` and ``gammaincinv`` solve
for each value iteratively, one to two microseconds apiece: at a million accounts (three million
candidates for the steady book) that was more than half of a firm's set-up.

A large draw instead interpolates a table of the quantile function, one per distribution, made
once per process: the quantile and its slope (one over the density there) at evenly spaced
probabilities, joined by cubic Hermite pieces. Each piece is checked where its error is largest,
at its midpoint, against SciPy; a piece off by more than :data:`TOLERANCE` (in the tails, where
the quantile function bends sharply or runs off to infinity) is not interpolated: uniforms that
fall in it get SciPy's exact value. Interpolated values agree with SciPy's to 1e-12, far inside
the pinned run's relative tolerance of 1e-9 (``tests/agents/test_quantiles.py`` measures the
worst case over a million uniforms).

Whether a draw uses the table depends only on its size (:data:`TABLE_FROM`), never on what is
cached, so a seed gives the same bits in every process, on every executor.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np
from scipy import special

#: Pieces of the table on [0, 1]: 4,096 keeps the error of smooth pieces near 1e-16 and costs
#: about 8,000 exact evaluations (about 10 ms) to build. A numerical setting, not a model one.
PIECES = 4096

#: Largest error allowed of an interpolated value, absolute (relative beyond 1): a piece whose
#: midpoint misses SciPy's value by more is computed exactly. At 1e-12 about one piece in
#: twenty (the tails) is; each tenfold tightening doubles that share.
TOLERANCE = 1e-12

#: Draws smaller than this are computed exactly: building a table would cost more than it
#: saves. A fixed size, so the method never depends on the process's history.
TABLE_FROM = 8192

Quantile = Callable[[np.ndarray], np.ndarray]


def beta_ppf(a: float, b: float, uniform: np.ndarray, tabled: bool | None = None) -> np.ndarray:
    """Quantiles of Beta(a, b) at ``uniform`` (values in [0, 1)), as ``special.betaincinv``.

    Args:
        a: First shape parameter.
        b: Second shape parameter.
        uniform: The probabilities.
        tabled: Interpolate the table (True) or compute exactly (False); by default, by the
            draw's size (:data:`TABLE_FROM`). A caller that draws few values often from the
            same distribution (a week's new accounts) asks for the table: it is made once.
    """
    if not _use_table(uniform, tabled):
        return special.betaincinv(a, b, uniform)
    return _interpolate(_beta_table(float(a), float(b)), uniform)


def gamma_ppf(shape: float, uniform: np.ndarray, tabled: bool | None = None) -> np.ndarray:
    """Quantiles of Gamma(shape, scale 1) at ``uniform``, as ``special.gammaincinv``.

    ``tabled`` is as for :func:`beta_ppf`.
    """
    if not _use_table(uniform, tabled):
        return special.gammaincinv(shape, uniform)
    return _interpolate(_gamma_table(float(shape)), uniform)


def _use_table(uniform: np.ndarray, tabled: bool | None) -> bool:
    """The caller's choice, or by default whether the draw is large (:data:`TABLE_FROM`)."""
    return uniform.size >= TABLE_FROM if tabled is None else tabled


class QuantileTable:
    """A quantile function as cubic Hermite pieces on evenly spaced probabilities.

    Attributes:
        exact: The quantile function itself, for the pieces not interpolated.
        coefficients: Each piece's cubic in the position ``t`` (0-1) within it, lowest power
            first: it runs through the quantiles at both ends with the slopes there (one over
            the density, times the width of a piece).
        interpolated: For each piece, whether it meets :data:`TOLERANCE`.
    """

    def __init__(self, exact: Quantile, density: Callable[[np.ndarray], np.ndarray]) -> None:
        self.exact = exact
        width = 1.0 / PIECES
        probability = np.linspace(0.0, 1.0, PIECES + 1)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            knots = exact(probability)
            slopes = width / density(knots)
        finite = np.isfinite(knots) & np.isfinite(slopes)
        knots, slopes = np.where(finite, knots, 0.0), np.where(finite, slopes, 0.0)
        low, high, start, end = knots[:-1], knots[1:], slopes[:-1], slopes[1:]
        self.coefficients = np.stack(
            [low, start, 3 * (high - low) - 2 * start - end, 2 * (low - high) + start + end],
            axis=1,
        )
        midpoint = exact(probability[:-1] + width / 2)
        with np.errstate(invalid="ignore"):
            guess = _horner(self.coefficients, np.full(PIECES, 0.5))
            error = np.abs(guess - midpoint) / np.maximum(1.0, np.abs(midpoint))
        self.interpolated = finite[:-1] & finite[1:] & (error <= TOLERANCE)


def _horner(coefficients: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Each row's cubic at its ``t``, evaluated in place (``t`` is left alone)."""
    value = coefficients[:, 3] * t
    for power in (2, 1):
        value += coefficients[:, power]
        value *= t
    value += coefficients[:, 0]
    return value


@functools.lru_cache(maxsize=64)
def _beta_table(a: float, b: float) -> QuantileTable:
    log_beta = special.betaln(a, b)
    return QuantileTable(
        lambda u: special.betaincinv(a, b, u),
        lambda x: np.exp(special.xlogy(a - 1, x) + special.xlog1py(b - 1, -x) - log_beta),
    )


@functools.lru_cache(maxsize=64)
def _gamma_table(shape: float) -> QuantileTable:
    log_gamma = special.gammaln(shape)
    return QuantileTable(
        lambda u: special.gammaincinv(shape, u),
        lambda x: np.exp(special.xlogy(shape - 1, x) - x - log_gamma),
    )


def _interpolate(table: QuantileTable, uniform: np.ndarray) -> np.ndarray:
    """The table's quantiles at ``uniform``; exact ones in the pieces it does not interpolate."""
    position = uniform * PIECES
    piece = position.astype(np.intp)
    np.minimum(piece, PIECES - 1, out=piece)
    position -= piece  # now the position within the piece
    value = _horner(table.coefficients[piece], position)
    exact = ~table.interpolated[piece]
    if exact.any():
        value[exact] = table.exact(uniform[exact])
    return value
