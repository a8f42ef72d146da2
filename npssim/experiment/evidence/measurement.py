"""Patterns of the score as a measurement: how far, and why, the reported NPS leaves the truth.

Each pattern reads only per-run ledger values by metric name (``nps_inflation``,
``reported_nps``, ``share_coached``, ``true_nps``, ``signal_validity``), so any model that
reports those metrics is read the same way.
"""

from __future__ import annotations

from collections.abc import Callable

from npssim.experiment.analysis import interval
from npssim.experiment.evidence.pattern import (
    Pattern,
    Reading,
    below_zero,
    plot_along,
    plot_estimates,
    points,
    share,
)
from npssim.experiment.evidence.runs import (
    AUDITED,
    BASELINE,
    NPS_BONUS,
    THIRD_PARTY,
    Ledgers,
    Sweep,
    Variant,
)

NO_NONRESPONSE_BIAS = Variant("baseline", "no_nonresponse_bias", {"accounts.nonresponse_bias": 0.0})
NO_RESENTMENT = Variant("nps_bonus", "no_resentment", {"accounts.resent_probability": 0.0})
#: Response rates of the non-response sweep.
RESPONSE_RATES = (0.1, 0.3, 0.6, 0.9)
RESPONSE = Sweep(BASELINE, "accounts.response_rate", RESPONSE_RATES)


def _indicator_only(ledgers: Ledgers) -> Reading:
    biased = interval(ledgers.values(BASELINE, "nps_inflation"))
    unbiased = interval(ledgers.values(NO_NONRESPONSE_BIAS, "nps_inflation"))
    return Reading(
        estimate=biased,
        shown=f"reported - true: {points(biased)}; without non-response bias: {points(unbiased)}",
        holds=bool(abs(biased.mean) < 10 and abs(unbiased.mean) < abs(biased.mean)),
        figure=plot_estimates(
            {"baseline": biased, "without non-response bias": unbiased},
            "NPS as an indicator only: reported - true NPS (long run)",
            "points",
            expected=(-10.0, 10.0),
        ),
    )


INDICATOR_ONLY = Pattern(
    key="indicator_only",
    claim="NPS as an indicator only: reported NPS is close to true NPS, apart from "
    "non-response bias",
    source="Reichheld 2003; non-response biased toward unhappy customers",
    expected="reported within 10 points of true with nobody paid on the score, and closer "
    "without non-response bias",
    label="input",
    why="The gap is non-response bias, whose direction and size accounts.nonresponse_bias sets "
    "from the face-to-face figure; the honest level is tuned by firm.product_quality.",
    reads=(BASELINE, NO_NONRESPONSE_BIAS),
    compute=_indicator_only,
    note="With nobody paid on the score, reported NPS stays within a few points of the honest "
    "census. Most of the gap is non-response bias: unhappy customers answer less. Removing it "
    "(accounts.nonresponse_bias = 0) leaves answer noise around the 9-and-above and "
    "6-and-below lines.",
    set_by=("accounts.nonresponse_bias", "firm.product_quality"),
    cites=("non-response",),
)


def _response_rate(ledgers: Ledgers) -> Reading:
    by_rate = {rate: ledgers.values(RESPONSE.at(rate), "reported_nps") for rate in RESPONSE_RATES}
    change = interval(by_rate[RESPONSE_RATES[-1]] - by_rate[RESPONSE_RATES[0]])
    levels = [interval(by_rate[rate]) for rate in RESPONSE_RATES]
    return Reading(
        estimate=change,
        shown=f"reported NPS at base response {RESPONSE_RATES[-1]:.0%} minus "
        f"{RESPONSE_RATES[0]:.0%}: {points(change)}",
        holds=below_zero(change),
        figure=plot_along(
            RESPONSE, levels, "reported_nps", "Baseline: reported NPS against the response rate"
        ),
    )


RESPONSE_RATE = Pattern(
    key="response_rate",
    claim="A higher response rate gives a lower reported NPS",
    source="Face-to-face surveys with 80%+ response gave markedly lower NPS",
    expected="below zero (paired difference)",
    label="input",
    why="accounts.nonresponse_bias (unhappy customers answer less) cites this very figure; "
    "more answers then bring the unhappy back by construction.",
    reads=RESPONSE.variants,
    compute=_response_rate,
    note="Unhappy customers answer less (accounts.nonresponse_bias); raising the response rate "
    "brings them back into the sample, and the reported score falls toward the truth.",
    set_by=("accounts.nonresponse_bias",),
    cites=("face-to-face",),
)


def share_under_the_bonus(
    metric: str, what: str, title: str, within: tuple[float, float], expected: tuple[float, float]
) -> Callable[[Ledgers], Reading]:
    """A pattern's reading of one share of responses under nps_bonus, judged against a range.

    Args:
        metric: The ledger's share (``share_coached``, ``share_bribed``, ...).
        what: What the share is, for the shown line ("pleaded for").
        title: The figure's title.
        within: The range in which the pattern holds.
        expected: The published figure's range, drawn on the figure.
    """

    def compute(ledgers: Ledgers) -> Reading:
        value = interval(ledgers.values(NPS_BONUS, metric))
        return Reading(
            estimate=value,
            shown=f"share of responses {what} under nps_bonus: {share(value)}",
            holds=bool(within[0] <= value.mean <= within[1]),
            figure=plot_estimates({"nps_bonus": value}, title, "share (0-1)", expected=expected),
        )

    return compute


_pressured_share = share_under_the_bonus(
    "share_coached",
    "pleaded for",
    "Responses pleaded for under an individual NPS bonus (long run)",
    (0.20, 0.35),
    (0.25, 0.28),
)
_answers_bought = share_under_the_bonus(
    "share_bribed",
    "bought with a gift",
    "Responses bought with a gift under an individual NPS bonus (long run)",
    (0.005, 0.05),
    (0.01, 0.03),
)


PRESSURED_SHARE = Pattern(
    key="pressured_share",
    claim="A pay-linked, rep-sampled survey: about a quarter of customers are pressured for a "
    "top score",
    source="TrueDelta poll 2007: 25-28% pressured to give perfect scores",
    expected="20% to 35%",
    label="calibrated",
    why="The moral weight of a plea (reps.moral_weight.coach, a free parameter) was set so "
    "that the share under nps_bonus lands near TrueDelta's 25-28%.",
    reads=(NPS_BONUS,),
    compute=_pressured_share,
    note="How far pleading is used follows from what a point of score is worth under the pay "
    "plan, what reps learn a plea achieves against customers' candour, and integrity, with the "
    "plea's moral weight chosen with this figure in mind.",
    set_by=("reps.moral_weight.coach",),
    cites=("25-28%",),
)


ANSWERS_BOUGHT = Pattern(
    key="answers_bought",
    claim="A pay-linked, rep-sampled survey: a few customers in a hundred are offered a bribe",
    source="TrueDelta poll 2007: 2% watched, had the form filled in or were bribed",
    expected="0.5% to 5%",
    label="calibrated",
    why="What a use of a tactic costs an honest rep's conscience (reps.moral_cost, a free "
    "parameter) was set so that the share bought under nps_bonus lands near TrueDelta's 2%.",
    reads=(NPS_BONUS,),
    compute=_answers_bought,
    note="How often reps bribe follows from what a point of score is worth under the pay plan, "
    "what reps learn a gift achieves against customers' candour, and integrity, with the "
    "conscience's price chosen with this figure in mind.",
    set_by=("reps.moral_cost",),
    cites=("2%",),
)


def _official_gap(ledgers: Ledgers) -> Reading:
    gap = interval(ledgers.values(NPS_BONUS, "nps_inflation"))
    unpaid = interval(ledgers.values(BASELINE, "nps_inflation"))
    return Reading(
        estimate=gap,
        shown=f"reported - true NPS under nps_bonus: {points(gap)}",
        holds=bool(10 <= gap.mean <= 30),
        figure=plot_estimates(
            {"baseline": unpaid, "nps_bonus": gap},
            "Official (reported) minus independent (true) NPS (long run)",
            "points",
            expected=(10.0, 30.0),
        ),
        detail=f"Without any incentive the gap is {points(unpaid)} (non-response bias).",
    )


OFFICIAL_GAP = Pattern(
    key="official_gap",
    claim="Under a target, the official figure runs ahead of independent measurement by about "
    "20 points",
    source="Bevan & Hood 2006: 96% official vs 77% independent",
    expected="10 to 30 points",
    label="prediction",
    why="No parameter cites Bevan & Hood or was fitted to the gap; it sums what the tactics do "
    "to answers and samples, though part of it is the input non-response bias and the "
    "calibrated pleading share.",
    reads=(BASELINE, NPS_BONUS),
    compute=_official_gap,
    note="The official score is the reps' own sample and answers; the independent one is the "
    "honest census of every account (true_nps).",
    cites=("Bevan",),
)


def _asked_for_a_ten(ledgers: Ledgers) -> Reading:
    # Read in the short run, while the paired runs have not yet drifted apart for other reasons.
    effect = interval(ledgers.difference(NPS_BONUS, "true_nps", "short", reference=NO_RESENTMENT))
    return Reading(
        estimate=effect,
        shown=f"true NPS under nps_bonus, with resentment minus without (short run): "
        f"{points(effect)}",
        holds=below_zero(effect),
        figure=plot_estimates(
            {"with resentment - without": effect},
            "True NPS under an NPS bonus: the cost of asking for a 10 (short run)",
            "points",
        ),
    )


ASKED_FOR_A_TEN = Pattern(
    key="asked_for_a_ten",
    claim="Being asked for a top score lowers some customers' true satisfaction",
    source="2014 study of requests for positive evaluations",
    expected="below zero (paired difference)",
    label="input",
    why="accounts.resent_probability cites the 2014 study: a pleaded customer loses "
    "satisfaction by rule, so the direction is put in; the check is that it shows at scale.",
    reads=(NPS_BONUS, NO_RESENTMENT),
    compute=_asked_for_a_ten,
    note="A customer pleaded with resents it with chance accounts.resent_probability and loses "
    "accounts.resent_penalty of latent satisfaction.",
    set_by=("accounts.resent_probability",),
    cites=("positive evaluations",),
)


def _independent_and_audits(ledgers: Ledgers) -> Reading:
    independent = interval(ledgers.difference(THIRD_PARTY, "nps_inflation", reference=NPS_BONUS))
    audited = interval(ledgers.difference(AUDITED, "nps_inflation", reference=NPS_BONUS))
    return Reading(
        estimate=independent,
        shown=f"inflation vs nps_bonus: third-party sample {points(independent)}; "
        f"audits {points(audited)}",
        holds=below_zero(independent) and below_zero(audited),
        figure=plot_estimates(
            {"third-party sample - nps_bonus": independent, "audits - nps_bonus": audited},
            "NPS inflation: safeguards against the plain bonus (long run)",
            "points",
        ),
    )


INDEPENDENT_AND_AUDITS = Pattern(
    key="independent_and_audits",
    claim="Independent random sampling and audits cut inflation",
    source="GM discarding tampered surveys; Jacob & Levitt 2003 retests",
    expected="both below zero (paired differences)",
    label="input",
    why="policy.audits.probability cites GM and Jacob & Levitt, and a third party's sample "
    "removes cherry-picking by construction: the direction is built in.",
    reads=(NPS_BONUS, THIRD_PARTY, AUDITED),
    compute=_independent_and_audits,
    note="A third party's anonymous random sample removes cherry-picking and hides whom to "
    "plead with; audits catch and punish some gaming.",
    set_by=("policy.audits.probability",),
    cites=("Jacob & Levitt",),
)


def _score_decouples(ledgers: Ledgers) -> Reading:
    reported = interval(ledgers.difference(NPS_BONUS, "signal_validity"))
    latent = interval(ledgers.difference(NPS_BONUS, "latent_signal_validity"))
    return Reading(
        estimate=reported,
        shown=f"how well the reported score predicts renewal (AUC), nps_bonus minus baseline: "
        f"{reported.mean:+.3f} ({reported.low:+.3f} to {reported.high:+.3f}); the same for "
        f"real satisfaction: {latent.mean:+.3f} ({latent.low:+.3f} to {latent.high:+.3f})",
        holds=bool(below_zero(reported) and reported.mean < latent.mean),
        figure=plot_estimates(
            {"reported score": reported, "real satisfaction": latent},
            "Renewal prediction (AUC), nps_bonus minus baseline (long run)",
            "AUC",
        ),
    )


SCORE_DECOUPLES = Pattern(
    key="score_decouples",
    claim="A score that pays stops telling who will stay: the reported score predicts renewals "
    "worse, while real satisfaction predicts them as before",
    source="Filippas, Horton & Golden 2022 (inflated public ratings; candid private feedback "
    "predicted performance better); Goodhart's law",
    expected="the reported score's AUC falls against baseline (below zero), and by more than "
    "real satisfaction's",
    label="prediction",
    why="No parameter cites Filippas et al. or sets how far answers track renewals under pay; "
    "the AUC is read from answers and renewals the tactics and churn produce.",
    reads=(BASELINE, NPS_BONUS),
    compute=_score_decouples,
    note="signal_validity is the AUC of accounts' last reported score for renewal; "
    "latent_signal_validity the same for their real satisfaction, the best a survey could do. "
    "Churn depends on real satisfaction only, so every answer moved by a tactic is noise "
    "for the renewal forecast.",
    cites=("Filippas", "Goodhart"),
)

#: The measurement patterns, in the table's order.
PATTERNS = (
    INDICATOR_ONLY,
    RESPONSE_RATE,
    PRESSURED_SHARE,
    ANSWERS_BOUGHT,
    OFFICIAL_GAP,
    ASKED_FOR_A_TEN,
    INDEPENDENT_AND_AUDITS,
    SCORE_DECOUPLES,
)
