"""Identity checks: what must come out of the model whatever the world is like.

These are not evidence. A null world in which a bonus can move nothing real must leave the
firm's money where it was (an accounting identity), and a bonus with no weight is no stake, so
nothing can be traded for a score. When one fails, the code is wrong, not the world; they sit in
a section of their own so that they are never counted among the patterns.
"""

from __future__ import annotations

from npssim.experiment.analysis import Interval, interval
from npssim.experiment.evidence.pattern import (
    IdentityCheck,
    Reading,
    around_zero,
    money,
    plot_estimates,
)
from npssim.experiment.evidence.runs import BASELINE, NULL_WORLD, Ledgers, Variant
from npssim.experiment.evidence.trades import WEIGHTS

#: How far an accounting identity may miss zero, relative to the money it moves: the last bits
#: of sums taken in different orders (a property of floating point, not of the model).
ROUNDING = 1e-9


def zero_to_rounding(value: Interval, scale: float) -> bool:
    """Zero to floating-point rounding: both ends within :data:`ROUNDING` of ``scale``."""
    tolerance = ROUNDING * max(abs(scale), 1.0)
    return bool(abs(value.low) <= tolerance and abs(value.high) <= tolerance)


BASELINE_NULL_WORLD = Variant("baseline", "null_world", NULL_WORLD)
NPS_BONUS_NULL_WORLD = Variant("nps_bonus", "null_world", NULL_WORLD)
#: The plain bonus with no weight on the score: no stake (a point of the bonus-weight sweep).
NO_STAKE = WEIGHTS.at(0.0)
#: Money a rep can trade for a score, by the ledger's names.
TRADED = ("discount_cost", "concession_cost", "giveaway_cost", "bribe_cost")


def _null_world(ledgers: Ledgers) -> Reading:
    def moved(metric: str):
        return ledgers.difference(NPS_BONUS_NULL_WORLD, metric, reference=BASELINE_NULL_WORLD)

    pay = moved("bonus_paid") + moved("commission_paid") + moved("salary_paid")
    difference = interval(moved("net_value") + pay)
    bonus = interval(ledgers.values(NPS_BONUS_NULL_WORLD, "bonus_paid"))
    return Reading(
        estimate=difference,
        shown=f"net value, bonus minus no bonus, both in the null world, with reps' pay put "
        f"back: {money(difference)} a year, while {bonus.mean:,.0f} of bonus is paid",
        holds=zero_to_rounding(difference, scale=bonus.mean),
        figure=plot_estimates(
            {"bonus - no bonus (null world)": difference},
            "Net value in a null world, per year (long run)",
            "currency",
        ),
    )


NULL_WORLD_CHECK = IdentityCheck(
    key="null_world",
    claim="A null world: where no tactic is possible and nobody responds to the stake, a bonus "
    "changes the firm's net value by exactly what it moves in reps' pay",
    reason="Accounting: with nothing real moved, revenue and every cost but pay are the same, "
    "so net value must move by the pay moved (the bonus paid less the commission it replaces); "
    "if it moves by anything else, the accounting invents goods or bads.",
    reads=(BASELINE_NULL_WORLD, NPS_BONUS_NULL_WORLD),
    compute=_null_world,
)


def _no_stake(ledgers: Ledgers) -> Reading:
    traded = interval(sum(ledgers.difference(NO_STAKE, metric) for metric in TRADED))
    return Reading(
        estimate=traded,
        shown=f"discounts, concessions, giveaways and gifts, nps_bonus at weight 0 minus "
        f"baseline: {money(traded)} a year",
        holds=around_zero(traded),
        figure=plot_estimates(
            {"weight 0 - baseline": traded},
            "Money traded for scores with no stake in the score, per year (long run)",
            "currency",
        ),
    )


NO_STAKE_CHECK = IdentityCheck(
    key="no_stake_no_trade",
    claim="With no weight on the score, nothing is traded for it: discounts and concessions are "
    "at the baseline's level",
    reason="A rep trades price, time or integrity for a score only where its pay says so; with "
    "a weight of 0 the score pays nothing, so the bonus scenario is the baseline.",
    reads=(BASELINE, NO_STAKE),
    compute=_no_stake,
)

#: Every identity check, in the document's order.
IDENTITIES = (NULL_WORLD_CHECK, NO_STAKE_CHECK)
