"""The survey: who is asked, who answers, what they say, and how answers become NPS.

Everything here is vectorised over accounts; the tactics that bend answers are decided by the
reps and accounts and arrive here as shifts and overrides.
"""

from __future__ import annotations

import numpy as np

PROMOTER_MIN = 9
DETRACTOR_MAX = 6
#: A latent satisfaction that rounds to 9 or more counts as a promoter in the honest census.
PROMOTER_LATENT = PROMOTER_MIN - 0.5
#: A latent satisfaction that rounds to 6 or less counts as a detractor in the honest census.
DETRACTOR_LATENT = DETRACTOR_MAX + 0.5


def nps(scores: np.ndarray) -> float:
    """Net Promoter Score of 0-10 answers: % promoters (9-10) minus % detractors (0-6).

    Args:
        scores: Integer answers.

    Returns:
        NPS from -100 to 100, NaN when there are no answers.
    """
    scores = np.asarray(scores)
    if scores.size == 0:
        return float("nan")
    promoters = np.count_nonzero(scores >= PROMOTER_MIN)
    detractors = np.count_nonzero(scores <= DETRACTOR_MAX)
    return 100.0 * (promoters - detractors) / scores.size


def census_nps(satisfaction: np.ndarray) -> float:
    """NPS an honest census of latent satisfaction would show (no noise, no tactics)."""
    satisfaction = np.asarray(satisfaction)
    if satisfaction.size == 0:
        return float("nan")
    promoters = np.count_nonzero(satisfaction >= PROMOTER_LATENT)
    detractors = np.count_nonzero(satisfaction < DETRACTOR_LATENT)
    return 100.0 * (promoters - detractors) / satisfaction.size


def grouped_nps(promoters: np.ndarray, detractors: np.ndarray, responses: np.ndarray) -> np.ndarray:
    """NPS per group from counts, NaN where a group has no responses."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(responses > 0, 100.0 * (promoters - detractors) / responses, np.nan)


def draw_sample(
    rng: np.random.Generator,
    rows: np.ndarray,
    groups: np.ndarray,
    n_groups: int,
    fraction: float,
    avoid: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Invite a share of each rep's accounts, keeping the avoided ones out where possible.

    Draws one random key per eligible row and hands them to :func:`pick`.

    Returns:
        The invited rows, and the rows that were avoided and indeed left out.
    """
    return pick(rows, groups, n_groups, fraction, rng.random(rows.size), avoid)


def key_order(key: np.ndarray) -> np.ndarray:
    """The order of random keys, smallest first (ties, vanishingly rare, in row order).

    Sorting with the (unstable) quicksort is exact whenever no two keys tie, which is checked;
    a tie falls back to a stable sort.
    """
    by_key = np.argsort(key)
    ordered = key[by_key]
    if np.any(ordered[1:] == ordered[:-1]):
        by_key = np.argsort(key, kind="stable")
    return by_key


def pick(
    rows: np.ndarray,
    groups: np.ndarray,
    n_groups: int,
    fraction: float,
    key: np.ndarray,
    avoid: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Invite a share of each rep's accounts in the order of their random keys, avoided ones last.

    Each group (a rep's book) gets ``round(fraction * size)`` invitations: its rows with the
    smallest keys. Accounts flagged in ``avoid`` are ranked after every other account of their
    rep, so they are invited only when the rep has too few others: that is cherry-picking. The
    same keys without ``avoid`` give the sample the rep would have drawn without cherry-picking.

    Args:
        rows: Account rows eligible for the survey.
        groups: The rep of each eligible row.
        n_groups: Number of reps.
        fraction: Share of each book to invite.
        key: One random key per eligible row (ties, vanishingly rare, go in row order).
        avoid: Optional mask over ``rows`` of accounts the rep wants to keep out.

    Returns:
        The invited rows, and the rows that were avoided and indeed left out.
    """
    chosen, left_out = pick_mask(rows, groups, n_groups, fraction, key, avoid)
    return rows[chosen], left_out


def pick_mask(
    rows: np.ndarray,
    groups: np.ndarray,
    n_groups: int,
    fraction: float,
    key: np.ndarray,
    avoid: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`pick`, with the invitations as a mask over ``rows``.

    The model reads the invited accounts' positions among the eligible ones from the mask, which
    is cheaper than searching for the rows.

    Returns:
        A mask over ``rows`` of the invited, and the rows that were avoided and left out.
    """
    if rows.size == 0:
        return np.zeros(0, dtype=bool), np.empty(0, dtype=rows.dtype)
    if avoid is not None:
        avoid = np.asarray(avoid, dtype=bool)  # once, for the ranking and the left-out rows
    order, sorted_groups = rank_order(groups, n_groups, key, avoid)
    sizes = np.bincount(groups, minlength=n_groups)
    quota = np.rint(fraction * sizes).astype(np.int64)
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    rank = np.arange(rows.size) - starts[sorted_groups]
    chosen = np.zeros(rows.size, dtype=bool)
    chosen[order] = rank < quota[sorted_groups]
    left_out = rows[avoid & ~chosen] if avoid is not None else rows[:0]
    return chosen, left_out


#: Fewest bits of a key :func:`rank_order` packs beside the group, flag and position: with fewer,
#: keys that share their leading bits (and so need the exact sort) would be common.
PACKED_KEY_BITS = 20


def rank_order(
    groups: np.ndarray, n_groups: int, key: np.ndarray, avoid: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Positions sorted by group, then avoided last, then key: ``np.lexsort((key, avoid, groups))``.

    A survey wave needs, for each rep, the accounts with the smallest keys. Rather than an
    argsort of the keys and a stable sort by group, each position's group, flag, leading key
    bits and the position itself are packed into one unsigned 64-bit integer and the integers
    are sorted as values, which NumPy does several times faster than an argsort. The order is
    exact: where two packed values share everything but the position (keys equal in their
    leading bits, or tied), the exact lexsort is used instead (:func:`group_order`), as it is
    for keys outside [0, 1) or too many groups and rows to leave :data:`PACKED_KEY_BITS`.

    Args:
        groups: The group of each position, 0 to ``n_groups - 1``.
        n_groups: Number of groups.
        key: The keys that order each group.
        avoid: Optional mask of positions ranked after the rest of their group.

    Returns:
        The sorted positions, and the group of each.
    """
    if avoid is not None:
        avoid = np.asarray(avoid, dtype=bool)
    size = key.size
    index_bits = max(int(size - 1).bit_length(), 1)
    group_bits = max(int(n_groups - 1).bit_length(), 1)
    flag_bits = 0 if avoid is None else 1
    key_bits = 64 - index_bits - group_bits - flag_bits
    if key_bits >= PACKED_KEY_BITS and size and key.min() >= 0.0 and key.max() < 1.0:
        # key * 2**key_bits is exact (a power of two) and truncates to the leading bits.
        packed = (key * float(2**key_bits)).astype(np.uint64)
        packed <<= np.uint64(index_bits)
        packed |= np.arange(size, dtype=np.uint64)
        group_shift = np.uint64(key_bits + flag_bits + index_bits)
        packed |= groups.astype(np.uint64) << group_shift
        if avoid is not None:
            packed |= avoid.astype(np.uint64) << np.uint64(key_bits + index_bits)
        packed.sort()
        prefix = packed >> np.uint64(index_bits)
        if not np.any(prefix[1:] == prefix[:-1]):
            order = (packed & np.uint64((1 << index_bits) - 1)).astype(np.intp)
            return order, (packed >> group_shift).astype(np.intp)
    by_key = key_order(key)
    if avoid is not None:
        last = avoid[by_key]
        by_key = np.concatenate([by_key[~last], by_key[last]])
    order = group_order(groups, by_key)
    return order, groups[order]


def group_order(groups: np.ndarray, by_key: np.ndarray) -> np.ndarray:
    """Positions sorted by group and, within a group, in ``by_key`` order.

    With ``by_key = key_order(key)`` this is ``np.lexsort((key, groups))`` at half the cost: the
    groups are ordered with a stable radix sort, which needs them as 16-bit integers.
    """
    narrow = groups[by_key]
    if groups.size and groups.max() < np.iinfo(np.int16).max:
        narrow = narrow.astype(np.int16)
    return by_key[np.argsort(narrow, kind="stable")]


def response_chance(
    satisfaction: np.ndarray,
    base_rate: float,
    bias: float,
    reminders: int,
    reminder_effect: float,
) -> np.ndarray:
    """Chance each invited customer answers: unhappy customers answer less (non-response bias).

    Args:
        satisfaction: Latent satisfaction of the invited accounts.
        base_rate: Response chance at satisfaction 7.5, before reminders (7.5 is where the
            parameter is read, the middle of the passives).
        bias: Log-odds of answering gained per satisfaction point.
        reminders: Reminders sent to non-respondents.
        reminder_effect: Share of the first chance that each reminder gives again.

    Returns:
        One chance per account.
    """
    base = np.clip(base_rate, 1e-9, 1 - 1e-9)
    logit = np.log(base / (1 - base)) + bias * (satisfaction - 7.5)
    first = 1.0 / (1.0 + np.exp(-logit))
    return 1.0 - (1.0 - first) * (1.0 - reminder_effect * first) ** reminders


def respond(
    rng: np.random.Generator,
    satisfaction: np.ndarray,
    base_rate: float,
    bias: float,
    reminders: int,
    reminder_effect: float = 0.5,
) -> np.ndarray:
    """Who answers the invitation: one uniform draw against :func:`response_chance` each."""
    chance = response_chance(satisfaction, base_rate, bias, reminders, reminder_effect)
    return rng.random(satisfaction.size) < chance


def answer(
    rng: np.random.Generator, satisfaction: np.ndarray, noise: float, shift: np.ndarray
) -> np.ndarray:
    """The 0-10 answer: latent satisfaction plus noise plus what pleas and gifts add."""
    return scores_from(satisfaction + noise * rng.standard_normal(satisfaction.size) + shift)


def scores_from(raw: np.ndarray) -> np.ndarray:
    """Round raw answers to the 0-10 scale."""
    return np.clip(np.rint(raw), 0, 10).astype(np.int8)
