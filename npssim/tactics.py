"""The score-management tactics, declared once.

Every per-tactic array in the model (reps' beliefs, this week's use, audit counts) is
ordered as :data:`TACTICS`, and every per-tactic scenario parameter (the prior belief, the
moral weight, the hours a use takes, the effect a use has) is generated from this table, so adding
a tactic here adds its parameters to the schema, the docs and the dashboard. What a tactic *does*
lives in the agents, and happens in the simulation: a plea moves an answer against candour, a
concession moves the answer of the customer who got it as far as the promise is kept, a cherry-pick
changes the sample. What the table holds is which survey designs make a tactic possible, whether
an audit can find it, and its default size, cost and the belief a new hire brings about it.

This module imports nothing from npssim, so both the scenario schema and the model can read it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Tactic:
    """One way a rep can raise the score without raising satisfaction.

    Attributes:
        name: The tactic's key in scenario files and arrays.
        meaning: One line on what the rep does.
        auditable: An audit of survey practice can uncover it (tampering with the survey, as
            opposed to business decisions such as a discount).
        needs_rep_sampling: Possible only where reps pick whom to survey.
        needs_visibility: Possible only where reps can tell which customers were asked.
        targeted: Aimed at the customers about to answer; where reps cannot tell who they are
            it reaches them with only ``reps.blind_efficiency`` of its force.
        shifts_answer: Works by moving the customer's answer, which candour resists (the
            answer moves by ``effect x (1 - candour)``).
        effect: Default realised effect of one use (``reps.tactic_effect``), in ``effect_unit``.
        effect_unit: The unit of the effect: answer points, or a share.
        effect_meaning: What the effect of one use is.
        prior_belief: Default gain a new hire expects from one use, in points of one answer's
            NPS contribution (a promoter counts +100, a detractor -100): a folk belief that
            experience then corrects (``reps.prior_belief``).
        moral_weight: Default relative moral cost (bribing feels worse than a free service).
        hours: Default hours one use takes from the rep's week (``reps.tactic_hours``).
        source: Where the default effect comes from.
        moral_source: Where the default moral weight comes from.
    """

    name: str
    meaning: str
    auditable: bool
    needs_rep_sampling: bool
    needs_visibility: bool
    targeted: bool
    shifts_answer: bool
    effect: float
    effect_unit: str
    effect_meaning: str
    prior_belief: float
    moral_weight: float
    hours: float
    source: str = "assumption"
    moral_source: str = "assumption"


#: Every tactic, in the order of every per-tactic array.
TACTIC_TABLE: tuple[Tactic, ...] = (
    Tactic(
        "cherry_pick",
        "Keeping unhappy accounts out of the sample (only where reps pick).",
        auditable=True,
        needs_rep_sampling=True,
        needs_visibility=False,
        targeted=False,
        shifts_answer=False,
        effect=1.0,
        effect_unit="share",
        effect_meaning="Share of the at-risk accounts a rep tries to keep out of a sample that "
        "are actually left out (1: a rep who picks the sample leaves out whom they like).",
        prior_belief=40.0,
        moral_weight=0.5,
        hours=0.1,
    ),
    Tactic(
        "teach_to_test",
        "Moving service hours onto accounts about to be surveyed.",
        auditable=False,
        needs_rep_sampling=False,
        needs_visibility=True,
        targeted=True,
        shifts_answer=False,
        effect=0.5,
        effect_unit="share",
        effect_meaning="Share of a rep's service hours for the rest of the book moved onto the "
        "accounts about to be surveyed, in a wave the rep teaches to the test.",
        prior_belief=20.0,
        moral_weight=0.15,
        hours=0.0,
    ),
    Tactic(
        "coach",
        "Pleading with surveyed customers for a 9 or 10.",
        auditable=True,
        needs_rep_sampling=False,
        needs_visibility=False,
        targeted=True,
        shifts_answer=True,
        effect=2.5,
        effect_unit="points",
        effect_meaning="Answer points a plea ('anything below a 10 is a fail for me') adds for "
        "a customer of zero candour.",
        prior_belief=40.0,
        moral_weight=0.1,
        hours=0.3,
        moral_source="calibrated: about a quarter of answers pleaded for under nps_bonus "
        "(references.md: TrueDelta 2007, 25-28% of car buyers pressured for perfect scores)",
    ),
    Tactic(
        "bribe",
        "Offering gifts for a high score.",
        auditable=True,
        needs_rep_sampling=False,
        needs_visibility=False,
        targeted=True,
        shifts_answer=True,
        effect=3.0,
        effect_unit="points",
        effect_meaning="Answer points a gift for a high score adds for a customer of zero candour.",
        prior_belief=50.0,
        moral_weight=1.0,
        hours=1.0,
    ),
    Tactic(
        "concede",
        "Trading price or a concession for a customer's score (hostage demands, renewal "
        "discounts).",
        auditable=False,
        needs_rep_sampling=False,
        needs_visibility=False,
        targeted=False,
        shifts_answer=False,
        effect=3.0,
        effect_unit="points",
        effect_meaning="Answer points a customer who got a concession for its score adds to its "
        "next answer, when it keeps the promise (accounts.promise_kept).",
        prior_belief=60.0,
        moral_weight=0.25,
        hours=1.5,
    ),
    Tactic(
        "giveaway",
        "Giving free services to at-risk accounts to play safe.",
        auditable=False,
        needs_rep_sampling=False,
        needs_visibility=False,
        targeted=True,
        shifts_answer=True,
        effect=1.0,
        effect_unit="points",
        effect_meaning="Answer points reciprocity for a free service adds for a customer of zero "
        "candour (beside the real satisfaction it buys, accounts.giveaway_lift).",
        prior_belief=20.0,
        moral_weight=0.1,
        hours=1.0,
    ),
)

#: The tactics' names, in array order.
TACTICS: tuple[str, ...] = tuple(tactic.name for tactic in TACTIC_TABLE)
#: Array positions of the tactics the model's mechanisms refer to by name.
CHERRY_PICK = TACTICS.index("cherry_pick")
TEACH_TO_TEST = TACTICS.index("teach_to_test")
COACH = TACTICS.index("coach")
BRIBE = TACTICS.index("bribe")
CONCEDE = TACTICS.index("concede")
GIVEAWAY = TACTICS.index("giveaway")
