"""Is our NPS already gamed? Read a firm's survey and CRM exports for gaming's fingerprints.

Exports of a simulated firm (:mod:`.exports`) carry the truth, so every fingerprint
(:mod:`.fingerprints`) and the estimate through the model (:mod:`.estimate`) are measured for
power and false alarms (:mod:`.validation`) before they are pointed at a real firm.
"""

from npssim.diagnose.exports import Exports, simulate_exports, write_exports

__all__ = ["Exports", "simulate_exports", "write_exports"]
