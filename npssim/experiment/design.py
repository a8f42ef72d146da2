"""Designs: which points an experiment runs, from the factors it varies; and their indices.

Every experiment that varies parameters builds its points here:

- a :class:`Factor` is one parameter varied over a range (or, for EMA Workbench, over its
  choices), parsed from ``path=lo:hi`` (or ``path`` alone, for the schema's own range) and
  checked against the schema, so a typo fails before hours of simulation rather than after;
- :func:`parse_vary` and :func:`grid` give a sweep's points, every combination of the values;
- :func:`latin_hypercube` gives calibration's exploratory points;
- :func:`design` draws a SALib sample (Sobol' or Morris) as a :class:`Design`; :func:`analyze`
  turns one output per row into tidy indices, and :func:`assess` says whether the sample was
  large enough to read them.

``analyze`` takes the :class:`Design` rather than the bare matrix so that outputs can only be
analysed with the method, sample size and factors that produced them, and with the seed that made
the sample (reused for the bootstrap). The design also keeps SALib's *unrounded* sample, because
Morris analysis reads each trajectory's step direction from it: with whole-number bounds on the
4-level grid rounding never cancels a step, but handing SALib its own sample keeps the analysis
exact without relying on that argument (or on how a hand-built :class:`Factor` is bounded).
"""

from __future__ import annotations

import difflib
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from npssim.errors import InputError
from npssim.experiment.defaults import METHODS
from npssim.metrics import REGISTRY, MetricSet
from npssim.scenario import (
    ParamInfo,
    Scenario,
    ScenarioError,
    find_param,
    parse_assignment,
    with_overrides,
)
from npssim.scenario.paths import round_half_up
from npssim.scenario.schema import iter_params

if TYPE_CHECKING:
    import pandas as pd
    from SALib import ProblemSpec

#: Fewest factors of a sensitivity analysis: indices compare factors' shares of the variance.
MIN_FACTORS = 2
#: Morris grid levels: the usual choice, and even so the grid is symmetric (SALib warns if odd).
MORRIS_LEVELS = 4
#: Bootstrap resamples SALib draws for the confidence intervals.
RESAMPLES = 100
CONF_LEVEL = 0.95
#: Parameters that must not be factors: the evaluator sets the seed of every replication.
NOT_FACTORS = {"run.seed": "is the replication seed, set by the evaluator; it is not a factor"}
COLUMNS = ("parameter", "index", "value", "conf_low", "conf_high")
#: Most points one --vary range may ask for, so a typo cannot ask for a million runs.
MAX_STEPS = 1_000
#: What :func:`assess` asks of every index: an interval no wider than half the index, or than
#: this share of the scale (1 for Sobol' indices, the largest mu_star for Morris).
PRECISION = 0.05
#: The advised sample aims at errors this share of what :func:`assess` accepts, so that the
#: noise of the new run's own bootstrap intervals (and indices) does not flag it again.
ADVICE_MARGIN = 0.5
_EXAMPLE = "e.g. policy.incentives.nps_weight=0:1"


@dataclass(frozen=True)
class Factor:
    """One scenario parameter varied over a range, or over some of its values.

    Attributes:
        path: Dotted scenario parameter path, e.g. ``policy.incentives.nps_weight``.
        lower: Smallest value sampled (NaN for a categorical factor).
        upper: Largest value sampled.
        integer: The schema type is int, so sampled values are rounded to whole numbers.
        choices: The values of a categorical factor (a choice, or true/false); empty for a
            numeric one. Only EMA Workbench samples these; Sobol' and Morris need numbers.
    """

    path: str
    lower: float
    upper: float
    integer: bool
    choices: tuple[Any, ...] = ()

    @property
    def categorical(self) -> bool:
        """Whether the factor takes values from a list rather than a range."""
        return bool(self.choices)

    def at(self, share: float) -> float | int:
        """The value a share of the way along the range (0 = lower, 1 = upper), whole if integer."""
        value = self.lower + float(np.clip(share, 0.0, 1.0)) * (self.upper - self.lower)
        return round_half_up(value) if self.integer else value


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


def parse_factor(
    text: str,
    option: str = "--param",
    *,
    categorical: bool = False,
    schema: type[Scenario] = Scenario,
) -> Factor:
    """Parse a factor, ``path=lo:hi`` or a bare ``path``, and check it against the schema.

    A bare path takes the schema's own range (both bounds must exist). Where categorical
    factors are allowed (EMA Workbench samples them), a bare path of a choice or a true/false
    parameter takes all its values, and ``path=v1,v2`` some of them.

    Args:
        text: For example ``policy.incentives.nps_weight=0:0.5``, or ``reps.integrity_mean``.
        option: The command-line option or function the text came from, named in errors.
        categorical: Allow choices and true/false parameters.
        schema: The scenario schema: a model class's ``scenario_schema`` knows its own
            parameters.

    Returns:
        The factor, marked integer when the schema type is int.

    Raises:
        ScenarioError: (source ``option``) when the text is malformed, the path is unknown
            (with a suggestion), the parameter is not a number, ``lo >= hi``, integer bounds are
            not whole, or the range leaves the schema's bounds.
    """
    path, sep, bounds = text.partition("=")
    path = path.strip()
    ranged = sep and ":" in bounds
    if ranged:
        low_text, _, high_text = bounds.partition(":")
        try:
            lower, upper = float(low_text), float(high_text)
        except ValueError:
            lower = upper = math.nan
    if (
        not path
        or (not sep and ":" in path)
        or (sep and not ranged and not categorical)
        or (ranged and (math.isnan(lower) or math.isnan(upper)))
    ):
        raise ScenarioError(option, text, f"expected path=lo:hi, {_EXAMPLE}")
    info = find_param(path, option, schema)
    if path in NOT_FACTORS:
        raise ScenarioError(option, path, NOT_FACTORS[path])
    if info.kind in ("choice", "bool"):
        if not categorical:
            raise ScenarioError(option, path, _not_numeric(info))
        return _categorical_factor(info, bounds if sep else "", option)
    if not sep:
        if info.lower is None or info.upper is None or info.open_above:
            raise ScenarioError(
                option,
                path,
                f"the schema gives no {'lower' if info.lower is None else 'upper'} bound; "
                f"give a range, e.g. {path}=lo:hi",
            )
        return Factor(path, float(info.lower), float(info.upper), integer=info.kind == "int")
    if not ranged:
        raise ScenarioError(option, text, f"expected path=lo:hi, {_EXAMPLE}")
    if not (math.isfinite(lower) and math.isfinite(upper)):
        raise ScenarioError(option, path, "bounds must be finite numbers")
    if lower >= upper:
        raise ScenarioError(
            option, path, f"lower bound {_num(lower)} must be below upper bound {_num(upper)}"
        )
    integer = info.kind == "int"
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


def _categorical_factor(info: ParamInfo, listed: str, option: str) -> Factor:
    allowed: tuple[Any, ...] = info.choices or (False, True)
    if not listed.strip():
        return Factor(info.path, math.nan, math.nan, integer=False, choices=allowed)
    values = [parse_assignment(f"{info.path}={part.strip()}")[1] for part in listed.split(",")]
    for value in values:
        if value not in allowed or isinstance(value, bool) != (info.kind == "bool"):
            raise ScenarioError(
                option, info.path, f"{value!r} is not one of {_choice(map(repr, allowed))}"
            )
    if len(set(values)) < 2:
        raise ScenarioError(option, info.path, "give at least two different values to vary")
    return Factor(info.path, math.nan, math.nan, integer=False, choices=tuple(values))


def parse_vary(text: str, schema: type[Scenario] = Scenario) -> tuple[str, list[Any]]:
    """Parse a sweep's ``path=v1,v2,v3`` (a list of values) or ``path=lo:hi:n`` (evenly spaced).

    ``schema`` is the scenario schema (a model class's ``scenario_schema`` for its own
    parameters).

    Raises:
        InputError: The text is malformed (range values not numbers, ``n`` below 2, ...).
    """
    path, value = parse_assignment(text)
    info = find_param(path, "--vary", schema)
    raw = text.partition("=")[2].strip()
    if isinstance(value, str) and raw.count(":") == 2:
        try:
            lower, upper = float(raw.split(":")[0]), float(raw.split(":")[1])
            steps = int(raw.split(":")[2])
        except ValueError:
            raise InputError(
                f"--vary {text}: expected path=lo:hi:n with numbers, e.g. "
                "policy.incentives.nps_weight=0:1:5"
            ) from None
        if not 2 <= steps <= MAX_STEPS:
            raise InputError(f"--vary {text}: n must be between 2 and {MAX_STEPS}, got {steps}")
        values = np.linspace(lower, upper, steps)
        if info.kind == "int":
            return path, sorted({round_half_up(float(v)) for v in values})
        return path, [round(float(v), 12) for v in values]
    parts = [part.strip() for part in raw.split(",")]
    if not raw or any(not part for part in parts):
        raise InputError(
            f"--vary {text}: expected path=v1,v2,... or path=lo:hi:n, e.g. "
            "policy.incentives.nps_weight=0,0.5,1"
        )
    return path, [parse_assignment(f"{path}={part}")[1] for part in parts]


def parse_assumptions(
    assumptions: Sequence[str] | None, schema: type[Scenario] = Scenario
) -> list[Factor]:
    """The uncertain assumptions a break-even study varies (``--assume``), each with its range.

    Args:
        assumptions: ``"path=lo:hi"`` or a bare ``"path"`` (its plausible range); None for
            every uncertain assumption of the schema at its plausible range.
        schema: The scenario schema (a model class's ``scenario_schema``).

    Returns:
        The factors, in the order given (schema order for None).

    Raises:
        InputError: A path is unknown, given twice, a choice or true/false parameter, a range
            leaves the schema's bounds, or a bare path has no plausible range; or the list is
            empty.
    """
    if assumptions is None:
        return [
            Factor(info.path, *info.plausible, integer=info.kind == "int")
            for info in iter_params(schema)
            if info.plausible is not None
        ]
    option = "--assume"
    factors: list[Factor] = []
    for text in assumptions:
        if "=" in text:
            factor = parse_factor(text, option, schema=schema)
        else:
            path = text.strip()
            info = find_param(path, option, schema)
            if info.plausible is None:
                if info.kind in ("choice", "bool"):
                    parse_factor(path, option, schema=schema)  # raises: not a number
                raise ScenarioError(
                    option,
                    path,
                    f"has no plausible range in the schema; give one, e.g. {path}=lo:hi",
                )
            factor = Factor(path, *info.plausible, integer=info.kind == "int")
        if any(known.path == factor.path for known in factors):
            raise ScenarioError(option, factor.path, "given twice")
        factors.append(factor)
    if not factors:
        raise InputError(f"{option}: give at least one assumption to vary")
    return factors


def parse_target(text: str, metric_set: MetricSet = REGISTRY) -> tuple[str, float]:
    """Parse ``metric=value`` from the CLI's ``--target`` (what a calibration fits to).

    ``metric_set`` is the model class's (``NPSModel.metric_set``): its own metrics are known.

    Raises:
        InputError: The text is malformed, the metric unknown or the value not a finite number.
    """
    metric, sep, raw = text.partition("=")
    metric = metric.strip()
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not sep or not metric or not math.isfinite(value):
        raise InputError(f"--target {text}: expected metric=number, e.g. reported_nps=32")
    metric_set.check([metric], option="--target")
    return metric, value


def check_free_count(free: int, targets: int, max_evaluations: int) -> None:
    """A calibration can pin its free parameters down: enough targets and evaluations.

    It needs at least as many targets as free parameters, and two evaluations per free
    parameter and two more to explore them.

    Raises:
        InputError: More ``--free`` than ``--target``, or too small a ``--max-evaluations``.
    """
    if free > targets:
        raise InputError(
            f"--free: {free} free parameters but {targets} target(s); give at "
            "least as many targets as free parameters"
        )
    if max_evaluations < 2 * free + 2:
        raise InputError(
            f"--max-evaluations: {max_evaluations} is too few for {free} free "
            f"parameter(s); give at least {2 * free + 2}"
        )


def with_reference(
    vary: Mapping[str, Sequence[Any]],
    reference: Mapping[str, Any],
    schema: type[Scenario] = Scenario,
) -> tuple[dict[str, list[Any]], dict[str, Any]]:
    """The swept values with the reference's values among them, and the reference point.

    ``schema`` is the scenario schema the reference's values are checked against.

    Raises:
        InputError: The reference names a parameter that is not varied.
    """
    values = {path: list(options) for path, options in vary.items()}
    for path, value in reference.items():
        if path not in values:
            varied = ", ".join(values) or "none"
            raise InputError(f"--reference {path}: is not varied (varied: {varied})")
        with_overrides(schema(), {path: value}, source="--reference")  # a value it can take
        if value not in values[path]:
            ascending = _ascending(values[path])
            values[path].append(value)
            if ascending and _ascending(sorted(values[path])):
                values[path].sort()  # keeps an ascending sweep ascending; any other order stays
    point = {path: reference.get(path, options[0]) for path, options in values.items()}
    return values, point


def _ascending(values: Sequence[Any]) -> bool:
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
    return numbers and list(values) == sorted(values)


def grid(vary: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    """Every combination of the varied values, the first parameter changing slowest."""
    if not vary:
        raise InputError("--vary: give at least one parameter to vary")
    paths = list(vary)
    return [dict(zip(paths, values, strict=True)) for values in itertools.product(*vary.values())]


def latin_hypercube(dimensions: int, count: int, seed: int) -> np.ndarray:
    """``count`` points of a Latin hypercube in the unit cube (scipy's ``qmc``), seeded.

    Returns:
        One row per point, one column per dimension, every value in [0, 1).
    """
    from scipy.stats import qmc

    sampler = qmc.LatinHypercube(d=dimensions, rng=np.random.default_rng(seed))
    return sampler.random(count)


def check_design(factors: Sequence[Factor], method: str, samples: int) -> None:
    """Check what :func:`design` is asked for, without drawing it (SALib is not imported).

    The command line calls this before anything is imported or written, so a sensitivity
    analysis that cannot be analysed is refused at once, not after every run.

    Raises:
        ScenarioError: For an unknown method (``--method``), too few, duplicated or
            categorical factors or an empty range (``--param``), or a sample size the method
            cannot use (``--samples``).
    """
    if method not in METHODS:
        close = difflib.get_close_matches(method, METHODS, n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise ScenarioError("--method", method, f"unknown method, choose {_choice(METHODS)}{hint}")
    if len(factors) < MIN_FACTORS:
        # SALib refuses one (all of the variance is that factor's), after every run was made.
        raise ScenarioError(
            "--param", "", f"give at least {MIN_FACTORS} factors to compare, {_EXAMPLE}"
        )
    seen: set[str] = set()
    for factor in factors:
        if factor.path in seen:
            raise ScenarioError("--param", factor.path, "is given more than once")
        seen.add(factor.path)
        if factor.categorical:
            raise ScenarioError(
                "--param", factor.path, f"{method} needs a numeric range, not a list of values"
            )
        if not factor.lower < factor.upper:
            raise ScenarioError("--param", factor.path, "lower bound must be below upper bound")
    _check_samples(method, samples)


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
    check_design(factors, method, samples)
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


def assess(design: Design, indices: pd.DataFrame) -> list[str]:
    """Whether a sample was large enough to read its indices, in sentences for people.

    SALib estimates every index from the sample, so a small sample gives Sobol' indices outside
    their possible range [0, 1] and intervals wider than the indices themselves: nothing can be
    read from them. An index is flagged when it leaves [0, 1] by more than :data:`PRECISION`
    (Sobol'), or when its interval is wider than the index and more than :data:`PRECISION` of
    the scale (1 for Sobol' indices, the largest ``mu_star`` for Morris). The advised size is
    :func:`advised_samples`.

    Args:
        design: The design that was run.
        indices: Its indices, as :func:`analyze` returns them.

    Returns:
        No sentence when the indices can be read; otherwise what is wrong and the sample size
        that would do.
    """
    rows = indices.dropna(subset=["conf_low", "conf_high"])
    if rows.empty:
        return []
    value = rows["value"].to_numpy()
    half = (rows["conf_high"] - rows["conf_low"]).to_numpy() / 2
    sobol = design.method == "sobol"
    scale = 1.0 if sobol else max(float(np.max(np.abs(value))), np.finfo(float).tiny)
    floor = PRECISION * scale
    outside = (value < -PRECISION) | (value > 1 + PRECISION) if sobol else value < -np.inf
    wide = (half > np.abs(value)) & (half > floor)
    if not (outside.any() or wide.any()):
        return []
    shown = [
        f"{row.index} of {row.parameter} is {row.value:.2f} ± {h:.2f}"
        for row, h, bad in zip(rows.itertuples(), half, outside | wide, strict=True)
        if bad
    ]
    excess = np.maximum(np.maximum(-value, value - 1), 0.0) if sobol else np.zeros_like(value)
    needed = advised_samples(design, value, half, excess, floor)
    unit = "base samples" if sobol else "trajectories"
    problems = []
    if outside.any():
        problems.append("indices outside [0, 1]")
    if wide.any():
        problems.append("intervals wider than the indices")
    return [
        f"The sample is too small to read these indices ({' and '.join(problems)}: "
        + "; ".join(shown[:4])
        + ("; ..." if len(shown) > 4 else "")
        + f"). About {needed} {unit} (--samples {needed}) instead of {design.samples} would "
        "make every interval at most half its index (or half the precision asked of an index "
        "near zero)."
    ]


def advised_samples(
    design: Design, value: np.ndarray, half: np.ndarray, excess: np.ndarray, floor: float
) -> int:
    """The sample size at which every index would be read, estimated to hold at that size.

    Errors shrink as one over the square root of the sample, so an error ``e`` at ``N`` samples
    becomes ``t`` at ``N * (e / t) ** 2``. Two errors are read per index: its interval's
    half-width, against the larger of the index and ``floor``; and how far a Sobol' index lies
    outside [0, 1] (a bias of at least that much), against ``floor``. Each target is
    :data:`ADVICE_MARGIN` of what :func:`assess` accepts, so a run at the advised size is not
    flagged again by the noise of its own estimates; the largest need wins. It is never as many
    as were run, and for Sobol' it is rounded up to a power of two (the next one above ``N`` at
    least).

    Args:
        design: The design that was run.
        value: Every index's value.
        half: The half-widths of their intervals.
        excess: How far each lies outside [0, 1] (0 inside, and for Morris).
        floor: The precision asked of an index near zero (:data:`PRECISION` of the scale).

    Returns:
        The advised ``--samples``.
    """
    width = half / (ADVICE_MARGIN * np.maximum(np.abs(value), floor))
    bias = excess / (ADVICE_MARGIN * floor)
    factor = float(np.max(np.maximum(width, bias) ** 2))
    needed = max(math.ceil(design.samples * factor), design.samples + 1)
    if design.method == "sobol":
        needed = 1 << (needed - 1).bit_length()
    return needed


def _frame(design: Design, indices: dict[str, tuple[Any, Any]]) -> pd.DataFrame:
    """Tidy rows, factor by factor, from ``{index: (values, half-widths)}``."""
    records = []
    for column, factor in enumerate(design.factors):
        for name, (values, halves) in indices.items():
            value = float(np.ma.filled(values, np.nan)[column])
            half = float(np.ma.filled(halves, np.nan)[column])
            records.append((factor.path, name, value, value - half, value + half))
    import pandas as pd

    return pd.DataFrame.from_records(records, columns=list(COLUMNS))


def _sobol_constant(y: np.ndarray, n_factors: int) -> bool:
    """Whether SALib would find no variance in the A and B blocks (and warn)."""
    blocks = y.reshape(-1, n_factors + 2)
    base = np.concatenate([blocks[:, 0], blocks[:, -1]])
    return bool(np.ptp(base) <= np.finfo(float).eps)


def _problem(factors: Sequence[Factor], method: str) -> ProblemSpec:
    """SALib's problem; Sobol' widens integer ranges by half a unit (see :func:`design`)."""
    from SALib import ProblemSpec

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


def _not_numeric(info: ParamInfo) -> str:
    if info.choices:
        return f"takes one of {_choice(repr(c) for c in info.choices)}, not a numeric range"
    if info.kind == "bool":
        return "is true or false, not a numeric range"
    return "is not numeric"


def _allowed(info: ParamInfo) -> str:
    low = "-inf" if info.lower is None else _num(info.lower)
    high = "inf" if info.upper is None else _num(info.upper)
    return f"[{low}, {high}]"


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _choice(options: Any) -> str:
    items = list(options)
    return ", ".join(items[:-1]) + f" or {items[-1]}" if len(items) > 1 else items[0]
