"""The elements of a policy design: what a leader would switch on or off, one at a time.

A design such as ``well_designed_bonus`` differs from its baseline in many parameter values, but
a leader decides on a handful of *elements*: who picks the sample, anonymity, audits, caps on
what reps may give away, following up detractors, reps' and managers' weight on the score, the
target rule, the payout, the pay plan. This module groups the policy paths in which a policy
differs from its baseline into those elements (a path no element names falls into one element
per policy subsection, so a parameter added later is never lost), says in plain words what each
changes, and builds the combinations :mod:`npssim.experiment.decompose` runs: each is the
baseline with a subset of the elements switched to the policy's values.

Everything here reads scenarios only (no model, no statistics), so the command line checks a
decomposition before it imports anything else.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from npssim.errors import InputError
from npssim.experiment.defaults import DECOMPOSE_MAX_ELEMENTS
from npssim.experiment.firms import check_same_firm
from npssim.scenario import Scenario, params_by_path

__all__ = [
    "ELEMENTS",
    "Element",
    "ElementSpec",
    "check_decomposable",
    "combinations",
    "decomposition_hint",
    "policy_elements",
]


@dataclass(frozen=True)
class ElementSpec:
    """One element of a design: the policy paths (or path prefixes) that make it.

    Attributes:
        key: A short name for files and columns (``follow_up``).
        label: What a leader calls it (``follow-up of detractors``).
        prefixes: Dotted paths; a path belongs to the element when it is one of them or lies
            under one (``policy.audits`` takes every audit parameter).
    """

    key: str
    label: str
    prefixes: tuple[str, ...]

    def owns(self, path: str) -> int:
        """How closely the element names a path: the length of its matching prefix, or 0."""
        return max(
            (len(p) for p in self.prefixes if path == p or path.startswith(f"{p}.")), default=0
        )


#: The elements of a design, in the order a leader reads them. A path goes to the element that
#: names it most closely.
ELEMENTS: tuple[ElementSpec, ...] = (
    ElementSpec(
        "sampler",
        "who picks the sample",
        ("policy.survey.sampler", "policy.survey.third_party_cost"),
    ),
    ElementSpec("anonymity", "anonymity of answers", ("policy.survey.anonymous",)),
    ElementSpec(
        "cadence",
        "how often and how many are surveyed",
        ("policy.survey.wave_interval", "policy.survey.sample_fraction", "policy.survey.reminders"),
    ),
    ElementSpec("rep_weight", "reps' pay on NPS", ("policy.incentives.nps_weight",)),
    ElementSpec(
        "manager_weight", "managers' pay on NPS", ("policy.incentives.manager_nps_weight",)
    ),
    ElementSpec(
        "target", "the target rule", ("policy.incentives.target_nps", "policy.incentives.floor_nps")
    ),
    ElementSpec(
        "payout",
        "how the bonus pays out",
        ("policy.incentives.payout", "policy.incentives.max_payout"),
    ),
    ElementSpec("scope", "whose score counts", ("policy.incentives.scope",)),
    ElementSpec(
        "firing",
        "firing and performance plans",
        ("policy.incentives.rank_and_yank", "policy.incentives.plan_threshold"),
    ),
    ElementSpec("audits", "audits of survey practice", ("policy.audits",)),
    ElementSpec("caps", "caps on discounts and concessions", ("policy.concessions",)),
    ElementSpec("follow_up", "follow-up of detractors", ("policy.follow_up",)),
    ElementSpec("pay_plan", "the pay plan", ("policy.pay",)),
)


@dataclass(frozen=True)
class Element:
    """One element in which a policy differs from its baseline.

    Attributes:
        key: A short name for files and columns.
        label: What a leader calls it.
        changes: The paths that differ, with the baseline's and the policy's values.
    """

    key: str
    label: str
    changes: tuple[tuple[str, Any, Any], ...]

    @property
    def paths(self) -> tuple[str, ...]:
        """The dotted paths the element switches."""
        return tuple(path for path, _, _ in self.changes)

    @property
    def values(self) -> dict[str, Any]:
        """The policy's values of the element, by dotted path."""
        return {path: value for path, _, value in self.changes}

    def describe(self) -> str:
        """What changes, in plain words: "share of variable pay on NPS 0 -> 0.2; ..."."""
        return "; ".join(
            f"{_name(path)}: {_plain(old)} → {_plain(new)}" for path, old, new in self.changes
        )


def policy_elements(
    policy: Scenario, baseline: Scenario, specs: Sequence[ElementSpec] = ELEMENTS
) -> list[Element]:
    """The elements in which a policy's ``policy.*`` values differ from the baseline's.

    Args:
        policy: The design.
        baseline: What it is compared with (the same firm).
        specs: How paths group into elements; a differing path none of them names makes (or
            joins) an element of its policy subsection (``policy.survey``), so nothing is
            dropped.

    Returns:
        The elements in the order of ``specs``, then those of unnamed subsections in the
        schema's order; each with its changed paths in the schema's order.
    """
    mine, theirs = _policy(policy), _policy(baseline)
    grouped: dict[tuple[str, str], list[tuple[str, Any, Any]]] = {}
    order = {(spec.key, spec.label): index for index, spec in enumerate(specs)}
    for path in mine:
        if mine[path] == theirs.get(path):
            continue
        scores = [spec.owns(path) for spec in specs]
        best = max(scores, default=0)
        if best > 0:
            spec = specs[scores.index(best)]
            key = (spec.key, spec.label)
        else:
            section = ".".join(path.split(".")[:2])
            key = (section.replace("policy.", "").replace(".", "_"), f"other {section} values")
            order.setdefault(key, len(order))
        grouped.setdefault(key, []).append((path, theirs.get(path), mine[path]))
    return [
        Element(key, label, tuple(changes))
        for (key, label), changes in sorted(grouped.items(), key=lambda item: order[item[0]])
    ]


def combinations(elements: Sequence[Element]) -> list[dict[str, Any]]:
    """Every subset of the elements as the policy values it switches, by bit mask.

    Combination ``mask`` switches element ``i`` when bit ``i`` of ``mask`` is set: 0 is the
    baseline itself, ``2**k - 1`` the whole policy.
    """
    return [
        {
            path: value
            for index, element in enumerate(elements)
            if mask >> index & 1
            for path, value in element.values.items()
        }
        for mask in range(2 ** len(elements))
    ]


def check_decomposable(
    policy: Scenario,
    baseline: Scenario,
    *,
    different_firms: bool = False,
    max_elements: int = DECOMPOSE_MAX_ELEMENTS,
) -> list[Element]:
    """The elements to decompose, once the pair is known to be decomposable.

    Raises:
        InputError: The two are different firms (unless ``different_firms``), either changes
            its policy during the run (a timeline), they do not differ in the policy, or they
            differ in more elements than ``max_elements``.
    """
    check_same_firm(baseline, policy, different_firms=different_firms)
    for role, scenario in (("the policy", policy), ("the baseline", baseline)):
        if scenario.timeline:
            raise InputError(
                f"{scenario.name} ({role}): changes its policy during the run (timeline at week "
                f"{scenario.timeline[0].week}); decompose compares policies held from the start: "
                "give a scenario without a timeline (e.g. the policy it reaches)"
            )
    elements = policy_elements(policy, baseline)
    if not elements:
        raise InputError(
            f"{policy.name}: has the same policy as {baseline.name}; nothing to decompose"
        )
    if len(elements) > max_elements:
        named = ", ".join(element.label for element in elements)
        raise InputError(
            f"{policy.name}: differs from {baseline.name} in {len(elements)} elements ({named}); "
            f"decompose takes at most {max_elements} ({2**max_elements} combinations): choose "
            "a baseline closer to the policy"
        )
    return elements


def decomposition_hint(policy: Scenario, baseline: Scenario) -> str | None:
    """A line for a comparison's report: the elements of a design and how to see what each earns.

    Returns:
        The line when the policy differs from its baseline in two elements or more and could
        be decomposed (one firm, no timeline, not too many elements); None otherwise.
    """
    try:
        elements = check_decomposable(policy, baseline)
    except InputError:
        return None
    if len(elements) < 2:
        return None
    named = ", ".join(element.label for element in elements)
    return (
        f"{policy.name} differs from {baseline.name} in {len(elements)} elements ({named}); "
        f"`npssim decompose {policy.name} --baseline {baseline.name}` shows what each earns "
        "and what each costs."
    )


def _policy(scenario: Scenario) -> dict[str, Any]:
    return dict(_leaves(scenario.model_dump()["policy"], "policy."))


def _leaves(data: Mapping[str, Any], prefix: str) -> Iterator[tuple[str, Any]]:
    for key, value in data.items():
        if isinstance(value, Mapping):
            yield from _leaves(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def _name(path: str) -> str:
    info = params_by_path().get(path)
    if info is not None and info.label:
        return info.label[:1].lower() + info.label[1:]
    return path.rsplit(".", 1)[-1].replace("_", " ")


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:g}"
    return str(value)
