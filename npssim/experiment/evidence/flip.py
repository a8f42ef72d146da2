"""Where a policy's verdict changes sign along an assumption no published figure pins down.

Not a pattern and not a test: it shows how far the answer for an individual bonus on an honest
survey depends on how strongly reps' effort responds to the stake. Whether and where the sign
changes is whatever the runs say.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure

from npssim.experiment.analysis import Interval, interval
from npssim.experiment.evidence.pattern import plot_along
from npssim.experiment.evidence.runs import BASELINE, THIRD_PARTY, Ledgers, Sweep
from npssim.scenario import params_by_path

#: How far reps' effort responds to the stake, in the sweep where the verdict can flip.
EFFORT_RESPONSES = (0.0, 0.3, 0.6, 1.0, 1.5)
#: The policy swept for the flip: individual pay on an independent, honest survey.
EFFORT = Sweep(THIRD_PARTY, "reps.service_response", EFFORT_RESPONSES)
#: The runs the flip reads.
READS = (BASELINE, *EFFORT.variants)


@dataclass(frozen=True)
class Flip:
    """Where a policy's verdict changes sign along an uncertain assumption.

    Attributes:
        scenario: The policy read against ``baseline``.
        parameter: The assumption swept.
        values: The values swept.
        default: The assumption's default value.
        net_value: The long-run paired net value difference at each value.
        crossing: Where the mean difference crosses zero (linear between points), or NaN.
        figure: The figure that shows it.
    """

    scenario: str
    parameter: str
    values: tuple[float, ...]
    default: float
    net_value: tuple[Interval, ...]
    crossing: float
    figure: Figure

    @property
    def changes_sign(self) -> bool:
        """Whether the difference is clearly below zero somewhere and clearly above elsewhere."""
        return any(v.high < 0 for v in self.net_value) and any(v.low > 0 for v in self.net_value)


def crossing(values: tuple[float, ...], means: np.ndarray) -> float:
    """Where a line through the points first crosses zero (linear between points), or NaN."""
    for index in range(len(means) - 1):
        a, b = means[index], means[index + 1]
        if np.sign(a) != np.sign(b):
            x0, x1 = values[index], values[index + 1]
            return float(x0 + (x1 - x0) * a / (a - b))
    return float("nan")


def read_flip(ledgers: Ledgers) -> Flip:
    """Net value of the flip scenario against baseline along the effort response."""
    baseline = ledgers.values(BASELINE, "net_value")
    estimates = [
        interval(ledgers.values(EFFORT.at(value), "net_value") - baseline)
        for value in EFFORT_RESPONSES
    ]
    means = np.array([estimate.mean for estimate in estimates])
    return Flip(
        scenario=THIRD_PARTY.name,
        parameter=EFFORT.parameter,
        values=EFFORT_RESPONSES,
        default=float(params_by_path()[EFFORT.parameter].default),
        net_value=tuple(estimates),
        crossing=crossing(EFFORT_RESPONSES, means),
        figure=plot_along(
            EFFORT,
            estimates,
            "net_value",
            f"{THIRD_PARTY.name}: net value against baseline, per year, by how far effort "
            "responds to the stake",
        ),
    )
