"""What each part of a design earns: exact Shapley values over the combinations of its elements.

A design such as ``well_designed_bonus`` differs from its baseline in several elements (who picks
the sample, audits, caps, follow-up, reps' and managers' weight on the score...; see
:mod:`npssim.experiment.elements`). Its total effect is one paired difference; a leader asks
which parts earn it and which cost. Elements interact (audits matter only where someone is paid
on the score), so "switch one on alone" and "switch one off from the whole" give different
answers. The Shapley value averages an element's marginal effect over every order in which the
elements could be switched on: it is the one split that sums exactly to the total, gives equal
shares to elements that act alike, and nothing to an element that changes nothing.

Every one of the ``2**k`` combinations (the baseline with a subset of the elements switched to
the policy's values) runs on the same replication seeds: one :class:`~npssim.experiment.plan.Plan`
of the baseline with a design point per combination, executed by
:func:`~npssim.experiment.api.execute_plan` (so ``out`` stores each run as it finishes and
``resume`` completes an interrupted decomposition). The Shapley values are computed per
replication from the paired differences, so they sum to that replication's total exactly, and
each contribution gets a Student-t interval over replications.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from npssim.experiment import reporting
from npssim.experiment.analysis import COLUMNS, interval, over_window
from npssim.experiment.api import ExecutorLike, ScenarioLike, execute_plan, make_plan
from npssim.experiment.defaults import DECOMPOSE_MAX_ELEMENTS, DECOMPOSE_REPLICATIONS
from npssim.experiment.elements import Element, check_decomposable, combinations
from npssim.experiment.plan import LONG_RUN_WEEKS, Plan, windows
from npssim.experiment.results import ExperimentResults, write_scenarios, write_tables
from npssim.experiment.store import MANIFEST, RunStore
from npssim.files import FolderLock
from npssim.metrics import METRIC_BY_NAME
from npssim.model import NPSModel
from npssim.report.document import Document
from npssim.report.setup import Setup, setup_line
from npssim.report.tables import format_money
from npssim.report.waterfall import plot_waterfall
from npssim.scenario import Scenario

__all__ = ["OUTCOMES", "DecompositionResults", "decompose", "shapley"]

#: The outcomes decomposed: the firm's money, the truth, and what the survey shows.
OUTCOMES = ("net_value", "true_nps", "reported_nps")
#: The window they are read over: the long run (the last four quarters), per year.
HORIZON = "long"
#: The row of the whole policy in the contribution tables.
TOTAL = "total"


def shapley(values: np.ndarray) -> np.ndarray:
    """Exact Shapley values of a game given on every coalition.

    Args:
        values: ``2**k`` rows, row ``mask`` the worth of the coalition whose members are the
            set bits of ``mask`` (row 0, the empty coalition, is the reference); any further
            axes (replications) are carried along.

    Returns:
        ``k`` rows, one per player: the weighted mean of the player's marginal worth over
        every coalition without it, weighted ``|S|! (k - |S| - 1)! / k!``. They sum to
        ``values[-1] - values[0]``.

    Raises:
        ValueError: The number of rows is not a power of two.
    """
    values = np.asarray(values, dtype=float)
    rows = values.shape[0]
    k = rows.bit_length() - 1
    if rows < 1 or rows != 1 << k:
        raise ValueError(f"shapley: need 2**k coalitions, got {rows}")
    weights = [math.factorial(s) * math.factorial(k - s - 1) / math.factorial(k) for s in range(k)]
    sizes = [mask.bit_count() for mask in range(rows)]
    result = np.zeros((k, *values.shape[1:]))
    for player in range(k):
        bit = 1 << player
        for mask in range(rows):
            if not mask & bit:
                result[player] += weights[sizes[mask]] * (values[mask | bit] - values[mask])
    return result


class CombinationRuns(ExperimentResults):
    """The runs of every combination: the baseline at one design point per combination."""

    def outcome(self, metric: str, horizon: str = HORIZON) -> np.ndarray:
        """A metric over the horizon, combinations x replications (row = the combination's mask)."""
        label = self.plan.labels[0]
        first, stop = windows(0, self.plan.weeks)[horizon]
        column = COLUMNS.index(metric)
        return np.vstack(
            [
                over_window(self._cubes[(label, point)], first, stop, horizon, self.metric_set)[
                    :, column
                ]
                for point in range(len(self.plan.points))
            ]
        )


class DecompositionResults:
    """What each element of a policy contributes to its paired difference from the baseline.

    Args:
        policy: The policy's label.
        baseline: The baseline's label.
        scenarios: Both scenarios, by label (the baseline first).
        elements: The elements, in the order of the combinations' bits.
        runs: The runs of every combination.

    Attributes:
        plan: The combinations' plan (the baseline, one design point per combination).
    """

    def __init__(
        self,
        policy: str,
        baseline: str,
        scenarios: Mapping[str, Scenario],
        elements: Sequence[Element],
        runs: CombinationRuns,
    ) -> None:
        self.policy = policy
        self.baseline = baseline
        self._scenarios = dict(scenarios)
        self.elements = list(elements)
        self.runs = runs
        self.plan: Plan = runs.plan
        self.executor = runs.executor
        self.wall_seconds = runs.wall_seconds

    # ------------------------------------------------------------------ Reportable

    @property
    def scenarios(self) -> dict[str, Scenario]:
        """The baseline and the policy, by label."""
        return self._scenarios

    @property
    def varied(self) -> list[str]:
        """Every path an element switches."""
        return [path for element in self.elements for path in element.paths]

    @property
    def currency(self) -> str:
        """The firm's currency."""
        return self._scenarios[self.policy].firm.currency

    @property
    def currencies(self) -> dict[str, str]:
        """Each scenario's currency, by label."""
        return {label: s.firm.currency for label, s in self._scenarios.items()}

    @property
    def run_count(self) -> int:
        """How many runs the decomposition made (or loaded)."""
        return len(self.runs.runs)

    @property
    def report_title(self) -> str:
        """The report's title."""
        return f"npssim decompose: {self.policy} against {self.baseline}"

    def periods(self, first_week: int = 0) -> dict[str, str]:
        """What the short run, the long run and the end are called."""
        return self.runs.periods(first_week)

    def summary_comparison(self) -> None:
        """No policy matrix: the report opens with the contributions."""
        return None

    def flip_condition(self) -> None:
        """A decomposition has no break-even analysis."""
        return None

    # ------------------------------------------------------------------ numbers

    def paired(self, metric: str) -> np.ndarray:
        """Each combination's paired difference from the baseline, combinations x replications."""
        values = self.runs.outcome(metric)
        return values - values[0]

    @cached_property
    def per_replication(self) -> pd.DataFrame:
        """Per outcome, replication and element, the Shapley contribution; and the total.

        Within each outcome and replication the elements' contributions sum exactly (to
        rounding) to the ``total`` row: the whole policy's paired difference.
        """
        rows = []
        indices = list(self.plan.replication_indices)
        for metric in OUTCOMES:
            paired = self.paired(metric)
            values = shapley(paired)
            for row, element in zip(values, self.elements, strict=True):
                rows.extend(
                    {"outcome": metric, "replication": r, "element": element.key, "value": v}
                    for r, v in zip(indices, row, strict=True)
                )
            rows.extend(
                {"outcome": metric, "replication": r, "element": TOTAL, "value": v}
                for r, v in zip(indices, paired[-1], strict=True)
            )
        return pd.DataFrame(rows)

    @cached_property
    def contributions(self) -> pd.DataFrame:
        """Per outcome and element (then the total): mean contribution and its 95% interval."""
        labels = {element.key: element.label for element in self.elements}
        changes = {element.key: element.describe() for element in self.elements}
        labels[TOTAL] = f"the whole of {self.policy}"
        changes[TOTAL] = f"{self.policy} against {self.baseline}"
        rows = []
        for (metric, key), group in self.per_replication.groupby(
            ["outcome", "element"], sort=False
        ):
            stat = interval(group["value"].to_numpy())
            rows.append(
                {
                    "outcome": metric,
                    "element": key,
                    "label": labels[key],
                    "changes": changes[key],
                    "mean": stat.mean,
                    "ci_low": stat.low,
                    "ci_high": stat.high,
                    "n": stat.n,
                }
            )
        return pd.DataFrame(rows)

    def combinations_table(self) -> pd.DataFrame:
        """Per combination: which elements are switched on, and each outcome's mean difference."""
        frame = pd.DataFrame(
            {
                "combination": range(len(self.plan.points)),
                "elements": [
                    " + ".join(e.key for i, e in enumerate(self.elements) if mask >> i & 1)
                    or "(baseline)"
                    for mask in range(len(self.plan.points))
                ],
            }
        )
        for metric in OUTCOMES:
            frame[f"{metric}_difference"] = self.paired(metric).mean(axis=1)
        return frame

    def _of(self, metric: str) -> pd.DataFrame:
        frame = self.contributions
        return frame[frame["outcome"] == metric].set_index("element")

    # ------------------------------------------------------------------ words

    def _money(self, value: float) -> str:
        return format_money(value, self.currency, signed=True)

    def _money_interval(self, row: pd.Series) -> str:
        if math.isnan(row["ci_low"]):
            return self._money(row["mean"])
        low, high = self._money(row["ci_low"]), self._money(row["ci_high"])
        return f"{self._money(row['mean'])} ({low} to {high})"

    def statement(self) -> str:
        """What earns and what costs, in a few generated sentences (the long run, per year)."""
        money = self._of("net_value")
        total = money.loc[TOTAL]
        parts = money.drop(index=TOTAL)
        period = self.periods()["long"]
        when = period if period.startswith("all") else f"the {period}"
        per = " a year" if self.plan.weeks >= LONG_RUN_WEEKS else ""
        lines = [
            f"Against {self.baseline}, {self.policy} changes the firm's net value in {when} "
            f"by {self._money_interval(total)}{per}."
        ]
        earns = parts[parts["ci_low"] > 0].sort_values("mean", ascending=False)
        costs = parts[parts["ci_high"] < 0].sort_values("mean")
        unclear = parts[~parts.index.isin([*earns.index, *costs.index])]

        def listed(frame: pd.DataFrame) -> str:
            return "; ".join(f"{row.label} {self._money(row.mean)}" for row in frame.itertuples())

        lines.append(
            f"What earns: {listed(earns)}." if not earns.empty else "No element clearly earns."
        )
        lines.append(
            f"What costs: {listed(costs)}." if not costs.empty else "No element clearly costs."
        )
        if not unclear.empty:
            lines.append(f"Not clearly either (the 95% interval spans zero): {listed(unclear)}.")
        return " ".join(lines)

    def table(self) -> pd.DataFrame:
        """The contributions for people: one row per element, then the whole policy."""
        nps = {metric: self._of(metric) for metric in ("true_nps", "reported_nps")}

        def points(metric: str, key: str) -> str:
            row = nps[metric].loc[key]
            if math.isnan(row["ci_low"]):
                return f"{row['mean']:+.1f}"
            return f"{row['mean']:+.1f} ({row['ci_low']:+.1f} to {row['ci_high']:+.1f})"

        money = self._of("net_value")
        return pd.DataFrame(
            [
                {
                    "element": row["label"],
                    "what changes": row["changes"],
                    "net value per year": self._money_interval(row),
                    f"{METRIC_BY_NAME['true_nps'].label} (points)": points("true_nps", key),
                    f"{METRIC_BY_NAME['reported_nps'].label} (points)": points("reported_nps", key),
                }
                for key, row in money.iterrows()
            ]
        )

    def people_tables(self) -> list[tuple[str, pd.DataFrame]]:
        """The contribution table, as display strings with its title."""
        return [
            (
                f"What each element of {self.policy} contributes against {self.baseline}, "
                f"{self.periods()['long']} (Shapley value: mean and 95% interval over "
                f"{self.plan.runs_text})",
                self.table(),
            )
        ]

    def warnings(self) -> list[str]:
        """One replication gives no intervals."""
        if self.plan.replications > 1:
            return []
        return ["One replication alone: the contributions have no intervals."]

    def how_to_read(self) -> list[str]:
        """The Shapley value, the pairing and the window."""
        k = len(self.elements)
        return [
            f"{self.policy} differs from {self.baseline} in {k} elements; all {2**k} "
            "combinations (the baseline with some elements switched to the policy's values) "
            "ran on the same replication seeds.",
            "An element's contribution is its **Shapley value**: its marginal effect (the "
            "combination with it minus the same combination without it) averaged over every "
            "order in which the elements could be switched on. The contributions of one "
            "replication sum exactly to that replication's whole paired difference, so their "
            "means sum to the total's mean; elements that interact share their joint effect.",
            reporting.windows_note(self.plan.weeks),
            reporting.interval_note(paired=True, between="combination"),
            reporting.NET_VALUE_NOTE,
        ]

    def figure(self) -> Figure:
        """The waterfall of the net value's contributions, the total last."""
        money = self._of("net_value")
        return plot_waterfall(
            money.drop(index=TOTAL).reset_index(),
            money.loc[TOTAL],
            self.currency,
            f"{self.policy} against {self.baseline}: what each element adds to the net value "
            f"per year\n{self.periods()['long']}, mean and 95% interval over "
            f"{self.plan.runs_text}",
            total_label=f"the whole of {self.policy}",
        )

    def figures(self) -> dict[str, Figure]:
        """None apart: the waterfall sits in the report's first section."""
        return {}

    def report_sections(self, document: Document) -> None:
        """Nothing between "What was run" and the tables: the answer comes first."""

    def setup(self) -> Setup:
        """What the decomposition was computed on: the baseline's combinations' runs."""
        return self.runs.setup()

    def answer_section(self, document: Document) -> None:
        """The answer, first in the report: what earns and what costs, then the waterfall."""
        document.paragraph(setup_line(self))
        document.heading("What each element earns")
        document.paragraph(self.statement(), lead=True)
        document.figure(
            self.figure(),
            "waterfall",
            "Each element's Shapley contribution to the paired difference in net value per "
            "year, walking from the baseline (zero) to the whole policy (the last bar); error "
            "bars are 95% intervals over replications.",
        )

    # ------------------------------------------------------------------ files

    def tables(self) -> dict[str, pd.DataFrame]:
        """The CSV tables by file stem."""
        return {
            "contributions": self.contributions,
            "replications": self.per_replication,
            "combinations": self.combinations_table(),
        }

    def manifest(self) -> dict[str, Any]:
        """The runs' manifest, with what was decomposed; ``plan`` is what ``resume`` checks."""
        base = self.runs.manifest()
        base.update(
            {
                "kind": "decompose",
                "decompose": {
                    "policy": self.policy,
                    "baseline": self.baseline,
                    "policy_source": self.plan.sources.get(self.policy),
                    "horizon": HORIZON,
                    "outcomes": list(OUTCOMES),
                    "elements": [
                        {
                            "key": element.key,
                            "label": element.label,
                            "changes": [list(change) for change in element.changes],
                        }
                        for element in self.elements
                    ],
                },
            }
        )
        return base

    def save(self, folder: str | Path) -> list[Path]:
        """Write the report, the waterfall, the tables, both scenarios and ``manifest.json``.

        Returns:
            The files written (the stored runs are left as they are).
        """
        folder = Path(folder)
        with FolderLock(folder):
            written = list(write_scenarios(self.scenarios, folder))
            tables = self.tables()
            written.extend(write_tables(tables, folder))
            written.extend(reporting.write_report(self, folder, list(tables)))
            RunStore(folder).write_manifest(self.manifest())
            written.append(folder / MANIFEST)
            return written


def decompose(
    policy: ScenarioLike,
    baseline: ScenarioLike = "baseline",
    *,
    replications: int = DECOMPOSE_REPLICATIONS,
    seed: int | None = None,
    weeks: int | None = None,
    overrides: Mapping[str, Any] | None = None,
    different_firms: bool = False,
    max_elements: int = DECOMPOSE_MAX_ELEMENTS,
    executor: ExecutorLike = None,
    workers: int | None = None,
    out: str | Path | None = None,
    resume: bool = False,
    force: bool = False,
    progress: bool = False,
    model_class: type[NPSModel] = NPSModel,
) -> DecompositionResults:
    """What each element in which a policy differs from its baseline contributes to its effect.

    Args:
        policy: The design: a scenario file, bundled name or :class:`Scenario`.
        baseline: What it is compared with (the bundled ``baseline`` by default): the same
            firm, without a timeline.
        replications: Replications of every combination.
        seed: Root seed (the baseline's ``run.seed`` by default).
        weeks: Weeks to simulate.
        overrides: Values set in both scenarios, like ``--set``.
        different_firms: Decompose even when the two differ outside the policy.
        max_elements: Most elements taken (``2**k`` combinations run).
        executor: As in :func:`~npssim.experiment.run_experiment`.
        workers: Local worker processes.
        out: Store each run here as it finishes (``resume`` completes an interrupted one); the
            report is written by :meth:`DecompositionResults.save`.
        resume: Complete the decomposition already started in ``out``.
        force: Replace npssim's earlier results in ``out``.
        progress: Show a progress bar.
        model_class: The model every run builds.

    Returns:
        The results; the same for the same root seed whatever executor ran them.

    Raises:
        InputError: The two are different firms, either has a timeline, they do not differ in
            the policy or in too many elements, or another input is wrong.
    """
    pair = make_plan(
        "decompose",
        [baseline, policy],
        replications,
        seed,
        weeks,
        overrides,
        model_class=model_class,
    )
    baseline_label, policy_label = pair.labels
    scenarios = pair.scenarios
    elements = check_decomposable(
        scenarios[policy_label],
        scenarios[baseline_label],
        different_firms=different_firms,
        max_elements=max_elements,
    )
    plan = dataclasses.replace(
        pair,
        scenarios={baseline_label: scenarios[baseline_label]},
        points=tuple(combinations(elements)),
        options={"policy": policy_label, "elements": [element.key for element in elements]},
    )
    runs = execute_plan(
        plan,
        executor=executor,
        workers=workers,
        out=out,
        resume=resume,
        force=force,
        progress=progress,
        results_type=CombinationRuns,
        description=f"decompose {policy_label}: {len(plan.points)} combinations",
    )
    assert isinstance(runs, CombinationRuns)
    return DecompositionResults(policy_label, baseline_label, scenarios, elements, runs)
