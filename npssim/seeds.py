"""Seeds: one root seed for a run or an experiment, and the seeds of its replications.

Replication ``i`` of an experiment gets the ``i``-th child of ``numpy.random.SeedSequence(root)``,
whatever the scenario, design point, number of replications or executor: the same replication
index sees the same random numbers in every scenario (common random numbers, so comparisons are
paired), and a finished replication never changes when more are added. Mesa's ``batch_run``
iteration ``i`` runs the same replication ``i`` of the scenario's ``run.seed``.
"""

from __future__ import annotations

import numbers

import numpy as np

#: Model seeds are stored as non-negative 63-bit integers (the range of ``run.seed``).
SEED_BITS = 63
#: The largest seed: seeds are non-negative integers up to here.
MAX_SEED = 2**SEED_BITS - 1


def replication_seeds(root: int, count: int, first: int = 0) -> list[int]:
    """The model seed of replications ``first`` to ``first + count - 1`` of a root seed.

    Args:
        root: The experiment's root seed.
        count: How many replications.
        first: The index of the first one (0 for an experiment's own replications).

    Returns:
        One integer per replication, usable as ``NPSModel(seed=...)`` to reproduce that
        replication alone.
    """
    parent = np.random.SeedSequence(root)
    # The children SeedSequence.spawn would make, built directly: replication 2,000,000 costs
    # what replication 0 does.
    children = [
        np.random.SeedSequence(parent.entropy, spawn_key=(*parent.spawn_key, index))
        for index in range(first, first + count)
    ]
    return [int(child.generate_state(1, np.uint64)[0] >> (64 - SEED_BITS)) for child in children]


def seed_from(seed: object, rng: object = None, source: str = "seed") -> int | None:
    """The root seed that a ``seed=`` or a Mesa-style ``rng=`` argument stands for.

    Args:
        seed: A whole number from 0 to :data:`MAX_SEED`, or None.
        rng: As Mesa's models take it: a whole number (the seed), a ``numpy.random.Generator``,
            ``BitGenerator`` or ``SeedSequence`` (a seed is drawn from it), or None.
        source: What to call the argument in errors.

    Returns:
        The seed, or None when neither was given.

    Raises:
        ValueError: Both were given, or the seed is not a whole number in range.
        TypeError: ``rng`` is of a kind that cannot seed a run.
    """
    if seed is not None and rng is not None:
        raise ValueError(f"{source}: give seed or rng, not both")
    if rng is not None and not isinstance(rng, numbers.Integral):
        if isinstance(rng, np.random.SeedSequence):
            return int(rng.generate_state(1, np.uint64)[0] >> (64 - SEED_BITS))
        if isinstance(rng, np.random.BitGenerator):
            rng = np.random.Generator(rng)
        if isinstance(rng, np.random.Generator):
            return int(rng.integers(MAX_SEED, endpoint=True))
        raise TypeError(
            f"{source}: rng must be a whole number, a numpy Generator, BitGenerator or "
            f"SeedSequence, got {type(rng).__name__}"
        )
    value = seed if seed is not None else rng
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{source}: a seed is a whole number, got {value!r}")
    if not 0 <= int(value) <= MAX_SEED:
        raise ValueError(f"{source}: a seed is between 0 and 2**63-1, got {value}")
    return int(value)
