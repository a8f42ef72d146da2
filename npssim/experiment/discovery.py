"""Scenario discovery: PRIM's box of the uncertain assumptions in which a policy pays.

Break-even's last stage samples the carried assumptions together (a Latin hypercube) and asks
PRIM (the Patient Rule Induction Method of EMA Workbench) for a box where the policy pays: a
short rule a leader can repeat ("it pays when X < a and Y > b"), with how often it holds
(density) and how much of the paying cases it explains (coverage). This module holds the box,
how it is chosen along PRIM's peeling trajectory, and the sentence that states it; it runs no
model (:mod:`npssim.experiment.breakeven` runs the sample).

:func:`find_box`, :func:`load_prim` and :class:`PrimBox` keep the signatures they had in
``npssim.experiment.breakeven`` (which still re-exports them).
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from npssim.experiment import assumptions
from npssim.experiment.design import Factor, latin_hypercube

__all__ = [
    "INSTALL_HINT",
    "PRIM_DENSITY",
    "PRIM_MAX_DIMENSIONS",
    "PrimBox",
    "find_box",
    "load_prim",
    "prim_outcome",
    "prim_statement",
    "sample_points",
]

#: The share of paying cases a PRIM box must hold to be reported as "where it pays".
PRIM_DENSITY = 0.8
#: Most assumptions a box may restrict and still be stated: a rule a leader can repeat. PRIM's
#: last peels often trim a little off many dimensions for a few points of density.
PRIM_MAX_DIMENSIONS = 3
#: What the statement says without EMA Workbench.
INSTALL_HINT = (
    'Scenario discovery (PRIM) needs EMA Workbench: pip install "npssim[ema]"; the screen, the '
    "tornado and the map do not."
)


@dataclass(frozen=True, eq=False)
class PrimBox:
    """The box PRIM chose: where the policy pays.

    Attributes:
        limits: One row per restricted assumption: ``assumption``, ``label``, ``lower``,
            ``upper``, ``restricted`` (which side: above, below or between).
        coverage: Share of all paying cases inside the box.
        density: Share of the cases inside the box that pay.
        mass: Share of all cases inside the box.
    """

    limits: pd.DataFrame
    coverage: float
    density: float
    mass: float


def sample_points(
    factors: Sequence[Factor], samples: int, seed: int
) -> list[dict[str, float | int]]:
    """A Latin hypercube over the factors' ranges: ``samples`` points, ``{path: value}`` each."""
    shares = latin_hypercube(len(factors), samples, seed)
    return [
        {
            factor.path: int(factor.at(share)) if factor.integer else float(factor.at(share))
            for factor, share in zip(factors, row, strict=True)
        }
        for row in shares
    ]


def load_prim() -> Any:
    """EMA Workbench's PRIM module, or None when EMA Workbench is not installed."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", module="ema_workbench")
        try:
            import ema_workbench  # noqa: F401  (refused first when sys.modules says it is absent)
            from ema_workbench.analysis import prim
        except ImportError:
            return None
    return prim


def find_box(prim: Any, x: pd.DataFrame, y: np.ndarray) -> PrimBox | str:
    """Run PRIM on the sampled points and choose the box where the policy pays.

    The box chosen along the peeling trajectory is the one with the highest coverage among
    those of density at least :data:`PRIM_DENSITY` that restrict at most
    :data:`PRIM_MAX_DIMENSIONS` assumptions (failing that, the densest of those short boxes;
    the statement gives its density, so a weaker rule reads as one): a short rule that holds
    for most of its cases and explains as many paying cases as it can.

    Args:
        prim: ``ema_workbench.analysis.prim`` (EMA Workbench 2.5 or 3).
        x: The sampled assumptions, one column per dotted path.
        y: Whether the policy pays at each point.

    Returns:
        The box, or a sentence saying why PRIM found none.
    """
    with warnings.catch_warnings():
        # Both versions warn from their own pandas calls; those are not npssim's to fix.
        warnings.filterwarnings("ignore", module="ema_workbench")
        # EMA Workbench 2.5 needs a density threshold; 3 refuses one.
        takes_threshold = "threshold" in inspect.signature(prim.Prim).parameters
        options = {"threshold": PRIM_DENSITY} if takes_threshold else {}
        finder = prim.Prim(x, y, **options)
        box = finder.find_box()
        if box is None:
            return "PRIM found no box of these assumptions where the policy pays."
        trajectory = box.peeling_trajectory
        short = trajectory[trajectory["res_dim"] <= PRIM_MAX_DIMENSIONS]
        dense = short[short["density"] >= PRIM_DENSITY]
        if not dense.empty:
            chosen = dense["coverage"].idxmax()
        elif not short.empty:  # no short rule is that dense: the densest short one, said so
            chosen = short.sort_values(["density", "coverage"]).index[-1]
        else:
            chosen = trajectory["density"].idxmax()
        box.select(chosen)
        limits = box.box_lim
    rows = []
    for path in x.columns:
        lower, upper = float(limits.loc[0, path]), float(limits.loc[1, path])
        above, below = lower > float(x[path].min()), upper < float(x[path].max())
        if above or below:
            rows.append(
                {
                    "assumption": path,
                    "label": assumptions.name(path),
                    "lower": lower,
                    "upper": upper,
                    "restricted": "between" if above and below else "above" if above else "below",
                }
            )
    row = trajectory.loc[chosen]
    return PrimBox(
        limits=pd.DataFrame(rows, columns=["assumption", "label", "lower", "upper", "restricted"]),
        coverage=float(row["coverage"]),
        density=float(row["density"]),
        mass=float(row["mass"]),
    )


def prim_outcome(policy: str, frame: pd.DataFrame, varied: Sequence[str]) -> PrimBox | str:
    """The box where the policy pays over a sample, or why there is none (a sentence).

    Args:
        policy: The policy's label.
        frame: One row per sampled case: a column per varied assumption and ``pays``.
        varied: The assumptions' paths.
    """
    cases = len(frame)
    paying = int(frame["pays"].sum())
    if paying == 0:
        return (
            f"{policy} pays in none of the {cases} cases sampled: no combination of these "
            "assumptions within their ranges makes it pay."
        )
    if paying == cases:
        return (
            f"{policy} pays in every one of the {cases} cases sampled: no combination of these "
            "assumptions within their ranges makes it lose money."
        )
    prim = load_prim()
    if prim is None:
        return INSTALL_HINT
    return find_box(prim, frame[list(varied)].astype(float), frame["pays"].to_numpy(bool))


def prim_statement(
    policy: str, outcome: PrimBox | str, frame: pd.DataFrame, currency: str = ""
) -> str:
    """Where the policy pays, as PRIM's box says, in one sentence (or why there is none).

    Args:
        policy: The policy's label.
        outcome: :func:`prim_outcome`'s box or sentence.
        frame: The sampled cases (their count and ``pays``).
        currency: The firm's currency, for an assumption measured in money.
    """
    if isinstance(outcome, str):
        return outcome
    cases = len(frame)
    if outcome.limits.empty:
        return (
            f"{policy} pays in {frame['pays'].mean():.0%} of the {cases} cases sampled, with no "
            "region of these assumptions where it clearly does."
        )
    conditions = []
    for row in outcome.limits.itertuples():
        label = assumptions.lower_first(str(row.label))

        def value(number: float, path: str = str(row.assumption)) -> str:
            return assumptions.with_unit(path, number, currency)

        if row.restricted == "above":
            conditions.append(f"{label} > {value(row.lower)}")
        elif row.restricted == "below":
            conditions.append(f"{label} < {value(row.upper)}")
        else:
            conditions.append(f"{label} between {value(row.lower)} and {value(row.upper)}")
    joined = (
        conditions[0]
        if len(conditions) == 1
        else "; ".join(conditions[:-1]) + "; and " + conditions[-1]
    )
    return (
        f"{policy} pays when {joined}: {outcome.density:.0%} of such cases, covering "
        f"{outcome.coverage:.0%} of all paying cases ({cases} cases sampled)."
    )
