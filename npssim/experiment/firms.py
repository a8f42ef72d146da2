"""PLACEHOLDER (lead: drop in merge; branch ``decompose`` writes the real module).

The same-firm rule: a comparison of two scenarios is a comparison of policies only when the
two describe the same firm; this minimal version lets branch ``breakeven`` call and test it.
"""

from __future__ import annotations

from npssim.errors import InputError
from npssim.scenario import Scenario

#: The scenario sections that describe the firm rather than its policy.
FIRM_SECTIONS = ("firm", "accounts", "reps", "managers", "run")


def check_same_firm(a: Scenario, b: Scenario, *, different_firms: bool = False) -> None:
    """Refuse two scenarios that differ in anything but the policy, unless ``different_firms``.

    Raises:
        InputError: One line naming the sections in which they differ.
    """
    if different_firms:
        return
    first, second = a.model_dump(), b.model_dump()
    differ = [section for section in FIRM_SECTIONS if first[section] != second[section]]
    if (
        any(
            not key.startswith("policy.")
            for entry in [*first["timeline"], *second["timeline"]]
            for key in entry.get("set", {})
        )
        and first["timeline"] != second["timeline"]
    ):
        differ.append("timeline")
    if differ:
        raise InputError(
            f"{a.name} and {b.name} describe different firms (they differ in "
            f"{', '.join(differ)}), not only in policy; give --different-firms to compare them"
        )
