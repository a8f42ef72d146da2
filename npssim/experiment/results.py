"""An experiment's results: tidy tables, summaries with intervals, paired comparisons, output.

:class:`ExperimentResults` is what :func:`~npssim.experiment.run_experiment` returns and what the
CLI saves. Its frames are tidy (one row per observation) so analysts can take them straight to
pandas, seaborn or a spreadsheet.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import platform
import subprocess
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import tomli_w
from matplotlib.figure import Figure

from npssim.experiment import reporting
from npssim.experiment.analysis import (
    HORIZON_TITLES,
    HORIZONS,
    interval,
    over_window,
    verdict,
)
from npssim.experiment.plan import Plan, intervention_week, period_titles, windows
from npssim.experiment.runs import RunResult, model_path
from npssim.experiment.store import MANIFEST, RunStore
from npssim.files import FolderLock, atomic_path
from npssim.metrics import HEADLINE, MONEY_GIVEN_AWAY, OVER_TIME, MetricSet
from npssim.policy import PolicySchedule
from npssim.report import (
    comparison_rows,
    plot_breakdown,
    plot_differences,
    plot_metrics,
    plot_nps_bands,
    summary_rows,
)
from npssim.report.document import Document
from npssim.report.setup import Setup
from npssim.scenario import Scenario, scenario_path
from npssim.version import __version__


class ExperimentResults:
    """The runs of an experiment, read as tables, summaries, comparisons and figures.

    Args:
        plan: The experiment that ran.
        runs: Every run's result by task key.
        executor: How the runs were executed (for the manifest).
        wall_seconds: Wall time of the experiment in this session.
        resumed: Runs loaded from an earlier, interrupted session.

    Attributes:
        plan: The experiment that ran.
        runs: Every run's result by task key.
        metric_set: The metrics of the model class that ran (``NPSModel.metric_set``): the
            registry's and any the class adds, in the column order of every table.
        assumption_spread: A comparison's spread over plausible assumptions
            (:class:`~npssim.experiment.uncertainty.AssumptionSpread`), attached by
            :func:`npssim.experiment.run_experiment`; None when it did not run.
    """

    assumption_spread: Any = None

    def __init__(
        self,
        plan: Plan,
        runs: dict[str, RunResult],
        *,
        executor: str = "in-process",
        wall_seconds: float = float("nan"),
        resumed: int = 0,
    ) -> None:
        self.plan = plan
        self.runs = runs
        self.executor = executor
        self.wall_seconds = wall_seconds
        self.resumed = resumed
        self.finished = datetime.now(UTC).isoformat(timespec="seconds")
        self.metric_set: MetricSet = plan.model_class.metric_set
        self._tasks = plan.tasks()
        missing = [task.key for task in self._tasks if task.key not in runs]
        if missing:
            raise ValueError(f"{len(missing)} runs missing, e.g. {missing[0]}")

    # ------------------------------------------------------------------ data

    @property
    def scenarios(self) -> dict[str, Scenario]:
        """The scenarios by label."""
        return self.plan.scenarios

    @property
    def currencies(self) -> dict[str, str]:
        """Each scenario's currency (``firm.currency``), by label: shown beside its money."""
        return {label: scenario.firm.currency for label, scenario in self.scenarios.items()}

    def periods(self, first_week: int = 0) -> dict[str, str]:
        """What the short run, the long run and the end are called in headers."""
        return period_titles(self.plan.weeks, first_week)

    @cached_property
    def design(self) -> pd.DataFrame:
        """The design points: one row per point, one column per varied parameter."""
        frame = pd.DataFrame(list(self.plan.points), index=range(len(self.plan.points)))
        frame.index.name = "point"
        return frame

    @property
    def varied(self) -> list[str]:
        """The varied parameters' paths (none for a plain run or comparison)."""
        return list(self.design.columns)

    @property
    def columns(self) -> tuple[str, ...]:
        """The metric columns of every run, in order: the model class's metrics."""
        return self.metric_set.names

    @cached_property
    def _cubes(self) -> dict[tuple[str, int], np.ndarray]:
        """Replications x weeks x :attr:`columns` per scenario label and design point.

        Each run's weekly array is copied into its cube once and then read as a view of it, so
        an experiment holds one copy of its data however many replications it has.
        """
        counts: dict[tuple[str, int], int] = {}
        for task in self._tasks:
            counts[(task.label, task.point)] = counts.get((task.label, task.point), 0) + 1
        cubes = {
            key: np.empty((count, self.plan.weeks, len(self.columns)))
            for key, count in counts.items()
        }
        first = self.plan.first_replication
        for task in self._tasks:
            run = self.runs[task.key]
            cube = cubes[(task.label, task.point)]
            row = task.replication - first
            cube[row] = run.weekly
            view = cube[row, :, : run.weekly.shape[1]]
            self.runs[task.key] = RunResult(run.key, view, run.seconds)
        return cubes

    def _keys(self, cube_key: tuple[str, int]) -> dict[str, Any]:
        label, point = cube_key
        keys: dict[str, Any] = {"scenario": label}
        if self.varied:
            keys["point"] = point
            keys.update(self.plan.points[point])
        return keys

    @cached_property
    def timeseries(self) -> pd.DataFrame:
        """Tidy weekly data: one row per scenario x (design point x) replication x week.

        Money and counts are running totals since week 0 (:meth:`flows` gives what accrued in
        each week); counts are whole numbers.
        """
        return pd.concat(self.timeseries_blocks(), ignore_index=True)

    def flows(self) -> pd.DataFrame:
        """The weekly data with every running total as the amount accrued in that week.

        Levels (scores, shares, means) are as in :attr:`timeseries`; summing a flow over a few
        weeks gives what accrued in them, as the short and long run read it.
        """
        identity = [name for name in self.timeseries.columns if name not in self.columns]
        runs = [name for name in identity if name not in ("seed", "week")]
        return self.metric_set.as_flows(self.timeseries, by=runs)

    def timeseries_blocks(
        self, metrics: Sequence[str] | None = None, replications: int = 100
    ) -> Iterator[pd.DataFrame]:
        """The tidy weekly data a few replications at a time, in the row order of timeseries.

        This is what writes a large experiment to disk without holding its data twice.

        Args:
            metrics: The metric columns to include (every one by default).
            replications: Replications per block at most.

        Yields:
            Frames with the columns of :attr:`timeseries` (only the chosen metrics).
        """
        weeks, seeds = self.plan.weeks, np.asarray(self.plan.seeds())
        indices = np.asarray(self.plan.replication_indices)
        position = {name: index for index, name in enumerate(self.columns)}
        metrics = self.columns if metrics is None else metrics
        counts = frozenset(self.metric_set.integer)
        # One frame of every cube's identity, so each column has one dtype in every block.
        identity = pd.DataFrame([self._keys(key) for key in self._cubes])
        for row, cube in enumerate(self._cubes.values()):
            for first in range(0, cube.shape[0], replications):
                part = cube[first : first + replications]
                rows = part.shape[0] * weeks
                columns: dict[str, Any] = {
                    name: np.repeat(identity[name].to_numpy()[row : row + 1], rows)
                    for name in identity.columns
                }
                chosen = np.arange(first, first + part.shape[0])
                columns["replication"] = np.repeat(indices[chosen], weeks)
                columns["seed"] = np.repeat(seeds[chosen], weeks)
                columns["week"] = np.tile(np.arange(weeks), part.shape[0])
                for metric in metrics:
                    values = part[:, :, position[metric]].ravel()
                    columns[metric] = values.astype(np.int64) if metric in counts else values
                yield pd.DataFrame(columns)

    def per_run(self, horizon: str = "end", reference: str | None = None) -> pd.DataFrame:
        """Every run's metrics over one horizon: one row per scenario x (point x) replication.

        Args:
            horizon: ``"end"`` (the ledger at the last week; running totals since week 0),
                ``"short"`` (the first two quarters after the policy change) or ``"long"``
                (the last four quarters).
            reference: Label of the scenario whose policy the short run's start is read
                against (see :func:`~npssim.experiment.plan.intervention_week`); by default
                each scenario's own first policy change.

        Returns:
            The values, with the run's identifying columns first.
        """
        if horizon not in HORIZONS:
            raise ValueError(f"horizon must be one of {', '.join(HORIZONS)}, got {horizon!r}")
        seeds = self.plan.seeds()
        baseline = self.scenarios[reference] if reference is not None else None
        frames = []
        for cube_key, cube in self._cubes.items():
            start = intervention_week(self.scenarios[cube_key[0]], baseline)
            first, stop = windows(start, self.plan.weeks)[horizon]
            read = over_window(cube, first, stop, horizon, self.metric_set)
            values = pd.DataFrame(read, columns=list(self.columns))
            for name in self.columns:
                if self.metric_set.whole_over(name, horizon):
                    values[name] = values[name].astype(np.int64)
            keys = pd.DataFrame([self._keys(cube_key)] * cube.shape[0])
            keys["replication"] = np.asarray(self.plan.replication_indices)
            keys["seed"] = seeds
            frames.append(pd.concat([keys, values], axis=1))
        return pd.concat(frames, ignore_index=True)

    @cached_property
    def ledger(self) -> pd.DataFrame:
        """The ledger at the end of every run: one row per scenario x (point x) replication."""
        return self.per_run("end")

    def summary(self, horizons: Sequence[str] = HORIZONS) -> pd.DataFrame:
        """Mean and confidence interval of every metric, per scenario (and design point).

        Returns:
            Tidy rows: scenario, (point and varied parameters,) horizon, metric, mean, ci_low,
            ci_high, sd, n.
        """
        rows = []
        identity = ["scenario", *(["point", *self.varied] if self.varied else [])]
        for horizon in horizons:
            frame = self.per_run(horizon)
            for keys, group in frame.groupby(identity, sort=False):
                keys = keys if isinstance(keys, tuple) else (keys,)
                for metric in self.columns:
                    stat = interval(group[metric].to_numpy())
                    rows.append(
                        {
                            **dict(zip(identity, keys, strict=True)),
                            "horizon": horizon,
                            "metric": metric,
                            "mean": stat.mean,
                            "ci_low": stat.low,
                            "ci_high": stat.high,
                            "sd": stat.sd,
                            "n": stat.n,
                        }
                    )
        return pd.DataFrame(rows)

    def compare(self, baseline: str | None = None) -> pd.DataFrame:
        """Each scenario against the baseline, paired by replication, short and long run.

        The short run starts where the scenario's policy first differs from the baseline's, and
        both are read over the same weeks, so the pairs share their random numbers.

        Args:
            baseline: The baseline's label (the first scenario by default).

        Returns:
            Tidy rows: scenario, baseline, horizon, metric, baseline_mean, mean, difference,
            ci_low, ci_high, n, verdict ("better", "worse", "no clear change", or "" for what
            the dashboard shows).
        """
        baseline = baseline or self.plan.labels[0]
        if baseline not in self.scenarios:
            raise ValueError(f"no scenario labelled {baseline!r} in {self.plan.labels}")
        rows = []
        base_cube = self._cubes[(baseline, 0)]
        for label in self.plan.labels:
            if label == baseline:
                continue
            start = intervention_week(self.scenarios[label], self.scenarios[baseline])
            for horizon in ("short", "long"):
                first, stop = windows(start, self.plan.weeks)[horizon]
                mine = over_window(self._cubes[(label, 0)], first, stop, metrics=self.metric_set)
                theirs = over_window(base_cube, first, stop, metrics=self.metric_set)
                for column, metric in enumerate(self.columns):
                    difference = interval(mine[:, column] - theirs[:, column])
                    rows.append(
                        {
                            "scenario": label,
                            "baseline": baseline,
                            "horizon": horizon,
                            "first_week": first,
                            "last_week": stop - 1,
                            "metric": metric,
                            "baseline_mean": interval(theirs[:, column]).mean,
                            "mean": interval(mine[:, column]).mean,
                            "difference": difference.mean,
                            "ci_low": difference.low,
                            "ci_high": difference.high,
                            "n": difference.n,
                            "verdict": verdict(metric, difference, self.metric_set),
                        }
                    )
        return pd.DataFrame(rows)

    # ------------------------------------------------------------------ figures and files

    def people_tables(self) -> list[tuple[str, pd.DataFrame]]:
        """The headline tables as display strings with their titles: what the CLI prints.

        A comparison shows each scenario against the baseline; a run each scenario's goods and
        bads, mean ± the half-width of the 95% interval over replications. Sweeps and
        sensitivity analyses show tables of their own.
        """
        plan = self.plan
        runs = plan.runs_text
        tables = []
        if len(self.scenarios) > 1:
            comparison = self.compare()
            baseline = plan.labels[0]
            for label in plan.labels[1:]:
                rows = comparison[comparison["scenario"] == label]
                first = int(rows[rows["horizon"] == "short"]["first_week"].iloc[0])
                title = (
                    f"{label} against {baseline}: paired differences over {runs}, mean ± 95% "
                    f"interval (money and counts: the amount accrued in each period)"
                )
                frame = comparison_rows(
                    rows,
                    label,
                    baseline,
                    self.periods(first),
                    self.currencies[label],
                    metrics=self.metric_set,
                )
                tables.append((title, frame))
            return tables
        summary = self.summary()
        for label in plan.labels:
            rows = summary[summary["scenario"] == label]
            title = f"{label}: goods and bads, mean ± 95% interval over {runs}"
            headings = {horizon: self.periods()[horizon] for horizon in HORIZON_TITLES}
            currency = self.currencies[label]
            tables.append((title, summary_rows(rows, headings, currency, self.metric_set)))
        return tables

    def summary_comparison(self) -> pd.DataFrame | None:
        """The paired comparison the decision summary is read from (None for one scenario)."""
        if len(self.scenarios) < 2 or self.varied:
            return None
        return self.compare()

    def flip_condition(self) -> str | None:
        """What would have to be true for the verdict to flip: a break-even analysis knows."""
        return None

    @property
    def policy_start(self) -> int:
        """The first week any policy differs from the baseline (the first scenario)."""
        baseline, *others = self.plan.labels
        reference = self.scenarios[baseline]
        if not others:
            return intervention_week(reference)
        return min(intervention_week(self.scenarios[label], reference) for label in others)

    def setup(self) -> Setup:
        """What the answer was computed on: firm, policy start, window, seeds, assumption sample.

        :func:`npssim.report.setup.setup_line` says it in one line.
        """
        firm = self.scenarios[self.plan.labels[0]].firm
        reps = firm.managers * firm.reps_per_manager
        first, stop = windows(self.policy_start, self.plan.weeks)["long"]
        spread = self.assumption_spread
        return Setup(
            managers=firm.managers,
            reps=reps,
            accounts=reps * firm.accounts_per_rep,
            currency=firm.currency,
            policy_start=self.policy_start,
            window=self.periods()["long"],
            first_week=first,
            last_week=stop - 1,
            replications=self.plan.runs_text,
            seed=self.plan.seed,
            samples=0 if spread is None else spread.samples,
            sample_replications=1 if spread is None else spread.replications,
        )

    def decision_markdown(self) -> str:
        """The answer as the report opens with it, in Markdown: for a notebook's first screen.

        The set-up line, a verdict line per policy against the first scenario with its spread
        over plausible assumptions, the tiles, the policy matrix and a recommendation per
        policy; empty for a single scenario.
        """
        document = Document("")
        reporting.decision_section(document, self)
        return document.to_markdown(title=False)

    def warnings(self) -> list[str]:
        """What a reader must know before trusting the tables (printed and reported)."""
        return []

    def answer(self) -> list[str]:
        """The lines a sweep or a sensitivity analysis opens with; none for a run.

        A comparison's answer is its verdicts, read from :meth:`summary_comparison`.
        """
        return []

    def answer_section(self, document: Document) -> None:
        """The report's answer after the verdicts: :meth:`answer`'s lines, when there are any.

        The one hook the report calls for an answer that is not a verdict; a kind of results
        with more to show (a decomposition's waterfall) writes its own.
        """
        lines = self.answer()
        if lines:
            document.heading("The answer")
            for line in lines:
                document.paragraph(line, lead=True)

    def how_to_read(self) -> list[str]:
        """The notes the report carries on what its tables and figures show."""
        compared = len(self.scenarios) > 1
        spread = self.assumption_spread
        return [
            reporting.windows_note(self.plan.weeks),
            reporting.ACCRUAL_NOTE,
            reporting.interval_note(paired=compared),
            *([reporting.VERDICT_NOTE] if compared else []),
            *([f"**Plausible assumptions.** {spread.describe()}"] if spread is not None else []),
            *([reporting.RECOMMENDATION_NOTE] if compared else []),
            reporting.NET_VALUE_NOTE,
        ]

    def extra_tables(self) -> dict[str, pd.DataFrame]:
        """Tables a kind of experiment adds to the folder, by file stem."""
        return {}

    def report_sections(self, document: Document) -> None:
        """Add the sections a kind of experiment puts before the headline tables."""

    def change_weeks(self) -> dict[str, list[int]]:
        """Weeks at which each scenario's timeline changes its policy."""
        return {
            label: PolicySchedule(scenario).change_weeks
            for label, scenario in self.scenarios.items()
        }

    def figures(self) -> dict[str, Figure]:
        """The figures the CLI writes, by file stem (the caller closes or saves them)."""
        runs = f"{self.plan.runs_text}, root seed {self.plan.seed}"
        changes = self.change_weeks()
        if "timeseries" in self.__dict__:
            weekly = self.timeseries
        else:  # only the columns drawn: a third of the memory of the whole tidy frame
            drawn = list(dict.fromkeys(["reported_nps", "true_nps", *OVER_TIME, *MONEY_GIVEN_AWAY]))
            weekly = pd.concat(self.timeseries_blocks(drawn), ignore_index=True)
        currency = self.currencies[self.plan.labels[0]]
        figures = {
            "nps": plot_nps_bands(weekly, changes, title=f"Reported vs true NPS ({runs})"),
            "over_time": plot_metrics(
                weekly, OVER_TIME, changes, title=f"The bads as they build up ({runs})"
            ),
            "money": plot_breakdown(
                weekly,
                MONEY_GIVEN_AWAY,
                changes,
                title=f"Money given away ({runs})",
                currency=currency,
            ),
        }
        if self.assumption_spread is not None:
            figures["assumptions"] = self.assumption_spread.figure()
        if len(self.scenarios) > 1:
            figures["differences"] = plot_differences(
                self.compare(),
                HEADLINE,
                title=f"Paired differences from {self.plan.labels[0]}, mean and 95% interval",
                currency=currency,
            )
        return figures

    def manifest(self) -> dict[str, Any]:
        """What ran, on what, from which inputs: everything needed to reproduce the folder."""
        return {
            "status": "complete",
            "kind": self.plan.kind,
            "npssim": __version__,
            "mesa": importlib.metadata.version("mesa"),
            "numpy": np.__version__,
            "python": platform.python_version(),
            "platform": platform.platform(),
            "git_revision": git_revision(),
            "command": " ".join(sys.argv) if Path(sys.argv[0]).name == "npssim" else None,
            "model": model_path(self.plan.model_class),
            "root_seed": self.plan.seed,
            "replications": self.plan.replications,
            "first_replication": self.plan.first_replication,
            "replication_seeds": self.plan.seeds(),
            "scenarios": {
                label: {
                    "source": self.plan.sources.get(label),
                    "file_sha256": _file_hash(self.plan.sources.get(label)),
                    "resolved_sha256": hashlib.sha256(
                        resolved_toml(scenario).encode("utf-8")
                    ).hexdigest(),
                    "resolved_file": f"scenarios/{label}.toml",
                }
                for label, scenario in self.scenarios.items()
            },
            "design": {"varied": self.varied, "points": len(self.plan.points)},
            "assumption_spread": None
            if self.assumption_spread is None
            else {
                "folder": "assumptions",
                "samples": self.assumption_spread.samples,
                "replications": self.assumption_spread.replications,
                "runs": self.assumption_spread.runs,
                "wall_seconds": round(self.assumption_spread.wall_seconds, 3),
            },
            "executor": self.executor,
            "timings": {
                "finished": self.finished,
                "wall_seconds": round(self.wall_seconds, 3),
                "runs": len(self.runs),
                "runs_resumed": self.resumed,
                "run_seconds_total": round(sum(run.seconds for run in self.runs.values()), 3),
            },
            "plan": self.plan.identity(),
        }

    def save(self, folder: str | Path) -> list[Path]:
        """Write the experiment's folder: manifest, scenarios, tables, figures and report.

        Every file is written under a temporary name and renamed. Runs already stored in the
        folder (``runs/``) are left as they are.

        Returns:
            The files written.
        """
        folder = Path(folder)
        with FolderLock(folder):
            return self._save(folder)

    def _save(self, folder: Path) -> list[Path]:
        written: list[Path] = []
        written.extend(write_scenarios(self.scenarios, folder))
        # The weekly table is the large one: written a block at a time, never held whole.
        written.append(_write_csv(self.timeseries_blocks(), folder / "timeseries.csv"))
        tables = {"ledger": self.ledger, "summary": self.summary()}
        if len(self.scenarios) > 1:
            tables["comparison"] = self.compare()
        decided = self.summary_comparison()
        if decided is not None:
            tables["stakeholders"] = reporting.stakeholder_table(self, decided)
        if self.varied:
            tables["design"] = self.design.reset_index()
        if self.assumption_spread is not None:
            tables["assumptions"] = self.assumption_spread.frame()
        tables.update(self.extra_tables())
        written.extend(write_tables(tables, folder))
        if importlib.util.find_spec("pyarrow") is not None:
            written.append(_write_parquet_blocks(self.timeseries_blocks(), folder))
        written.extend(reporting.write_report(self, folder, ["timeseries", *tables]))
        RunStore(folder).write_manifest(self.manifest())
        written.append(folder / MANIFEST)
        return written


def _write_csv(blocks: Iterable[pd.DataFrame], path: Path) -> Path:
    with atomic_path(path) as temporary, temporary.open("w", encoding="utf-8", newline="") as file:
        for number, block in enumerate(blocks):
            block.to_csv(file, index=False, header=number == 0)
    return path


def _write_parquet_blocks(blocks: Iterable[pd.DataFrame], folder: Path) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = folder / "timeseries.parquet"
    with atomic_path(path) as temporary:
        writer = None
        try:
            for block in blocks:
                table = pa.Table.from_pandas(block, preserve_index=False)
                if writer is None:
                    writer = pq.ParquetWriter(temporary, table.schema)
                writer.write_table(table.cast(writer.schema))
        finally:
            if writer is not None:
                writer.close()
    return path


def write_tables(tables: Mapping[str, pd.DataFrame], folder: Path) -> list[Path]:
    """Each table as ``folder/<name>.csv``, written under a temporary name and renamed."""
    return [_write_csv([frame], folder / f"{name}.csv") for name, frame in tables.items()]


def write_scenarios(scenarios: dict[str, Scenario], folder: Path) -> list[Path]:
    """Every scenario with all its values resolved, as ``folder/scenarios/<label>.toml``."""
    (folder / "scenarios").mkdir(exist_ok=True)
    written = []
    for label, scenario in scenarios.items():
        path = folder / "scenarios" / f"{label}.toml"
        with atomic_path(path) as temporary:
            temporary.write_text(resolved_toml(scenario), encoding="utf-8")
        written.append(path)
    return written


def resolved_toml(scenario: Scenario) -> str:
    """The scenario with every value spelled out, as a TOML file that loads to the same."""
    header = (
        f"# {scenario.name}: every parameter as resolved by npssim {__version__}.\n"
        "# Run it again with: npssim run <this file>\n\n"
    )
    return header + tomli_w.dumps(scenario.model_dump(mode="json"))


def git_revision() -> str | None:
    """The git commit of npssim's source, with ``-dirty`` if it has uncommitted changes."""
    source = Path(__file__).resolve().parent
    try:
        revision = subprocess.run(
            ["git", "-C", str(source), "rev-parse", "HEAD"],
            capture_output=True, text=True, timeout=5, check=True,
        ).stdout.strip()  # fmt: skip
        status = subprocess.run(
            ["git", "-C", str(source), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True, text=True, timeout=5, check=True,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{revision}-dirty" if status else revision


def _file_hash(source: str | None) -> str | None:
    if source is None or source == "<python>":
        return None
    try:
        return hashlib.sha256(scenario_path(source).read_bytes()).hexdigest()
    except (OSError, ValueError):
        return None
