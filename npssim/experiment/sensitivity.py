"""Global sensitivity analysis run as an experiment: SALib designs evaluated by replications.

Each row of the SALib design is one design point; every point runs the same replication seeds,
and its output is the mean of a metric over them. Several metrics are read from the same runs,
each analysed on its own. :mod:`npssim.experiment.design` draws the design and computes the
indices; this module runs it, says which parameter matters most for each metric, and says when
the sample was too small to read the indices.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from npssim.errors import InputError
from npssim.experiment import reporting
from npssim.experiment.analysis import HORIZON_TITLES
from npssim.experiment.api import ScenarioLike, execute_plan, make_plan
from npssim.experiment.design import PRECISION, Design, Factor, analyze, assess, design
from npssim.experiment.plan import SENSITIVITY_REPLICATIONS
from npssim.experiment.results import ExperimentResults
from npssim.experiment.sweep import check_outputs, period_title
from npssim.model import NPSModel
from npssim.report import plot_indices
from npssim.report.document import Document
from npssim.report.tables import format_money

#: The index that ranks parameters in the answer: Sobol's total effect (the parameter alone and
#: with the others), Morris's mean absolute effect.
RANKING_INDEX = {"sobol": "ST", "morris": "mu_star"}


class SensitivityResults(ExperimentResults):
    """Results of a sensitivity analysis: the design's outputs and the indices of each metric.

    Args:
        sample: The SALib design that was run.
        metrics: The outputs analysed, each on its own.
        horizon: The horizon the outputs are read over.
    """

    def __init__(
        self,
        *args: Any,
        sample: Design,
        metrics: Sequence[str],
        horizon: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.sample = sample
        self.metrics = list(metrics)
        self.horizon = horizon

    @property
    def metric(self) -> str:
        """The first metric analysed (the only one, unless several were asked for)."""
        return self.metrics[0]

    @property
    def period(self) -> str:
        """What the horizon covers, in compare's words ("second year")."""
        return period_title(self, self.horizon)

    def outputs(self, metric: str | None = None) -> np.ndarray:
        """The output of every design point: a metric's mean over its replications.

        Args:
            metric: One of :attr:`metrics`; the first by default.
        """
        frame = self.per_run(self.horizon)
        return frame.groupby("point", sort=True)[metric or self.metric].mean().to_numpy()

    def indices(self) -> pd.DataFrame:
        """The sensitivity indices of every metric with their confidence intervals.

        Returns:
            ``design.analyze``'s rows, with the ``metric`` they belong to first.
        """
        return pd.concat(
            [frame.assign(metric=metric) for metric, frame in self._indices.items()],
            ignore_index=True,
        )[["metric", *next(iter(self._indices.values())).columns]]

    @cached_property
    def _indices(self) -> dict[str, pd.DataFrame]:
        # SALib's bootstrap is the slow part; tables, figures and warnings all read it once.
        return {metric: analyze(self.sample, self.outputs(metric)) for metric in self.metrics}

    def warnings(self) -> list[str]:
        """Whether the sample was large enough to read each metric's indices (``assess``)."""
        several = len(self.metrics) > 1
        return [
            f"{metric}: {warning}" if several else warning
            for metric, indices in self._indices.items()
            for warning in assess(self.sample, indices)
        ]

    def answer(self) -> list[str]:
        """The line the output opens with: which parameter matters most for each metric.

        Ranked by Sobol's total index ``ST`` (Morris: ``mu_star``) with the interval's
        half-width, and the runner-up; a sample too small to read them is said to be.
        """
        index = RANKING_INDEX[self.sample.method]
        currency = self.currencies[self.plan.labels[0]]
        parts = []
        for metric, indices in self._indices.items():
            # mu_star is in the output's unit: money reads as money.
            money = index == "mu_star" and self.metric_set.metric(metric).unit == "currency"
            shown = currency if money else None
            ranked = indices[indices["index"] == index].sort_values("value", ascending=False)
            first = ranked.iloc[0]
            text = (
                f"`{first.parameter}` matters most for {self.metric_set.metric(metric).label} "
                f"(`{metric}`: {index} {_index_text(first, shown)}"
            )
            if len(ranked) > 1:
                second = ranked.iloc[1]
                text += f"; next `{second.parameter}`, {_index_text(second, shown)}"
            parts.append(text + ")")
        unread = " The sample is too small to be sure: see the warning." if self.warnings() else ""
        return [f"{self.period.capitalize()}: " + "; ".join(parts) + "." + unread]

    def how_to_read(self) -> list[str]:
        """What the indices mean, how each point's output is made, when they can be read."""
        sobol = self.sample.method == "sobol"
        meaning = (
            "**S1** is the share of the output's variance due to the parameter alone; **ST** "
            "adds its interactions with the others. Both lie between 0 and 1."
            if sobol
            else "**mu_star** is the mean absolute change of the output when the parameter "
            "moves across its whole range (in the output's unit); **sigma** is the spread of "
            "those changes (non-linearity or interactions); **mu** their signed mean."
        )
        scale = "1" if sobol else "the largest mu_star"
        outputs = ", ".join(f"`{metric}`" for metric in self.metrics)
        return [
            meaning,
            f"Each design point's output is the mean of {outputs} over the "
            f"{HORIZON_TITLES[self.horizon]} (here the {self.period}) over "
            f"{self.plan.runs_text} that share their seeds with every other point; each metric "
            "is analysed on its own.",
            "Intervals are SALib's bootstrap 95% confidence intervals. An index can be read "
            f"when its interval is narrower than the index itself (or than {PRECISION:g} of "
            f"{scale}); otherwise a warning says so and how large a sample would do.",
            reporting.windows_note(self.plan.weeks),
        ]

    def extra_tables(self) -> dict[str, pd.DataFrame]:
        """The indices, and the design with each point's outputs."""
        design_frame = self.design.reset_index()
        for metric in self.metrics:
            design_frame[metric] = self.outputs(metric)
        return {"indices": self.indices(), "design": design_frame}

    def figures(self) -> dict[str, Figure]:
        """Each metric's indices as bars with intervals (``sensitivity_METRIC`` if several)."""
        points = len(self.plan.points)
        runs = f"{self.plan.replications} replication{'s' if self.plan.replications > 1 else ''}"
        return {
            "sensitivity" if len(self.metrics) == 1 else f"sensitivity_{metric}": plot_indices(
                indices,
                title=f"{self.sample.method.capitalize()} indices of {metric} ({self.period}), "
                f"{points} points of {runs}",
            )
            for metric, indices in self._indices.items()
        }

    def people_tables(self) -> list[tuple[str, pd.DataFrame]]:
        """The indices, a table per metric: one row per parameter, one column per index."""
        tables = []
        for metric, indices in self._indices.items():
            rows = []
            for parameter, group in indices.groupby("parameter", sort=False):
                row = {"parameter": parameter}
                for item in group.itertuples():
                    row[item.index] = _index_text(item)
                rows.append(row)
            title = (
                f"{self.plan.labels[0]}: {self.sample.method.capitalize()} sensitivity of "
                f"{metric} ({self.period}), index ± 95% interval"
            )
            tables.append((title, pd.DataFrame(rows)))
        return tables

    def report_sections(self, document: Document) -> None:
        """Say what was varied, and how many points ran."""
        factors = "; ".join(
            f"`{factor.path}` in [{factor.lower:g}, {factor.upper:g}]"
            for factor in self.sample.factors
        )
        unit = "base samples" if self.sample.method == "sobol" else "trajectories"
        document.paragraph(
            f"Factors: {factors}. {len(self.plan.points)} design points "
            f"({self.sample.method}, {self.sample.samples} {unit}), each the mean of "
            f"{self.plan.runs_text} with common seeds."
        )


def _index_text(item: Any, currency: str | None = None) -> str:
    """An index with the half-width of its interval: ``0.412 ± 0.051`` (or money's ``1.2M``)."""
    half = (item.conf_high - item.conf_low) / 2
    if currency is not None:
        text = format_money(item.value, currency)
        return text if np.isnan(half) else f"{text} ± {format_money(half, currency)}"
    text = f"{item.value:.3f}"
    return text if np.isnan(half) else f"{text} ± {half:.3f}"


def run_sensitivity(
    scenario: ScenarioLike,
    factors: Sequence[Factor],
    *,
    method: str = "sobol",
    samples: int = 16,
    metric: str | Sequence[str] = "nps_inflation",
    horizon: str = "long",
    replications: int = SENSITIVITY_REPLICATIONS,
    seed: int | None = None,
    weeks: int | None = None,
    overrides: Mapping[str, Any] | None = None,
    **execution: Any,
) -> SensitivityResults:
    """Global sensitivity of one or more metrics to several parameters, through SALib.

    Args:
        scenario: The scenario file, bundled name or :class:`Scenario`.
        factors: The parameters and their ranges (see
            :func:`npssim.experiment.design.parse_factor`).
        method: ``"sobol"`` (samples a power of two) or ``"morris"`` (samples = trajectories).
        samples: SALib's base sample size.
        metric: The output analysed, or several (each analysed on its own, from the same
            runs).
        horizon: ``"short"``, ``"long"`` or ``"end"``.
        replications: Replications averaged per design point.
        seed: Root seed (also seeds SALib's sampling and bootstrap).
        weeks: Weeks to simulate.
        overrides: Values set at every point, like ``--set``.
        **execution: ``executor``, ``workers``, ``out``, ``resume``, ``force``, ``progress``,
            ``on_finished``, ``model_class`` as in :func:`~npssim.experiment.run_experiment`.

    Returns:
        The results, with :meth:`SensitivityResults.indices` and, when the sample was too
        small to read them, :meth:`SensitivityResults.warnings`.
    """
    model = {"model_class": execution.pop("model_class")} if "model_class" in execution else {}
    model_class = model.get("model_class", NPSModel)
    metrics = [metric] if isinstance(metric, str) else list(dict.fromkeys(metric))
    if not metrics:
        raise InputError("--metric: give at least one metric to analyse")
    check_outputs(metrics, horizon, metric_set=model_class.metric_set)
    base = make_plan("sensitivity", [scenario], replications, seed, weeks, overrides, **model)
    sample = design(factors, method, samples, base.seed)
    plan = make_plan(
        "sensitivity",
        [scenario],
        replications,
        base.seed,
        weeks,
        overrides,
        points=sample.overrides(),
        options={
            "method": method,
            "samples": samples,
            "metrics": metrics,
            "horizon": horizon,
            "factors": [[f.path, f.lower, f.upper] for f in factors],
        },
        **model,
    )
    result = execute_plan(
        plan,
        results_type=SensitivityResults,
        sample=sample,
        metrics=metrics,
        horizon=horizon,
        **execution,
    )
    assert isinstance(result, SensitivityResults)
    return result
