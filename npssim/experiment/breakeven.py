"""Break-even analysis: what would have to be true for a policy to pay for the firm.

A leader does not ask for indices; they ask "under which circumstances does this pay, and when
does it lose?". The answer is read from the paired difference in the firm's net money
(``net_value``) between the policy and its baseline over the long run (the last 52 weeks, so
per year), at points that move the *uncertain assumptions* (the schema's ``plausible`` ranges):

1. **tornado**: the centre (every assumption at the scenario's value) and each assumption alone
   at the low and the high end of its range. The swing says which assumptions matter, and a
   sign change along one of them is a break-even value (:meth:`BreakevenResults.flip_condition`).
2. **heatmap**: a grid over the two assumptions with the largest swings, the others at centre.
3. **discovery**: a Latin hypercube over all the assumptions, and PRIM (EMA Workbench) to find
   the box of assumptions in which the policy pays (:meth:`BreakevenResults.prim_statement`).

Each stage is an ordinary experiment (:class:`~npssim.experiment.plan.Plan` of the baseline and
the policy, one design point per row), executed by :func:`~npssim.experiment.api.execute_plan`:
replication *i* of both scenarios at every point shares its seed, so the differences are paired;
runs are stored as they finish and the results are the same whatever executor ran them. With
``out``, each stage stores its runs in its own sub-experiment folder (``out/tornado``,
``out/heatmap``, ``out/discovery``), and ``out/manifest.json`` records the whole analysis'
identity: ``resume=True`` checks it, then completes each stage in turn, so an interruption in any
stage resumes where it stopped (stages 2 and 3 are derived from stage 1's stored runs, so they
come out the same).
"""

from __future__ import annotations

import contextlib
import dataclasses
import inspect
import itertools
import math
import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from npssim.errors import InputError
from npssim.experiment import reporting
from npssim.experiment.analysis import COLUMNS, HORIZON_TITLES, HORIZONS, interval, over_window
from npssim.experiment.api import (
    ExecutorLike,
    ScenarioLike,
    choose_executor,
    execute_plan,
    make_plan,
    where_runs_go,
)
from npssim.experiment.defaults import (
    BREAKEVEN_GRID,
    BREAKEVEN_MIN_GRID,
    BREAKEVEN_MIN_SAMPLES,
    BREAKEVEN_REPLICATIONS,
    BREAKEVEN_SAMPLES,
)
from npssim.experiment.design import (  # noqa: F401 (parse_assumptions re-exported)
    Factor,
    latin_hypercube,
    parse_assumptions,
    parse_factor,
)
from npssim.experiment.plan import Plan, intervention_week, windows
from npssim.experiment.results import ExperimentResults, git_revision, write_scenarios
from npssim.experiment.runs import check_model_class
from npssim.experiment.store import MANIFEST, RunStore
from npssim.files import FolderLock, atomic_path
from npssim.model import NPSModel
from npssim.report import comparison_rows
from npssim.report.breakeven import plot_breakeven_map, plot_tornado
from npssim.report.document import Document
from npssim.report.tables import format_money
from npssim.scenario import Scenario, get_path, params_by_path
from npssim.version import __version__

__all__ = [
    "DEFAULT_GRID",
    "DEFAULT_REPLICATIONS",
    "DEFAULT_SAMPLES",
    "MIN_GRID",
    "MIN_SAMPLES",
    "BreakevenResults",
    "parse_assumptions",
    "run_breakeven",
]

#: The outcome that decides whether a policy pays: the firm's net money.
OUTCOME = "net_value"
#: Replications per scenario and design point, levels per axis of the heatmap, and
#: Latin-hypercube points of the scenario discovery (see :mod:`npssim.experiment.defaults`).
DEFAULT_REPLICATIONS = BREAKEVEN_REPLICATIONS
DEFAULT_GRID = BREAKEVEN_GRID
DEFAULT_SAMPLES = BREAKEVEN_SAMPLES
MIN_GRID = BREAKEVEN_MIN_GRID
MIN_SAMPLES = BREAKEVEN_MIN_SAMPLES
#: The share of paying cases a PRIM box must hold to be reported as "where it pays".
PRIM_DENSITY = 0.8
#: Most assumptions a box may restrict and still be stated: a rule a leader can repeat. PRIM's
#: last peels often trim a little off many dimensions for a few points of density.
PRIM_MAX_DIMENSIONS = 3
#: The stages, in order; each is a sub-experiment folder of the output folder.
STAGES = ("tornado", "heatmap", "discovery")
SIDES = ("low", "centre", "high")
#: Stream of the root seed that draws the Latin hypercube (apart from the replication seeds).
_LHS_STREAM = 3
#: What the statement says without EMA Workbench.
INSTALL_HINT = (
    'Scenario discovery (PRIM) needs EMA Workbench: pip install "npssim[ema]"; the tornado and '
    "the heatmap do not."
)
_OPTION = "--assume"


# ---------------------------------------------------------------------- inputs


def _value(factor: Factor, share: float) -> float | int:
    value = factor.at(share)
    return int(value) if factor.integer else float(value)


def _plain(value: float) -> str:
    """A value as a sentence shows it: two decimals, fewer for large numbers."""
    if isinstance(value, int) or float(value).is_integer():
        return f"{value:.0f}" if abs(value) >= 10 else f"{value:.2f}"
    return f"{value:.2f}" if abs(value) < 100 else f"{value:.0f}"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[1:2].islower() or len(text) == 1 else text


def _title(path: str) -> str:
    info = params_by_path().get(path)  # a model class's own parameter is named by its path
    return info.title if info is not None else path


# ---------------------------------------------------------------------- one stage's runs


class StageResults(ExperimentResults):
    """One stage's runs: the baseline and the policy at every design point, paired."""

    def paired(self, policy: str, baseline: str, horizon: str) -> np.ndarray:
        """The paired difference of the outcome, policy minus baseline, per point and replication.

        Both are read over the same weeks (the short run from where the policy first differs
        from the baseline), as :meth:`ExperimentResults.compare` reads them.

        Returns:
            Points x replications.
        """
        start = intervention_week(self.scenarios[policy], self.scenarios[baseline])
        first, stop = windows(start, self.plan.weeks)[horizon]
        column = COLUMNS.index(OUTCOME)
        return np.vstack(
            [
                over_window(mine, first, stop, horizon, self.metric_set)[:, column]
                - over_window(theirs, first, stop, horizon, self.metric_set)[:, column]
                for mine, theirs in (
                    (self._cubes[(policy, point)], self._cubes[(baseline, point)])
                    for point in range(len(self.plan.points))
                )
            ]
        )

    def stats(self, policy: str, baseline: str, horizon: str) -> pd.DataFrame:
        """Per point: the mean paired difference, its 95% interval and the replications."""
        rows = []
        for values in self.paired(policy, baseline, horizon):
            stat = interval(values)
            rows.append(
                {"difference": stat.mean, "ci_low": stat.low, "ci_high": stat.high, "n": stat.n}
            )
        return pd.DataFrame(rows)


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


# ---------------------------------------------------------------------- the results


class BreakevenResults:
    """What would have to be true for a policy to pay: the three stages and what they say.

    Args:
        policy: The policy's label.
        baseline: The baseline's label.
        factors: The assumptions varied, with their ranges.
        horizon: The horizon the outcome is read over.
        stages: Each stage's runs by name (``heatmap`` absent with one assumption).
        axes: The heatmap's two assumptions (x, y), if it ran.
        wall_seconds: Wall time of the whole analysis in this session.
        executor: How the runs were executed.

    Attributes:
        plan: The tornado's plan (scenarios, seeds, replications: the same in every stage).
    """

    def __init__(
        self,
        policy: str,
        baseline: str,
        factors: Sequence[Factor],
        horizon: str,
        stages: Mapping[str, StageResults],
        *,
        axes: tuple[str, str] | None,
        grid: int,
        samples: int,
        wall_seconds: float = math.nan,
        executor: str = "in-process",
    ) -> None:
        self.policy = policy
        self.baseline = baseline
        self.factors = list(factors)
        self.horizon = horizon
        self.stages = dict(stages)
        self.axes = axes
        self.grid = grid
        self.samples = samples
        self.wall_seconds = wall_seconds
        self.executor = executor
        self.plan: Plan = self.stages["tornado"].plan

    # ------------------------------------------------------------------ Reportable

    @property
    def scenarios(self) -> dict[str, Scenario]:
        """The baseline and the policy by label."""
        return self.plan.scenarios

    @property
    def varied(self) -> list[str]:
        """The assumptions' paths."""
        return [factor.path for factor in self.factors]

    @property
    def currencies(self) -> dict[str, str]:
        """Each scenario's currency, by label (the report's decision summary reads it)."""
        return self.stages["tornado"].currencies

    def periods(self, first_week: int = 0) -> dict[str, str]:
        """What the short run, the long run and the end are called in headers."""
        return self.stages["tornado"].periods(first_week)

    @property
    def currency(self) -> str:
        """The policy's firm's currency."""
        return self.scenarios[self.policy].firm.currency

    @property
    def run_count(self) -> int:
        """How many runs every stage made together."""
        return sum(len(stage.runs) for stage in self.stages.values())

    @property
    def resumed(self) -> int:
        """How many of them were loaded from an earlier, interrupted session."""
        return sum(stage.resumed for stage in self.stages.values())

    @property
    def per(self) -> str:
        """How the outcome's period reads: per year over the long run."""
        return "per year" if self.horizon == "long" else HORIZON_TITLES[self.horizon]

    # ------------------------------------------------------------------ frames

    @cached_property
    def centre(self) -> dict[str, float | int]:
        """Each assumption's value at the centre: the policy scenario's own."""
        data = self.scenarios[self.policy].model_dump()
        return {factor.path: get_path(data, factor.path) for factor in self.factors}

    @cached_property
    def tornado(self) -> pd.DataFrame:
        """Per assumption and side (low, centre, high): value, mean paired difference, interval.

        The centre rows repeat the one centre estimate, so each assumption's line reads whole.
        """
        stats = self.stages["tornado"].stats(self.policy, self.baseline, self.horizon)
        rows = []
        for index, factor in enumerate(self.factors):
            points = {"low": 1 + 2 * index, "centre": 0, "high": 2 + 2 * index}
            values = {
                "low": _value(factor, 0.0),
                "centre": self.centre[factor.path],
                "high": _value(factor, 1.0),
            }
            for side in SIDES:
                stat = stats.iloc[points[side]]
                rows.append(
                    {
                        "assumption": factor.path,
                        "label": _title(factor.path),
                        "side": side,
                        "value": values[side],
                        "difference": stat["difference"],
                        "ci_low": stat["ci_low"],
                        "ci_high": stat["ci_high"],
                        "n": int(stat["n"]),
                    }
                )
        return pd.DataFrame(rows)

    def swings(self) -> pd.Series:
        """Each assumption's swing: |difference at high - difference at low|, widest first."""
        wide = self.tornado.pivot(index="assumption", columns="side", values="difference")
        return (wide["high"] - wide["low"]).abs().sort_values(ascending=False)

    @cached_property
    def heatmap(self) -> pd.DataFrame:
        """Per grid cell: the two assumptions' values and the mean paired difference.

        Empty with a single assumption (a grid needs two).
        """
        if "heatmap" not in self.stages:
            return pd.DataFrame(columns=["point", "difference", "ci_low", "ci_high", "n"])
        stage = self.stages["heatmap"]
        points = pd.DataFrame(list(stage.plan.points))
        stats = stage.stats(self.policy, self.baseline, self.horizon)
        return pd.concat([points.rename_axis("point").reset_index(), stats], axis=1)

    @cached_property
    def discovery(self) -> pd.DataFrame:
        """Per Latin-hypercube point: the assumptions, the mean paired difference, ``pays``."""
        stage = self.stages["discovery"]
        points = pd.DataFrame(list(stage.plan.points))
        stats = stage.stats(self.policy, self.baseline, self.horizon)
        frame = pd.concat([points.rename_axis("point").reset_index(), stats], axis=1)
        frame["pays"] = frame["difference"] > 0
        return frame

    # ------------------------------------------------------------------ what it says

    def break_even_values(self) -> pd.DataFrame:
        """Where each assumption's one-at-a-time line crosses zero, if it does.

        The line joins the mean paired differences at the low, centre and high values by
        straight segments (linear interpolation: three points say no more), so a crossing is
        an estimate between points, not a run at that value.

        Returns:
            One row per assumption: ``assumption``, ``label``, ``low``, ``current``, ``high``,
            ``crossing`` (NaN when the line does not cross zero), ``pays`` (``"above"`` or
            ``"below"`` the crossing, or ``""``), and ``distance`` (from the current value to
            the crossing, as a share of the range).
        """
        return break_even_values(self.tornado)

    @property
    def centre_difference(self) -> float:
        """The mean paired difference at the centre."""
        tornado = self.tornado
        return float(tornado.loc[tornado["side"] == "centre", "difference"].iloc[0])

    def flip_condition(self) -> str | None:
        """The strongest flip condition in one plain sentence, or None when none flips it.

        The strongest is the one the scenario is nearest to: the crossing closest to the
        current value, as a share of the assumption's range.
        """
        values = self.break_even_values().dropna(subset=["crossing"])
        if values.empty:
            return None
        ordered = values.sort_values("distance", kind="stable")
        pays = self.centre_difference > 0
        goal = "lose money" if pays else "pay"

        def condition(row: pd.Series) -> str:
            # Paying above the crossing means losing below it.
            side = "above" if (row["pays"] == "above") != pays else "below"
            return (
                f"{_lower_first(row['label'])} ({row['assumption']}) would have to be {side} "
                f"{_plain(row['crossing'])} (it is {_plain(row['current'])} here)"
            )

        best, *others = (condition(row) for _, row in ordered.iterrows())
        also = f"; or, one at a time, {'; or '.join(others)}" if others else ""
        return f"For {self.policy} to {goal}, {best}{also}."

    def centre_statement(self) -> str:
        """The verdict at the scenario's own values, with its interval."""
        tornado = self.tornado
        row = tornado[tornado["side"] == "centre"].iloc[0]
        currency = self.currency

        def money(value: float) -> str:
            return format_money(value, currency, signed=True)

        verdict = "pays" if row["difference"] > 0 else "loses money"
        return (
            f"At the scenario's own values {self.policy} {verdict} against {self.baseline}: "
            f"{money(row['difference'])} {self.per} ({money(row['ci_low'])} to "
            f"{money(row['ci_high'])}, 95% interval over {self.plan.runs_text})."
        )

    @cached_property
    def prim(self) -> PrimBox | str:
        """The PRIM box where the policy pays, or why there is none (a sentence)."""
        frame = self.discovery
        cases = len(frame)
        paying = int(frame["pays"].sum())
        if paying == 0:
            return (
                f"{self.policy} pays in none of the {cases} cases sampled: no combination of "
                "these assumptions within their ranges makes it pay."
            )
        if paying == cases:
            return (
                f"{self.policy} pays in every one of the {cases} cases sampled: no combination "
                "of these assumptions within their ranges makes it lose money."
            )
        prim = load_prim()
        if prim is None:
            return INSTALL_HINT
        return find_box(prim, frame[self.varied].astype(float), frame["pays"].to_numpy(bool))

    @property
    def box(self) -> pd.DataFrame | None:
        """The PRIM box's restricted assumptions and bounds, or None when PRIM did not run."""
        return self.prim.limits if isinstance(self.prim, PrimBox) else None

    def prim_statement(self) -> str:
        """Where the policy pays, as PRIM's box says, in one sentence (or why there is none)."""
        prim = self.prim
        if isinstance(prim, str):
            return prim
        cases = len(self.discovery)
        if prim.limits.empty:
            share = self.discovery["pays"].mean()
            return (
                f"{self.policy} pays in {share:.0%} of the {cases} cases sampled, with no "
                "region of these assumptions where it clearly does."
            )
        conditions = []
        for row in prim.limits.itertuples():
            name = _lower_first(row.label)
            if row.restricted == "above":
                conditions.append(f"{name} > {_plain(row.lower)}")
            elif row.restricted == "below":
                conditions.append(f"{name} < {_plain(row.upper)}")
            else:
                conditions.append(f"{name} between {_plain(row.lower)} and {_plain(row.upper)}")
        joined = (
            conditions[0]
            if len(conditions) == 1
            else ", ".join(conditions[:-1]) + " and " + conditions[-1]
        )
        return (
            f"{self.policy} pays when {joined}: {prim.density:.0%} of such cases, covering "
            f"{prim.coverage:.0%} of all paying cases ({cases} cases sampled)."
        )

    def statements(self) -> list[str]:
        """What a leader reads first: the centre verdict, the flip condition, PRIM's box."""
        flip = self.flip_condition()
        if flip is None:
            verdict = "pays" if self.centre_difference > 0 else "loses money"
            flip = (
                f"No single assumption flips the verdict within its range: {self.policy} "
                f"{verdict} at each assumption's low and high value, the others at the "
                "scenario's own."
            )
        return [self.centre_statement(), flip, self.prim_statement()]

    def summary_comparison(self) -> pd.DataFrame:
        """The centre's policy-vs-baseline comparison of every metric, as ``compare()`` gives it.

        Returns:
            The columns of :meth:`ExperimentResults.compare`: scenario, baseline, horizon,
            first_week, last_week, metric, baseline_mean, mean, difference, ci_low, ci_high, n,
            verdict; the short and the long run.
        """
        # The tornado's point 0 is the centre, which compare() reads.
        return self.stages["tornado"].compare(self.baseline)

    # ------------------------------------------------------------------ tables and figures

    def tornado_table(self) -> pd.DataFrame:
        """The tornado for people: one row per assumption, widest swing first, money as text."""
        tornado = self.tornado
        rows = []
        for path in self.swings().index:
            line = tornado[tornado["assumption"] == path].set_index("side")
            rows.append(
                {
                    "assumption": line.loc["low", "label"],
                    "path": path,
                    "low": _plain(line.loc["low", "value"]),
                    "at low": self._money(line.loc["low", "difference"]),
                    "current": _plain(line.loc["centre", "value"]),
                    "high": _plain(line.loc["high", "value"]),
                    "at high": self._money(line.loc["high", "difference"]),
                }
            )
        return pd.DataFrame(rows)

    def _money(self, value: float) -> str:
        return format_money(value, self.currency, signed=True)

    def people_tables(self) -> list[tuple[str, pd.DataFrame]]:
        """The tornado, the break-even values and PRIM's box, as display strings."""
        runs = self.plan.runs_text
        tables = [
            (
                f"{self.policy} against {self.baseline}: paired difference in net value "
                f"{self.per}, each assumption alone at its low and high (mean over {runs})",
                self.tornado_table(),
            )
        ]
        values = self.break_even_values()
        shown = pd.DataFrame(
            {
                "assumption": values["label"],
                "path": values["assumption"],
                "current": [_plain(v) for v in values["current"]],
                "break-even": [
                    "none in range" if math.isnan(v) else _plain(v) for v in values["crossing"]
                ],
                "pays": [f"{side} it" if side else "" for side in values["pays"]],
            }
        )
        tables.append(
            (
                "Break-even values: where each assumption's line crosses zero (linear "
                "interpolation between low, current and high)",
                shown,
            )
        )
        box = self.box
        if box is not None and not box.empty:
            tables.append(
                (
                    f"Where {self.policy} pays (PRIM box over {len(self.discovery)} cases)",
                    pd.DataFrame(
                        {
                            "assumption": box["label"],
                            "path": box["assumption"],
                            "from": [_plain(v) for v in box["lower"]],
                            "to": [_plain(v) for v in box["upper"]],
                        }
                    ),
                )
            )
        return tables

    def warnings(self) -> list[str]:
        """A heatmap needs two assumptions; with one it is left out."""
        if "heatmap" in self.stages:
            return []
        return ["Only one assumption was varied, so there is no heatmap (it needs two)."]

    def how_to_read(self) -> list[str]:
        """The outcome, the pairing, the interpolation and PRIM's numbers."""
        return [
            f"The outcome is `{OUTCOME}`, the firm's net money, {HORIZON_TITLES[self.horizon]}: "
            f"the policy's minus the baseline's ({self.per}). "
            + reporting.windows_note(self.plan.weeks),
            reporting.interval_note(paired=True, between="scenario and design point"),
            "The centre is every assumption at the scenario's own value. The tornado moves one "
            "assumption at a time to the low and the high end of its range; a break-even value "
            "is where the straight line through its low, centre and high estimates crosses "
            "zero (linear interpolation, not a run at that value).",
            f"The heatmap is a {self.grid} x {self.grid} grid over the two assumptions with the "
            "largest swing, the others at centre; the black line is break-even.",
            f"Scenario discovery samples {self.samples} Latin-hypercube points over every "
            "assumption; PRIM (EMA Workbench) finds the box where the policy pays: its "
            f"**density** is the share of cases in it that pay (at least {PRIM_DENSITY:.0%} when "
            "possible), its **coverage** the share of all paying cases it holds. Only the "
            "assumptions it restricts are listed.",
            reporting.NET_VALUE_NOTE,
        ]

    def figures(self) -> dict[str, Figure]:
        """The tornado, and the break-even map when there are two assumptions or more."""
        runs = self.plan.runs_text
        figures = {
            "tornado": plot_tornado(
                self.tornado,
                self.currency,
                f"{self.policy} against {self.baseline}: net value {self.per}\n"
                f"one assumption at a time at its low and high ({runs})",
            )
        }
        if self.axes is not None:
            x, y = self.axes
            figures["breakeven_map"] = plot_breakeven_map(
                self.heatmap,
                x,
                y,
                self.currency,
                f"{self.policy} against {self.baseline}: net value {self.per}, mean over {runs}",
                xlabel=f"{_title(x)} ({x})",
                ylabel=f"{_title(y)} ({y})",
            )
        return figures

    def report_sections(self, document: Document) -> None:
        """The section "What would have to be true": the statements and the centre's table.

        The report goes on with the figures (the tornado and the break-even map) and then
        the tables the CLI prints.
        """
        document.heading("What would have to be true")
        document.bullets(self.statements())
        comparison = self.summary_comparison()
        document.heading(
            f"At the centre: {self.policy} against {self.baseline}, every metric (mean ± 95% "
            "interval)",
            level=3,
        )
        document.table(
            comparison_rows(
                comparison, self.policy, self.baseline, self.periods(), self.currency
            ).drop(columns=["group", "meaning"], errors="ignore")
        )

    # ------------------------------------------------------------------ files

    def tables(self) -> dict[str, pd.DataFrame]:
        """The CSV tables by file stem (``box`` only when PRIM ran)."""
        tables = {
            "tornado": self.tornado,
            "heatmap": self.heatmap,
            "discovery": self.discovery,
            "comparison": self.summary_comparison(),
        }
        if self.box is not None:
            tables["box"] = self.box
        return tables

    def manifest(self) -> dict[str, Any]:
        """What ran, on what, from which inputs; ``plan`` is what ``resume`` checks."""
        base = self.stages["tornado"].manifest()
        base.update(
            {
                "kind": "breakeven",
                "npssim": __version__,
                "git_revision": git_revision(),
                "executor": self.executor,
                "breakeven": {
                    "policy": self.policy,
                    "baseline": self.baseline,
                    "assumptions": [[f.path, f.lower, f.upper] for f in self.factors],
                    "heatmap_axes": list(self.axes) if self.axes else None,
                    "grid": self.grid,
                    "samples": self.samples,
                    "horizon": self.horizon,
                },
                "stages": {
                    name: {
                        "folder": name,
                        "points": len(stage.plan.points),
                        "runs": len(stage.runs),
                        "runs_resumed": stage.resumed,
                        "wall_seconds": round(stage.wall_seconds, 3),
                    }
                    for name, stage in self.stages.items()
                },
                "timings": {
                    "wall_seconds": round(self.wall_seconds, 3),
                    "runs": self.run_count,
                    "runs_resumed": self.resumed,
                },
                "plan": identity(
                    self.plan,
                    self.policy,
                    self.baseline,
                    self.factors,
                    self.grid,
                    self.samples,
                    self.horizon,
                ),
            }
        )
        return base

    def save(self, folder: str | Path) -> list[Path]:
        """Write the report, its figures, the tables, the scenarios and ``manifest.json``.

        Every file is written under a temporary name and renamed; the stages' stored runs
        are left as they are.

        Returns:
            The files written.
        """
        folder = Path(folder)
        with FolderLock(folder):
            return self._save(folder)

    def _save(self, folder: Path) -> list[Path]:
        written: list[Path] = []
        written.extend(write_scenarios(self.scenarios, folder))
        tables = self.tables()
        for name, frame in tables.items():
            path = folder / f"{name}.csv"
            with atomic_path(path) as temporary:
                frame.to_csv(temporary, index=False)
            written.append(path)
        written.extend(reporting.write_report(self, folder, list(tables)))
        RunStore(folder).write_manifest(self.manifest())
        written.append(folder / MANIFEST)
        return written


# ---------------------------------------------------------------------- the analysis


def break_even_values(tornado: pd.DataFrame) -> pd.DataFrame:
    """Where each assumption's low-centre-high line of mean differences crosses zero.

    Args:
        tornado: A tornado frame (``assumption``, ``label``, ``side``, ``value``,
            ``difference``).

    Returns:
        See :meth:`BreakevenResults.break_even_values`.
    """
    rows = []
    for path, line in tornado.groupby("assumption", sort=False):
        sides = line.set_index("side")
        low, current, high = (float(sides.loc[side, "value"]) for side in SIDES)
        points = sorted(
            {float(sides.loc[s, "value"]): float(sides.loc[s, "difference"]) for s in SIDES}.items()
        )
        best, pays = math.nan, ""
        for (x0, d0), (x1, d1) in itertools.pairwise(points):
            if (d0 < 0 < d1) or (d1 < 0 < d0):
                crossing = x0 + (x1 - x0) * d0 / (d0 - d1)
                if math.isnan(best) or abs(crossing - current) < abs(best - current):
                    best, pays = crossing, "above" if d1 > 0 else "below"
        span = max(high, current) - min(low, current)
        rows.append(
            {
                "assumption": path,
                "label": sides["label"].iloc[0],
                "low": low,
                "current": current,
                "high": high,
                "crossing": best,
                "pays": pays,
                "distance": abs(best - current) / span if span > 0 else math.nan,
            }
        )
    return pd.DataFrame(rows)


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
                    "label": _title(path),
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


def identity(
    plan: Plan,
    policy: str,
    baseline: str,
    factors: Sequence[Factor],
    grid: int,
    samples: int,
    horizon: str,
) -> dict[str, Any]:
    """Everything that determines a break-even analysis, as JSON-ready data (``resume``)."""
    return {
        "kind": "breakeven",
        "policy": policy,
        "baseline": baseline,
        "assumptions": [[f.path, f.lower, f.upper] for f in factors],
        "grid": grid,
        "samples": samples,
        "horizon": horizon,
        "tornado": plan.identity(),
    }


def run_breakeven(
    policy: ScenarioLike,
    baseline: ScenarioLike = "baseline",
    assumptions: Sequence[str] | None = None,
    *,
    replications: int = DEFAULT_REPLICATIONS,
    grid: int = DEFAULT_GRID,
    samples: int = DEFAULT_SAMPLES,
    seed: int | None = None,
    weeks: int | None = None,
    overrides: Mapping[str, Any] | None = None,
    horizon: str = "long",
    executor: ExecutorLike = None,
    workers: int | None = None,
    out: str | Path | None = None,
    resume: bool = False,
    force: bool = False,
    progress: bool = False,
    model_class: type[NPSModel] = NPSModel,
) -> BreakevenResults:
    """What would have to be true for a policy to pay: tornado, heatmap, scenario discovery.

    Args:
        policy: The policy's scenario file, bundled name or :class:`Scenario`.
        baseline: What it is compared with (the bundled ``baseline`` by default).
        assumptions: ``"path=lo:hi"`` or bare ``"path"`` (its plausible range); None for
            every uncertain assumption of the schema at its plausible range.
        replications: Replications per scenario and design point.
        grid: Levels per axis of the heatmap (at least :data:`MIN_GRID`).
        samples: Latin-hypercube points of the scenario discovery (at least
            :data:`MIN_SAMPLES`).
        seed: Root seed (the policy's ``run.seed`` by default); it also draws the hypercube.
        weeks: Weeks to simulate.
        overrides: Values set in both scenarios, like ``--set``.
        horizon: The window the outcome is read over: ``"long"`` (the last 52 weeks, per
            year), ``"short"`` or ``"end"``.
        executor: As in :func:`~npssim.experiment.run_experiment`.
        workers: Local worker processes.
        out: Store each stage's runs in ``out/<stage>`` as they finish (nothing is written
            until every input is checked; the report is written by :meth:`~BreakevenResults.save`).
        resume: Complete the analysis already started in ``out``.
        force: Replace npssim's earlier results in ``out``.
        progress: Show a progress bar per stage.
        model_class: The model every run builds.

    Returns:
        The results; the same for the same root seed whatever executor ran them.

    Raises:
        InputError: An input is wrong (the message names the option and the parameter).
    """
    if horizon not in HORIZONS:
        raise InputError(f"--horizon: expected one of {', '.join(HORIZONS)}, got {horizon!r}")
    if grid < MIN_GRID:
        raise InputError(f"--grid: must be at least {MIN_GRID}, got {grid}")
    if samples < MIN_SAMPLES:
        raise InputError(
            f"--samples: must be at least {MIN_SAMPLES} for scenario discovery, got {samples}"
        )
    factors = parse_assumptions(assumptions, model_class.scenario_schema)
    named = not isinstance(policy, Scenario) and not isinstance(baseline, Scenario)
    if named and Path(str(policy)).stem == Path(str(baseline)).stem:
        raise InputError(f"--baseline {baseline}: is the policy itself; give another")
    base = make_plan(
        "breakeven",
        [baseline, policy],
        replications,
        seed,
        weeks,
        overrides,
        model_class=model_class,
    )
    baseline_label, policy_label = base.labels
    if base.scenarios[baseline_label] == base.scenarios[policy_label]:
        raise InputError(f"--baseline {baseline}: is the same scenario as the policy")
    tornado_points = [{}] + [
        {factor.path: _value(factor, share)} for factor in factors for share in (0.0, 1.0)
    ]
    plans = {"tornado": _stage(base, "tornado", tornado_points)}
    tasks = plans["tornado"].tasks()  # every value checked against the schema: nothing written
    choice, description = choose_executor(executor, workers, len(tasks))
    check_model_class(model_class, **where_runs_go(choice, len(tasks)))
    folder = Path(out) if out is not None else None
    # One writer for the whole analysis: its stages' folders and, after it, the report.
    with FolderLock(folder) if folder is not None else contextlib.nullcontext():
        if folder is not None:
            RunStore(folder).open(
                identity(
                    plans["tornado"], policy_label, baseline_label, factors, grid, samples, horizon
                ),
                resume=resume,
                force=force,
            )
        started = time.perf_counter()
        execution = {"executor": executor, "workers": workers, "progress": progress}

        def execute(name: str, plan: Plan) -> StageResults:
            result = execute_plan(
                plan,
                results_type=StageResults,
                out=None if folder is None else folder / name,
                resume=resume,
                force=force,
                **execution,
            )
            assert isinstance(result, StageResults)
            return result

        stages = {"tornado": execute("tornado", plans["tornado"])}
        partial = BreakevenResults(
            policy_label, baseline_label, factors, horizon, stages, axes=None, grid=grid,
            samples=samples,
        )  # fmt: skip
        axes: tuple[str, str] | None = None
        if len(factors) > 1:
            order = list(partial.swings().index)
            by_path = {factor.path: factor for factor in factors}
            x, y = by_path[order[0]], by_path[order[1]]
            axes = (x.path, y.path)
            levels = np.linspace(0.0, 1.0, grid)
            points = [{x.path: _value(x, a), y.path: _value(y, b)} for b in levels for a in levels]
            stages["heatmap"] = execute("heatmap", _stage(base, "heatmap", points))
        lhs_seed = int(np.random.SeedSequence([base.seed, _LHS_STREAM]).generate_state(1)[0])
        shares = latin_hypercube(len(factors), samples, lhs_seed)
        points = [
            {factor.path: _value(factor, share) for factor, share in zip(factors, row, strict=True)}
            for row in shares
        ]
        stages["discovery"] = execute("discovery", _stage(base, "discovery", points))
        return BreakevenResults(
            policy_label,
            baseline_label,
            factors,
            horizon,
            stages,
            axes=axes,
            grid=grid,
            samples=samples,
            wall_seconds=time.perf_counter() - started,
            executor=description,
        )


def _stage(base: Plan, name: str, points: Sequence[dict[str, Any]]) -> Plan:
    return dataclasses.replace(base, points=tuple(points), options={**base.options, "stage": name})
