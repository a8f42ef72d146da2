"""The same-firm rule: a comparison measures a policy only when both sides are the same firm.

A paired comparison subtracts one scenario's runs from another's. When the two differ in the
firm (its size, accounts, reps, managers, currency, behavioural assumptions or the run's length)
the difference is the firm's, not the policy's: a 48-rep firm in EUR compared with the bundled
100-rep baseline in USD "cost" 116M EUR a year, all of it size and a relabelled currency. So
``compare``, ``decompose`` and ``breakeven`` refuse such a pair, in one line naming the
differences, unless the user says they mean it (``--different-firms``), and a single scenario is
compared with :func:`counterfactual`: the same firm without its policy.

What is *the policy* here is what can change during a run: ``policy.*`` (the timeline may set
only those) and the timeline itself. Everything else is the firm, except the scenario's name,
description and ``run.seed`` (a comparison runs both sides on the same replication seeds,
whatever either file's seed), and the sections a researcher's model class adds
(``NPSModel.extra_params``): those may be a lever (a training programme) as well as a trait of
the firm, which only their author knows, so the rule leaves them to the researcher.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from npssim.errors import InputError
from npssim.scenario import PolicyParams, Scenario, validate_scenario
from npssim.scenario.schema import MAX_NAME_CHARS

__all__ = ["check_same_firm", "counterfactual", "firm_differences"]

#: The top-level fields of a scenario that are not the firm: its policy and its labels.
NOT_THE_FIRM = frozenset({"name", "description", "policy", "timeline"})
#: Paths inside the firm's sections that do not make another firm.
NOT_THE_FIRM_PATHS = frozenset({"run.seed"})
#: How many differing paths a refusal names before "and N more".
NAMED_DIFFERENCES = 4
#: What the counterfactual's name adds to the scenario's.
COUNTERFACTUAL_SUFFIX = "_without_policy"
#: The policy sections the counterfactual keeps: the firm's own pay plan (salary and pay on
#: sales), which the NPS weight only draws its share from. Resetting it would compare the firm's
#: pay plan with the schema's, in the firm's currency: the very mistake the rule prevents.
KEPT_POLICY = ("pay",)


def firm_differences(a: Scenario, b: Scenario) -> list[str]:
    """The dotted paths, outside the policy and the timeline, where two scenarios differ.

    Args:
        a: One scenario.
        b: The other (of the same schema or not: a table only one of them has differs).

    Returns:
        The paths in the schema's order (``a``'s first), e.g. ``["firm.managers",
        "firm.currency", "run.weeks"]``; empty when both are the same firm.
    """
    mine, theirs = _firm(a), _firm(b)
    return [path for path in dict.fromkeys([*mine, *theirs]) if mine.get(path) != theirs.get(path)]


def check_same_firm(a: Scenario, b: Scenario, *, different_firms: bool = False) -> None:
    """Refuse to compare two scenarios of different firms, in one line naming the differences.

    Args:
        a: The reference (the baseline).
        b: The scenario compared with it.
        different_firms: The user means to compare different firms: nothing is checked.

    Raises:
        InputError: The scenarios differ outside the policy; the message names both, the first
            few differing paths with both values, and ``--different-firms``.
    """
    if different_firms:
        return
    paths = firm_differences(a, b)
    if not paths:
        return
    mine, theirs = _firm(a), _firm(b)
    named = ", ".join(
        f"{path} ({_shown(mine.get(path))} vs {_shown(theirs.get(path))})"
        for path in paths[:NAMED_DIFFERENCES]
    )
    more = f" and {len(paths) - NAMED_DIFFERENCES} more" if len(paths) > NAMED_DIFFERENCES else ""
    raise InputError(
        f"{b.name} and {a.name} are different firms, not two policies of one firm: they differ "
        f"in {named}{more}, so the difference would measure the firm, not the policy; compare "
        f"{b.name} alone (with the same firm without its policy), give both the same firm, or "
        "add --different-firms to compare them anyway"
    )


def counterfactual(scenario: Scenario) -> Scenario:
    """The same firm under the no-bonus policy: what the scenario's firm would be without it.

    The policy is reset to the schema's defaults (NPS an indicator only: no bonus, no manager
    weight, no firing, no audits, the default survey, caps and no follow-up), except the firm's
    own pay plan (:data:`KEPT_POLICY`), and the timeline is emptied. The firm, the behavioural
    assumptions and the run settings are the scenario's own, so :func:`firm_differences` finds
    none between the two.

    A scenario built with ``extends`` is resolved before this is called (the file's values and
    its parents' are one scenario), so its counterfactual is that of the whole chain. A scenario
    whose timeline turns the policy on at some week (``intervention_week26``) gets no policy at
    any week: the comparison then shows the policy's effect from the week it starts.

    Returns:
        A scenario of the same schema named ``<name>_without_policy`` (the name shortened to fit
        the schema's limit), whose description says what it is.
    """
    data = scenario.model_dump()
    policy = PolicyParams().model_dump()
    for section in KEPT_POLICY:
        policy[section] = data["policy"][section]
    data["policy"] = policy
    data["timeline"] = []
    data["name"] = counterfactual_name(scenario.name)
    data["description"] = (
        f"What {scenario.name} is compared with: the same firm without its policy (NPS an "
        "indicator only: every policy value at its default, the firm's own pay plan kept, no "
        "timeline)."
    )
    return validate_scenario(
        data, source=f"{scenario.name} without its policy", schema=type(scenario)
    )


def counterfactual_name(name: str) -> str:
    """``<name>_without_policy``, the name shortened so the whole fits the schema's limit."""
    return name[: MAX_NAME_CHARS - len(COUNTERFACTUAL_SUFFIX)] + COUNTERFACTUAL_SUFFIX


def _firm(scenario: Scenario) -> dict[str, Any]:
    """Every value of the firm by dotted path (the scenario without its policy and labels)."""
    own = Scenario.model_fields  # a model class's added sections are the researcher's to judge
    data = {k: v for k, v in scenario.model_dump().items() if k not in NOT_THE_FIRM and k in own}
    return {path: value for path, value in _leaves(data) if path not in NOT_THE_FIRM_PATHS}


def _leaves(data: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            yield from _leaves(value, f"{path}.")
        else:
            yield path, value


def _shown(value: Any) -> str:
    """A value as the refusal shows it; a table one scenario lacks is "absent"."""
    return "absent" if value is None else f"{value:g}" if isinstance(value, float) else str(value)
