"""From the declared patterns to the document: gather their runs, run them once, read each.

:func:`run_evidence` asks every chosen pattern, identity check and the flip which runs it reads,
runs their union once on shared seeds (:func:`~npssim.experiment.evidence.runs.execute`), and
reads each from the same ledgers. A pattern that does not hold is a finding; a pattern whose runs
this model cannot build is reported as not computed. Neither is an error.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from npssim.experiment.api import ExecutorLike
from npssim.experiment.evidence import flip, identities, measurement, outcomes, trades
from npssim.experiment.evidence.document import EvidenceResults
from npssim.experiment.evidence.pattern import IdentityCheck, Pattern, find
from npssim.experiment.evidence.runs import Ledgers, execute
from npssim.experiment.plan import DEFAULT_REPLICATIONS
from npssim.model import NPSModel

_ALL = {
    pattern.key: pattern
    for pattern in (*measurement.PATTERNS, *trades.PATTERNS, *outcomes.PATTERNS)
}
#: Every pattern, in the table's order: the published ones, then those of the pay-plan model.
PATTERNS: tuple[Pattern, ...] = tuple(
    _ALL[key]
    for key in (
        "indicator_only",
        "response_rate",
        "pressured_share",
        "answers_bought",
        "official_gap",
        "money_given_away",
        "discounts_near_the_line",
        "asked_for_a_ten",
        "multitask",
        "independent_and_audits",
        "audits_slow_spread",
        "bads_accumulate",
        "pay_on_rep_sampled_score_loses",
        "well_designed_pays",
        "culture_selection",
        "integrity_bounds_gaming",
        "score_decouples",
        "commission_curbs_discounts",
        "ineffective_tactic_fades",
    )
)
#: Every identity check, in the document's order.
IDENTITIES: tuple[IdentityCheck, ...] = identities.IDENTITIES


def read(
    ledgers: Ledgers,
    patterns: Sequence[Pattern] = PATTERNS,
    checks: Sequence[IdentityCheck] = IDENTITIES,
    settings: dict[str, Any] | None = None,
    *,
    with_flip: bool = True,
) -> EvidenceResults:
    """Every pattern, identity check and the flip, read from ledgers however they were made."""
    readable = with_flip and not ledgers.unavailable(flip.READS)
    flipped = flip.read_flip(ledgers) if readable else None
    return EvidenceResults(
        [find(pattern, ledgers) for pattern in patterns],
        [find(check, ledgers) for check in checks],
        flipped,
        settings or {},
    )


def run_evidence(
    *,
    replications: int = DEFAULT_REPLICATIONS,
    seed: int | None = None,
    overrides: Mapping[str, Any] | None = None,
    executor: ExecutorLike = None,
    workers: int | None = None,
    progress: bool = False,
    model_class: type[NPSModel] = NPSModel,
    patterns: Sequence[str | Pattern] | None = None,
) -> EvidenceResults:
    """Run the pattern checks from the shipped defaults.

    Args:
        replications: Replications per scenario variant.
        seed: Root seed (the bundled scenarios' ``run.seed`` by default).
        overrides: Values set in every scenario (for small, fast checks), like ``--set``.
        executor: Where the runs go, as in :func:`~npssim.experiment.run_experiment`.
        workers: Local worker processes.
        progress: Show progress bars.
        model_class: The model every run builds: :class:`~npssim.NPSModel` or a subclass (to
            see what a changed behaviour does to the patterns).
        patterns: The patterns to read, by key or as :class:`Pattern` objects (a researcher's
            own); every bundled one by default. A choice runs only the variants its patterns
            read; identity checks and the flip run with the full set.

    Returns:
        One finding per pattern and identity check, and where the verdict flips.

    Raises:
        KeyError: An unknown pattern key.
    """
    chosen = PATTERNS if patterns is None else tuple(map(_pattern, patterns))
    checks = IDENTITIES if patterns is None else ()
    reads = [run for check in (*chosen, *checks) for run in check.reads]
    if patterns is None:
        reads += flip.READS
    weekly = list(dict.fromkeys(metric for check in chosen for metric in check.weekly))
    ledgers, settings = execute(
        reads,
        weekly,
        replications=replications,
        seed=seed,
        settings=dict(overrides or {}),
        model_class=model_class,
        executor=executor,
        workers=workers,
        progress=progress,
    )
    return read(ledgers, chosen, checks, settings, with_flip=patterns is None)


def _pattern(key: str | Pattern) -> Pattern:
    if isinstance(key, Pattern):
        return key
    for pattern in PATTERNS:
        if pattern.key == key:
            return pattern
    known = ", ".join(pattern.key for pattern in PATTERNS)
    raise KeyError(f"no evidence pattern {key!r}; the patterns are {known}")
