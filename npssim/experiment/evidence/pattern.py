"""What a pattern is: a published claim, the runs it reads, how it is read and judged, its label.

In the spirit of EMA Workbench's outcomes, each pattern is one small declared object
(:class:`Pattern`): its name, the claim in words, the source figure, the variants it reads, a
function from the ledgers to a :class:`Reading` (the model's figure and whether it meets the
claim), and its **label**: whether the figure was put into the model (*input*), fitted by a free
parameter (*calibrated*), or came out of a model in which nothing was set to produce it
(*prediction*). Only predictions are evidence that the model explains something; the label says
so beside every figure, so a reader does not take an input coming back out for a finding.

Identity checks (:class:`IdentityCheck`) are kept apart: they must hold whatever the world is
like (an accounting identity, a rule's direct consequence), so they test the code, not the world.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd
from matplotlib.figure import Figure

from npssim.experiment.analysis import Interval
from npssim.experiment.evidence.runs import Ledgers, Recording, Sweep, Variant
from npssim.report import plot_intervals, plot_sweep
from npssim.scenario import params_by_path

Label = Literal["input", "calibrated", "prediction"]
#: Every label, with what it means: the document's legend.
LABELS: dict[str, str] = {
    "input": "a parameter was set with that figure in mind",
    "calibrated": "a free parameter was fitted to it",
    "prediction": "nothing was set to produce it",
}


@dataclass(frozen=True)
class Reading:
    """What the model's runs say about one pattern.

    Attributes:
        estimate: The headline figure over replications (mean and 95% interval).
        shown: The figure as text, in its unit, with whatever else the claim reads.
        holds: Whether it meets what the source leads one to expect.
        figure: The figure that shows it.
        detail: Computed text for the note (sizes beside the headline), or empty.
    """

    estimate: Interval
    shown: str
    holds: bool
    figure: Figure | None = None
    detail: str = ""


@dataclass(frozen=True)
class Pattern:
    """One published pattern, declared once.

    Attributes:
        key: Short name, also the figure's file name.
        claim: The published pattern, in words.
        source: Where it was published.
        expected: What the source leads one to expect of the model's figure.
        label: ``input``, ``calibrated`` or ``prediction`` (see :data:`LABELS`).
        why: One line on why it has that label.
        reads: The runs it reads (variants, and any in-process recording).
        compute: From the ledgers to the reading.
        note: How the model produces it.
        set_by: The parameters set with its figure in mind or fitted to it (empty for a
            prediction): a reader can look each one up in ``npssim params``.
        cites: Words that name its figure in a parameter's ``source`` (an author, a study), so
            that :func:`citing_parameters` finds a parameter set with the figure in mind.
        weekly: Metrics it draws week by week (from :attr:`Ledgers.weekly`).
    """

    key: str
    claim: str
    source: str
    expected: str
    label: Label
    why: str
    reads: tuple[Variant | Recording, ...]
    compute: Callable[[Ledgers], Reading]
    note: str
    set_by: tuple[str, ...] = ()
    cites: tuple[str, ...] = ()
    weekly: tuple[str, ...] = ()


@dataclass(frozen=True)
class IdentityCheck:
    """Something that must hold in any world the model can describe: a test of the code.

    Attributes:
        key: Short name, also the figure's file name.
        claim: What must hold, in words.
        reason: Why it must hold (the identity, or the rule it follows from).
        reads: The runs it reads.
        compute: From the ledgers to the reading.
    """

    key: str
    claim: str
    reason: str
    reads: tuple[Variant | Recording, ...]
    compute: Callable[[Ledgers], Reading]
    weekly: tuple[str, ...] = ()


@dataclass(frozen=True)
class Finding:
    """A pattern or identity check, as the runs found it (or why it could not be computed).

    Attributes:
        check: The pattern or identity check.
        reading: What the runs say, or None when a run it reads could not be built.
        missing: Why it could not be computed (the runs this model cannot build).
    """

    check: Pattern | IdentityCheck
    reading: Reading | None
    missing: tuple[str, ...] = field(default_factory=tuple)

    @property
    def key(self) -> str:
        """The pattern's short name."""
        return self.check.key

    @property
    def computed(self) -> bool:
        """Whether every run it reads was built, so it has a figure."""
        return self.reading is not None

    @property
    def holds(self) -> bool | None:
        """Whether the figure meets the claim; None when it could not be computed."""
        return None if self.reading is None else bool(self.reading.holds)

    @property
    def status(self) -> str:
        """``holds``, ``does not hold`` or ``not computed``: what the document says of it."""
        if self.reading is None:
            return "not computed"
        return "holds" if self.reading.holds else "does not hold"


def find(check: Pattern | IdentityCheck, ledgers: Ledgers) -> Finding:
    """Compute one pattern from the ledgers, or say which of its runs this model lacks."""
    missing = ledgers.unavailable(check.reads)
    if missing:
        return Finding(check, None, tuple(missing))
    return Finding(check, check.compute(ledgers))


def citing_parameters(pattern: Pattern, sources: Mapping[str, str] | None = None) -> list[str]:
    """The parameters whose ``source`` names the pattern's figure (any of its :attr:`cites`).

    A prediction should have none, except a parameter switched off in every run it reads (then
    the rule it cites plays no part in the figure).

    Args:
        pattern: The pattern.
        sources: Source text by parameter path (the schema's by default).
    """
    if sources is None:
        sources = {path: info.source for path, info in params_by_path().items()}
    found = [
        path
        for path, source in sources.items()
        if any(word.lower() in source.lower() for word in pattern.cites)
    ]
    variants = [run for run in pattern.reads if isinstance(run, Variant)]
    return [
        path
        for path in found
        if not variants or not all(variant.change.get(path) == 0.0 for variant in variants)
    ]


# ------------------------------------------------------------------ text and frames


def points(value: Interval) -> str:
    """NPS points with their interval."""
    return f"{value.mean:+.1f} ({value.low:+.1f} to {value.high:+.1f}) points"


def share(value: Interval) -> str:
    """A share with its interval."""
    return f"{value.mean:.1%} ({value.low:.1%} to {value.high:.1%})"


def money(value: Interval) -> str:
    """An amount of money with its interval."""
    return f"{value.mean:+,.0f} ({value.low:+,.0f} to {value.high:+,.0f})"


def rows(estimates: Mapping[str, Interval]) -> pd.DataFrame:
    """Labelled intervals, as :func:`~npssim.report.plot_intervals` draws them."""
    return pd.DataFrame(
        [
            {"label": label, "mean": value.mean, "ci_low": value.low, "ci_high": value.high}
            for label, value in estimates.items()
        ]
    )


def plot_estimates(
    estimates: Mapping[str, Interval],
    title: str,
    unit: str,
    expected: tuple[float, float] | None = None,
) -> Figure:
    """Labelled intervals side by side, with the range a published figure implies shaded."""
    return plot_intervals(rows(estimates), title, unit, expected=expected)


def plot_along(sweep: Sweep, estimates: list[Interval], metric: str, title: str) -> Figure:
    """Estimates at every point of a sweep, drawn as :func:`~npssim.report.plot_sweep` draws."""
    curve = pd.DataFrame(
        {
            sweep.parameter: list(sweep.values),
            "metric": metric,
            "mean": [estimate.mean for estimate in estimates],
            "ci_low": [estimate.low for estimate in estimates],
            "ci_high": [estimate.high for estimate in estimates],
        }
    )
    return plot_sweep(curve, sweep.parameter, [metric], title=title)


def below_zero(value: Interval) -> bool:
    """Clearly below zero: the whole interval is."""
    return bool(value.high < 0)


def above_zero(value: Interval) -> bool:
    """Clearly above zero: the whole interval is."""
    return bool(value.low > 0)


def around_zero(value: Interval) -> bool:
    """Zero within the interval, over at least two replications (one has no interval)."""
    return bool(value.n > 1 and value.low <= 0 <= value.high)
