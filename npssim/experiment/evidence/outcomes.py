"""Patterns over time and for the firm: spread, accumulation, selection, and what pay earns.

Each pattern reads per-run ledger values by metric name (``savvy_share``, ``share_coached``,
``reported_nps``, ``concession_cost``, ``honest_rep_share``, ``net_value``, ``gross_margin``,
``true_nps``, ``revenue``) and, for the two drawn week by week, the weekly ledger.
"""

from __future__ import annotations

import numpy as np

from npssim.experiment.analysis import Interval, interval
from npssim.experiment.evidence.pattern import (
    Pattern,
    Reading,
    above_zero,
    below_zero,
    money,
    plot_estimates,
    points,
    share,
)
from npssim.experiment.evidence.runs import (
    AUDITED,
    BASELINE,
    NPS_BONUS,
    RANK_AND_YANK,
    SELECTION_ONLY,
    THIRD_PARTY,
    WELL_DESIGNED,
    Ledgers,
    Variant,
)
from npssim.metrics import ACCUMULATING, as_flows
from npssim.report import plot_metrics

BASELINE_SELECTION_ONLY = Variant("baseline", "selection_only", SELECTION_ONLY)
RANK_AND_YANK_SELECTION_ONLY = Variant("rank_and_yank", "selection_only", SELECTION_ONLY)


def _audits_slow_spread(ledgers: Ledgers) -> Reading:
    slower = interval(ledgers.difference(AUDITED, "savvy_share", reference=NPS_BONUS))
    persists = interval(ledgers.difference(AUDITED, "savvy_share"))
    gaming = interval(ledgers.values(AUDITED, "share_coached"))
    return Reading(
        estimate=slower,
        shown=f"savvy share (long run), audited minus nps_bonus: {share(slower)}; audited "
        f"minus baseline: {share(persists)}",
        holds=bool(below_zero(slower) and above_zero(persists)),
        figure=plot_estimates(
            {"audited - nps_bonus": slower, "audited - baseline": persists},
            "Savvy (hostage-taking) share of accounts, long run",
            "share (0-1)",
        ),
        detail=f"Under audits {gaming.mean:.0%} of responses are still pleaded for.",
    )


AUDITS_SLOW_SPREAD = Pattern(
    key="audits_slow_spread",
    claim="Audits slow, but do not stop, the spread of gaming",
    source="Smaldino & McElreath 2016 (replication slows the decline, does not stop it)",
    expected="lower than without audits, yet above the baseline's, where the trick dies out",
    label="prediction",
    why="No parameter was set to how far audits slow the spread: customers learn hostage-taking "
    "from demands that paid, and audited reps grant fewer of them.",
    reads=(BASELINE, NPS_BONUS, AUDITED),
    compute=_audits_slow_spread,
    note="A rep caught by an audit forfeits the bonus and turns cautious "
    "(reps.caught_unlearning), granting fewer hostage-takers' demands, so fewer accounts learn "
    "that holding the score hostage pays.",
    cites=("replication",),
)


def _bads_accumulate(ledgers: Ledgers) -> Reading:
    def gain(metric: str, horizon: str, quarters: int = 1) -> Interval:
        return interval(ledgers.difference(NPS_BONUS, metric, horizon) / quarters)

    reported = {horizon: gain("reported_nps", horizon) for horizon in ("short", "long")}
    savvy = {horizon: gain("savvy_share", horizon) for horizon in ("short", "long")}
    # The short run is two quarters, the long run four: concessions per quarter.
    concessions = {
        "short": gain("concession_cost", "short", 2),
        "long": gain("concession_cost", "long", 4),
    }
    honest = {horizon: gain("honest_rep_share", horizon) for horizon in ("short", "long")}
    early = reported["short"].mean >= 0.8 * reported["long"].mean
    grow = (
        savvy["long"].mean > savvy["short"].mean
        and concessions["long"].mean > concessions["short"].mean
        and honest["long"].mean < honest["short"].mean
    )
    return Reading(
        estimate=reported["short"],
        shown=f"reported NPS gain, short run {points(reported['short'])} vs long run "
        f"{points(reported['long'])}; savvy share {share(savvy['short'])} -> "
        f"{share(savvy['long'])}; honest reps {share(honest['short'])} -> "
        f"{share(honest['long'])}",
        holds=bool(early and grow),
        figure=plot_metrics(
            ledgers.over_time((BASELINE, NPS_BONUS), ACCUMULATING),
            ACCUMULATING,
            title="Two years under an NPS bonus: the reported gain comes early, the bads build up",
        ),
        detail=f"Concessions per quarter: {concessions['short'].mean:,.0f} in the short run, "
        f"{concessions['long'].mean:,.0f} in the long run.",
    )


BADS_ACCUMULATE = Pattern(
    key="bads_accumulate",
    claim="Over two years the bads accumulate while the reported gain arrives early",
    source="Smaldino & McElreath 2016; Filippas, Horton & Golden 2022",
    expected="gain at least 80% there in the short run; savvy share, concessions per quarter "
    "and honest-rep loss all larger in the long run",
    label="input",
    why="The honest-rep loss grows by rules written after Smaldino & McElreath (honest reps "
    "quit gaming teams, hires and reps take on the team's culture); savvy's growth is the "
    "model's.",
    reads=(BASELINE, NPS_BONUS),
    compute=_bads_accumulate,
    note="nps_bonus against baseline, paired, in the first two quarters and the last four.",
    set_by=("reps.honest_exit_rate", "reps.conformity", "reps.hire_acculturation"),
    cites=("Smaldino",),
    weekly=ACCUMULATING,
)


def _pay_loses(ledgers: Ledgers) -> Reading:
    loss = interval(ledgers.difference(NPS_BONUS, "net_value"))
    margin = ledgers.values(BASELINE, "gross_margin").mean()
    others = (NPS_BONUS, RANK_AND_YANK, AUDITED, THIRD_PARTY, WELL_DESIGNED)
    return Reading(
        estimate=loss,
        shown=f"net value of nps_bonus minus baseline, per year (long run): {money(loss)} "
        f"({loss.mean / margin:+.1%} of the baseline's margin)",
        holds=below_zero(loss),
        figure=plot_estimates(
            {v.name: interval(ledgers.difference(v, "net_value")) for v in others},
            "Net value against baseline, per year (long run)",
            "currency",
        ),
    )


PAY_ON_REP_SAMPLED_SCORE_LOSES = Pattern(
    key="pay_on_rep_sampled_score_loses",
    claim="Tying frontline pay to NPS has almost always backfired",
    source="Bain; Reichheld (tying pay to NPS destroys the business unless limited to senior "
    "executives and relative performance)",
    expected="below zero (paired difference)",
    label="prediction",
    why="No parameter cites Bain or Reichheld or was fitted to the net value; but its size rests "
    "on the price traded for scores, whose scale is calibrated to Larkin (money_given_away).",
    reads=(BASELINE, NPS_BONUS, RANK_AND_YANK, AUDITED, THIRD_PARTY, WELL_DESIGNED),
    compute=_pay_loses,
    note="Net value counts the margin from real retention and price, less money given away, "
    "the bonus paid for inflated scores, measurement, acquisition and turnover.",
    cites=("Bain", "Reichheld"),
)


def _half_way(weekly: np.ndarray) -> int:
    """First week a paired difference reaches half its long-run mean, from week 0."""
    target = 0.5 * weekly[-52:].mean()
    above = np.flatnonzero(weekly >= target) if target > 0 else np.flatnonzero(weekly <= target)
    return int(above[0]) if above.size else len(weekly)


def _well_designed_pays(ledgers: Ledgers) -> Reading:
    true_nps = interval(ledgers.difference(WELL_DESIGNED, "true_nps"))
    revenue = interval(ledgers.difference(WELL_DESIGNED, "revenue"))
    weekly = ledgers.over_time((BASELINE, WELL_DESIGNED), ("true_nps", "revenue"))
    paired = {}
    for variant in (BASELINE, WELL_DESIGNED):
        frame = weekly[weekly["scenario"] == variant.name].sort_values(["replication", "week"])
        flows = as_flows(frame, by=["replication"])
        paired[variant.name] = flows.groupby("week")[["true_nps", "revenue"]].mean().to_numpy()
    difference = paired[WELL_DESIGNED.name] - paired[BASELINE.name]
    lag = _half_way(difference[:, 1]) - _half_way(difference[:, 0])
    return Reading(
        estimate=true_nps,
        shown=f"well_designed_bonus minus baseline (long run): true NPS {points(true_nps)}; "
        f"revenue {money(revenue)} a year; revenue's gain reaches half its long-run size "
        f"{lag} weeks after true NPS's",
        holds=bool(above_zero(true_nps) and above_zero(revenue) and lag > 0),
        figure=plot_metrics(
            weekly,
            ("true_nps", "revenue"),
            title="well_designed_bonus against baseline: satisfaction first, revenue after",
        ),
    )


WELL_DESIGNED_PAYS = Pattern(
    key="well_designed_pays",
    claim="A customer measure in a well-designed incentive plan: satisfaction and revenue both "
    "improve, revenue later",
    source="Banker, Potter & Srinivasan 2000; its 2005 follow-up (revenue follows satisfaction "
    "by about six months)",
    expected="both above zero, revenue lagging satisfaction by months",
    label="input",
    why="Managers measured on the score follow up more (managers.follow_up_stake_gain) and "
    "reps have hours to add (reps.service_share), both citing Banker et al.; the lag is the "
    "model's.",
    reads=(BASELINE, WELL_DESIGNED),
    compute=_well_designed_pays,
    note="The lag comes from contracts renewing once a year, so a happier customer pays off at "
    "its next renewal. The independent survey, audits and caps keep gaming small.",
    set_by=("managers.follow_up_stake_gain", "reps.service_share"),
    cites=("Banker",),
    weekly=("true_nps", "revenue"),
)


def _culture_selection(ledgers: Ledgers) -> Reading:
    def honest(horizon: str) -> Interval:
        return interval(
            ledgers.difference(
                RANK_AND_YANK_SELECTION_ONLY,
                "honest_rep_share",
                horizon,
                reference=BASELINE_SELECTION_ONLY,
            )
        )

    short, long = honest("short"), honest("long")
    return Reading(
        estimate=long,
        shown=f"share of honest reps, rank_and_yank minus baseline, selection alone: short run "
        f"{share(short)}, long run {share(long)}",
        holds=bool(below_zero(long) and long.mean < short.mean),
        figure=plot_estimates(
            {"short run": short, "long run": long},
            "Honest reps: rank_and_yank minus baseline, selection alone",
            "share (0-1)",
        ),
    )


CULTURE_SELECTION = Pattern(
    key="culture_selection",
    claim="Selection on a proxy changes who does the work: honest reps are selected out, even "
    "when nobody learns to game",
    source="Smaldino & McElreath 2016 (selection without learning); Braganza 2022",
    expected="below zero in the long run, and falling from the short run",
    label="prediction",
    why="The rules written after Smaldino & McElreath (learning, conformity, honest exits, "
    "acculturation) are off in both arms: only firing the bottom of the score's ranking acts.",
    reads=(BASELINE_SELECTION_ONLY, RANK_AND_YANK_SELECTION_ONLY),
    compute=_culture_selection,
    note="Reps who game less score lower, so firing the bottom of the ranking removes more of "
    "them; their replacements are drawn fresh.",
    cites=("Smaldino",),
)

#: The patterns over time and for the firm, in the table's order.
PATTERNS = (
    AUDITS_SLOW_SPREAD,
    BADS_ACCUMULATE,
    PAY_ON_REP_SAMPLED_SCORE_LOSES,
    WELL_DESIGNED_PAYS,
    CULTURE_SELECTION,
)
