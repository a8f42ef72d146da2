"""Global sensitivity analysis of scenario parameters: SALib designs in, tidy indices out.

This module only plans and analyses; it never runs the simulator. The workflow is:

1. :func:`parse_factor` turns each ``--param path=lo:hi`` into a :class:`Factor`, checked against
   the schema so a typo fails before hours of simulation rather than after.
2. :func:`design` draws the sample (Sobol' or Morris) and returns a :class:`Design`. Its
   ``matrix`` has one row per model evaluation, integer factors already rounded; its
   :meth:`Design.overrides` gives the same rows as ``--set``-style dictionaries.
3. The caller evaluates every row (replications, averaging) and hands one output per row to
   :func:`analyze`, which returns the indices as a tidy frame.

``analyze`` takes the :class:`Design` rather than the bare matrix so that outputs can only be
analysed with the method, sample size and factors that produced them, and with the seed that made
the sample (reused for the bootstrap). The design also keeps SALib's *unrounded* sample, because
Morris analysis reads each trajectory's step direction from it: with whole-number bounds on the
4-level grid rounding never cancels a step, but handing SALib its own sample keeps the analysis
exact without relying on that argument (or on how a hand-built :class:`Factor` is bounded).
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from SALib import ProblemSpec

from npssim.scenario import Scenario, ScenarioError, iter_params

METHODS = ("sobol", "morris")
#: Morris grid levels: the usual choice, and even so the grid is symmetric (SALib warns if odd).
MORRIS_LEVELS = 4
#: Bootstrap resamples SALib draws for the confidence intervals.
RESAMPLES = 100
CONF_LEVEL = 0.95
#: Parameters that must not be factors: the evaluator sets the seed of every replication.
NOT_FACTORS = {"run.seed": "is the replication seed, set by the evaluator; it is not a factor"}
COLUMNS = ("parameter", "index", "value", "conf_low", "conf_high")
_EXAMPLE = "e.g. policy.incentives.nps_weight=0:1"


@dataclass(frozen=True)
class Factor:
    """One scenario parameter varied over a range.

    Attributes:
        path: Dotted scenario parameter path, e.g. ``policy.incentives.nps_weight``.
        lower: Smallest value sampled.
        upper: Largest value sampled.
        integer: The schema type is int, so sampled values are rounded to whole numbers.
    """

    path: str
    lower: float
    upper: float
    integer: bool


@dataclass(frozen=True, eq=False)
class Design:
    """A sample to evaluate, and what :func:`analyze` needs to turn its outputs into indices.

    Attributes:
        factors: The varied parameters, one column each.
        method: ``"sobol"`` or ``"morris"``.
        samples: Sobol' base sample size, or number of Morris trajectories.
        seed: Seed of the sample, reused for the bootstrap of the confidence intervals.
        matrix: Values to run, one row per model evaluation (read-only; integers rounded).
        raw: SALib's unrounded sample, same shape (read-only), which Morris analysis reads.
    """

    factors: tuple[Factor, ...]
    method: str
    samples: int
    seed: int
    matrix: np.ndarray
    raw: np.ndarray

    def overrides(self) -> list[dict[str, Any]]:
        """The rows of :attr:`matrix` as ``{path: value}`` overrides, ints for integer factors.

        Returns:
            One dictionary per row, in row order, ready for ``load_scenario(..., overrides)``.
        """
        return [
            {
                factor.path: int(value) if factor.integer else float(value)
                for factor, value in zip(self.factors, row, strict=True)
            }
            for row in self.matrix
        ]


def parse_factor(text: str, option: str = "--param") -> Factor:
    """Parse ``path=lo:hi`` from the CLI's ``--param`` and check it against the schema.

    Args:
        text: For example ``policy.incentives.nps_weight=0:0.5``.
        option: The command-line option the text came from, named in error messages.

    Returns:
        The factor, marked integer when the schema type is int.

    Raises:
        ScenarioError: (source ``option``) when the text is malformed, the path is unknown
            (with a suggestion), the parameter is not a number, ``lo >= hi``, integer bounds are
            not whole, or the range leaves the schema's bounds.
    """
    path, sep, bounds = text.partition("=")
    path = path.strip()
    low_text, colon, high_text = bounds.partition(":")
    try:
        lower, upper = float(low_text), float(high_text)
    except ValueError:
        lower = upper = math.nan
    if not sep or not path or not colon or math.isnan(lower) or math.isnan(upper):
        raise ScenarioError(option, text, f"expected path=lo:hi, {_EXAMPLE}")
    params = {info.path: info for info in iter_params()}
    if path not in params:
        raise ScenarioError(option, path, f"unknown parameter{_suggestion(path, params)}")
    if path in NOT_FACTORS:
        raise ScenarioError(option, path, NOT_FACTORS[path])
    info = params[path]
    kind = _field_type(path)
    if kind not in (int, float):
        raise ScenarioError(option, path, _not_numeric(info.choices, info.default))
    if not (math.isfinite(lower) and math.isfinite(upper)):
        raise ScenarioError(option, path, "bounds must be finite numbers")
    if lower >= upper:
        raise ScenarioError(
            option, path, f"lower bound {_num(lower)} must be below upper bound {_num(upper)}"
        )
    integer = kind is int
    if integer and not (lower.is_integer() and upper.is_integer()):
        raise ScenarioError(
            option, path, f"takes whole numbers; got bounds {_num(lower)}:{_num(upper)}"
        )
    below = info.lower is not None and lower < info.lower
    above = info.upper is not None and upper > info.upper
    if below or above:
        raise ScenarioError(
            option,
            path,
            f"range {_num(lower)}:{_num(upper)} leaves the allowed range {_allowed(info)}",
        )
    return Factor(path=path, lower=lower, upper=upper, integer=integer)


def design(factors: Sequence[Factor], method: str, samples: int, seed: int) -> Design:
    """Draw the sample: one row per model evaluation, one column per factor.

    Sobol' (Saltelli's scheme, first and total order only) takes ``samples * (D + 2)`` rows for
    ``D`` factors; ``samples`` must be a power of two because the Sobol' sequence only keeps its
    balance properties at those sizes. Morris takes ``samples`` trajectories of ``D + 1`` rows on
    a 4-level grid. Integer factors are rounded half up; for Sobol' their range is widened by half
    a unit each side before rounding so every whole value is equally likely (the endpoints would
    otherwise get half the weight), while Morris's grid already includes both endpoints.

    Args:
        factors: The parameters to vary, from :func:`parse_factor`.
        method: One of :data:`METHODS`.
        samples: Sobol' base sample size (a power of two >= 2) or Morris trajectories (>= 2).
        seed: Seed of the sample; the same seed gives the same design.

    Returns:
        The design; evaluate ``design.matrix`` (or ``design.overrides()``) row by row.

    Raises:
        ScenarioError: For an unknown method (``--method``), no or duplicated factors or an empty
            range (``--param``), or a sample size the method cannot use (``--samples``).
    """
    factors = tuple(factors)
    if method not in METHODS:
        close = difflib.get_close_matches(method, METHODS, n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise ScenarioError("--method", method, f"unknown method, choose {_choice(METHODS)}{hint}")
    if not factors:
        raise ScenarioError("--param", "", f"give at least one factor to vary, {_EXAMPLE}")
    seen: set[str] = set()
    for factor in factors:
        if factor.path in seen:
            raise ScenarioError("--param", factor.path, "is given more than once")
        seen.add(factor.path)
        if not factor.lower < factor.upper:
            raise ScenarioError("--param", factor.path, "lower bound must be below upper bound")
    _check_samples(method, samples)
    spec = _problem(factors, method)
    if method == "sobol":
        spec.sample_sobol(samples, calc_second_order=False, seed=seed)
    else:
        spec.sample_morris(samples, num_levels=MORRIS_LEVELS, seed=seed)
    raw = np.array(spec.samples, dtype=float)
    matrix = raw.copy()
    for column, factor in enumerate(factors):
        if factor.integer:
            rounded = np.floor(raw[:, column] + 0.5)
            matrix[:, column] = np.clip(rounded, factor.lower, factor.upper)
    raw.setflags(write=False)
    matrix.setflags(write=False)
    return Design(factors, method, samples, seed, matrix, raw)


def analyze(design: Design, outputs: np.ndarray) -> pd.DataFrame:
    """Compute the sensitivity indices from one output per design row.

    Sobol' gives ``S1`` (share of output variance due to the factor alone) and ``ST`` (including
    its interactions). Morris gives ``mu_star`` (mean absolute elementary effect, in output units
    per sweep of the factor's whole range), ``sigma`` (spread of the effects: non-linearity or
    interactions) and ``mu`` (signed mean). Confidence bounds are the value minus/plus SALib's
    bootstrap 95% half-width; Morris has one only for ``mu_star``, so ``sigma`` and ``mu`` get NaN.
    When the output does not vary at all, every Sobol' index is 0 with a zero-width interval
    (SALib would warn and return the same zeros).

    Args:
        design: The design whose rows were evaluated.
        outputs: One finite output per row of ``design.matrix``, in the same order.

    Returns:
        A frame with columns ``parameter, index, value, conf_low, conf_high``: for each factor in
        order, one row per index.

    Raises:
        ValueError: When there is not exactly one output per row, or an output is NaN or infinite
            (a failed evaluation must be re-run or dropped with its whole design, not ignored).
    """
    y = np.asarray(outputs, dtype=float)
    rows = design.matrix.shape[0]
    if y.shape != (rows,):
        raise ValueError(
            f"expected one output per design row, shape ({rows},); got shape {y.shape}"
        )
    bad = np.flatnonzero(~np.isfinite(y))
    if bad.size:
        shown = ", ".join(str(i) for i in bad[:5]) + (", ..." if bad.size > 5 else "")
        raise ValueError(
            f"{bad.size} of {rows} outputs are NaN or infinite (rows {shown}); "
            "every design row needs a finite output"
        )
    spec = _problem(design.factors, design.method)
    spec.set_samples(np.array(design.raw))
    spec.set_results(y)
    if design.method == "sobol":
        if _sobol_constant(y, len(design.factors)):
            zero = np.zeros(len(design.factors))
            return _frame(design, {"S1": (zero, zero), "ST": (zero, zero)})
        spec.analyze_sobol(
            calc_second_order=False,
            num_resamples=RESAMPLES,
            conf_level=CONF_LEVEL,
            seed=design.seed,
        )
        result = spec.analysis
        return _frame(
            design,
            {name: (result[name], result[f"{name}_conf"]) for name in ("S1", "ST")},
        )
    spec.analyze_morris(
        num_resamples=RESAMPLES,
        conf_level=CONF_LEVEL,
        num_levels=MORRIS_LEVELS,
        seed=design.seed,
    )
    result = spec.analysis
    nan = np.full(len(design.factors), np.nan)
    return _frame(
        design,
        {
            "mu_star": (result["mu_star"], result["mu_star_conf"]),
            "sigma": (result["sigma"], nan),
            "mu": (result["mu"], nan),
        },
    )


def _frame(design: Design, indices: dict[str, tuple[Any, Any]]) -> pd.DataFrame:
    """Tidy rows, factor by factor, from ``{index: (values, half-widths)}``."""
    records = []
    for column, factor in enumerate(design.factors):
        for name, (values, halves) in indices.items():
            value = float(np.ma.filled(values, np.nan)[column])
            half = float(np.ma.filled(halves, np.nan)[column])
            records.append((factor.path, name, value, value - half, value + half))
    return pd.DataFrame.from_records(records, columns=list(COLUMNS))


def _sobol_constant(y: np.ndarray, n_factors: int) -> bool:
    """Whether SALib would find no variance in the A and B blocks (and warn)."""
    blocks = y.reshape(-1, n_factors + 2)
    base = np.concatenate([blocks[:, 0], blocks[:, -1]])
    return bool(np.ptp(base) <= np.finfo(float).eps)


def _problem(factors: Sequence[Factor], method: str) -> ProblemSpec:
    """SALib's problem; Sobol' widens integer ranges by half a unit (see :func:`design`)."""
    pad = 0.5 if method == "sobol" else 0.0
    bounds = [[f.lower - pad, f.upper + pad] if f.integer else [f.lower, f.upper] for f in factors]
    return ProblemSpec({"names": [f.path for f in factors], "bounds": bounds})


def _check_samples(method: str, samples: int) -> None:
    if isinstance(samples, bool) or not isinstance(samples, int | np.integer):
        raise ScenarioError("--samples", "", f"must be a whole number (got {samples!r})")
    if method == "morris":
        if samples < 2:
            raise ScenarioError(
                "--samples", "", f"Morris needs at least 2 trajectories, got {samples}"
            )
        return
    if samples < 2 or samples & (samples - 1):
        below = 1 << (int(samples).bit_length() - 1) if samples > 2 else 2
        options = [below, 2 * below] if samples > 2 else [2]
        raise ScenarioError(
            "--samples",
            "",
            f"Sobol' needs a power of two >= 2, got {samples}; try {_choice(map(str, options))}",
        )


def _field_type(path: str) -> Any:
    """The annotation of a leaf parameter (``int``, ``float``, ``bool``, a ``Literal``, ...)."""
    *tables, leaf = path.split(".")
    model: Any = Scenario
    for table in tables:
        model = model.model_fields[table].annotation
    return model.model_fields[leaf].annotation


def _suggestion(path: str, params: dict[str, Any]) -> str:
    """A "did you mean" for a mistyped path, trying the full path then the last name alone."""
    close = difflib.get_close_matches(path, list(params), n=1, cutoff=0.6)
    if not close:
        leaf = path.rsplit(".", 1)[-1]
        by_leaf = {known.rsplit(".", 1)[-1]: known for known in reversed(list(params))}
        names = difflib.get_close_matches(leaf, list(by_leaf), n=1, cutoff=0.6)
        close = [by_leaf[names[0]]] if names else []
    return f"; did you mean '{close[0]}'?" if close else ""


def _not_numeric(choices: tuple[str, ...] | None, default: Any) -> str:
    if choices:
        return f"takes one of {_choice(repr(c) for c in choices)}, not a numeric range"
    if isinstance(default, bool):
        return "is true or false, not a numeric range"
    return "is not numeric"


def _allowed(info: Any) -> str:
    low = "-inf" if info.lower is None else _num(info.lower)
    high = "inf" if info.upper is None else _num(info.upper)
    return f"[{low}, {high}]"


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _choice(options: Any) -> str:
    items = list(options)
    return ", ".join(items[:-1]) + f" or {items[-1]}" if len(items) > 1 else items[0]
