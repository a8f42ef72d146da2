"""Global sensitivity analysis run as an experiment: SALib designs evaluated by replications.

Each row of the SALib design is one design point; every point runs the same replication seeds,
and its output is the mean of one metric over them. :mod:`npssim.experiment.design` draws the
design and computes the indices; this module runs it, and says when the sample was too small to
read them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from npssim.experiment import reporting
from npssim.experiment.analysis import HORIZON_TITLES
from npssim.experiment.api import ScenarioLike, execute_plan, make_plan
from npssim.experiment.design import PRECISION, Design, Factor, analyze, assess, design
from npssim.experiment.plan import SENSITIVITY_REPLICATIONS
from npssim.experiment.results import ExperimentResults
from npssim.experiment.sweep import check_outputs
from npssim.model import NPSModel
from npssim.report import plot_indices
from npssim.report.document import Document


class SensitivityResults(ExperimentResults):
    """Results of a sensitivity analysis: the design's outputs and the indices.

    Args:
        sample: The SALib design that was run.
        metric: The output analysed.
        horizon: The horizon the output is read over.
    """

    def __init__(
        self, *args: Any, sample: Design, metric: str, horizon: str, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.sample = sample
        self.metric = metric
        self.horizon = horizon

    def outputs(self) -> np.ndarray:
        """The output of every design point: the metric's mean over its replications."""
        frame = self.per_run(self.horizon)
        return frame.groupby("point", sort=True)[self.metric].mean().to_numpy()

    def indices(self) -> pd.DataFrame:
        """The sensitivity indices with their confidence intervals (see ``design.analyze``)."""
        return self._indices.copy()

    @cached_property
    def _indices(self) -> pd.DataFrame:
        # SALib's bootstrap is the slow part; tables, figures and warnings all read it once.
        return analyze(self.sample, self.outputs())

    def warnings(self) -> list[str]:
        """Whether the sample was large enough to read the indices (``design.assess``)."""
        return assess(self.sample, self.indices())

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
        return [
            meaning,
            f"Each design point's output is the mean of `{self.metric}` "
            f"({HORIZON_TITLES[self.horizon]}) over {self.plan.runs_text} that share their "
            "seeds with every other point.",
            "Intervals are SALib's bootstrap 95% confidence intervals. An index can be read "
            f"when its interval is narrower than the index itself (or than {PRECISION:g} of "
            f"{scale}); otherwise a warning says so and how large a sample would do.",
            reporting.windows_note(self.plan.weeks),
        ]

    def extra_tables(self) -> dict[str, pd.DataFrame]:
        """The indices, and the design with each point's output."""
        design_frame = self.design.reset_index()
        design_frame[self.metric] = self.outputs()
        return {"indices": self.indices(), "design": design_frame}

    def figures(self) -> dict[str, Figure]:
        """The indices as bars with their intervals."""
        return {
            "sensitivity": plot_indices(
                self.indices(),
                title=f"{self.sample.method.capitalize()} indices of {self.metric} "
                f"({HORIZON_TITLES[self.horizon]}), {len(self.plan.points)} points of "
                f"{self.plan.replications} replication{'s' if self.plan.replications > 1 else ''}",
            )
        }

    def people_tables(self) -> list[tuple[str, pd.DataFrame]]:
        """The indices, one row per parameter, one column per index."""
        indices = self.indices()
        rows = []
        for parameter, group in indices.groupby("parameter", sort=False):
            row = {"parameter": parameter}
            for item in group.itertuples():
                text = f"{item.value:.3f}"
                if not np.isnan(item.conf_low):
                    text += f" ± {(item.conf_high - item.conf_low) / 2:.3f}"
                row[item.index] = text
            rows.append(row)
        title = (
            f"{self.plan.labels[0]}: {self.sample.method.capitalize()} sensitivity of "
            f"{self.metric} ({HORIZON_TITLES[self.horizon]}), index ± 95% interval"
        )
        return [(title, pd.DataFrame(rows))]

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


def run_sensitivity(
    scenario: ScenarioLike,
    factors: Sequence[Factor],
    *,
    method: str = "sobol",
    samples: int = 16,
    metric: str = "nps_inflation",
    horizon: str = "long",
    replications: int = SENSITIVITY_REPLICATIONS,
    seed: int | None = None,
    weeks: int | None = None,
    overrides: Mapping[str, Any] | None = None,
    **execution: Any,
) -> SensitivityResults:
    """Global sensitivity of one metric to several parameters, through SALib.

    Args:
        scenario: The scenario file, bundled name or :class:`Scenario`.
        factors: The parameters and their ranges (see
            :func:`npssim.experiment.design.parse_factor`).
        method: ``"sobol"`` (samples a power of two) or ``"morris"`` (samples = trajectories).
        samples: SALib's base sample size.
        metric: The output analysed.
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
    check_outputs([metric], horizon, metric_set=model_class.metric_set)
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
            "metric": metric,
            "horizon": horizon,
            "factors": [[f.path, f.lower, f.upper] for f in factors],
        },
        **model,
    )
    result = execute_plan(
        plan,
        results_type=SensitivityResults,
        sample=sample,
        metric=metric,
        horizon=horizon,
        **execution,
    )
    assert isinstance(result, SensitivityResults)
    return result
