"""Patterns of what reps trade for a score: money, price, hours and integrity.

Each pattern reads per-run ledger values by metric name (``discount_cost``, ``concession_cost``,
``giveaway_cost``, ``bribe_cost``, ``revenue``, ``genuine_effort``, ``nps_inflation``,
``share_coached``) or the pricing record; the two that read the pay plan and tactic effects
(:data:`COMMISSION_CURBS_DISCOUNTS`, :data:`INEFFECTIVE_TACTIC_FADES`) name parameters of the
pay-plan model, and are reported as not computed by a model without them.
"""

from __future__ import annotations

import itertools

from npssim.experiment.analysis import Interval, interval
from npssim.experiment.evidence.pattern import (
    Pattern,
    Reading,
    above_zero,
    below_zero,
    money,
    plot_along,
    plot_estimates,
    points,
    share,
)
from npssim.experiment.evidence.runs import (
    AUDITED,
    BASELINE,
    NPS_BONUS,
    RANK_AND_YANK,
    WELL_DESIGNED,
    Ledgers,
    Recording,
    Sweep,
    Variant,
)
from npssim.metrics import ALL_GIVEN_AWAY
from npssim.scenario import params_by_path

#: The cliff bonus whose renewals are recorded: all or nothing at an NPS of 40.
CLIFF_PRICING = Recording(
    Variant(
        "nps_bonus",
        "cliff",
        {"policy.incentives.payout": "cliff", "policy.incentives.target_nps": 40.0},
    )
)
#: Reps within this many points below a cliff target count as "just short of the line", where
#: the model has no width of its own (``reps.near_miss_width``).
NEAR_MISS_WIDTH = 10.0
#: Bonus weights of the multitask sweep.
BONUS_WEIGHTS = (0.0, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1.0)
WEIGHTS = Sweep(NPS_BONUS, "policy.incentives.nps_weight", BONUS_WEIGHTS)
#: Reps' mean integrity in the sweep that checks integrity bounds gaming.
INTEGRITY_LEVELS = (0.35, 0.65, 0.95)
INTEGRITY = Sweep(NPS_BONUS, "reps.integrity_mean", INTEGRITY_LEVELS)
#: The pay plan's commission on the revenue of a rep's accounts, low and high: a discount costs
#: a rep the commission on it (Chung, Steenburgh & Sudhir 2014: sales-force cost about 10% of
#: revenue).
COMMISSION = "policy.pay.commission_rate"
COMMISSION_RATES = (0.0, 0.1)
COMMISSION_BONUS = Sweep(NPS_BONUS, COMMISSION, COMMISSION_RATES)
COMMISSION_BASELINE = Sweep(BASELINE, COMMISSION, COMMISSION_RATES)
#: Pleading made worthless: its effect on the answer is zero, so it buys nothing.
POINTLESS_PLEA = Variant("nps_bonus", "pointless_plea", {"reps.tactic_effect.coach": 0.0})


def given_away_share(ledgers: Ledgers, variant: Variant) -> Interval:
    """Money given away beyond the baseline's, in every form, as a share of revenue."""
    extra = sum(ledgers.difference(variant, metric) for metric in ALL_GIVEN_AWAY)
    return interval(extra / ledgers.values(variant, "revenue"))


def _money_given_away(ledgers: Ledgers) -> Reading:
    strongest = given_away_share(ledgers, RANK_AND_YANK)
    discounts = interval(ledgers.difference(RANK_AND_YANK, "discount_cost"))
    savvy = interval(ledgers.values(RANK_AND_YANK, "savvy_share"))
    return Reading(
        estimate=strongest,
        shown=f"discounts, concessions, giveaways and bribes beyond the baseline's, share of "
        f"revenue under rank_and_yank (the strongest bundled incentive): {share(strongest)}",
        holds=bool(0.03 <= strongest.mean <= 0.10),
        figure=plot_estimates(
            {
                variant.name: given_away_share(ledgers, variant)
                for variant in (RANK_AND_YANK, NPS_BONUS, AUDITED, WELL_DESIGNED)
            },
            "Money given away beyond the baseline's, share of revenue (long run)",
            "share (0-1)",
            expected=(0.06, 0.08),
        ),
        detail=f"Discounts alone: {discounts.mean:,.0f} a year beyond the baseline's ordinary "
        f"negotiation. Savvy (hostage-taking) accounts in the second year: {savvy.mean:.1%}.",
    )


MONEY_GIVEN_AWAY = Pattern(
    key="money_given_away",
    claim="Strong incentives on a gameable measure: money given away of the order of Larkin's "
    "6-8% of revenue",
    source="Larkin 2014: price concessions timed to a non-linear scheme cost 6-8% of revenue",
    expected="3% to 10% (the order of Larkin's 6-8%)",
    label="input",
    why="What accounts ask (accounts.score_discount, accounts.concession_size) was scaled "
    "toward Larkin's order under the v2 model; what reps give is now their own choice, so "
    "the figure is no longer fitted, but the asking price was set with it in mind.",
    reads=(BASELINE, RANK_AND_YANK, NPS_BONUS, AUDITED, WELL_DESIGNED),
    compute=_money_given_away,
    note="Most of it is price: at renewals and new deals reps trade discount for the account's "
    "score. How often reps are willing, and how many accounts are powerful and savvy, is the "
    "model's; the 3-10% range reads Larkin's 6-8% as an order of magnitude.",
    set_by=("accounts.score_discount", "accounts.concession_size"),
    cites=("Larkin",),
)


def near_miss_width() -> float:
    """How far below a cliff target a rep counts as just short of it: the model's own band."""
    info = params_by_path().get("reps.near_miss_width")
    return NEAR_MISS_WIDTH if info is None else float(info.default)


def _discounts_near_the_line(ledgers: Ledgers) -> Reading:
    width = near_miss_width()
    priced = ledgers.records[CLIFF_PRICING.name].dropna(subset=["gap"])
    near = (priced["gap"] > 0) & (priced["gap"] <= width)
    by_run = priced.assign(near=near).groupby(["replication", "near"])["for_score"].mean()
    table = by_run.unstack("near").reindex(columns=[False, True])
    excess = interval(table[True].to_numpy(dtype=float) - table[False].to_numpy(dtype=float))
    return Reading(
        estimate=excess,
        shown=f"mean discount traded for the score, reps within {width:g} points "
        f"below the target minus all others: {share(excess)} of list price",
        holds=above_zero(excess),
        figure=plot_estimates(
            {"just short of the line - elsewhere": excess},
            "Discount traded for the score under a cliff bonus",
            "share (0-1)",
        ),
    )


DISCOUNTS_NEAR_THE_LINE = Pattern(
    key="discounts_near_the_line",
    claim="Discounts cluster where the scheme pays to close: reps just short of a cliff target "
    "give the most away",
    source="Larkin 2014; Schweitzer, Ordonez & Douma 2004",
    expected="above zero (paired difference)",
    label="input",
    why="The cliff drive peaks just short of the line by construction: reps.near_miss_width "
    "and policy.incentives.payout cite Schweitzer et al.",
    reads=(CLIFF_PRICING,),
    compute=_discounts_near_the_line,
    note="nps_bonus with a cliff payout at NPS 40, every renewal and new deal recorded beside "
    "the rep's distance to the target at the last review. What follows from the drive (which "
    "accounts renew then, how powerful and savvy they are, approval rules and caps) is the "
    "model's.",
    set_by=("reps.near_miss_width", "policy.incentives.payout"),
    cites=("Schweitzer",),
)


def _multitask(ledgers: Ledgers) -> Reading:
    effort = {w: ledgers.values(WEIGHTS.at(w), "genuine_effort") for w in BONUS_WEIGHTS}
    peak = max(BONUS_WEIGHTS[1:-1], key=lambda weight: effort[weight].mean())
    rise = interval(effort[peak] - effort[BONUS_WEIGHTS[0]])
    fall = interval(effort[BONUS_WEIGHTS[-1]] - effort[peak])
    levels = [interval(effort[weight]) for weight in BONUS_WEIGHTS]
    return Reading(
        estimate=rise,
        shown=f"genuine effort at weight {peak:g} minus weight 0: {share(rise)}; "
        f"at weight {BONUS_WEIGHTS[-1]:g} minus weight {peak:g}: {share(fall)}",
        holds=bool(above_zero(rise) and below_zero(fall)),
        figure=plot_along(
            WEIGHTS, levels, "genuine_effort", "nps_bonus: genuine effort against the bonus weight"
        ),
    )


MULTITASK = Pattern(
    key="multitask",
    claim="Genuine service effort against the bonus weight on NPS rises, then falls",
    source="Holmstrom & Milgrom 1991 (multitask principal-agent)",
    expected="a rise above zero, then a fall below zero",
    label="input",
    why="Both arms are rules citing Holmstrom & Milgrom: effort answers the stake "
    "(reps.service_response, reps.service_share) and tactics take hours from service "
    "(reps.tactic_hours).",
    reads=WEIGHTS.variants,
    compute=_multitask,
    note="Without a stake reps give existing accounts reps.service_share of their hours. A "
    "small stake raises the value of an hour of service; a larger one makes tactics pay, and "
    "the hours they take come out of service. Where the peak falls is the model's.",
    set_by=("reps.service_response", "reps.service_share", "firm.selling_elasticity"),
    cites=("Holmstrom",),
)


def _integrity_bounds_gaming(ledgers: Ledgers) -> Reading:
    baseline = ledgers.values(BASELINE, "nps_inflation")
    at = {level: ledgers.values(INTEGRITY.at(level), "nps_inflation") for level in INTEGRITY_LEVELS}
    added = [interval(at[level] - baseline) for level in INTEGRITY_LEVELS]
    falling = all(a.mean > b.mean for a, b in itertools.pairwise(added))
    span = interval(at[INTEGRITY_LEVELS[-1]] - at[INTEGRITY_LEVELS[0]])
    each = "; ".join(
        f"integrity {level:g}: {points(value)}"
        for level, value in zip(INTEGRITY_LEVELS, added, strict=True)
    )
    return Reading(
        estimate=added[-1],
        shown=f"inflation added by nps_bonus over baseline, by reps' mean integrity: {each}; "
        f"{INTEGRITY_LEVELS[-1]:g} minus {INTEGRITY_LEVELS[0]:g}: {points(span)}",
        holds=bool(falling and below_zero(span)),
        figure=plot_along(
            INTEGRITY, added, "nps_inflation", "Inflation added by nps_bonus, by reps' integrity"
        ),
    )


INTEGRITY_BOUNDS_GAMING = Pattern(
    key="integrity_bounds_gaming",
    claim="Intrinsic motivation limits proxy gaming: the more honest the reps, the less a "
    "bonus inflates the score",
    source="Braganza 2022 (Proxyeconomics)",
    expected="falling with integrity: less at every step up, and clearly less at the highest "
    "than at the lowest (paired difference below zero)",
    label="input",
    why="Integrity weighs every tactic's moral cost by rule (reps.moral_cost, after Braganza), "
    "so the direction is built in.",
    reads=(BASELINE, *INTEGRITY.variants),
    compute=_integrity_bounds_gaming,
    note="Integrity scales the moral cost a rep weighs against every use of a tactic "
    "(reps.moral_cost times the tactic's moral weight).",
    set_by=("reps.moral_cost",),
    cites=("Braganza",),
)


def traded_for_scores(ledgers: Ledgers, bonus: Variant, baseline: Variant) -> Interval:
    """Discounts and concessions beyond the same pay plan's baseline, per year (long run)."""
    return interval(
        sum(
            ledgers.difference(bonus, metric, reference=baseline)
            for metric in ("discount_cost", "concession_cost")
        )
    )


def _commission_curbs_discounts(ledgers: Ledgers) -> Reading:
    low, high = COMMISSION_RATES
    traded = {
        rate: traded_for_scores(ledgers, COMMISSION_BONUS.at(rate), COMMISSION_BASELINE.at(rate))
        for rate in COMMISSION_RATES
    }
    change = interval(
        sum(
            ledgers.difference(
                COMMISSION_BONUS.at(high), metric, reference=COMMISSION_BONUS.at(low)
            )
            - ledgers.difference(
                COMMISSION_BASELINE.at(high), metric, reference=COMMISSION_BASELINE.at(low)
            )
            for metric in ("discount_cost", "concession_cost")
        )
    )
    return Reading(
        estimate=change,
        shown=f"discounts and concessions traded for scores (nps_bonus minus baseline) at "
        f"commission {high:g}: {money(traded[high])} a year; at {low:g}: {money(traded[low])}; "
        f"change: {money(change)}",
        holds=below_zero(change),
        figure=plot_estimates(
            {f"{COMMISSION} = {rate:g}": traded[rate] for rate in COMMISSION_RATES},
            "Discounts and concessions traded for scores, per year, by commission (long run)",
            "currency",
        ),
    )


COMMISSION_CURBS_DISCOUNTS = Pattern(
    key="commission_curbs_discounts",
    claim="Reps paid commission on their accounts' revenue trade less price for a score: a "
    "discount costs them the commission on it",
    source="Chung, Steenburgh & Sudhir 2014 (reps are paid commission on sales); Holmstrom & "
    "Milgrom 1991 (moving pay between tasks moves effort between them)",
    expected="less traded for scores at the higher commission (paired difference below zero)",
    label="prediction",
    why="Nothing sets how discounts answer commission: it follows from reps weighing the "
    "commission a discount costs against the bonus a score earns.",
    reads=(*COMMISSION_BONUS.variants, *COMMISSION_BASELINE.variants),
    compute=_commission_curbs_discounts,
    note="nps_bonus against baseline at two commission rates, each against the baseline with "
    "the same pay plan, so that commission's own effect on pricing drops out of the difference.",
)


def _ineffective_tactic_fades(ledgers: Ledgers) -> Reading:
    first = ledgers.values(POINTLESS_PLEA, "share_coached", "short")
    last = ledgers.values(POINTLESS_PLEA, "share_coached", "long")
    change = interval(last - first)
    ratio = last.mean() / first.mean() if first.mean() > 0 else float("nan")
    return Reading(
        estimate=change,
        shown=f"share of answers pleaded for when pleading moves no answer, last four quarters "
        f"minus first two: {share(change)} (last / first: {ratio:.2f})",
        holds=below_zero(change),
        figure=plot_estimates(
            {"first two quarters": interval(first), "last four quarters": interval(last)},
            "Pleading that buys nothing, under nps_bonus",
            "share (0-1)",
        ),
    )


INEFFECTIVE_TACTIC_FADES = Pattern(
    key="ineffective_tactic_fades",
    claim="A tactic that buys nothing fades: reps who learn from what a tactic achieved stop "
    "using one that moves no answer",
    source="Roth & Erev 1995; Camerer & Ho 1999 (learning from outcomes)",
    expected="less used in the long run than in the short run (paired difference below zero)",
    label="prediction",
    why="No parameter was set to a rate of fading; it follows from the published form of the "
    "learning rule, applied to what the tactic achieved for each rep.",
    reads=(POINTLESS_PLEA,),
    compute=_ineffective_tactic_fades,
    note="nps_bonus with pleading's effect on answers (reps.tactic_effect.coach) set to 0.",
)

#: The trade patterns, in the table's order.
PATTERNS = (
    MONEY_GIVEN_AWAY,
    DISCOUNTS_NEAR_THE_LINE,
    MULTITASK,
    INTEGRITY_BOUNDS_GAMING,
    COMMISSION_CURBS_DISCOUNTS,
    INEFFECTIVE_TACTIC_FADES,
)
