"""The screen: which uncertain assumptions move a policy's net value, before any search.

Break-even cannot search 36 assumptions at once: a tornado of all of them is long and mostly
flat, a 2-D map can show two, and PRIM in 36 dimensions needs far more cases than a laptop
runs. A Morris screen (elementary effects, Morris 1991, as SALib samples and analyses it) is
cheap, about ``trajectories x (assumptions + 1)`` points, and ranks every assumption by
``mu_star``, the mean absolute change in the outcome when the assumption alone moves along its
range, with ``sigma`` saying how much that change depends on the others (interactions or
curvature). The strongest are carried into the tornado, the map and PRIM.

The outcome screened is the *paired* difference in net value, policy minus baseline, per year
over the second year: at every design point both scenarios run on the same replication seeds
(and every point shares them: common random numbers), so an elementary effect is the change
the assumption makes, not the run-to-run noise between two draws. This module turns the
design into points and the points' outcomes into the ranking; it runs no model.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from npssim.errors import InputError
from npssim.experiment import assumptions
from npssim.experiment.design import Design, Factor, analyze, design, parse_assumptions
from npssim.scenario import Scenario

if TYPE_CHECKING:  # pandas loads on the first screen, not when the command line checks inputs
    import pandas as pd

__all__ = [
    "COLUMNS",
    "Screen",
    "carried",
    "screen_design",
    "screen_indices",
    "screened_factors",
]

#: The screen's table: one row per assumption, strongest first.
COLUMNS = (
    "assumption",
    "label",
    "unit",
    "low",
    "high",
    "mu_star",
    "mu_star_low",
    "mu_star_high",
    "sigma",
    "mu",
    "rank",
)


def screened_factors(
    assumptions: Sequence[str] | None,
    schema: type[Scenario] = Scenario,
    *,
    only_assumed: bool = False,
) -> tuple[list[Factor], list[str]]:
    """The assumptions the screen moves, and those ``--assume`` named (carried whatever rank).

    Every uncertain assumption of the schema at its plausible range, with each ``--assume``
    applied: a new path is added, a known one gets the range given (``path=lo:hi``). With
    ``only_assumed`` the screen moves the ``--assume``'d ones alone.

    Raises:
        InputError: As :func:`~npssim.experiment.design.parse_assumptions`.
    """
    given = parse_assumptions(assumptions, schema) if assumptions is not None else []
    if only_assumed:
        if not given:
            raise InputError("--only-assumed: give the assumptions to screen with --assume")
        return given, [factor.path for factor in given]
    factors = {factor.path: factor for factor in parse_assumptions(None, schema)}
    factors.update({factor.path: factor for factor in given})
    return list(factors.values()), [factor.path for factor in given]


def screen_design(factors: Sequence[Factor], trajectories: int, seed: int) -> Design:
    """The Morris design over the assumptions: ``trajectories x (len(factors) + 1)`` points.

    Raises:
        ScenarioError: Fewer than two trajectories, or an assumption given twice or with an
            empty range.
    """
    return design(factors, "morris", trajectories, seed)


def screen_indices(screened: Design, outputs: np.ndarray) -> pd.DataFrame:
    """Rank the assumptions by ``mu_star`` from one paired outcome per design point.

    Args:
        screened: The Morris design that was run.
        outputs: The mean paired difference at each design row, in row order.

    Returns:
        The :data:`COLUMNS`, strongest first; ``rank`` 1 is the strongest. ``mu_star``,
        ``sigma`` and ``mu`` are in the outcome's unit (money per year) for a move of the
        assumption across its whole range; ``mu_star_low``/``high`` is SALib's bootstrap 95%
        interval of ``mu_star``.
    """
    import pandas as pd

    long = analyze(screened, outputs)
    wide = long.pivot(index="parameter", columns="index", values="value")
    conf = long[long["index"] == "mu_star"].set_index("parameter")
    rows = [
        {
            "assumption": factor.path,
            "label": assumptions.name(factor.path),
            "unit": assumptions.unit(factor.path),
            "low": factor.lower,
            "high": factor.upper,
            "mu_star": float(wide.loc[factor.path, "mu_star"]),
            "mu_star_low": float(conf.loc[factor.path, "conf_low"]),
            "mu_star_high": float(conf.loc[factor.path, "conf_high"]),
            "sigma": float(wide.loc[factor.path, "sigma"]),
            "mu": float(wide.loc[factor.path, "mu"]),
        }
        for factor in screened.factors
    ]
    frame = pd.DataFrame(rows).sort_values("mu_star", ascending=False, kind="stable")
    frame["rank"] = np.arange(1, len(frame) + 1)
    return frame.reset_index(drop=True)[list(COLUMNS)]


def carried(indices: pd.DataFrame, count: int, always: Iterable[str] = ()) -> list[str]:
    """The assumptions carried past the screen: the ``count`` strongest, and ``always``.

    Args:
        indices: :func:`screen_indices`' table (strongest first).
        count: How many of the strongest by ``mu_star`` to carry.
        always: Assumptions carried whatever their rank (those the user named with
            ``--assume``).

    Returns:
        The paths, strongest first.
    """
    keep = set(indices["assumption"].iloc[:count]) | set(always)
    return [path for path in indices["assumption"] if path in keep]


@dataclass(frozen=True, eq=False)
class Screen:
    """A finished screen: its design, its ranking and what it carries on.

    Attributes:
        design: The Morris design that ran.
        indices: :func:`screen_indices`' table.
        carried: The paths carried into the tornado, the map and PRIM, strongest first.
    """

    design: Design
    indices: pd.DataFrame
    carried: list[str]
