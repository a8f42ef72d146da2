"""Is our NPS already gamed? Read a firm's survey and CRM exports for gaming's fingerprints.

Exports of a simulated firm (:mod:`.exports`) carry the truth, so every fingerprint
(:mod:`.fingerprints`) and the estimate through the model (:mod:`.estimate`) are measured for
power and false alarms (:mod:`.validation`) before they are pointed at a real firm;
:func:`diagnose` puts them together (:mod:`.diagnosis`).
"""

from npssim.diagnose.diagnosis import Diagnosis, diagnose, settle_accounts
from npssim.diagnose.exports import Exports, simulate_exports, write_exports
from npssim.diagnose.validation import validate

__all__ = [
    "Diagnosis",
    "Exports",
    "diagnose",
    "settle_accounts",
    "simulate_exports",
    "validate",
    "write_exports",
]
