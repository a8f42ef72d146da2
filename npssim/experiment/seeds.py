"""Seeds of replications, spawned from one root seed.

Replication ``i`` gets the ``i``-th child of ``numpy.random.SeedSequence(root)``, whatever the
scenario, design point, number of replications or executor: the same replication index sees the
same random numbers in every scenario (common random numbers, so comparisons are paired), and a
finished replication never changes when more are added.
"""

from __future__ import annotations

import numpy as np

#: Model seeds are stored as non-negative 63-bit integers (the range of ``run.seed``).
_SEED_BITS = 63


def replication_seeds(root: int, count: int) -> list[int]:
    """The model seed of each of the first ``count`` replications of a root seed.

    Args:
        root: The experiment's root seed.
        count: How many replications.

    Returns:
        One integer per replication, usable as ``NPSModel(seed=...)`` or ``npssim run --seed``
        to reproduce that replication alone.
    """
    children = np.random.SeedSequence(root).spawn(count)
    return [int(child.generate_state(1, np.uint64)[0] >> (64 - _SEED_BITS)) for child in children]
