"""The paired comparison behind the dashboard: the firm with the policy beside it without.

A leader deciding on an NPS bonus needs the difference it makes, with its uncertainty, not one
firm's absolute totals. So the dashboard runs two firms on the same seeds: *with the policy*
(the scenario's policy as the levers change it, from the intervention week) and *without it*
(the same firm under the scenario's starting policy, or under another scenario's policy with
``--against``). Each side runs several replications, and replication *i* of both sides shares
its seed, so the differences are paired and their intervals narrow.

Plain Python, no user interface: the page (:mod:`npssim.app.page`) draws what this computes.
The firms are Mesa models (:class:`ExploreModel`).
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from npssim.app.controls import (
    DEFAULT_REPLICATIONS,
    DEFAULT_SCENARIO,
    FALLBACK_AGAINST,
    levers,
    model_params,
)
from npssim.experiment.analysis import Interval, interval
from npssim.metrics import METRIC_NAMES
from npssim.model import NPSModel
from npssim.policy import PolicySchedule
from npssim.scenario import Scenario, intervene, load_scenario, validate_scenario, with_overrides
from npssim.seeds import replication_seeds

WEEKS_PER_YEAR = 52


def _is_policy(path: str) -> bool:
    return path.startswith("policy.")


#: The two sides of the comparison, as the page names them.
WITH = "with the policy"
WITHOUT = "without it"
SIDES = (WITH, WITHOUT)


class ExploreModel(NPSModel):
    """One firm as the dashboard builds it: a scenario, lever values and an intervention week.

    Args:
        base: The scenario to start from (:data:`DEFAULT_SCENARIO` when omitted).
        seed: The model's seed.
        intervention_week: The week the policy levers take effect (0 = from the start). The
            scenario's own timeline still applies after it.
        **kwargs: Lever values by dotted path. Policy values apply from the intervention week;
            assumptions (accounts, reps, managers) from week 0.

    Attributes:
        change_weeks: Weeks at which the policy changes, to mark on the plots.
        intervention: The policy lever values chosen, by dotted path.
        intervention_week: The week they take effect.
    """

    def __init__(
        self,
        base: Scenario | None = None,
        seed: int = 1,
        intervention_week: int = 0,
        **kwargs: Any,
    ) -> None:
        built = base if base is not None else load_scenario(DEFAULT_SCENARIO)
        self.intervention = {path: value for path, value in kwargs.items() if _is_policy(path)}
        self.intervention_week = int(intervention_week)
        built = firm_scenario(built, self.intervention_week, kwargs)
        super().__init__(built, seed=int(seed))
        self.change_weeks = PolicySchedule(built).change_weeks

    def step(self) -> None:
        """Simulate one week, or nothing once the scenario's run is over.

        A step of several weeks near the end must not fail, so a step past the end does nothing.
        """
        if self.running:
            super().step()


def firm_scenario(base: Scenario, intervention_week: int, values: Mapping[str, Any]) -> Scenario:
    """The scenario of one firm as the levers set it.

    Policy values apply from the intervention week, assumptions (accounts, reps, managers) from
    week 0: what :class:`ExploreModel` runs, and what "How sure?" samples firms around.
    """
    policy = {path: value for path, value in values.items() if _is_policy(path)}
    assumptions = {path: value for path, value in values.items() if path not in policy}
    built = intervene(base, int(intervention_week), policy, source="dashboard")
    return with_overrides(built, assumptions, source="dashboard")


# ---------------------------------------------------------------------- the two firms


@dataclass(frozen=True)
class Settings:
    """What the controls say: the levers, the intervention week, replications and root seed.

    Attributes:
        levers: Every lever's value by dotted path.
        intervention_week: The week the policy levers take effect on the firm with the policy.
        replications: Replications per side.
        seed: The root seed; replication *i* of both sides gets its *i*-th child seed.
    """

    levers: Mapping[str, Any]
    intervention_week: int
    replications: int = DEFAULT_REPLICATIONS
    seed: int = 1

    @property
    def assumptions(self) -> dict[str, Any]:
        """The levers that describe the firm (not the policy): both firms take them."""
        return {path: value for path, value in self.levers.items() if not _is_policy(path)}

    def with_lever(self, path: str, value: Any) -> Settings:
        """A copy with one lever changed (the controls' settings are immutable values)."""
        return replace(self, levers={**self.levers, path: value})


@dataclass(frozen=True)
class Setup:
    """The two firms' scenarios before the levers: what ``npssim explore`` was asked to open.

    Attributes:
        scenario: The scenario whose policy, as the levers change it, is "with the policy".
        without: The scenario "without it": the same firm under another policy.
        without_name: What the page calls the firm without the policy.
    """

    scenario: Scenario
    without: Scenario
    without_name: str


def without_scenario(scenario: Scenario, against: Scenario | None = None) -> tuple[Scenario, str]:
    """The firm "without the policy", and its name on the page.

    The firm (its size, customers, reps, managers and run) is always the scenario's, so the
    comparison is of policies on one firm; what differs is the policy:

    - with ``against``, that scenario's policy and timeline;
    - else, for a scenario whose policy changes (a timeline), its starting policy, held;
    - else (a policy from week 0, nothing to take away), :data:`FALLBACK_AGAINST`'s policy.
    """
    data = scenario.model_dump()
    if against is None and scenario.timeline:
        data["timeline"] = []
        return validate_scenario(data, source="dashboard"), f"{scenario.name} without it"
    other = against if against is not None else load_scenario(FALLBACK_AGAINST)
    data["policy"] = other.policy.model_dump()
    data["timeline"] = [entry.model_dump() for entry in other.timeline]
    data["name"] = other.name
    return validate_scenario(data, source="dashboard"), other.name


def make_setup(scenario: Scenario, against: Scenario | None = None) -> Setup:
    """The two firms' scenarios, from what ``npssim explore`` was asked to open."""
    without, name = without_scenario(scenario, against)
    return Setup(scenario, without, name)


def default_settings(setup: Setup, seed: int = 1, replications: int = DEFAULT_REPLICATIONS):
    """The controls as the dashboard opens them: on the scenario itself (:func:`model_params`)."""
    specs = model_params(setup.scenario, seed)
    return Settings(
        levers={info.path: specs[info.path]["value"] for info in levers()},
        intervention_week=specs["intervention_week"]["value"],
        replications=replications,
        seed=seed,
    )


@dataclass(frozen=True)
class View:
    """What the page draws: both sides' weekly metrics so far, copied at one moment.

    Attributes:
        week: Weeks simulated so far.
        weeks: The run's length.
        values: By side, replications x weeks so far x :data:`~npssim.metrics.METRIC_NAMES`.
    """

    week: int
    weeks: int
    values: Mapping[str, np.ndarray]

    def series(self, side: str, name: str) -> np.ndarray:
        """One metric of one side: replications x weeks so far."""
        return self.values[side][:, :, METRIC_NAMES.index(name)]

    def now(self, side: str, names: Sequence[str]) -> np.ndarray:
        """The sum of metrics at the latest week, per replication (empty before week 1)."""
        if self.week == 0:
            return np.empty(0)
        return sum(self.series(side, name)[:, -1] for name in names)


#: Serial numbers of comparisons (see :attr:`Comparison.serial`).
_SERIALS = itertools.count()


class Comparison:
    """The two firms, several replications each, stepped together week by week.

    Args:
        setup: The two scenarios.
        settings: The controls' values when it was built (Reset rebuilds it).

    Attributes:
        setup: As given.
        settings: As given.
        seeds: Replication *i*'s seed, the same on both sides.
        models: By side, one model per replication.
        weeks: The run's length.
        week: Weeks simulated so far.
        revenue_scale: The firm's revenue over the whole run at its starting prices (mean over
            replications): what fixes the money chart's axis before any week runs.
        closed: :meth:`close` was called: stepping does nothing.
        serial: Unique to this comparison in the process, so that charts drawn for the firms
            Reset replaced are never taken for this one's (``id()`` may be reused).
    """

    def __init__(self, setup: Setup, settings: Settings) -> None:
        self.setup = setup
        self.settings = settings
        self.seeds = replication_seeds(settings.seed, settings.replications)
        week = settings.intervention_week
        assumptions = settings.assumptions
        self.models: dict[str, list[ExploreModel]] = {
            WITH: [
                ExploreModel(setup.scenario, seed, week, **settings.levers) for seed in self.seeds
            ],
            WITHOUT: [ExploreModel(setup.without, seed, 0, **assumptions) for seed in self.seeds],
        }
        self.weeks = setup.scenario.run.weeks
        self.week = 0
        self._values = {
            side: np.full((len(self.seeds), self.weeks, len(METRIC_NAMES)), np.nan)
            for side in SIDES
        }
        starting = np.mean([model.book_revenue for model in self.models[WITHOUT]])
        self.revenue_scale = float(starting) * self.weeks / WEEKS_PER_YEAR
        self._lock = threading.Lock()
        self.closed = False
        self.serial = next(_SERIALS)

    @property
    def finished(self) -> bool:
        """Every week of the run is simulated."""
        return self.week >= self.weeks

    def step(self, weeks: int = 1) -> None:
        """Advance every model of both sides ``weeks`` weeks (fewer at the end of the run)."""
        with self._lock:
            if self.closed:
                return  # a tick still under way when Reset replaced these firms
            for _ in range(min(weeks, self.weeks - self.week)):
                for side in SIDES:
                    for index, model in enumerate(self.models[side]):
                        model.step()
                        self._values[side][index, self.week] = [
                            model.metrics[name] for name in METRIC_NAMES
                        ]
                self.week += 1

    def view(self) -> View:
        """A copy of the weeks simulated so far, safe to draw while the firms step on."""
        with self._lock:
            return View(
                self.week,
                self.weeks,
                {side: values[:, : self.week].copy() for side, values in self._values.items()},
            )

    def close(self) -> None:
        """Let go of the models (see :meth:`NPSModel.close`) once the page replaced them.

        Waits for a step under way in the playing thread to finish, and makes later steps do
        nothing, so Reset while playing never steps a closed model.
        """
        with self._lock:
            self.closed = True
            for models in self.models.values():
                for model in models:
                    model.close()


# ---------------------------------------------------------------------- paired differences


def paired_difference(with_values: np.ndarray, without_values: np.ndarray) -> Interval:
    """The mean paired difference (with minus without) over replications, with its 95% interval.

    Replication *i* of both sides shares its seed, so differencing pair by pair removes the
    noise the two firms share, and the interval is that of the mean of the differences.
    """
    return interval(np.asarray(with_values, float) - np.asarray(without_values, float))
