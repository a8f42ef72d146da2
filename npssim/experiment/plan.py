"""What an experiment runs: scenarios, design points and replications, expanded into run tasks.

A :class:`Plan` is pure data. Its :meth:`~Plan.identity` is what ``--resume`` checks, so a folder
is only ever completed by the experiment that started it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from npssim.errors import InputError
from npssim.experiment.defaults import (  # noqa: F401 (re-exported)
    CALIBRATION_REPLICATIONS,
    DEFAULT_REPLICATIONS,
    SENSITIVITY_REPLICATIONS,
)
from npssim.experiment.runs import RunTask, model_path
from npssim.model import NPSModel
from npssim.policy import WEEKS_PER_QUARTER, WEEKS_PER_YEAR, PolicySchedule
from npssim.scenario import Scenario, as_schema, load_scenario, with_overrides
from npssim.seeds import replication_seeds

Kind = Literal["run", "compare", "sweep", "sensitivity", "calibrate", "breakeven", "decompose"]


#: The short run: the first two quarters after the policy changes.
SHORT_RUN_WEEKS = 2 * WEEKS_PER_QUARTER
#: The long run: the last four quarters of the run.
LONG_RUN_WEEKS = WEEKS_PER_YEAR


@dataclass(frozen=True)
class Plan:
    """An experiment before it runs.

    Attributes:
        kind: What kind of experiment: run, compare, sweep, sensitivity or calibrate.
        scenarios: The scenarios by label, as loaded (before any design point is applied).
        sources: Where each scenario came from (file path or bundled name), by label.
        replications: Replications per scenario and design point.
        seed: The root seed; replication seeds are spawned from it.
        points: The design: parameter values by dotted path, one mapping per point. A plan with
            nothing varied has one empty point.
        options: Settings of the analysis that belong to the experiment's identity (for example
            the sensitivity method), recorded in the manifest.
        model_class: The model every run builds: :class:`NPSModel` or a subclass.
        first_replication: The index of the first replication run (0 for a whole experiment;
            ``npssim run --replication I`` runs replication ``I`` alone).
    """

    kind: Kind
    scenarios: dict[str, Scenario]
    sources: dict[str, str]
    replications: int
    seed: int
    points: tuple[dict[str, Any], ...] = ({},)
    options: dict[str, Any] = field(default_factory=dict)
    model_class: type[NPSModel] = NPSModel
    first_replication: int = 0

    def __post_init__(self) -> None:
        if self.replications < 1:
            raise InputError(f"--replications: must be at least 1, got {self.replications}")
        if self.first_replication < 0:
            raise InputError(f"--replication: must be at least 0, got {self.first_replication}")
        weeks = {label: scenario.run.weeks for label, scenario in self.scenarios.items()}
        if len(set(weeks.values())) > 1:
            listed = ", ".join(f"{label}: {value}" for label, value in weeks.items())
            raise InputError(
                f"run.weeks: the scenarios must run equally long to be compared ({listed}); "
                "give --weeks"
            )

    @property
    def weeks(self) -> int:
        """Weeks every run simulates."""
        return next(iter(self.scenarios.values())).run.weeks

    @property
    def labels(self) -> list[str]:
        """Scenario labels in plan order."""
        return list(self.scenarios)

    @property
    def runs_text(self) -> str:
        """How titles name the replications: a count, or the one replication run alone."""
        last = self.first_replication + self.replications - 1
        if self.replications == 1:
            return f"replication {last} alone (no intervals)"
        if self.first_replication:
            return f"replications {self.first_replication}-{last}"
        return f"{self.replications} replications"

    @property
    def replication_indices(self) -> range:
        """The indices of the replications run, in order."""
        return range(self.first_replication, self.first_replication + self.replications)

    def seeds(self) -> list[int]:
        """The model seed of each replication (the same in every scenario and design point)."""
        return replication_seeds(self.seed, self.replications, self.first_replication)

    def tasks(self) -> list[RunTask]:
        """Every run of the experiment, in a fixed order: scenario, design point, replication.

        Raises:
            ScenarioError: A design point puts a parameter out of its range.
        """
        seeds = self.seeds()
        tasks = []
        for label, scenario in self.scenarios.items():
            for index, point in enumerate(self.points):
                resolved = with_overrides(scenario, point, source=_design_option(self.kind))
                tasks.extend(
                    RunTask(label, index, replication, seed, resolved, self.model_class)
                    for replication, seed in zip(self.replication_indices, seeds, strict=True)
                )
        return tasks

    def identity(self) -> dict[str, Any]:
        """Everything that determines the results, as JSON-ready data (checked by --resume)."""
        return {
            "kind": self.kind,
            "seed": self.seed,
            "replications": self.replications,
            "scenarios": {
                label: scenario.model_dump(mode="json")
                for label, scenario in self.scenarios.items()
            },
            "points": [dict(point) for point in self.points],
            "options": dict(self.options),
            "model": model_path(self.model_class),
            "first_replication": self.first_replication,
        }


def _design_option(kind: Kind) -> str:
    options = {
        "sweep": "--vary",
        "sensitivity": "--param",
        "calibrate": "--free",
        "breakeven": "--assume",
    }
    return options.get(kind, "--set")


def load_scenarios(
    sources: Sequence[str | Path | Scenario],
    overrides: Mapping[str, Any] | None = None,
    schema: type[Scenario] = Scenario,
) -> tuple[dict[str, Scenario], dict[str, str]]:
    """Load scenarios and give each a label that is unique and safe as a file name.

    Args:
        sources: Scenario files, bundled names or :class:`Scenario` objects.
        overrides: Values set in every scenario by dotted path (the CLI's ``--set``).
        schema: The model class's ``scenario_schema``: files may set its own parameters,
            and ``overrides`` too.

    Returns:
        The scenarios by label, and where each came from by label.
    """
    scenarios: dict[str, Scenario] = {}
    origins: dict[str, str] = {}
    for source in sources:
        if isinstance(source, Scenario):
            scenario = as_schema(source, schema, source="scenarios")
            scenario = with_overrides(scenario, overrides) if overrides else scenario
            origin = "<python>"
        else:
            scenario = load_scenario(source, overrides, schema=schema)
            origin = str(source)
        label = unique_label(scenario.name, scenarios)
        scenarios[label] = scenario
        origins[label] = origin
    return scenarios, origins


def unique_label(name: str, taken: Mapping[str, Any]) -> str:
    """A file-name-safe label for a scenario name, numbered when the name is already taken."""
    base = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._") or "scenario"
    label, number = base, 2
    while label in taken:
        label, number = f"{base}-{number}", number + 1
    return label


def intervention_week(scenario: Scenario, reference: Scenario | None = None) -> int:
    """The first week at which a scenario's policy differs from the reference's.

    This is where the short run starts. Without a reference it is the scenario's first timeline
    change (or week 0 when it has no timeline). A scenario that starts under a different policy
    from the reference differs from week 0.
    """
    mine = PolicySchedule(scenario)
    if reference is None:
        return mine.change_weeks[0] if mine.change_weeks else 0
    theirs = PolicySchedule(reference)
    for week in sorted({0, *mine.change_weeks, *theirs.change_weeks}):
        mine.apply(week)
        theirs.apply(week)
        if mine.current != theirs.current:
            return week
    return 0


def windows(start: int, weeks: int) -> dict[str, tuple[int, int]]:
    """The weeks ``[first, stop)`` of the short run (from ``start``), the long run and the end."""
    return {
        "short": (min(start, weeks - 1), min(start + SHORT_RUN_WEEKS, weeks)),
        "long": (max(0, weeks - LONG_RUN_WEEKS), weeks),
        "end": (weeks - 1, weeks),
    }


def period_titles(weeks: int, first_week: int = 0) -> dict[str, str]:
    """What the short and the long run cover, in the words of a reader's calendar.

    The long run is the last four quarters: "the second year" of a two-year run. The short run
    is the first two quarters after the policy changes.
    """
    years = weeks / LONG_RUN_WEEKS
    ordinal = {2: "second", 3: "third", 4: "fourth"}.get(int(years)) if years.is_integer() else None
    if weeks <= LONG_RUN_WEEKS:
        long = f"all {weeks} weeks"
    else:
        long = f"{ordinal} year" if ordinal else f"last {LONG_RUN_WEEKS} weeks"
    short = min(SHORT_RUN_WEEKS, weeks - min(first_week, weeks - 1))
    after = "after the change" if first_week else "from the start"
    return {"short": f"first {short} weeks {after}", "long": long, "end": "at the end"}
