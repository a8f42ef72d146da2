"""Break-even analysis: what would have to be true for a policy to pay for the firm.

A leader does not ask for indices; they ask "under which circumstances does this pay, and when
does it lose?". The answer is read from the paired difference in the firm's net money
(``net_value``) between the policy and its baseline over the long run (the second year: the
last 52 weeks, so per year), at points that move the *uncertain assumptions* (the schema's
``plausible`` ranges, named by what a firm could measure to pin them):

1. **screen** (:mod:`npssim.experiment.screening`): a Morris screen over every uncertain
   assumption (and ``--assume`` additions), cheap and paired, ranks them by ``mu_star``; the
   strongest (``carry``) and every ``--assume``'d one are carried on.
2. **tornado**: the centre (every assumption at the scenario's value) and each carried
   assumption alone at the low and the high end of its range. The swing says which matter,
   and a sign change along one is a break-even value (:meth:`BreakevenResults.flip_condition`).
3. **heatmap** (the map): a grid over the two carried assumptions with the largest swings.
4. **discovery** (:mod:`npssim.experiment.discovery`): a Latin hypercube over the carried
   assumptions, and PRIM's box of where the policy pays.

This module orchestrates them. Each stage is an ordinary experiment
(:class:`~npssim.experiment.plan.Plan` of the baseline and the policy, one design point per
row), executed by :func:`~npssim.experiment.api.execute_plan`: replication *i* of both scenarios
at every point shares its seed, so the differences are paired; runs are stored as they finish
and the results are the same whatever executor ran them. With ``out``, each stage stores its
runs in its own sub-experiment folder (``out/screen``, ``out/tornado``, ``out/heatmap``,
``out/discovery``), and ``out/manifest.json`` records the whole analysis' identity:
``resume=True`` checks it, then completes each stage in turn, so an interruption in any stage
resumes where it stopped (each stage is derived from the stored runs of those before it, so it
comes out the same).
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import math
import time
from collections.abc import Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from npssim.errors import InputError
from npssim.experiment import assumptions as named
from npssim.experiment import breakeven_report, reporting
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
    BREAKEVEN_CARRY,
    BREAKEVEN_GRID,
    BREAKEVEN_MIN_GRID,
    BREAKEVEN_MIN_SAMPLES,
    BREAKEVEN_MIN_TRAJECTORIES,
    BREAKEVEN_REPLICATIONS,
    BREAKEVEN_SAMPLES,
    BREAKEVEN_SCREEN_REPLICATIONS,
    BREAKEVEN_TRAJECTORIES,
)
from npssim.experiment.design import (  # noqa: F401 (parse_assumptions re-exported)
    Factor,
    parse_assumptions,
    parse_factor,
)
from npssim.experiment.discovery import (  # noqa: F401 (re-exported where they were)
    INSTALL_HINT,
    PRIM_DENSITY,
    PRIM_MAX_DIMENSIONS,
    PrimBox,
    find_box,
    load_prim,
    prim_outcome,
    prim_statement,
    sample_points,
)
from npssim.experiment.firms import check_same_firm
from npssim.experiment.plan import Plan, intervention_week, windows
from npssim.experiment.results import ExperimentResults, git_revision, write_scenarios
from npssim.experiment.runs import check_model_class
from npssim.experiment.screening import (
    Screen,
    carried,
    screen_design,
    screen_indices,
    screened_factors,
)
from npssim.experiment.store import MANIFEST, RunStore
from npssim.files import FolderLock, atomic_path
from npssim.model import NPSModel
from npssim.report import comparison_rows
from npssim.report.breakeven import plot_breakeven_map, plot_screen, plot_tornado
from npssim.report.document import Document
from npssim.report.tables import format_money
from npssim.scenario import Scenario, get_path
from npssim.version import __version__

__all__ = [
    "DEFAULT_CARRY",
    "DEFAULT_GRID",
    "DEFAULT_REPLICATIONS",
    "DEFAULT_SAMPLES",
    "DEFAULT_TRAJECTORIES",
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
DEFAULT_CARRY = BREAKEVEN_CARRY
DEFAULT_TRAJECTORIES = BREAKEVEN_TRAJECTORIES
DEFAULT_SCREEN_REPLICATIONS = BREAKEVEN_SCREEN_REPLICATIONS
MIN_GRID = BREAKEVEN_MIN_GRID
MIN_SAMPLES = BREAKEVEN_MIN_SAMPLES
MIN_TRAJECTORIES = BREAKEVEN_MIN_TRAJECTORIES
#: The stages, in order; each is a sub-experiment folder of the output folder.
STAGES = ("screen", "tornado", "heatmap", "discovery")
#: What the progress bar calls each stage.
STAGE_TITLES = {
    "screen": "screen",
    "tornado": "tornado",
    "heatmap": "map",
    "discovery": "discovery",
}
SIDES = ("low", "centre", "high")
#: Streams of the root seed that draw the Latin hypercube and the Morris design (apart from
#: the replication seeds).
_LHS_STREAM = 3
_SCREEN_STREAM = 4


# ---------------------------------------------------------------------- inputs


def _value(factor: Factor, share: float) -> float | int:
    value = factor.at(share)
    return int(value) if factor.integer else float(value)


def _plain(value: float) -> str:
    return named.plain(value)


def _lower_first(text: str) -> str:
    return named.lower_first(text)


def _title(path: str) -> str:
    return named.name(path)


#: Widest bar of the screen's "strength" column, in characters (a figure a terminal shows).
_BAR_WIDTH = 20


def _bar(share: float) -> str:
    """A bar of block characters as long as ``share`` of :data:`_BAR_WIDTH`."""
    eighths = round(max(0.0, min(1.0, share)) * _BAR_WIDTH * 8)
    full, part = divmod(eighths, 8)
    return "█" * full + ("" if part == 0 else " ▏▎▍▌▋▊▉"[part])


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
    """

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
                f"{_lower_first(row['label'])} ({path}) would have to be {side} "
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
            f"{_lower_first(strongest['label'])} ({strongest['assumption']}: "
            f"{format_money(strongest['mu_star'], self.currency)} {self.per} on average for "
            f"a move across its range); {len(self.varied)} carried into the tornado, the map "
            "and PRIM."
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
                    "unit": named.unit(path),
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

    def screen_table(self) -> pd.DataFrame:
        """The screen for people: every assumption, strongest first, money as text.

        ``mu_star`` is what a move of the assumption across its range is worth on average
        (the absolute paired difference, per year), ``sigma`` how much that depends on the
        other assumptions; ``carried`` marks those the later stages move.
        """
        indices = self.screen.indices
        top = float(indices["mu_star"].max()) or 1.0
        carried_paths = set(self.varied)
        return pd.DataFrame(
            {
                "rank": indices["rank"],
                "assumption": indices["label"],
                "unit": indices["unit"],
                "path": indices["assumption"],
                "range": [
                    f"{_plain(lo)} to {_plain(hi)}"
                    for lo, hi in zip(indices["low"], indices["high"], strict=True)
                ],
                "mu_star": [self._money(v).lstrip("+") for v in indices["mu_star"]],
                "sigma": [self._money(v).lstrip("+") for v in indices["sigma"]],
                "strength": [_bar(v / top) for v in indices["mu_star"]],
                "carried": ["yes" if p in carried_paths else "" for p in indices["assumption"]],
            }
        )

    def people_tables(self) -> list[tuple[str, pd.DataFrame]]:
        """The screen, the tornado, the break-even values and PRIM's box, as display strings."""
        runs = self.plan.runs_text
        count = self.stages["screen"].plan.replications
        screen_runs = f"{count} replication{'s' if count > 1 else ''}"
        tables = [
            (
                f"The screen: what each assumption is worth to {self.policy} against "
                f"{self.baseline} (net value {self.per}; Morris mu_star and sigma, "
                f"{screen_runs} per point)",
                self.screen_table(),
            ),
            (
                f"{self.policy} against {self.baseline}: paired difference in net value "
                f"{self.per}, each assumption alone at its low and high (mean over {runs})",
                self.tornado_table(),
            ),
        ]
        values = self.break_even_values()
        shown = pd.DataFrame(
            {
                "assumption": values["label"],
                "unit": [named.unit(path) for path in values["assumption"]],
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
                            "unit": [named.unit(path) for path in box["assumption"]],
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
            f"The screen is a Morris design ({self.screen.design.samples} trajectories, "
            f"{len(self.screen.design.matrix)} points, SALib) over every uncertain assumption "
            "and any added with --assume; at every point the policy and the baseline run on "
            "the same seeds. **mu_star** is the mean absolute change in the paired "
            "difference when one assumption moves across its range (what it is worth), "
            "**sigma** the spread of those changes (how much it depends on the others). The "
            f"{self.carry} strongest by mu_star, and every --assume'd one, are carried on.",
            "The centre is every assumption at the scenario's own value. The tornado moves one "
            "assumption at a time to the low and the high end of its range; a break-even value "
            "is where the straight line through its low, centre and high estimates crosses "
            "zero (linear interpolation, not a run at that value).",
            f"The map is a {self.grid} x {self.grid} grid over the two carried assumptions with "
            "the largest swing, the others at centre; the black line is break-even.",
            f"Scenario discovery samples {self.samples} Latin-hypercube points over the carried "
            "assumptions (the others at centre); PRIM (EMA Workbench) finds the box where the "
            "policy pays: its "
            f"**density** is the share of cases in it that pay (at least {PRIM_DENSITY:.0%} when "
            "possible), its **coverage** the share of all paying cases it holds. Only the "
            "assumptions it restricts are listed.",
            reporting.NET_VALUE_NOTE,
        ]

    def figures(self) -> dict[str, Figure]:
        """The screen, the tornado, and the map when two assumptions or more are carried."""
        runs = self.plan.runs_text
        figures = {
            "screen": plot_screen(
                self.screen.indices,
                self.varied,
                self.currency,
                f"{self.policy} against {self.baseline}: what each assumption is worth "
                f"(net value {self.per})\nMorris screen, "
                f"{self.stages['screen'].plan.replications} replication(s) per point, paired",
            ),
            "tornado": plot_tornado(
                self.tornado,
                self.currency,
                f"{self.policy} against {self.baseline}: net value {self.per}\n"
                f"one assumption at a time at its low and high ({runs})",
            ),
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
        for name, frame in tables.items():
            path = folder / f"{name}.csv"
            with atomic_path(path) as temporary:
                frame.to_csv(temporary, index=False)
            written.append(path)
        written.extend(breakeven_report.write_report(self, folder, list(tables)))
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


def run_breakeven(
    policy: ScenarioLike,
    baseline: ScenarioLike = "baseline",
    assumptions: Sequence[str] | None = None,
    *,
    replications: int = DEFAULT_REPLICATIONS,
    grid: int = DEFAULT_GRID,
    samples: int = DEFAULT_SAMPLES,
    carry: int = DEFAULT_CARRY,
    trajectories: int = DEFAULT_TRAJECTORIES,
    screen_replications: int = DEFAULT_SCREEN_REPLICATIONS,
    only_assumed: bool = False,
    different_firms: bool = False,
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
    """What would have to be true for a policy to pay: screen, tornado, map, scenario discovery.

    Args:
        policy: The policy's scenario file, bundled name or :class:`Scenario`.
        baseline: What it is compared with (the bundled ``baseline`` by default): the same
            firm under another policy (see ``different_firms``).
        assumptions: ``"path=lo:hi"`` or bare ``"path"`` (its plausible range), as ``--assume``:
            each is added to the screen (or its range replaces the plausible one) and carried
            into the later stages whatever its rank. None: the screen moves every uncertain
            assumption of the schema at its plausible range.
        replications: Replications per scenario and point of the tornado, map and discovery.
        grid: Levels per axis of the map (at least :data:`MIN_GRID`).
        samples: Latin-hypercube points of the scenario discovery (at least
            :data:`MIN_SAMPLES`).
        carry: How many of the screen's strongest assumptions (by mu_star) are carried on.
        trajectories: Morris trajectories of the screen (at least :data:`MIN_TRAJECTORIES`);
            the screen runs ``trajectories x (assumptions + 1)`` points.
        screen_replications: Replications per scenario and point of the screen.
        only_assumed: Screen only the ``assumptions`` given, not every uncertain one.
        different_firms: Allow a baseline that differs from the policy in more than the policy
            (firm, accounts, reps, managers, run, timeline); refused otherwise.
        seed: Root seed (the policy's ``run.seed`` by default); it also draws the Morris
            design and the hypercube.
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
        progress: Show a progress bar per stage, named by the stage.
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
    if trajectories < MIN_TRAJECTORIES:
        raise InputError(f"--trajectories: must be at least {MIN_TRAJECTORIES}, got {trajectories}")
    if carry < 1:
        raise InputError(f"--carry: must be at least 1, got {carry}")
    schema = model_class.scenario_schema
    factors, assumed = screened_factors(assumptions, schema, only_assumed=only_assumed)
    named_sources = not isinstance(policy, Scenario) and not isinstance(baseline, Scenario)
    if named_sources and Path(str(policy)).stem == Path(str(baseline)).stem:
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
    check_same_firm(
        base.scenarios[policy_label],
        base.scenarios[baseline_label],
        different_firms=different_firms,
    )
    design_seed = int(np.random.SeedSequence([base.seed, _SCREEN_STREAM]).generate_state(1)[0])
    morris = screen_design(factors, trajectories, design_seed)
    screen_plan = dataclasses.replace(
        _stage(base, "screen", morris.overrides()), replications=screen_replications
    )
    tasks = screen_plan.tasks()  # every value checked against the schema: nothing written
    choice, description = choose_executor(executor, workers, len(tasks))
    check_model_class(model_class, **where_runs_go(choice, len(tasks)))
    folder = Path(out) if out is not None else None
    by_path = {factor.path: factor for factor in factors}
    # One writer for the whole analysis: its stages' folders and, after it, the report.
    with FolderLock(folder) if folder is not None else contextlib.nullcontext():
        if folder is not None:
            RunStore(folder).open(
                identity(
                    screen_plan, policy_label, baseline_label, factors, assumed, carry,
                    replications, grid, samples, horizon,
                ),
                resume=resume,
                force=force,
            )  # fmt: skip
        started = time.perf_counter()
        execution = {"executor": executor, "workers": workers, "progress": progress}

        def execute(name: str, plan: Plan) -> StageResults:
            result = execute_plan(
                plan,
                results_type=StageResults,
                out=None if folder is None else folder / name,
                resume=resume,
                force=force,
                description=f"breakeven {STAGE_TITLES[name]}: {policy_label} vs {baseline_label}",
                **execution,
            )
            assert isinstance(result, StageResults)
            return result

        stages = {"screen": execute("screen", screen_plan)}
        outputs = stages["screen"].paired(policy_label, baseline_label, horizon).mean(axis=1)
        indices = screen_indices(morris, outputs)
        kept = carried(indices, carry, assumed)
        screen = Screen(morris, indices, kept)
        chosen = [by_path[path] for path in kept]
        tornado_points = [{}] + [
            {factor.path: _value(factor, share)} for factor in chosen for share in (0.0, 1.0)
        ]
        stages["tornado"] = execute("tornado", _stage(base, "tornado", tornado_points))
        settings = {
            "screen": screen,
            "grid": grid,
            "samples": samples,
            "carry": carry,
            "assumed": assumed,
        }
        partial = BreakevenResults(
            policy_label, baseline_label, chosen, horizon, stages, axes=None, **settings
        )
        axes: tuple[str, str] | None = None
        if len(chosen) > 1:
            order = list(partial.swings().index)
            x, y = by_path[order[0]], by_path[order[1]]
            axes = (x.path, y.path)
            levels = np.linspace(0.0, 1.0, grid)
            points = [{x.path: _value(x, a), y.path: _value(y, b)} for b in levels for a in levels]
            stages["heatmap"] = execute("heatmap", _stage(base, "heatmap", points))
        lhs_seed = int(np.random.SeedSequence([base.seed, _LHS_STREAM]).generate_state(1)[0])
        points = sample_points(chosen, samples, lhs_seed)
        stages["discovery"] = execute("discovery", _stage(base, "discovery", points))
        return BreakevenResults(
            policy_label,
            baseline_label,
            chosen,
            horizon,
            stages,
            axes=axes,
            wall_seconds=time.perf_counter() - started,
            executor=description,
            **settings,
        )


def _stage(base: Plan, name: str, points: Sequence[dict[str, Any]]) -> Plan:
    return dataclasses.replace(base, points=tuple(points), options={**base.options, "stage": name})
