"""A break-even analysis' results: its stages' runs, what they say, and its files.

:func:`~npssim.experiment.breakeven.run_breakeven` runs the stages; this module reads them: the
paired difference per stage and point (:class:`StageResults`), the tornado, the map and the
discovery as frames, the statements a leader reads first (the centre verdict, the flip
condition, PRIM's box), and the manifest and files. What people read is composed in
:mod:`npssim.experiment.breakeven_report`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from npssim.experiment import assumptions as named
from npssim.experiment import breakeven_report
from npssim.experiment.analysis import COLUMNS, HORIZON_TITLES, interval, over_window
from npssim.experiment.defaults import BREAKEVEN_CARRY
from npssim.experiment.design import Factor
from npssim.experiment.discovery import PrimBox, prim_outcome, prim_statement
from npssim.experiment.plan import Plan, intervention_week, windows
from npssim.experiment.results import (
    ExperimentResults,
    git_revision,
    write_scenarios,
    write_tables,
)
from npssim.experiment.screening import Screen
from npssim.experiment.store import MANIFEST, RunStore
from npssim.files import FolderLock
from npssim.report import comparison_rows
from npssim.report.document import Document
from npssim.report.setup import Setup
from npssim.report.tables import format_money
from npssim.scenario import Scenario, get_path
from npssim.version import __version__

#: The outcome that decides whether a policy pays: the firm's net money.
OUTCOME = "net_value"
#: The screen's strongest assumptions carried on, by default.
DEFAULT_CARRY = BREAKEVEN_CARRY
#: The tornado's three points per assumption.
SIDES = ("low", "centre", "high")


def factor_value(factor: Factor, share: float) -> float | int:
    """A Python number a share of the way along the factor's range (what a scenario takes)."""
    value = factor.at(share)
    return int(value) if factor.integer else float(value)


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


# ---------------------------------------------------------------------- the results


class BreakevenResults:
    """What would have to be true for a policy to pay: the four stages and what they say.

    Args:
        policy: The policy's label.
        baseline: The baseline's label.
        factors: The assumptions carried past the screen (tornado, map, PRIM), strongest first.
        horizon: The horizon the outcome is read over.
        stages: Each stage's runs by name (``heatmap`` absent with one carried assumption).
        screen: The screen's design, ranking and carried assumptions.
        axes: The heatmap's two assumptions (x, y), if it ran.
        grid: Levels per axis of the heatmap.
        samples: Latin-hypercube points of the discovery.
        carry: How many of the strongest the screen was asked to carry.
        wall_seconds: Wall time of the whole analysis in this session.
        executor: How the runs were executed.

    Attributes:
        plan: The tornado's plan (scenarios, seeds, replications: the same in every stage but
            the screen, which runs its own number of replications on the same seeds).
        outcome: The metric whose paired difference decides whether the policy pays.
    """

    outcome = OUTCOME

    def __init__(
        self,
        policy: str,
        baseline: str,
        factors: Sequence[Factor],
        horizon: str,
        stages: Mapping[str, StageResults],
        *,
        screen: Screen,
        axes: tuple[str, str] | None,
        grid: int,
        samples: int,
        carry: int = DEFAULT_CARRY,
        assumed: Sequence[str] = (),
        wall_seconds: float = math.nan,
        executor: str = "in-process",
    ) -> None:
        self.policy = policy
        self.baseline = baseline
        self.factors = list(factors)
        self.horizon = horizon
        self.stages = dict(stages)
        self.screen = screen
        self.axes = axes
        self.grid = grid
        self.samples = samples
        self.carry = carry
        self.assumed = tuple(assumed)
        self.wall_seconds = wall_seconds
        self.executor = executor
        self.plan: Plan = self.stages["tornado"].plan

    @property
    def screened(self) -> list[Factor]:
        """Every assumption the screen moved, with its range."""
        return list(self.screen.design.factors)

    # ------------------------------------------------------------------ Reportable

    @property
    def scenarios(self) -> dict[str, Scenario]:
        """The baseline and the policy by label."""
        return self.plan.scenarios

    @property
    def varied(self) -> list[str]:
        """The carried assumptions' paths (the tornado's, the map's and PRIM's)."""
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
                "low": factor_value(factor, 0.0),
                "centre": self.centre[factor.path],
                "high": factor_value(factor, 1.0),
            }
            for side in SIDES:
                stat = stats.iloc[points[side]]
                rows.append(
                    {
                        "assumption": factor.path,
                        "label": named.name(factor.path),
                        "unit": named.unit(factor.path),
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
            path = row["assumption"]
            return (
                f"{named.lower_first(row['label'])} ({path}) would have to be {side} "
                f"{named.with_unit(path, row['crossing'], self.currency)} (it is "
                f"{named.with_unit(path, row['current'], self.currency)} here)"
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
        return prim_outcome(self.policy, self.discovery, self.varied)

    @property
    def box(self) -> pd.DataFrame | None:
        """The PRIM box's restricted assumptions and bounds, or None when PRIM did not run."""
        return self.prim.limits if isinstance(self.prim, PrimBox) else None

    def prim_statement(self) -> str:
        """Where the policy pays, as PRIM's box says, in one sentence (or why there is none)."""
        return prim_statement(self.policy, self.prim, self.discovery, self.currency)

    def screen_statement(self) -> str:
        """What the screen found: how many assumptions it moved and which it carried on."""
        design = self.screen.design
        strongest = self.screen.indices.iloc[0]
        return (
            f"The screen moved {len(design.factors)} assumptions ({design.samples} Morris "
            f"trajectories, {len(design.matrix)} points, each paired); the strongest is "
            f"{named.lower_first(strongest['label'])} ({strongest['assumption']}: "
            f"{format_money(strongest['mu_star'], self.currency)} {self.per} on average for "
            f"a move across its range); {len(self.varied)} carried into the tornado, the map "
            "and PRIM."
        )

    def setup(self) -> Setup:
        """What the centre's answer was computed on, and the cases PRIM sampled.

        One line (:func:`npssim.report.setup.setup_line`) opens the terminal and the report,
        as it opens compare's answer, so a break-even centre and a comparison read side by side
        say at once why their numbers differ.
        """
        centre = self.stages["tornado"].setup()
        discovery = self.stages.get("discovery")
        if discovery is None:
            return centre
        return replace(
            centre, samples=self.samples, sample_replications=discovery.plan.replications
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
    # (what people read is composed in :mod:`npssim.experiment.breakeven_report`)

    def tornado_table(self) -> pd.DataFrame:
        """The tornado for people: one row per assumption, widest swing first, money as text."""
        return breakeven_report.tornado_table(self)

    def screen_table(self) -> pd.DataFrame:
        """The screen for people: every assumption, strongest first, money as text."""
        return breakeven_report.screen_table(self)

    def people_tables(self) -> list[tuple[str, pd.DataFrame]]:
        """The screen, the tornado, the break-even values and PRIM's box, as display strings."""
        return breakeven_report.people_tables(self)

    def warnings(self) -> list[str]:
        """A heatmap needs two assumptions; with one it is left out."""
        if "heatmap" in self.stages:
            return []
        return ["Only one assumption was varied, so there is no heatmap (it needs two)."]

    def how_to_read(self) -> list[str]:
        """The outcome, the pairing, the screen, the interpolation and PRIM's numbers."""
        return breakeven_report.how_to_read(self)

    def figures(self) -> dict[str, Figure]:
        """The screen, the tornado, and the map when two assumptions or more are carried."""
        return breakeven_report.figures(self)

    def report_sections(self, document: Document) -> None:
        """The centre's every-metric table: the evidence a reader reaches last."""
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
            "screen": self.screen.indices.assign(
                carried=self.screen.indices["assumption"].isin(self.varied)
            ),
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
                    "screened": [[f.path, f.lower, f.upper] for f in self.screened],
                    "trajectories": self.screen.design.samples,
                    "carry": self.carry,
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
                    self.stages["screen"].plan,
                    self.policy,
                    self.baseline,
                    self.screened,
                    self.assumed,
                    self.carry,
                    self.plan.replications,
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
        written.extend(write_tables(tables, folder))
        written.extend(breakeven_report.write_report(self, folder, list(tables)))
        RunStore(folder).write_manifest(self.manifest())
        written.append(folder / MANIFEST)
        return written


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


def identity(
    screen: Plan,
    policy: str,
    baseline: str,
    screened: Sequence[Factor],
    assumed: Sequence[str],
    carry: int,
    replications: int,
    grid: int,
    samples: int,
    horizon: str,
) -> dict[str, Any]:
    """Everything that determines a break-even analysis, as JSON-ready data (``resume``).

    The later stages follow from the screen's stored runs and these settings, so the screen's
    plan (its scenarios, seeds and Morris points) stands for them.
    """
    return {
        "kind": "breakeven",
        "policy": policy,
        "baseline": baseline,
        "screened": [[f.path, f.lower, f.upper] for f in screened],
        "assumed": list(assumed),
        "carry": carry,
        "replications": replications,
        "grid": grid,
        "samples": samples,
        "horizon": horizon,
        "screen": screen.identity(),
    }
