"""The runs the evidence needs: which scenario variants, on which seeds, executed once and shared.

Patterns declare the variants they read (:class:`Variant`, and sweeps as rows of variants); this
module gathers the union of what the chosen patterns read, runs every variant in one experiment
on shared replication seeds, so that every difference a pattern reads is paired (common random
numbers), and hands the patterns a :class:`Ledgers`: plain tables of per-run values by variant,
horizon and metric name. Patterns read nothing else, so they can be checked on small frames made
by hand, and a variant the model cannot build (a parameter it does not have yet) is reported as
missing instead of stopping the other patterns.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from npssim.experiment.api import run_experiment
from npssim.mechanisms import Pricing
from npssim.model import NPSModel
from npssim.scenario import Scenario, load_scenario, params_by_path
from npssim.tactics import TACTICS

#: The horizons patterns read: the first two quarters after the policy change and the last four.
HORIZONS = ("short", "long")


@dataclass(frozen=True)
class Variant:
    """A bundled scenario, changed, under a name of its own.

    Attributes:
        scenario: The bundled scenario it starts from.
        suffix: What tells it apart (empty for the bundled scenario as shipped).
        change: Values set on top of the evidence's common settings, by dotted path.
    """

    scenario: str
    suffix: str = ""
    change: Mapping[str, Any] = field(default_factory=dict)

    def __hash__(self) -> int:
        # By value, so that variants key tables; the change is a mapping, hashed as its items.
        return hash((self.scenario, self.suffix, tuple(sorted(self.change.items()))))

    @property
    def name(self) -> str:
        """The run's label: safe as a file name, unique among the evidence's variants."""
        return f"{self.scenario}_{self.suffix}" if self.suffix else self.scenario

    def unknown(self) -> list[str]:
        """The changed parameters this model's schema does not have (a mechanism not built)."""
        known = params_by_path()
        return [path for path in self.change if path not in known]

    def build(self, settings: Mapping[str, Any]) -> Scenario:
        """The scenario with the common settings and this variant's change."""
        scenario = load_scenario(self.scenario, {**settings, **self.change})
        return scenario if not self.suffix else scenario.model_copy(update={"name": self.name})


@dataclass(frozen=True)
class Sweep:
    """One parameter moved over values from a base variant: a row of variants."""

    base: Variant
    parameter: str
    values: tuple[float, ...]

    def at(self, value: float) -> Variant:
        """The variant at one value of the parameter."""
        suffix = "__".join(
            part for part in (self.base.suffix, f"{self.parameter}_{value:g}") if part
        )
        return Variant(self.base.scenario, suffix, {**self.base.change, self.parameter: value})

    @property
    def variants(self) -> tuple[Variant, ...]:
        """Every point of the sweep, in the order of :attr:`values`."""
        return tuple(self.at(value) for value in self.values)


@dataclass(frozen=True)
class Recording:
    """A run kept in this process with a record the ledger does not hold (every price agreed)."""

    variant: Variant
    #: The model's component whose results are recorded; a model without it cannot make the
    #: record.
    method: str = "pricing_class"

    @property
    def name(self) -> str:
        """The record's name, as patterns declare it among the runs they read."""
        return f"{self.variant.name}__record"


# ------------------------------------------------------------ the variants patterns share

BASELINE = Variant("baseline")
NPS_BONUS = Variant("nps_bonus")
RANK_AND_YANK = Variant("rank_and_yank")
AUDITED = Variant("audited")
THIRD_PARTY = Variant("third_party_survey")
WELL_DESIGNED = Variant("well_designed_bonus")

#: A world in which a bonus can move nothing real: no tactic, no hostage-taking, no effort or
#: stress response. Both sides of the null comparison run in it.
NULL_WORLD: dict[str, Any] = {
    **{f"reps.prior_belief.{tactic}": 0.0 for tactic in TACTICS},
    "accounts.initial_savvy_share": 0.0,
    "reps.service_response": 0.0,
    "reps.fear_mean": 0.0,
}
#: Selection alone: reps who neither learn nor imitate nor conform, honest reps who do not quit
#: gaming teams and hires who bring their own habits (rules written after Smaldino & McElreath),
#: so only the review's firing on the score changes who is on the roster. A rep who does not
#: learn keeps its prior beliefs: all of a belief's weight stays on the prior.
SELECTION_ONLY: dict[str, Any] = {
    "reps.prior_weight": 1_000.0,
    "reps.belief_memory": 1.0,
    "reps.peer_evidence": 0.0,
    "reps.imitation_rate": 0.0,
    "reps.conformity": 0.0,
    "reps.honest_exit_rate": 0.0,
    "reps.hire_acculturation": 0.0,
}


# ------------------------------------------------------------------------ the ledgers


@dataclass
class Ledgers:
    """What the runs produced, as patterns read it: per-run values by variant and metric name.

    Attributes:
        per_run: By horizon (``"short"``, ``"long"``): one row per variant x replication, with
            the columns ``scenario`` (the variant's name), ``replication`` and metrics.
        weekly: One row per variant x replication x week, with ``scenario``, ``replication``,
            ``week`` and the metrics patterns draw over time (running totals as running totals).
        records: By :attr:`Recording.name`: what a recording kept, with a ``replication`` column.
        missing: By variant or record name: why it could not run in this model.
    """

    per_run: dict[str, pd.DataFrame]
    weekly: pd.DataFrame = field(default_factory=pd.DataFrame)
    records: dict[str, pd.DataFrame] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)

    def values(self, variant: Variant, metric: str, horizon: str = "long") -> np.ndarray:
        """Per-replication values of one metric, in replication order (so they pair)."""
        frame = self.per_run[horizon]
        rows = frame.loc[frame["scenario"] == variant.name].sort_values("replication")
        if rows.empty:
            raise KeyError(f"no runs of {variant.name!r} in the evidence's ledgers")
        return rows[metric].to_numpy(dtype=float)

    def difference(
        self,
        variant: Variant,
        metric: str,
        horizon: str = "long",
        reference: Variant = BASELINE,
    ) -> np.ndarray:
        """Per-replication ``variant - reference`` (paired by replication)."""
        return self.values(variant, metric, horizon) - self.values(reference, metric, horizon)

    def over_time(self, variants: Sequence[Variant], metrics: Sequence[str]) -> pd.DataFrame:
        """The weekly data of some variants, for some metrics."""
        names = [variant.name for variant in variants]
        frame = self.weekly.loc[self.weekly["scenario"].isin(names)]
        return frame[["scenario", "replication", "week", *metrics]].reset_index(drop=True)

    def unavailable(self, reads: Iterable[Variant | Recording]) -> list[str]:
        """Why some of these runs are missing, each reason once (empty: all of them ran)."""
        reasons = (self.missing[run.name] for run in reads if run.name in self.missing)
        return list(dict.fromkeys(reasons))


# ------------------------------------------------------------------------ running them


def gather(reads: Iterable[Variant | Recording]) -> tuple[list[Variant], list[Recording]]:
    """The distinct variants and recordings, in first-declared order.

    Raises:
        ValueError: Two different runs declared under one name.
    """
    found: dict[str, Variant | Recording] = {}
    for run in reads:
        if run.name in found and found[run.name] != run:
            raise ValueError(f"two different evidence runs are named {run.name!r}")
        found.setdefault(run.name, run)
    variants = [run for run in found.values() if isinstance(run, Variant)]
    recordings = [run for run in found.values() if isinstance(run, Recording)]
    return variants, recordings


def execute(
    reads: Iterable[Variant | Recording],
    weekly_metrics: Sequence[str],
    *,
    replications: int,
    seed: int | None,
    settings: Mapping[str, Any],
    model_class: type[NPSModel] = NPSModel,
    **execution: Any,
) -> tuple[Ledgers, dict[str, Any]]:
    """Run every variant once, in one paired experiment, and every recording in this process.

    Returns:
        The ledgers, and the run's settings (replications, root seed, weeks) for the document.
    """
    variants, recordings = gather(reads)
    missing = {
        variant.name: f"this model has no parameter {', '.join(unknown)}"
        for variant in variants
        if (unknown := variant.unknown())
    }
    # The baseline stands in when no chosen variant can be built: the plan still needs a run to
    # fix the seeds and weeks that recordings and the page read.
    runnable = [variant for variant in variants if variant.name not in missing] or [BASELINE]
    results = run_experiment(
        [variant.build(settings) for variant in runnable],
        replications=replications,
        seed=seed,
        model_class=model_class,
        different_firms=True,  # variants change assumptions on purpose; each reads its own pair
        **execution,
    )
    per_run = {}
    for horizon in HORIZONS:
        frame = results.per_run(horizon)
        per_run[horizon] = frame.drop(columns=[c for c in ("point",) if c in frame.columns])
    weekly = pd.concat(results.timeseries_blocks(tuple(weekly_metrics)), ignore_index=True)
    ledgers = Ledgers(per_run, weekly[["scenario", "replication", "week", *weekly_metrics]])
    ledgers.missing.update(missing)
    for recording in recordings:
        unknown = recording.variant.unknown()
        if unknown:
            ledgers.missing[recording.name] = f"this model has no parameter {', '.join(unknown)}"
        elif not callable(getattr(model_class, recording.method, None)):
            ledgers.missing[recording.name] = f"this model has no method {recording.method}()"
        else:
            ledgers.records[recording.name] = record_prices(
                recording.variant.build(settings), results.plan.seeds(), model_class
            )
    plan = results.plan
    return ledgers, {"replications": replications, "seed": plan.seed, "weeks": plan.weeks}


class _RecordingPricing(Pricing):
    """Pricing that keeps every negotiated price beside the rep's distance to the target."""

    def price(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        discount, for_score = super().price(rows)
        model = self.model
        owners = model.book.rep[rows]
        model.priced.append(
            pd.DataFrame(
                {
                    "gap": model.policy.incentives.target_nps - model.roster.last_score[owners],
                    "for_score": for_score,
                    "acv": model.book.acv[rows],
                }
            )
        )
        return discount, for_score


def _recorder(model_class: type[NPSModel]) -> type[NPSModel]:
    """``model_class`` with its own pricing component, recording every price it agrees."""
    pricing = type("Recorded" + model_class.pricing_class.__name__,
                   (_RecordingPricing, model_class.pricing_class), {})  # fmt: skip

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        self.priced = []
        model_class.__init__(self, *args, **kwargs)

    return type(
        f"Recorded{model_class.__name__}",
        (model_class,),
        {"pricing_class": pricing, "__init__": __init__, "__module__": __name__},
    )


def record_prices(
    scenario: Scenario, seeds: list[int], model_class: type[NPSModel] = NPSModel
) -> pd.DataFrame:
    """Every renewal's and new deal's price, one replication per seed.

    Returns:
        One row per contract priced: ``gap`` (the rep's target less its last score), ``for_score``
        (the discount beyond the ordinary negotiation), ``acv`` and ``replication``.
    """
    recorder = _recorder(model_class)
    frames = []
    for replication, seed in enumerate(seeds):
        model = recorder(scenario, seed=seed)
        model.run()
        model.close()
        frame = pd.concat(model.priced, ignore_index=True)
        frame["replication"] = replication
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)
