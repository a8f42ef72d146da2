"""The parameter schema: one definition used by validation, `npssim params`, the docs and the UI.

Every parameter is declared once, here, with its default, bounds, unit, one-line meaning and
source (a figure from references.md, or "assumption"). Nothing else in npssim keeps its own list of
parameters: the loader validates against these models, the ODD parameter table is generated from
them, and the dashboard's sliders and the JSON schema come from them too. A parameter declared
with ``lever=True`` is one of the main policy levers or uncertain assumptions that the dashboard
offers as a control. A parameter declared with a ``plausible`` range is an *uncertain assumption*
about the firm: no published figure pins it down, and the range is where a decision-maker should
expect it to lie; ``npssim breakeven`` asks what would have to be true of these for a policy to pay.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator, model_validator

from npssim.tactics import TACTIC_TABLE, Tactic

ASSUMPTION = "assumption"

#: The ceiling of every amount of money the schema does not bound otherwise (a billion in the
#: firm's currency: above any contract, bonus or cost a scenario means). It is a limit of the
#: input, not a behavioural number: it keeps every sum and product of amounts finite.
MONEY_CEILING = 1e9
#: The largest firm npssim runs, in accounts (managers x reps per manager x accounts per rep):
#: a limit of the machine, not of the model. A million accounts need about 1.5 GiB.
MAX_ACCOUNTS = 5_000_000
#: The longest scenario name: it names folders and files, and heads tables.
MAX_NAME_CHARS = 80
#: The longest description.
MAX_DESCRIPTION_CHARS = 2_000
#: The most timeline entries a scenario may hold.
MAX_TIMELINE_ENTRIES = 1_000


def param(
    default: Any,
    meaning: str,
    *,
    unit: str = "",
    ge: float | None = None,
    le: float | None = None,
    source: str = ASSUMPTION,
    lever: bool = False,
    slider_max: float | None = None,
    plausible: tuple[float, float] | None = None,
    label: str = "",
    measure: str = "",
) -> Any:
    """Declare one parameter with its documentation.

    Args:
        default: Value used when the scenario file does not set it.
        meaning: One line saying what the parameter does in the model.
        unit: Unit of measure ("points", "per week", "currency", "share", ...).
        ge: Inclusive lower bound, if any.
        le: Inclusive upper bound, if any.
        source: Where the default comes from: a references.md citation, or "assumption".
        lever: Offer it as a control in the dashboard (a main policy lever or an assumption
            leaders will want to question).
        slider_max: The top of the dashboard's slider when ``le`` leaves the range open.
        plausible: The range a decision-maker should consider for an uncertain assumption
            (inside the bounds): what ``npssim breakeven`` varies by default.
        label: What a leader calls it, in a few plain words (the dashboard's controls); the
            dotted path where none is given.
        measure: For an uncertain assumption, what a firm could measure to pin it down, in
            business terms (``npssim breakeven`` names the assumption by it, with its unit).

    Returns:
        A pydantic ``Field`` carrying the bounds and the documentation. The field is strict: a
        file's ``true`` or ``"5"`` is refused where a number belongs, not quietly converted
        (a whole number is still accepted for a real one). An amount of money whose upper
        bound is open gets :data:`MONEY_CEILING`.
    """
    if le is None and unit.startswith("currency"):
        le = MONEY_CEILING
    return Field(
        default,
        # A choice (a Literal, with a string default) is already exact; pydantic refuses
        # ``strict`` on one.
        strict=None if isinstance(default, str) else True,
        ge=ge,
        le=le,
        description=meaning,
        json_schema_extra={
            "unit": unit,
            "source": source,
            **({"lever": True} if lever else {}),
            **({"slider_max": slider_max} if slider_max is not None else {}),
            **({"plausible": list(plausible)} if plausible is not None else {}),
            **({"label": label} if label else {}),
            **({"measure": measure} if measure else {}),
        },
    )


class Section(BaseModel):
    """Base of every scenario table: strict keys, assignment re-validated."""

    model_config = ConfigDict(
        extra="forbid", validate_assignment=True, frozen=False, allow_inf_nan=False
    )


class FirmParams(Section):
    """The firm: its size, its product and its economics."""

    currency: str = Field(
        "USD",
        strict=True,
        pattern=r"^[A-Z]{3}$",
        description="The currency every amount is in (ISO 4217 code): shown beside money.",
        json_schema_extra={
            "unit": "ISO 4217 code",
            "source": "assumption (a label: no result depends on it)",
        },
    )
    managers: int = param(10, "Number of sales managers.", unit="people", ge=1, le=100_000)
    reps_per_manager: int = param(
        10, "Sales reps in each manager's team.", unit="people", ge=1, le=1_000
    )
    accounts_per_rep: int = param(
        40, "Customer accounts in each rep's book at the start.", unit="accounts", ge=1, le=100_000
    )
    product_quality: float = param(
        6.3,
        "Mean baseline satisfaction that accounts relax toward without any service.",
        unit="points (0-10)",
        ge=0,
        le=10,
        source="assumption, tuned so the honest NPS is near the B2B levels in references.md "
        "(ClearlyRated 2018: about 18; Temkin tech vendors: 23-32)",
    )
    relaxation_rate: float = param(
        0.05,
        "Weekly share of the gap to the baseline that satisfaction closes by itself.",
        unit="per week",
        ge=0,
        le=1,
    )
    incident_rate: float = param(
        0.01, "Chance an account has a service incident in a week.", unit="per week", ge=0, le=1
    )
    incident_severity: float = param(
        2.0, "Satisfaction lost in an incident.", unit="points", ge=0, le=10
    )
    service_hours_per_rep: float = param(
        30.0,
        "Hours a rep has each week for the existing book: genuine service, score management, "
        "and what a rep does instead (selling, admin, rest).",
        unit="hours per week",
        ge=0,
        le=80,
    )
    service_effect: float = param(
        0.25,
        "Satisfaction bought per week by genuine service (times skill, log of hours).",
        unit="points per week",
        ge=0,
        le=5,
        plausible=(0.1, 0.5),
        measure="satisfaction points an account gains per week of a rep's genuine service",
        label="How much real service lifts satisfaction",
    )
    service_hours_scale: float = param(
        0.5,
        "Hours per account-week beyond which service shows diminishing returns.",
        unit="hours per week",
        ge=0.01,
        le=40,
    )
    gross_margin_rate: float = param(
        0.7, "Gross margin on contract revenue before giveaways.", unit="share", ge=0, le=1
    )
    acquisition_rate: float = param(
        0.13,
        "New accounts won per year, as a share of the starting book.",
        unit="per year",
        ge=0,
        le=5,
        source="references.md: median B2B SaaS annual logo churn about 13% (replacement rate)",
    )
    selling_elasticity: float = param(
        0.5,
        "How far new business follows reps' selling time: accounts won scale with the reps' "
        "mean hours left for selling, relative to what they keep with nothing on the score, "
        "to this power (0: new business does not depend on selling time).",
        unit="elasticity",
        ge=0,
        le=3,
        source="assumption (effort drawn to a measured task leaves others: Holmstrom & "
        "Milgrom 1991, references.md)",
        plausible=(0.0, 1.0),
        measure="% fewer new accounts won per 1% fewer selling hours",
        label="How far new business needs selling time",
    )
    acquisition_cost: float = param(
        0.3,
        "Cost of winning a new account, as a share of its annual contract value.",
        unit="share of ACV",
        ge=0,
        le=10,
    )
    rep_turnover_cost: float = param(
        20_000.0,
        "Cost of replacing a rep who quits or is fired (hiring and training; the weaker "
        "service of a new hire and the disruption to the rep's accounts are modelled apart).",
        unit="currency",
        ge=0,
    )

    @model_validator(mode="after")
    def _fits_the_machine(self) -> FirmParams:
        accounts = self.managers * self.reps_per_manager * self.accounts_per_rep
        if accounts > MAX_ACCOUNTS:
            raise ValueError(
                f"the firm would have {accounts:,} accounts (managers x reps_per_manager x "
                f"accounts_per_rep); npssim runs firms of up to {MAX_ACCOUNTS:,}"
            )
        return self


class AccountParams(Section):
    """Customer accounts: value, satisfaction, candour, survey behaviour, savvy."""

    acv_median: float = param(
        40_000.0, "Median annual contract value.", unit="currency per year", ge=0
    )
    acv_sigma: float = param(
        1.2,
        "Log-scale spread of contract values (lognormal): a few accounts carry much revenue.",
        unit="log currency",
        ge=0,
        le=5,
    )
    satisfaction_skew: float = param(
        2.0,
        "Shape of the gamma-distributed gap below 10 of baseline satisfaction "
        "(smaller = more left-skewed).",
        unit="dimensionless",
        ge=0.2,
        le=100,
        source="references.md: self-reported satisfaction is negatively skewed "
        "(Peterson & Wilson 1992)",
    )
    trait_concentration: float = param(
        4.0,
        "Beta concentration of accounts' candour and outside options (higher = less spread).",
        unit="dimensionless",
        ge=0.5,
        le=1000,
    )
    candor_mean: float = param(
        0.6,
        "Mean candour: 1 means pleas and bribes do not move the answer at all.",
        unit="share",
        ge=0,
        le=1,
        lever=True,
        plausible=(0.4, 0.8),
        measure="how far customers' answers resist a rep's plea or gift (1: not at all moved)",
        label="Customers' candour",
    )
    response_rate: float = param(
        0.16,
        "Chance that a customer at satisfaction 7.5 answers an invitation, before reminders.",
        unit="share",
        ge=0,
        le=1,
        source="references.md: Survey response rates (email 10-30%)",
    )
    reminder_effect: float = param(
        0.5,
        "Share of the first chance of answering that each reminder gives again.",
        unit="share",
        ge=0,
        le=1,
    )
    nonresponse_bias: float = param(
        0.25,
        "Log-odds of answering gained per satisfaction point: unhappy customers answer less.",
        unit="per point",
        ge=0,
        le=5,
        source="references.md: non-response is biased toward unhappy customers "
        "(face-to-face 80%+ response gave markedly lower NPS)",
    )
    answer_noise: float = param(
        0.8,
        "Standard deviation of an honest answer around latent satisfaction.",
        unit="points",
        ge=0,
        le=5,
    )
    promise_kept: float = param(
        0.8,
        "Chance a customer who got a concession for its score (a hostage demand granted, a "
        "renewal discount traded for the score) keeps its side when it next answers.",
        unit="share",
        ge=0,
        le=1,
        plausible=(0.5, 1.0),
        measure="share of customers given a concession for their score who then give that score",
        label="Customers who keep a bought promise",
    )
    giveaway_lift: float = param(
        0.3,
        "Real satisfaction a free service buys (it fades with relaxation).",
        unit="points",
        ge=0,
        le=10,
    )
    resent_probability: float = param(
        0.2,
        "Chance a customer resents being asked for a high score.",
        unit="share",
        ge=0,
        le=1,
        source="references.md: Requests for positive evaluations (2014) can lower "
        "satisfaction; size is an assumption",
        lever=True,
        label="Customers who resent being asked",
    )
    resent_penalty: float = param(
        0.5,
        "Latent satisfaction lost by a customer who resents a plea (its answer drops as well).",
        unit="points",
        ge=0,
        le=10,
    )
    nudged_response: float = param(
        0.5,
        "Extra chance that a customer pleaded with or bribed answers: the rep makes sure of it.",
        unit="share",
        ge=0,
        le=1,
    )
    outside_options_mean: float = param(
        0.5,
        "Mean strength of an account's alternatives; with its share of the rep's book it sets "
        "its power.",
        unit="share",
        ge=0,
        le=1,
        plausible=(0.3, 0.7),
        measure="share of customers who could switch supplier at renewal without much cost",
        label="Customers' alternatives",
    )
    initial_savvy_share: float = param(
        0.03,
        "Share of accounts that already know how to hold their score hostage.",
        unit="share",
        ge=0,
        le=1,
        source="assumption (no B2B figure is published; hotel 'review blackmail' about 3%)",
        lever=True,
        plausible=(0.0, 0.1),
        measure="share of accounts that already ask for something in return for a good score",
        label="Customers already holding scores hostage",
    )
    demand_rate: float = param(
        0.8,
        "Chance a fully savvy, fully powerful surveyed account demands a concession.",
        unit="share",
        ge=0,
        le=1,
        source=ASSUMPTION,
    )
    indicator_demand_share: float = param(
        0.2,
        "Worth of holding the score hostage against a rep with nothing riding on it, relative "
        "to a rep whose drive is 1 or more: savvy accounts seldom bother such a rep.",
        unit="share",
        ge=0,
        le=1,
    )
    concession_size: float = param(
        0.05,
        "Mean concession demanded, as a share of the account's annual contract value.",
        unit="share of ACV",
        ge=0,
        le=1,
        source="assumption, scaled to Larkin 2014 (gaming concessions cost 6-8% of revenue)",
    )
    demand_dispersion: float = param(
        0.5,
        "Spread of demanded concessions around their mean (s.d. of the log).",
        unit="log currency",
        ge=0,
        le=5,
    )
    punitive_score: int = param(
        3, "Score a hostage-taker gives when its demand is refused.", unit="points", ge=0, le=10
    )
    refusal_penalty: float = param(
        1.0,
        "Latent satisfaction a savvy account loses when its demand is refused, so that it is "
        "likelier to leave: at a survey wave times its power; at a renewal per score_discount's "
        "worth of price refused.",
        unit="points",
        ge=0,
        le=10,
    )
    power_discount: float = param(
        0.08,
        "Price discount a fully powerful account negotiates at a renewal or new deal when "
        "nothing rides on its score (ordinary negotiation).",
        unit="share of list price",
        ge=0,
        le=1,
        source="assumption (price waterfalls: Marn & Rosiello 1992, references.md)",
    )
    score_discount: float = param(
        0.35,
        "Extra discount a fully powerful account wins from a rep fully willing to trade price "
        "for its score, when the account's next answer surely counts.",
        unit="share of list price",
        ge=0,
        le=1,
        source="assumption: the most an account asks off the price for its score; set under "
        "the v2 model toward Larkin 2014's order of money given away (6-8% of revenue; "
        "references.md), which reps' own choices now decide",
        plausible=(0.15, 0.5),
        measure="extra discount, as a share of list price, a powerful customer wins for its score",
    )
    savvy_leverage: float = param(
        1.0,
        "How much more a fully savvy account extracts at renewal than a naive one "
        "(multiplier on the score discount, minus one): savvy accounts time their demands.",
        unit="multiplier",
        ge=0,
        le=10,
    )
    price_sensitivity: float = param(
        2.0,
        "Satisfaction points a 100% discount is worth in the renewal decision (value for "
        "money): a discount modestly raises the odds of renewal.",
        unit="points per unit discount",
        ge=0,
        le=50,
        plausible=(1.0, 4.0),
        measure="satisfaction points a 100% renewal discount is worth to a customer",
        label="Customers' price sensitivity at renewal",
    )
    disruption_loss: float = param(
        0.3,
        "Latent satisfaction an account loses when its rep leaves (the relationship is lost).",
        unit="points",
        ge=0,
        le=10,
        source="assumption (service-profit chain, Heskett et al. 1994; references.md)",
    )
    disruption_churn: float = param(
        0.05,
        "Extra chance of leaving at a renewal that falls within disruption_weeks of the rep's "
        "departure.",
        unit="share",
        ge=0,
        le=1,
    )
    disruption_weeks: int = param(
        26,
        "Weeks after a rep's departure during which a renewal is at extra risk.",
        unit="weeks",
        ge=0,
        le=520,
    )
    savvy_spread: float = param(
        4.0,
        "Peers that each granted demand teaches, per wave, within a manager's territory.",
        unit="accounts per success",
        ge=0,
        le=100,
        lever=True,
        label="How fast hostage-taking spreads",
    )
    savvy_reinforcement: float = param(
        0.5,
        "Share of the remaining gap to full savvy gained when a demand pays off.",
        unit="share",
        ge=0,
        le=1,
    )
    savvy_fade: float = param(
        0.4, "Share of savvy lost when a demand is refused.", unit="share", ge=0, le=1
    )
    savvy_forgetting: float = param(
        0.002,
        "Share of savvy forgotten each week (a demand that pays off renews it).",
        unit="per week",
        ge=0,
        le=1,
    )
    base_churn: float = param(
        0.05,
        "Yearly chance an account leaves for reasons unrelated to satisfaction (budget, merger).",
        unit="per year",
        ge=0,
        le=1,
    )
    churn_midpoint: float = param(
        5.1,
        "Latent satisfaction at which an account is as likely to leave as to renew.",
        unit="points",
        ge=0,
        le=10,
        source="assumption, tuned to references.md: median B2B SaaS annual logo churn about 13%",
    )
    churn_slope: float = param(
        1.1,
        "How steeply renewal odds rise with latent satisfaction (logistic slope).",
        unit="per point",
        ge=0,
        le=20,
        source="references.md: promoters vs detractors 81% vs 16% likely to repurchase "
        "(Temkin 2013)",
    )


def _per_tactic(
    name: str,
    doc: str,
    *,
    default: Callable[[Tactic], float],
    meaning: Callable[[Tactic], str],
    unit: str | Callable[[Tactic], str],
    upper: float | Callable[[Tactic], float],
    source: Callable[[Tactic], str] = lambda tactic: ASSUMPTION,
    plausible: Callable[[Tactic], tuple[float, float] | None] = lambda tactic: None,
    measure: Callable[[Tactic], str] = lambda tactic: "",
) -> type[Section]:
    """A scenario table with one parameter per tactic, generated from the tactic table.

    The tactics are declared once (:mod:`npssim.tactics`); their per-tactic parameters follow
    from it, so a new tactic gets its effect, prior belief and weights without a schema edit.
    """
    fields: dict[str, Any] = {
        tactic.name: (
            float,
            param(
                default(tactic),
                meaning(tactic),
                unit=unit(tactic) if callable(unit) else unit,
                ge=0,
                le=upper(tactic) if callable(upper) else upper,
                source=source(tactic),
                plausible=plausible(tactic),
                measure=measure(tactic),
            ),
        )
        for tactic in TACTIC_TABLE
    }
    return create_model(name, __base__=Section, __doc__=doc, **fields)


#: What a firm could measure to pin each tactic's effect (an audit of surveyed accounts, a
#: test on a sample of customers): the break-even tables name the effects by these.
EFFECT_MEASURES = {
    "cherry_pick": "share of at-risk accounts a rep manages to keep out of a survey",
    "teach_to_test": "share of service hours moved onto accounts about to be surveyed",
    "coach": "answer points a rep's plea adds for a customer with no candour",
    "bribe": "answer points a gift adds for a customer with no candour",
    "concede": "answer points a concession buys from a customer who keeps the deal",
    "giveaway": "answer points a free service adds beyond the satisfaction it buys",
}
#: How a sentence names one use of each tactic.
TACTIC_NOUNS = {
    "cherry_pick": "account kept out of a survey",
    "teach_to_test": "wave taught to the test",
    "coach": "plea for a high score",
    "bribe": "gift for a high score",
    "concede": "concession traded for a score",
    "giveaway": "free service given to play safe",
}
TacticEffect = _per_tactic(
    "TacticEffect",
    "What one use of each tactic does in the simulation (0: the tactic changes nothing).",
    default=lambda tactic: tactic.effect,
    meaning=lambda tactic: tactic.effect_meaning,
    unit=lambda tactic: tactic.effect_unit,
    upper=lambda tactic: 1.0 if tactic.effect_unit == "share" else 10.0,
    source=lambda tactic: tactic.source,
    plausible=lambda tactic: (
        (0.5 * tactic.effect, min(1.0, 1.5 * tactic.effect))
        if tactic.effect_unit == "share"
        else (0.5 * tactic.effect, 1.5 * tactic.effect)
    ),
    measure=lambda tactic: EFFECT_MEASURES.get(tactic.name, ""),
)
PriorBelief = _per_tactic(
    "PriorBelief",
    "The gain a new hire expects from one use of each tactic, before experience corrects it.",
    default=lambda tactic: tactic.prior_belief,
    meaning=lambda tactic: (
        f"Gain a new hire expects from one use of {tactic.name.replace('_', ' ')}, in points "
        "of one answer's NPS contribution (a promoter +100, a detractor -100); 0 switches the "
        "tactic off until a teammate's example or experience says otherwise."
    ),
    unit="NPS contribution points per use",
    upper=200,
    plausible=lambda tactic: (0.5 * tactic.prior_belief, 1.5 * tactic.prior_belief),
    measure=lambda tactic: (
        f"gain new reps expect from one {TACTIC_NOUNS.get(tactic.name, tactic.name)}"
    ),
)
MoralWeight = _per_tactic(
    "MoralWeight",
    "Relative moral cost of each tactic: how much of a rep's integrity stands against it.",
    default=lambda tactic: tactic.moral_weight,
    meaning=lambda tactic: (
        f"Moral cost of one use of {tactic.name.replace('_', ' ')}, relative to a bribe (1): "
        "it scales reps.moral_cost."
    ),
    unit="relative",
    upper=10,
    source=lambda tactic: tactic.moral_source,
)
TacticHours = _per_tactic(
    "TacticHours",
    "Hours one use of each tactic takes from the rep's week (taken from genuine service).",
    default=lambda tactic: tactic.hours,
    meaning=lambda tactic: (
        f"Hours one use of {tactic.name.replace('_', ' ')} takes; they come out of the next "
        "week's genuine service."
    ),
    unit="hours per use",
    upper=40,
)


class RepParams(Section):
    """Sales reps: traits drawn at hire, how they choose effort, learn and leave."""

    skill_mean: float = param(
        1.0, "Mean service skill (multiplies service effect).", unit="multiplier", ge=0, le=10
    )
    skill_sd: float = param(
        0.2, "Spread of service skill between reps.", unit="multiplier", ge=0, le=5
    )
    skill_floor: float = param(
        0.05,
        "Lowest skill a rep can draw (keeps the normal draw of skill positive).",
        unit="multiplier",
        ge=0,
        le=10,
    )
    integrity_mean: float = param(
        0.65,
        "Mean integrity: how much of a tactic's moral cost a rep feels (intrinsic motivation).",
        unit="share",
        ge=0,
        le=1,
        lever=True,
        plausible=(0.45, 0.85),
        measure="share of reps who would not game the score even where it pays them",
        label="Reps' integrity",
    )
    greed_mean: float = param(
        0.5,
        "Mean weight on the bonus.",
        unit="share",
        ge=0,
        le=1,
        lever=True,
        plausible=(0.3, 0.7),
        measure="weight reps put on bonus pay against their other aims at work",
        label="Reps' appetite for the bonus",
    )
    fear_mean: float = param(
        0.5, "Mean weight on penalties and losses (loss aversion).", unit="share", ge=0, le=1
    )
    trait_concentration: float = param(
        6.0,
        "Beta concentration of integrity, greed and fear (higher = less spread).",
        unit="dimensionless",
        ge=0.5,
        le=1000,
    )
    belief_concentration: float = param(
        4.0,
        "Beta concentration of new hires' beliefs about each tactic around the prior means "
        "(higher = new hires agree more).",
        unit="dimensionless",
        ge=0.5,
        le=1000,
    )
    service_share: float = param(
        0.7,
        "Share of a rep's account hours given to genuine service when nothing rides on the "
        "score; the rest goes to selling, admin and rest.",
        unit="share of hours",
        ge=0,
        le=1,
        source="assumption (room for an incentive to raise effort: Holmstrom & Milgrom 1991; "
        "Banker, Potter & Srinivasan 2000; references.md)",
    )
    service_response: float = param(
        0.3,
        "How far a unit of incentive drive raises the marginal value of service hours, "
        "relative to reps' own motive to serve (0 = effort does not respond to the stake).",
        unit="per unit drive",
        ge=0,
        le=10,
        source="assumption (an incentive on a measured task raises effort on it: Holmstrom & "
        "Milgrom 1991; Hauser, Simester & Wernerfelt 1994; references.md)",
        lever=True,
        plausible=(0.0, 1.0),
        measure="extra service hours a unit of incentive buys, relative to reps' own wish to serve",
        label="How far reps' effort responds to the stake",
    )
    effort_curvature: float = param(
        3.0,
        "Convexity of a rep's private cost of effort (2 = marginal cost rises linearly): the "
        "higher, the less effort any stake buys.",
        unit="exponent",
        ge=1.05,
        le=20,
        plausible=(2.0, 5.0),
        measure="how fast extra hours wear reps out (2: the cost of an hour rises linearly)",
        label="How fast extra effort wears reps out",
    )
    team_scope_factor: float = param(
        0.4,
        "Share of the individual drive left when the target is the team's NPS (free-riding).",
        unit="share",
        ge=0,
        le=1,
    )
    yank_threat: float = param(
        2.0,
        "How much a fearful rep's stake in the score grows per unit of the yearly "
        "rank-and-yank share, relative to the bonus alone.",
        unit="multiplier per share",
        ge=0,
        le=50,
    )
    plan_threat: float = param(
        0.5,
        "How much a fearful rep's stake in the score grows while on a performance plan, "
        "relative to the bonus alone.",
        unit="multiplier",
        ge=0,
        le=10,
    )
    near_miss_width: float = param(
        20.0,
        "Width of the band below a cliff target in which reps push hardest.",
        unit="NPS points",
        ge=0.1,
        le=200,
        source="references.md: misreporting peaks just short of a goal (Schweitzer, Ordonez & "
        "Douma 2004); width is an assumption",
    )
    near_miss_floor: float = param(
        0.6,
        "Drive under a cliff payout, far from the target, relative to a linear payout.",
        unit="multiplier",
        ge=0,
        le=10,
    )
    near_miss_peak: float = param(
        2.0,
        "Drive under a cliff payout just short of the target, relative to a linear payout.",
        unit="multiplier",
        ge=0,
        le=10,
    )
    deterrence_scale: float = param(
        2.0,
        "How many of a quarter's answers' worth of audit risk one use of an auditable tactic "
        "carries in a rep's reckoning (an audit finds a tactic used at all, so the first uses "
        "weigh most).",
        unit="multiplier",
        ge=0,
        le=50,
        plausible=(0.5, 5.0),
        measure="quarters of answers reps believe one audited tactic puts at risk",
        label="How much reps fear audits",
    )
    penalty_fear: float = param(
        0.5,
        "What being caught costs a fully fearful rep beyond the forfeited bonus (reputation, "
        "a warning), in quarters of on-target pay.",
        unit="quarters of pay",
        ge=0,
        le=10,
    )
    firing_fear: float = param(
        2.0,
        "What being caught costs a fully fearful rep where gaming found means dismissal, in "
        "quarters of on-target pay (the job and the search for the next).",
        unit="quarters of pay",
        ge=0,
        le=50,
    )
    moral_cost: float = param(
        9_000.0,
        "What one bribe (moral weight 1) costs a rep of full integrity in their own reckoning; "
        "every tactic's moral cost is its moral weight times this times the rep's integrity, "
        "eased where the manager condones gaming.",
        unit="currency per use",
        ge=0,
        source="calibrated: about 2% of answers bought under nps_bonus (references.md: "
        "TrueDelta 2007, about 2% of car buyers watched, had the form filled or were bribed)",
        plausible=(4_000.0, 15_000.0),
        measure="pay a fully honest rep would want before buying one customer's answer",
        label="What gaming costs an honest rep's conscience",
    )
    choice_noise: float = param(
        300.0,
        "Mean of the hassle and taste a rep weighs against each chance to use a tactic, beyond "
        "its expected pay, time, moral and risk costs (a random-utility choice: a rep uses a "
        "tactic where its net gain beats an exponential draw of this mean).",
        unit="currency per use",
        ge=1,
        plausible=(100.0, 1_000.0),
        measure="pay above its costs a rep wants before taking one chance to game",
        label="How unevenly reps take a chance to game",
    )
    prior_weight: float = param(
        5.0,
        "How many uses' worth of experience a new hire's beliefs about the tactics count for "
        "(experience-weighted attraction, Camerer & Ho 1999: the higher, the slower experience "
        "corrects a folk belief).",
        unit="uses",
        ge=0,
        le=1_000,
        source="assumption (learning rule: Camerer & Ho 1999; Roth & Erev 1995; references.md)",
        plausible=(1.0, 20.0),
        measure="uses of a tactic before a rep trusts experience over what they were told",
        label="How slowly reps unlearn a belief",
    )
    belief_memory: float = param(
        0.8,
        "Share of its past experience a rep's belief about a tactic keeps each quarter "
        "(Camerer & Ho's decay: recent outcomes weigh more).",
        unit="per quarter",
        ge=0,
        le=1,
        source="assumption (learning rule: Camerer & Ho 1999; references.md)",
        plausible=(0.5, 0.95),
        measure="share of last quarter's lesson about a tactic a rep still acts on",
    )
    peer_evidence: float = param(
        0.3,
        "How much what a teammate's uses of a tactic achieved counts, against a rep's own, "
        "when the rep updates its belief (reps talk about what works: observational learning).",
        unit="share",
        ge=0,
        le=1,
        source="assumption (social learning from observed outcomes: Boyd & Richerson 1985; "
        "references.md)",
        plausible=(0.0, 0.6),
        measure="weight reps give a teammate's results with a tactic against their own",
    )
    outcome_noise: float = param(
        80.0,
        "How far a rep's read of what one use of a tactic achieved is off (s.d., in points of "
        "one answer's NPS contribution): reps judge a tactic by comparing the answers it touched "
        "with others, and one answer's contribution varies by about this much.",
        unit="NPS contribution points",
        ge=0,
        le=500,
        plausible=(40.0, 120.0),
        measure="error in a rep's read of what one use of a tactic achieved (s.d.)",
    )
    perception_noise: float = param(
        1.0,
        "How far a rep's read of an account's satisfaction is off (s.d.).",
        unit="points",
        ge=0,
        le=10,
    )
    at_risk_below: float = param(
        7.0,
        "Satisfaction a rep reads below which an account is at risk of a low score (a passive "
        "or worse): the accounts reps shun from samples and give free services to.",
        unit="points",
        ge=0,
        le=10,
    )
    blind_efficiency: float = param(
        0.3,
        "Effect left of a targeted tactic when the rep cannot tell who is surveyed.",
        unit="share",
        ge=0,
        le=1,
    )
    bribe_amount: float = param(
        250.0, "Cost of one bribe (gift, dinner, voucher).", unit="currency", ge=0
    )
    giveaway_size: float = param(
        0.03,
        "Value of one pre-emptive free service, as a share of the account's ACV.",
        unit="share of ACV",
        ge=0,
        le=1,
    )
    new_hire_quality: float = param(
        0.5,
        "Quality of a new hire's hour of service relative to a settled rep's; it closes the "
        "gap as tenure grows.",
        unit="share",
        ge=0,
        le=1,
        source="assumption (service-profit chain: Heskett et al. 1994, references.md)",
    )
    ramp_weeks: float = param(
        13.0,
        "Weeks in which a new hire closes about two-thirds of the gap to full quality.",
        unit="weeks",
        ge=0.1,
        le=520,
    )
    stress_service_loss: float = param(
        0.25,
        "Share of an hour's service quality lost at full stress: engaged, unstressed reps "
        "serve better.",
        unit="share",
        ge=0,
        le=1,
        source="assumption (service-profit chain: Heskett et al. 1994, references.md; "
        "seed text 002)",
    )
    imitation_rate: float = param(
        0.25,
        "Chance per quarter that a rep copies part of the best-paid teammate's beliefs about "
        "the tactics (success-biased imitation: Boyd & Richerson 1985).",
        unit="per quarter",
        ge=0,
        le=1,
    )
    imitation_step: float = param(
        0.5,
        "Share of the gap to the best-paid teammate's beliefs that an imitator closes.",
        unit="share",
        ge=0,
        le=1,
    )
    imitation_margin: float = param(
        0.05,
        "Variable-pay advantage a teammate needs before others imitate them, in quarters of "
        "on-target variable pay.",
        unit="quarterly variable targets",
        ge=0,
        le=10,
    )
    conformity: float = param(
        0.1,
        "Share of the gap to the team's mean beliefs about the tactics a rep closes each "
        "quarter (team norms), whatever the pay.",
        unit="per quarter",
        ge=0,
        le=1,
        source="assumption (cultural transmission: Smaldino & McElreath 2016, references.md)",
    )
    hire_acculturation: float = param(
        0.5,
        "Share of a new hire's beliefs about the tactics taken from the team's culture rather "
        "than brought in.",
        unit="share",
        ge=0,
        le=1,
        source="assumption (new members inherit the group's methods: Smaldino & McElreath "
        "2016, references.md)",
    )
    caught_unlearning: float = param(
        0.5,
        "Share of every belief about the tactics' gains a rep drops when an audit catches them: "
        "caught, they turn cautious about chasing the score.",
        unit="share",
        ge=0,
        le=1,
    )
    base_quit_rate: float = param(
        0.04, "Chance per quarter that an unstressed rep leaves.", unit="per quarter", ge=0, le=1
    )
    stress_quit_rate: float = param(
        0.1, "Extra quit chance per quarter at full stress.", unit="per quarter", ge=0, le=1
    )
    honest_exit_rate: float = param(
        0.5,
        "Extra quit chance per quarter for a fully honest rep in a fully gaming team.",
        unit="per quarter",
        ge=0,
        le=1,
        source="assumption (selection of a gaming culture, Smaldino & McElreath 2016)",
        plausible=(0.2, 0.8),
        measure="extra share of honest reps who quit a gaming team each quarter",
        label="Honest reps leaving gaming teams",
    )
    stress_decay: float = param(
        0.5, "Share of stress that fades each quarter.", unit="per quarter", ge=0, le=1
    )
    yank_exposure: float = param(
        2.0,
        "Weight of the rank-and-yank share in the strain a shortfall causes (beside the NPS "
        "weights in pay).",
        unit="multiplier",
        ge=0,
        le=50,
    )
    plan_strain: float = param(
        0.3, "Strain per quarter of being on a performance plan.", unit="stress", ge=0, le=1
    )
    caught_strain: float = param(
        0.3, "Strain of being caught by an audit.", unit="stress", ge=0, le=1
    )
    dissonance_strain: float = param(
        0.3,
        "Strain of gaming against one's integrity, at full integrity and full tactic use.",
        unit="stress",
        ge=0,
        le=5,
    )
    overwork_strain: float = param(
        0.05,
        "Strain per quarter of working all of the hours a rep would otherwise keep for "
        "selling, admin and rest.",
        unit="stress",
        ge=0,
        le=5,
    )
    tactic_effect: TacticEffect = Field(  # type: ignore[valid-type]
        default_factory=TacticEffect,
        description="What one use of each tactic does in the simulation.",
    )
    prior_belief: PriorBelief = Field(  # type: ignore[valid-type]
        default_factory=PriorBelief,
        description="The gain a new hire expects from one use of each tactic.",
    )
    moral_weight: MoralWeight = Field(  # type: ignore[valid-type]
        default_factory=MoralWeight,
        description="Relative moral cost of each tactic.",
    )
    tactic_hours: TacticHours = Field(  # type: ignore[valid-type]
        default_factory=TacticHours,
        description="Hours one use of each tactic takes.",
    )


class ManagerParams(Section):
    """Sales managers: integrity, complicity, audits and follow-up of detractors."""

    integrity_mean: float = param(
        0.65,
        "Mean manager integrity: low integrity condones gaming, high integrity audits it.",
        unit="share",
        ge=0,
        le=1,
        lever=True,
        plausible=(0.45, 0.85),
        measure="share of managers who audit gaming rather than condone it",
        label="Managers' integrity",
    )
    approval_base: float = param(
        0.5,
        "Chance a fully complicit manager approves a large concession when nothing rides on "
        "the score for them (it rises to 1 as their stake does).",
        unit="share",
        ge=0,
        le=1,
    )
    condone_effect: float = param(
        0.6, "How much a complicit manager lowers reps' moral cost.", unit="share", ge=0, le=1
    )
    push_scale: float = param(
        0.5,
        "Pressure a manager measured on team NPS passes down to each rep.",
        unit="drive",
        ge=0,
        le=10,
    )
    audit_probability: float = param(
        0.05,
        "Chance per quarter that a fully honest manager spot-checks a rep (scaled by integrity).",
        unit="per quarter",
        ge=0,
        le=1,
    )
    bonus_target: float = param(
        12_000.0, "A manager's quarterly NPS bonus at full payout.", unit="currency", ge=0
    )
    follow_up_integrity: float = param(
        0.5,
        "How much a manager's integrity matters to following up detractors: a manager of "
        "integrity i follows up (1 - follow_up_integrity x (1 - i)) of what policy asks.",
        unit="share",
        ge=0,
        le=1,
    )
    follow_up_stake_gain: float = param(
        1.0,
        "Extra follow-up of detractors by a manager whose pay fully rides on the team's score "
        "(relative; condoning gaming takes it away again).",
        unit="multiplier",
        ge=0,
        le=10,
        source="assumption (no published figure; direction from Banker, Potter & Srinivasan "
        "2000, references.md: managers measured on satisfaction improved it)",
    )
    closed_loop_lift: float = param(
        2.0,
        "Satisfaction restored by a follow-up call to a detractor.",
        unit="points",
        ge=0,
        le=10,
        plausible=(0.5, 3.0),
        measure="satisfaction points a follow-up call restores to a detractor",
        label="Satisfaction a call-back restores",
    )
    closed_loop_fix: float = param(
        1.0,
        "Lasting rise in the account's baseline when the call fixes the cause.",
        unit="points",
        ge=0,
        le=10,
        source="assumption (that a call-back can fix a cause: Apple's closed-loop follow-up, "
        "references.md; no published size)",
        plausible=(0.25, 2.0),
        measure="lasting satisfaction points when a follow-up call fixes the cause",
        label="Lasting lift when a call-back fixes the cause",
    )


class IncentiveParams(Section):
    """How NPS is used in pay and reviews."""

    nps_weight: float = param(
        0.0,
        "Share of reps' on-target variable pay moved from the sales component to an NPS "
        "bonus (0 = NPS is an indicator only): raising it raises the bonus and lowers the "
        "commission a rep loses by discounting.",
        unit="share",
        ge=0,
        le=1,
        source="references.md: 43% of firms base some frontline pay on feedback ratings "
        "(Accenture-Medallia 2017)",
        lever=True,
        label="Share of variable pay on NPS",
    )
    target_nps: float = param(
        50.0, "NPS at which the bonus pays 100%.", unit="NPS points", ge=-100, le=100
    )
    floor_nps: float = param(
        0.0, "NPS below which a linear bonus pays nothing.", unit="NPS points", ge=-100, le=100
    )
    max_payout: float = param(
        1.5, "Cap on the linear payout, as a multiple of target.", unit="multiple", ge=0, le=10
    )
    payout: Literal["linear", "cliff"] = param(
        "linear",
        "Linear between floor and target, or all-or-nothing at the target.",
        source="references.md: misreporting peaks just short of a goal (Schweitzer et al. 2004)",
        lever=True,
        label="How the bonus pays out",
    )
    scope: Literal["individual", "team"] = param(
        "individual",
        "Whether a rep is scored on their own NPS or their team's.",
        lever=True,
        label="Whose score the bonus is on",
    )
    manager_nps_weight: float = param(
        0.0,
        "Share of managers' variable pay tied to their team's NPS.",
        unit="share",
        ge=0,
        le=1,
    )
    rank_and_yank: float = param(
        0.0,
        "Share of reps with the lowest score fired each year (applied quarterly).",
        unit="per year",
        ge=0,
        le=0.5,
        lever=True,
        label="Lowest scorers fired each year",
    )
    plan_threshold: float = param(
        -100.0,
        "Score below which a rep is put on a performance plan (-100 = never).",
        unit="NPS points",
        ge=-100,
        le=100,
    )


class SurveyParams(Section):
    """Who is asked, how often, and whether reps can tell."""

    sampler: Literal["rep", "random", "third_party"] = param(
        "rep",
        "Who picks respondents: the rep, a random draw by the firm, or an independent third "
        "party (random, and reps cannot tell who was asked).",
        lever=True,
        label="Who picks whom to survey",
    )
    wave_interval: int = param(4, "Weeks between survey waves.", unit="weeks", ge=1, le=52)
    sample_fraction: float = param(
        0.25, "Share of each rep's active accounts invited per wave.", unit="share", ge=0, le=1
    )
    anonymous: bool = param(
        False,
        "Responses are anonymous, so a rep cannot tell who was surveyed.",
        lever=True,
        label="Anonymous survey",
    )
    reminders: int = param(1, "Reminders sent to non-respondents.", unit="count", ge=0, le=10)
    third_party_cost: float = param(
        5.0,
        "What an independent survey firm charges per invitation (third_party sampler only).",
        unit="currency per invitation",
        ge=0,
    )


class AuditParams(Section):
    """Firm-level audits of survey practice."""

    probability: float = param(
        0.0,
        "Chance per quarter that a rep's survey practice is audited.",
        unit="per quarter",
        ge=0,
        le=1,
        source="references.md: independent measurement and audits expose gaming (GM; Jacob & "
        "Levitt 2003)",
        lever=True,
        label="Chance a rep is audited each quarter",
    )
    detection: float = param(
        0.6,
        "Chance an audit uncovers a tactic the rep used this quarter.",
        unit="share",
        ge=0,
        le=1,
    )
    forfeit: float = param(
        1.0,
        "Share of the quarter's bonus forfeited when gaming is found.",
        unit="share",
        ge=0,
        le=1,
    )
    fire_on_detection: bool = param(False, "Fire a rep caught gaming.")
    cost: float = param(
        1_000.0, "Cost of auditing one rep's survey practice.", unit="currency per audit", ge=0
    )


class ConcessionParams(Section):
    """The firm's rules on what reps may give away."""

    cap: float = param(
        0.15,
        "Largest concession a rep may grant, as a share of the account's ACV.",
        unit="share of ACV",
        ge=0,
        le=1,
        lever=True,
        label="Largest concession a rep may grant",
    )
    approval_threshold: float = param(
        10_000.0,
        "Concessions, and yearly discounts for a score, above this need the manager's approval.",
        unit="currency",
        ge=0,
    )
    discount_cap: float = param(
        0.2,
        "Largest price discount a contract may carry, as a share of the list price.",
        unit="share of list price",
        ge=0,
        le=1,
        lever=True,
        label="Largest price discount allowed",
    )
    giveaway_budget: float = param(
        25_000.0,
        "Free services a rep may give away per quarter.",
        unit="currency",
        ge=0,
        lever=True,
        slider_max=100_000,
        label="Free services a rep may give each quarter",
    )


class FollowUpParams(Section):
    """Closed-loop follow-up of detractors: the real good an NPS programme can bring."""

    closed_loop: float = param(
        0.0,
        "Share of detractor responses a manager is asked to follow up to fix the cause; each "
        "manager's integrity and stake in the score scale it (managers.follow_up_*).",
        unit="share",
        ge=0,
        le=1,
        source="references.md: Apple managers call detractors within 24 hours",
        lever=True,
        label="Unhappy customers called back",
    )
    call_cost: float = param(
        200.0,
        "Cost of one follow-up call and fix (a manager's time).",
        unit="currency per call",
        ge=0,
        source="assumption (references.md: Apple reports over $1,000 of revenue per hour spent)",
    )
    anonymous_reach: float = param(
        0.6,
        "Share of detractors in an anonymous survey who agree to be contacted, so that a "
        "follow-up can reach them.",
        unit="share",
        ge=0,
        le=1,
    )


class PayParams(Section):
    """How reps are paid: a base salary and variable pay on sales, part of which may ride on NPS.

    Real B2B reps are paid salary plus a commission or quota bonus on sales (Chung, Steenburgh &
    Sudhir 2014). The NPS bonus is funded from variable pay: ``policy.incentives.nps_weight`` of
    the variable target moves from the sales component to the NPS bonus, so a rep paid more on
    the score loses less by discounting (Holmstrom & Milgrom 1991).
    """

    base_salary: float = param(
        100_000.0,
        "A rep's yearly base salary: paid whatever the results.",
        unit="currency per year",
        ge=0,
        source="assumption (salary plus variable pay, sales-force cost about 10% of revenue: "
        "Chung, Steenburgh & Sudhir 2014; references.md); on-target pay here is about 6% of a "
        "rep's book",
    )
    variable_target: float = param(
        100_000.0,
        "A rep's yearly variable pay at target (sales component plus NPS bonus).",
        unit="currency per year",
        ge=0,
        source="assumption (a 50/50 split of on-target pay, common in B2B field sales; "
        "Chung, Steenburgh & Sudhir 2014, references.md)",
    )
    plan: Literal["commission", "quota"] = param(
        "commission",
        "How the sales component pays: a commission on the revenue of the rep's accounts, or "
        "a quota bonus on attainment with an accelerator above quota and an optional cliff.",
        source="references.md: Chung, Steenburgh & Sudhir 2014; Misra & Nair 2011",
        label="How sales pay works",
    )
    commission_rate: float = param(
        0.03,
        "Commission on each unit of revenue from the rep's accounts, before the NPS weight "
        "takes its share (commission plan): a discount costs the rep this much of it.",
        unit="share of revenue",
        ge=0,
        le=1,
        source="assumption, set so that a typical book (about 3.2M a year) earns the variable "
        "target (references.md: Chung, Steenburgh & Sudhir 2014)",
        plausible=(0.015, 0.06),
        measure="commission paid, as a share of revenue from a rep's accounts",
        lever=True,
        label="Commission on sales",
    )
    quota_share: float = param(
        1.0,
        "A rep's yearly quota, as a share of the list revenue of the book the rep starts with "
        "(quota plan).",
        unit="share",
        ge=0.01,
        le=10,
    )
    accelerator: float = param(
        1.5,
        "Pay per unit of attainment above quota, relative to below it (quota plan; 1 = none).",
        unit="multiplier",
        ge=0,
        le=10,
        source="references.md: overachievement commissions kept the best working past quota "
        "(Chung, Steenburgh & Sudhir 2014)",
    )
    cliff: float = param(
        0.0,
        "Attainment below which the quota bonus pays nothing (quota plan; 0 = no cliff).",
        unit="share of quota",
        ge=0,
        le=1,
        source="assumption (quota bonuses with thresholds: Chung, Steenburgh & Sudhir 2014, "
        "references.md)",
    )


class PolicyParams(Section):
    """The firm's measurement and incentive policy (changeable by the timeline)."""

    pay: PayParams = Field(
        default_factory=PayParams, description="How reps are paid: salary and variable pay."
    )

    incentives: IncentiveParams = Field(
        default_factory=IncentiveParams, description="How NPS is used in pay and reviews."
    )
    survey: SurveyParams = Field(
        default_factory=SurveyParams,
        description="Who is asked, how often, and whether reps can tell.",
    )
    audits: AuditParams = Field(
        default_factory=AuditParams, description="Firm-level audits of survey practice."
    )
    concessions: ConcessionParams = Field(
        default_factory=ConcessionParams, description="What reps may give away."
    )
    follow_up: FollowUpParams = Field(
        default_factory=FollowUpParams, description="Closed-loop follow-up of detractors."
    )


class RunParams(Section):
    """Run settings."""

    weeks: int = param(
        104, "Weeks to simulate (one step is one week).", unit="weeks", ge=1, le=5_200
    )
    seed: int = param(
        1, "Root seed of every random draw in the run.", unit="integer", ge=0, le=2**63 - 1
    )


class TimelineEntry(Section):
    """A change of policy values at a given week."""

    week: int = Field(
        ge=0, strict=True, description="Week (0-based step) at which the change takes effect."
    )
    set: dict[str, Any] = Field(
        description='Policy values to change, by dotted path: {"policy.incentives.nps_weight" = '
        "0.5}."
    )


class Scenario(Section):
    """One firm, one policy and the run settings: the content of a scenario file."""

    name: str = Field(
        "scenario",
        strict=True,
        min_length=1,
        max_length=MAX_NAME_CHARS,
        description="Short name used in tables and file names.",
    )
    description: str = Field(
        "",
        strict=True,
        max_length=MAX_DESCRIPTION_CHARS,
        description="One or two sentences on what the scenario shows.",
    )
    firm: FirmParams = Field(default_factory=FirmParams, description="The firm.")
    accounts: AccountParams = Field(default_factory=AccountParams, description="Customer accounts.")
    reps: RepParams = Field(default_factory=RepParams, description="Sales reps.")
    managers: ManagerParams = Field(default_factory=ManagerParams, description="Managers.")
    policy: PolicyParams = Field(default_factory=PolicyParams, description="The policy.")
    run: RunParams = Field(default_factory=RunParams, description="Run settings.")
    timeline: list[TimelineEntry] = Field(
        default_factory=list,
        max_length=MAX_TIMELINE_ENTRIES,
        description="Policy changes at given weeks.",
    )

    @field_validator("name")
    @classmethod
    def _usable_as_a_file_name(cls, name: str) -> str:
        if name.strip(".") == "" or any(char in name for char in "/\\") or not name.isprintable():
            raise ValueError(
                "a name becomes a folder name: no slashes or control characters, not '.' or '..'"
            )
        return name

    #: The sections a model class adds to this schema (``NPSModel.extra_params``), in order;
    #: none in the base schema, which therefore refuses any table it does not declare.
    added_sections: ClassVar[tuple[tuple[str, type[Section]], ...]] = ()

    @classmethod
    def sections(cls) -> tuple[str, ...]:
        """The parameter tables of this schema: the built-in ones, then any a model added."""
        return SECTIONS + tuple(name for name, _ in cls.added_sections)

    @staticmethod
    def extended(sections: Mapping[str, type[Section]]) -> type[Scenario]:
        """The scenario schema with a model class's own sections of parameters added.

        A researcher's subclass of :class:`~npssim.model.NPSModel` declares its parameters as
        sections (``extra_params = {"training": TrainingParams}``); this is the schema its
        scenario files, ``--set``, sweeps and ``npssim params --model`` are checked against.
        Each section is a table of the file (``[training]``) and an attribute of the scenario
        (``scenario.training.hours``), validated like every built-in section; the base schema
        stays strict, so a file with ``[training]`` is refused without the model that declares
        it. The same sections always give the same class, so scenarios of it compare equal.

        Args:
            sections: Section classes (subclasses of :class:`Section`, fields declared with
                :func:`param`) by table name; none gives :class:`Scenario` itself.

        Raises:
            TypeError: A name is not a plain identifier or is already a field of the scenario,
                or a class is not a :class:`Section`.
        """
        return _extended(tuple(sections.items())) if sections else Scenario


class _ExtendedScenario(Scenario):
    """Base of the schemas :meth:`Scenario.extended` makes; it pickles by its sections.

    The class is made at run time, so pickle cannot find it by name in a worker process; a
    scenario of it travels as its added sections (classes importable by name, like the model
    class) and its state, and the worker makes the same class again.
    """

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        return (_blank_scenario, (self.added_sections,), self.__getstate__())


def _blank_scenario(sections: tuple[tuple[str, type[Section]], ...]) -> Scenario:
    """An empty scenario of the extended schema of ``sections``, for pickle to fill in."""
    schema = _extended(sections)
    return schema.__new__(schema)


@functools.cache
def _extended(sections: tuple[tuple[str, type[Section]], ...]) -> type[Scenario]:
    # A field may not shadow a table, ``extends`` or anything a scenario answers to
    # (``sections``, ``model_dump``, ...).
    taken = set(Scenario.model_fields) | {"extends"} | set(dir(Scenario))
    fields: dict[str, Any] = {}
    for name, section in sections:
        if not (isinstance(name, str) and name.isidentifier()) or name.startswith("_"):
            raise TypeError(f"extra_params: {name!r} is not a usable table name")
        if name in taken:
            raise TypeError(f"extra_params: {name!r} is already part of the scenario")
        if not (isinstance(section, type) and issubclass(section, Section)):
            raise TypeError(
                f"extra_params: {name!r} must be a subclass of npssim.scenario.schema.Section, "
                f"got {section!r}"
            )
        taken.add(name)
        doc = (section.__doc__ or name).strip().splitlines()[0]
        fields[name] = (section, Field(default_factory=section, description=doc))
    schema = create_model("Scenario", __base__=_ExtendedScenario, __module__=__name__, **fields)
    schema.added_sections = sections
    return schema


class ScenarioSchema:
    """A model class's scenario schema, read from its ``extra_params`` (a descriptor).

    ``NPSModel.scenario_schema`` is one: :class:`Scenario` for a class that adds no
    parameters, the :meth:`Scenario.extended` schema for one that does.
    """

    def __get__(self, instance: object, owner: type) -> type[Scenario]:
        return Scenario.extended(getattr(owner, "extra_params", None) or {})


Kind = Literal["int", "float", "bool", "choice", "text"]


@dataclass(frozen=True)
class ParamInfo:
    """One documented parameter, as listed by `npssim params` and the ODD.

    Attributes:
        path: Dotted path, e.g. ``policy.incentives.nps_weight``.
        default: The value when a scenario does not set it.
        unit: Unit of measure.
        lower: Inclusive lower bound, if any.
        upper: Inclusive upper bound, if any.
        choices: The allowed values of a choice (a ``Literal``).
        meaning: One line on what it does.
        source: A references.md citation, or "assumption".
        lever: Offered as a dashboard control.
        slider_max: The top of the dashboard's slider when ``upper`` is open.
        kind: What values it takes: a whole number, a real number, true/false, a choice, or
            text (a name, such as the currency's code).
        plausible: For an uncertain assumption, the range a decision-maker should consider.
        label: What a leader calls it (the dotted path when the schema gives no label).
        measure: For an uncertain assumption, what a firm could measure to pin it down.
    """

    path: str
    default: Any
    unit: str
    lower: float | None
    upper: float | None
    choices: tuple[str, ...] | None
    meaning: str
    source: str
    lever: bool = False
    slider_max: float | None = None
    kind: Kind = "float"
    plausible: tuple[float, float] | None = None
    label: str = ""
    measure: str = ""

    @property
    def title(self) -> str:
        """The plain label, or the dotted path where the schema gives none."""
        return self.label or self.path

    @property
    def uncertain(self) -> bool:
        """An uncertain assumption: one the schema gives a plausible range."""
        return self.plausible is not None

    @property
    def open_above(self) -> bool:
        """No natural upper bound: ``upper`` is only :data:`MONEY_CEILING`, a limit of input.

        A sampler or a slider must not read it as a range (0 to a billion of the currency).
        """
        return self.upper == MONEY_CEILING and self.unit.startswith("currency")


SECTIONS = ("firm", "accounts", "reps", "managers", "policy", "run")


def iter_params(model: type[BaseModel] = Scenario, prefix: str = "") -> Iterator[ParamInfo]:
    """Walk the schema and yield every leaf parameter with its documentation.

    Args:
        model: The schema class to walk (the whole scenario by default; a model class's
            :attr:`~npssim.model.NPSModel.scenario_schema` for its own sections too).
        prefix: Dotted path of ``model`` inside the scenario.

    Yields:
        ParamInfo for each parameter, in declaration order.
    """
    top = isinstance(model, type) and issubclass(model, Scenario)
    for name, field in model.model_fields.items():
        if top and name not in model.sections():
            continue
        path = f"{prefix}{name}"
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            yield from iter_params(annotation, prefix=f"{path}.")
            continue
        lower = upper = None
        for meta in field.metadata:
            lower = getattr(meta, "ge", lower)
            upper = getattr(meta, "le", upper)
        choices = getattr(annotation, "__args__", None)
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        kind: Kind = (
            "bool"
            if annotation is bool
            else "int"
            if annotation is int
            else "choice"
            if choices
            else "text"
            if annotation is str
            else "float"
        )
        plausible = extra.get("plausible")
        yield ParamInfo(
            path=path,
            default=field.get_default(call_default_factory=True),
            unit=str(extra.get("unit", "")),
            lower=lower,
            upper=upper,
            choices=tuple(choices) if choices and annotation is not bool else None,
            meaning=field.description or "",
            source=str(extra.get("source", ASSUMPTION)),
            lever=bool(extra.get("lever", False)),
            slider_max=extra.get("slider_max"),
            kind=kind,
            plausible=(float(plausible[0]), float(plausible[1])) if plausible else None,
            label=str(extra.get("label", "")),
            measure=str(extra.get("measure", "")),
        )
