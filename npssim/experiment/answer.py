"""A comparison with both of its uncertainties: run-to-run noise and the plausible assumptions.

:func:`run_experiment` is what ``from npssim.experiment import run_experiment`` gives, and what
``npssim compare`` calls: the paired replications of :func:`npssim.experiment.api.run_experiment`
and, when two scenarios or more are compared, the spread of each policy's answer over plausible
firms (:func:`~npssim.experiment.uncertainty.assumption_spread`), attached to the results as
``results.assumption_spread``. It lives apart from both because the spread runs through the
engine that :mod:`npssim.experiment.api` holds: neither may import the other's caller.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from npssim.experiment import api, defaults
from npssim.experiment.results import ExperimentResults
from npssim.experiment.uncertainty import assumption_spread

__all__ = ["ASSUMPTIONS_FOLDER", "run_experiment"]

#: Where a comparison's folder stores the spread's runs (its own store, so ``--resume`` works).
ASSUMPTIONS_FOLDER = "assumptions"


def run_experiment(
    scenarios: api.ScenarioLike | Sequence[api.ScenarioLike],
    *,
    assumption_samples: int | None = None,
    **options: Any,
) -> ExperimentResults:
    """Run replications of scenarios and, for a comparison, the spread over assumptions.

    Args:
        scenarios: As in :func:`npssim.experiment.api.run_experiment`; the first is the
            baseline.
        assumption_samples: Plausible firms the spread samples (at least
            :data:`~npssim.experiment.defaults.ASSUMPTION_MIN_SAMPLES`); 0 for none; None for
            :data:`~npssim.experiment.defaults.ASSUMPTION_SAMPLES`, as ``npssim compare``.
        **options: Every option of :func:`npssim.experiment.api.run_experiment` (replications,
            seed, weeks, overrides, executor, workers, out, resume, force, progress,
            on_finished, model_class, replication).

    Returns:
        The results; ``results.assumption_spread`` is the spread (None when off).
    """
    defaults.check_assumption_samples(assumption_samples)
    samples = defaults.assumption_samples(assumption_samples)
    results = api.run_experiment(scenarios, **options)
    if not samples or len(results.scenarios) < 2:
        return results
    baseline, *policies = results.plan.labels
    out = options.get("out")
    results.assumption_spread = assumption_spread(
        [results.scenarios[label] for label in policies],
        results.scenarios[baseline],
        samples=samples,
        seed=results.plan.seed,
        executor=options.get("executor"),
        workers=options.get("workers"),
        progress=options.get("progress", False),
        model=results.plan.model_class,
        out=None if out is None else Path(out) / ASSUMPTIONS_FOLDER,
        resume=options.get("resume", False),
        force=options.get("force", False),
    )
    return results
