"""The spread of an answer over plausible assumptions: in how many plausible firms a policy pays.

A comparison's 95% interval covers run-to-run noise only: it says how sure the answer is *for
the firm the scenario describes*. A leader also needs to know how far the answer rests on the
assumptions nobody has measured (the schema's uncertain assumptions, each with a ``plausible``
range). This module answers that with one experiment:

- **plausible firms**: a Latin hypercube (scipy's ``qmc``, seeded from the root seed) over every
  uncertain assumption at its plausible range, the others at the scenario's own values;
- **the same firms for every policy**: each sampled point is one design point of a single
  :class:`~npssim.experiment.plan.Plan` holding the baseline and every policy;
- **common random numbers**: replication *i* has the same seed in every sampled firm and every
  scenario, so the paired difference (policy minus baseline) cancels most of the run-to-run
  noise and one replication per firm is enough;
- **the outcome**: the firm's net money over the long run (the last four quarters: the second
  year of a two-year run), per year, paired against the baseline.

What a reader gets per policy (:class:`AssumptionSpread`): the firms where it pays (K of N), the
10th and 90th percentiles of the paired difference, and the conditions under which the verdict
flips: PRIM's box (EMA Workbench, :func:`~npssim.experiment.discovery.find_box`) around the
minority outcome, each assumption named as break-even names it (what a firm could measure, with
its unit: :mod:`npssim.experiment.assumptions`). The runs go through the ordinary
engine (:func:`~npssim.experiment.api.execute_plan`), so they are stored as they finish when
``out`` is given, and ``resume`` completes an interrupted spread.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from npssim.errors import InputError
from npssim.experiment import assumptions
from npssim.experiment.api import ExecutorLike, ScenarioLike, execute_plan, make_plan
from npssim.experiment.breakeven_results import StageResults
from npssim.experiment.defaults import ASSUMPTION_MIN_SAMPLES, ASSUMPTION_SAMPLES
from npssim.experiment.design import Factor, parse_assumptions
from npssim.experiment.discovery import PRIM_DENSITY, PrimBox, find_box, load_prim
from npssim.experiment.discovery import sample_points as hypercube_points
from npssim.model import NPSModel
from npssim.report.spread import plot_assumption_spread
from npssim.report.tables import format_money

__all__ = [
    "DEFAULT",
    "MIN_SAMPLES",
    "AssumptionSpread",
    "assumption_spread",
    "sample_points",
]

#: Plausible firms sampled when none are asked for (see :mod:`npssim.experiment.defaults`).
DEFAULT = ASSUMPTION_SAMPLES
MIN_SAMPLES = ASSUMPTION_MIN_SAMPLES
#: The window the outcome is read over: the last four quarters, so the amount is per year.
HORIZON = "long"
#: The outcome that decides whether a policy pays: the firm's net money.
OUTCOME = "net_value"
#: The percentiles of the paired difference a statement gives: the middle 80% of plausible firms.
PERCENTILES = (10, 90)
#: A flip condition is stated only where the flipped outcome holds for most firms inside it, as
#: break-even asks of its box (``PRIM_DENSITY``, 80%): a leader acts on it as a rule, and a box
#: where the policy does as it does elsewhere in two firms of five is no rule.
FLIP_DENSITY = PRIM_DENSITY
#: Fewest sampled firms of the flipped outcome a flip's box must hold: a box drawn round one
#: or two firms describes those firms, not a condition a leader could check.
FLIP_MIN_FIRMS = 3
#: Stream of the root seed that draws the plausible firms (apart from the replication seeds,
#: and from break-even's own hypercube, stream 3).
_LHS_STREAM = 4
#: The stage name recorded in the plan's options (and so in ``--resume``'s identity).
STAGE = "assumptions"


def sample_points(factors: Sequence[Factor], samples: int, seed: int) -> list[dict[str, Any]]:
    """The plausible firms: a seeded Latin hypercube over the factors' ranges.

    Args:
        factors: The uncertain assumptions with their plausible ranges.
        samples: How many firms.
        seed: The experiment's root seed (the hypercube's own stream is spawned from it).

    Returns:
        One mapping of dotted path to value per firm, the same for the same seed.
    """
    lhs_seed = int(np.random.SeedSequence([seed, _LHS_STREAM]).generate_state(1)[0])
    return hypercube_points(factors, samples, lhs_seed)


@dataclass(frozen=True)
class Flip:
    """Where a policy's verdict over plausible firms flips: PRIM's box around the minority.

    Attributes:
        pays: True when the box is where the policy pays (it mostly loses money elsewhere);
            False when it is where the policy loses money (it mostly pays).
        words: The box's restrictions in words (:func:`box_words`).
        inside: Sampled firms inside the box.
        flipped: Of those, the firms with the minority outcome.
    """

    pays: bool
    words: str
    inside: int
    flipped: int


class AssumptionSpread:
    """Each policy's net value against the baseline in every sampled plausible firm.

    Args:
        frame: One row per policy and sampled firm: ``policy``, ``firm`` (the design point),
            the sampled value of every assumption (one column per dotted path), ``difference``
            (the mean paired difference in net value per year over the replications) and
            ``pays`` (``difference > 0``).
        assumptions: The sampled assumptions' paths (columns of ``frame``).
        baseline: The baseline's label.
        currency: The firm's currency.
        replications: Replications per scenario and firm.
        seed: The root seed.
        runs: Runs made (all scenarios and firms).
        wall_seconds: Wall time of the runs in this session.
        names: Each policy's scenario name where it differs from its label (a label is safe
            as a file name: "bonus from week 26" is labelled ``bonus_from_week_26``); either
            finds the policy.
    """

    def __init__(
        self,
        frame: pd.DataFrame,
        *,
        assumptions: Sequence[str],
        baseline: str,
        currency: str = "",
        replications: int = 1,
        seed: int | None = None,
        runs: int = 0,
        wall_seconds: float = math.nan,
        names: Mapping[str, str] | None = None,
    ) -> None:
        missing = {"policy", "firm", "difference", *assumptions} - set(frame.columns)
        if missing:
            raise ValueError(f"the spread's frame lacks {', '.join(sorted(missing))}")
        self._frame = frame.assign(pays=frame["difference"] > 0).reset_index(drop=True)
        self.assumptions = list(assumptions)
        self.baseline = baseline
        self.currency = currency
        self.replications = replications
        self.seed = seed
        self.runs = runs
        self.wall_seconds = wall_seconds
        self._flips: dict[str, Flip | None] = {}
        self._labels = {name: label for label, name in (names or {}).items() if name != label}

    # ------------------------------------------------------------------ numbers

    @property
    def policies(self) -> list[str]:
        """The policies' labels, in the order they were given."""
        return list(dict.fromkeys(self._frame["policy"]))

    @property
    def samples(self) -> int:
        """How many plausible firms were sampled (N)."""
        return int(self._frame["firm"].nunique())

    def frame(self) -> pd.DataFrame:
        """One row per policy x sampled firm: the assumptions' values and the paired difference.

        This is ``assumptions.csv`` in a comparison's folder.
        """
        return self._frame.copy()

    def _rows(self, policy: str) -> pd.DataFrame:
        policy = self._labels.get(policy, policy)
        rows = self._frame[self._frame["policy"] == policy]
        if rows.empty:
            raise KeyError(f"no policy labelled {policy!r} in the spread ({self.policies})")
        return rows

    def pays(self, policy: str) -> tuple[int, int]:
        """(K, N): the sampled firms where the policy pays (mean paired difference > 0), of all."""
        rows = self._rows(policy)
        return int(rows["pays"].sum()), len(rows)

    def percentiles(self, policy: str) -> tuple[float, float]:
        """The 10th and 90th percentiles of the paired difference over the sampled firms."""
        values = self._rows(policy)["difference"].to_numpy(float)
        low, high = np.percentile(values, PERCENTILES)
        return float(low), float(high)

    def __contains__(self, policy: str) -> bool:
        """Whether the spread holds a policy, by its label or its scenario's name."""
        return self._labels.get(policy, policy) in self.policies

    def flip(self, policy: str) -> Flip | None:
        """Where the verdict over plausible firms flips, or None when no such region was found.

        The verdict is what most sampled firms say (pays, or loses money); PRIM looks for the
        box of assumptions that holds the others. None when every firm agrees, when PRIM finds
        no box that restricts an assumption, or when inside the box the flipped outcome holds
        for fewer than :data:`FLIP_DENSITY` of the firms.
        """
        policy = self._labels.get(policy, policy)
        if policy not in self._flips:
            self._flips[policy] = self._find_flip(policy)
        return self._flips[policy]

    def _find_flip(self, policy: str) -> Flip | None:
        rows = self._rows(policy)
        paying = rows["pays"].to_numpy(bool)
        if paying.all() or not paying.any():
            return None
        prim = load_prim()
        if prim is None:
            return None
        mostly_pays = paying.mean() > 0.5
        target = ~paying if mostly_pays else paying
        x = rows[self.assumptions].astype(float).reset_index(drop=True)
        box = find_box(prim, x, target)
        if not isinstance(box, PrimBox) or box.limits.empty or box.density < FLIP_DENSITY:
            return None
        inside = np.ones(len(x), dtype=bool)
        for limit in box.limits.itertuples():
            values = x[limit.assumption].to_numpy()
            inside &= (values >= limit.lower) & (values <= limit.upper)
        flipped = int((inside & target).sum())
        if flipped < FLIP_MIN_FIRMS:
            return None
        return Flip(
            pays=not mostly_pays,
            words=box_words(box.limits, self.currency),
            inside=int(inside.sum()),
            flipped=flipped,
        )

    def conditions(self, policy: str) -> str | None:
        """The PRIM box in words (where the verdict flips), or None: "no flip found"."""
        flip = self.flip(policy)
        return None if flip is None else flip.words

    def statement(self, policy: str) -> str:
        """One plain sentence: in how many plausible firms it pays, the spread, where it flips."""
        paying, cases = self.pays(policy)
        low, high = self.percentiles(policy)
        text = (
            f"pays in {paying} of {cases} plausible firms (10th-90th percentile "
            f"{format_money(low, signed=True)} to {format_money(high, self.currency, signed=True)}"
            " a year)"
        )
        flip = self.flip(policy)
        if flip is None:
            return f"{text}; no flip found."
        where = "it pays only when" if flip.pays else "it loses money when"
        return f"{text}; {where} {flip.words} ({flip.flipped} of {flip.inside} such firms)."

    # ------------------------------------------------------------------ output

    def figure(self, title: str | None = None) -> Figure:
        """The paired difference in every plausible firm, per policy, with zero marked."""
        return plot_assumption_spread(
            self._frame,
            self.currency,
            title
            or f"Net value against {self.baseline} in {self.samples} plausible firms (per year)",
        )

    def describe(self) -> str:
        """How the firms were sampled, for a report's notes."""
        return (
            f"{self.samples} plausible firms: a Latin hypercube over the {len(self.assumptions)} "
            "uncertain assumptions of the schema, each within its plausible range (the "
            "others at the scenario's values), the same firms for the baseline and every policy; "
            f"{self.replications} replication{'s' if self.replications != 1 else ''} per firm on "
            "the same seeds everywhere (common random numbers), so the paired difference is "
            "mostly the assumptions' doing. A policy pays in a firm when its mean paired "
            "difference in net value over the long run is above zero. Where the verdict flips is "
            "PRIM's box (EMA Workbench) around the minority outcome, stated only when that "
            f"outcome holds for at least {FLIP_DENSITY:.0%} of the firms inside it and for at "
            f"least {FLIP_MIN_FIRMS} of them."
        )


# ---------------------------------------------------------------------- words


def box_words(limits: pd.DataFrame, currency: str = "") -> str:
    """A PRIM box's restrictions in words: each assumption as a firm could measure it, with units.

    Assumptions are named as break-even names them (:mod:`npssim.experiment.assumptions`), so
    one reads the same in every answer.

    Args:
        limits: One row per restricted assumption: ``assumption`` (its path), ``lower``,
            ``upper`` and ``restricted`` (above, below or between), as :class:`PrimBox` has.
        currency: The firm's currency, for amounts of money.

    Returns:
        E.g. "satisfaction points a follow-up call restores to a detractor is above 1.50
        points".
    """
    parts = []
    for row in limits.itertuples():
        path = str(row.assumption)
        name = assumptions.lower_first(assumptions.name(path))
        low = assumptions.with_unit(path, row.lower, currency)
        high = assumptions.with_unit(path, row.upper, currency)
        if row.restricted == "above":
            parts.append(f"{name} is above {low}")
        elif row.restricted == "below":
            parts.append(f"{name} is below {high}")
        else:
            parts.append(f"{name} is between {low} and {high}")
    return parts[0] if len(parts) == 1 else "; ".join(parts[:-1]) + "; and " + parts[-1]


# ---------------------------------------------------------------------- the experiment


def assumption_spread(
    policies: Sequence[ScenarioLike],
    baseline: ScenarioLike,
    *,
    samples: int = DEFAULT,
    replications: int = 1,
    seed: int | None = None,
    executor: ExecutorLike = None,
    workers: int | None = None,
    progress: bool | None = None,
    model: type[NPSModel] = NPSModel,
    out: str | Path | None = None,
    resume: bool = False,
    force: bool = False,
) -> AssumptionSpread:
    """Each policy's net value against the baseline in ``samples`` plausible firms.

    Args:
        policies: The policies' scenario files, bundled names or :class:`Scenario` objects.
        baseline: What they are compared with.
        samples: Plausible firms (at least :data:`MIN_SAMPLES`).
        replications: Replications per scenario and firm (common random numbers make one
            enough).
        seed: Root seed (the baseline's ``run.seed`` by default): it draws the firms and the
            replication seeds.
        executor: As in :func:`~npssim.experiment.run_experiment`.
        workers: Local worker processes.
        progress: Show a progress bar.
        model: The model class every run builds.
        out: Store every run here as it finishes (a comparison stores them in its folder's
            ``assumptions/``).
        resume: Complete the spread already started in ``out``.
        force: Replace npssim's earlier runs in ``out``.

    Returns:
        The spread; the same for the same root seed whatever executor ran it.

    Raises:
        InputError: Too few samples, or no policy.
    """
    if samples < MIN_SAMPLES:
        raise InputError(f"samples: at least {MIN_SAMPLES} plausible firms, got {samples}")
    sources = list(policies)
    if not sources:
        raise InputError("policies: give at least one policy to compare with the baseline")
    factors = parse_assumptions(None, model.scenario_schema)
    base = make_plan(
        "compare", [baseline, *sources], replications, seed, None, None, model_class=model
    )
    points = sample_points(factors, samples, base.seed)
    plan = dataclasses.replace(base, points=tuple(points), options={"stage": STAGE})
    stage = execute_plan(
        plan,
        executor=executor,
        workers=workers,
        out=out,
        resume=resume,
        force=force,
        progress=bool(progress),
        results_type=StageResults,
    )
    assert isinstance(stage, StageResults)
    reference, *labels = plan.labels
    design = pd.DataFrame(points)
    frames = []
    for label in labels:
        paired = stage.paired(label, reference, HORIZON)
        frames.append(
            design.assign(difference=paired.mean(axis=1))
            .rename_axis("firm")
            .reset_index()
            .assign(policy=label)
        )
    frame = pd.concat(frames, ignore_index=True)
    frame = frame[["policy", "firm", *design.columns, "difference"]]
    return AssumptionSpread(
        frame,
        assumptions=[factor.path for factor in factors],
        baseline=reference,
        currency=plan.scenarios[reference].firm.currency,
        replications=replications,
        seed=plan.seed,
        runs=len(stage.runs),
        wall_seconds=stage.wall_seconds,
        names={label: plan.scenarios[label].name for label in labels},
    )
