"""The score-management tactics, declared once.

Every per-tactic array in the model (reps' propensities, this week's use, audit counts) is
ordered as :data:`TACTICS`, and every per-tactic scenario parameter (the starting propensity, the
moral weight, the time weight) is generated from this table, so adding a tactic here adds its
parameters to the schema, the docs and the dashboard. What a tactic *does* lives in the agents;
what the table holds is how a rep weighs it: which survey designs make it possible, whether an
audit can find it, whether customers' candour resists it, and its default weights.

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
        shifts_answer: Works by moving the customer's answer, which candour resists; the
            perceived return scales with ``1 - accounts.candor_mean``.
        initial_propensity: Default starting inclination (0-1).
        moral_weight: Default relative moral cost (bribing feels worse than a free service).
        time_weight: Default share of ``reps.time_cost`` the tactic takes at full use.
        source: Where the default propensity comes from.
    """

    name: str
    meaning: str
    auditable: bool
    needs_rep_sampling: bool
    needs_visibility: bool
    targeted: bool
    shifts_answer: bool
    initial_propensity: float
    moral_weight: float
    time_weight: float
    source: str = "assumption"


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
        initial_propensity=0.4,
        moral_weight=0.5,
        time_weight=0.2,
    ),
    Tactic(
        "teach_to_test",
        "Moving service hours onto accounts about to be surveyed.",
        auditable=False,
        needs_rep_sampling=False,
        needs_visibility=True,
        targeted=True,
        shifts_answer=False,
        initial_propensity=0.4,
        moral_weight=0.15,
        time_weight=0.0,
    ),
    Tactic(
        "coach",
        "Pleading with surveyed customers for a 9 or 10.",
        auditable=True,
        needs_rep_sampling=False,
        needs_visibility=False,
        targeted=True,
        shifts_answer=True,
        initial_propensity=0.7,
        moral_weight=0.35,
        time_weight=0.15,
        source="references.md: TrueDelta 2007, 25-28% of car buyers pressured for perfect scores",
    ),
    Tactic(
        "bribe",
        "Offering gifts for a high score.",
        auditable=True,
        needs_rep_sampling=False,
        needs_visibility=False,
        targeted=True,
        shifts_answer=True,
        initial_propensity=0.35,
        moral_weight=1.0,
        time_weight=0.15,
        source="references.md: TrueDelta 2007, about 2% watched, form filled or bribed; set "
        "so that about 1% of answers are bought under nps_bonus (integrity rules most reps out)",
    ),
    Tactic(
        "concede",
        "Trading price or a concession for a customer's score (hostage demands, renewal "
        "discounts).",
        auditable=False,
        needs_rep_sampling=False,
        needs_visibility=False,
        targeted=True,
        shifts_answer=False,
        initial_propensity=0.8,
        moral_weight=0.25,
        time_weight=0.2,
    ),
    Tactic(
        "giveaway",
        "Giving free services to at-risk accounts to play safe.",
        auditable=False,
        needs_rep_sampling=False,
        needs_visibility=False,
        targeted=True,
        shifts_answer=True,
        initial_propensity=0.4,
        moral_weight=0.1,
        time_weight=0.3,
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
