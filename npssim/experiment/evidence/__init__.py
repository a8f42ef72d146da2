"""Evidence: the published patterns of metric incentives, reproduced (or not) from the defaults.

The package has one concern per module:

- :mod:`~npssim.experiment.evidence.runs`: the scenario variants the patterns read, run once on
  shared replication seeds so that every difference is paired, and the ledgers patterns read;
- :mod:`~npssim.experiment.evidence.pattern`: what a pattern is (claim, source, the runs it
  reads, how it is computed and judged, and its label: input, calibrated or prediction);
- :mod:`~npssim.experiment.evidence.measurement`, :mod:`~npssim.experiment.evidence.trades` and
  :mod:`~npssim.experiment.evidence.outcomes`: the patterns, each declared once;
- :mod:`~npssim.experiment.evidence.identities`: the identity checks, which test the code and are
  never counted as evidence; :mod:`~npssim.experiment.evidence.flip`: where a verdict flips;
- :mod:`~npssim.experiment.evidence.document`: ``evidence.md``, ``evidence.csv`` and figures;
- :mod:`~npssim.experiment.evidence.pipeline`: :func:`run_evidence`, from patterns to document.
"""

from npssim.experiment.evidence.document import COLUMNS, EvidenceResults
from npssim.experiment.evidence.flip import Flip
from npssim.experiment.evidence.pattern import (
    LABELS,
    Finding,
    IdentityCheck,
    Pattern,
    Reading,
    citing_parameters,
)
from npssim.experiment.evidence.pipeline import IDENTITIES, PATTERNS, read, run_evidence
from npssim.experiment.evidence.runs import NULL_WORLD, Ledgers, Recording, Sweep, Variant

__all__ = [
    "COLUMNS",
    "IDENTITIES",
    "LABELS",
    "NULL_WORLD",
    "PATTERNS",
    "EvidenceResults",
    "Finding",
    "Flip",
    "IdentityCheck",
    "Ledgers",
    "Pattern",
    "Reading",
    "Recording",
    "Sweep",
    "Variant",
    "citing_parameters",
    "read",
    "run_evidence",
]
