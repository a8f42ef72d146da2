"""A recommendation a leader can act on: *do*, *don't* or *only if ...*, one line per policy.

The line is never written by hand for a scenario: it follows from three things the runs found,
by one rule (:func:`recommend`):

- the **verdict**: the 95% interval of the paired difference in the firm's net money per year
  (run-to-run noise, for the firm the scenario describes);
- the **spread over plausible assumptions**: in how many of the sampled plausible firms the
  policy pays (K of N), when the spread was run;
- the **flip conditions**: where, over those firms, the verdict flips (PRIM's box in words).

The rule:

- **do** when the interval is above zero *and* the policy pays in at least :data:`DO_SHARE` of
  plausible firms (without a spread, the interval alone decides);
- **don't** when the interval is below zero, the policy pays in at most :data:`DONT_SHARE` of
  plausible firms, *and* no condition was found under which it pays;
- **only if** otherwise: *only if <where it pays>* when the flip says where it pays; *only if
  you can rule out that <where it loses>* when the flip says where it loses money; and, when no
  condition decides it, only if a trial in the firm shows that it pays.

The best option follows from the same rule (:func:`best_line`): the policy to *do* that earns
the most, or, when none is a *do*, that none is.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from npssim.report.decision import PolicyVerdict
from npssim.report.tables import format_money

#: Share of plausible firms a policy must pay in to be a *do*: four in five, so that what the
#: unmeasured assumptions turn out to be is unlikely to reverse the decision.
DO_SHARE = 0.8
#: Largest share of plausible firms a *don't* may pay in: one in five, :data:`DO_SHARE`'s mirror.
DONT_SHARE = 0.2
Action = Literal["do", "don't", "only if"]


@dataclass(frozen=True)
class Recommendation:
    """One policy's recommendation.

    Attributes:
        policy: The policy's label.
        action: "do", "don't" or "only if".
        line: The recommendation in one plain sentence.
        net: Mean paired difference in net money per year (to rank the policies to *do*).
        currency: The firm's currency.
    """

    policy: str
    action: Action
    line: str
    net: float
    currency: str = ""


def recommend(
    policy: str,
    *,
    net: float,
    low: float,
    high: float,
    currency: str = "",
    paying: int | None = None,
    cases: int | None = None,
    pays_when: str | None = None,
    loses_when: str | None = None,
) -> Recommendation:
    """The recommendation for one policy, by the rule in this module's docstring.

    Args:
        policy: The policy's label.
        net: Mean paired difference in net money per year against the reference.
        low: Lower end of its 95% interval (NaN with one replication).
        high: Upper end.
        currency: The firm's currency.
        paying: Plausible firms where it pays (None when the spread was not run).
        cases: Plausible firms sampled.
        pays_when: Where over plausible firms it pays, in words (its flip, when it mostly loses).
        loses_when: Where it loses money, in words (its flip, when it mostly pays).
    """
    money = format_money(net, currency, signed=True)
    clear = not (math.isnan(low) or math.isnan(high))
    interval = (
        f"{money} a year, 95% interval {format_money(low, signed=True)} to "
        f"{format_money(high, currency, signed=True)}"
        if clear
        else f"{money} a year (one replication, no interval)"
    )
    share = paying / cases if paying is not None and cases else None
    spread = f"pays in {paying} of {cases} plausible firms" if share is not None else ""
    with_spread = f"{interval}; {spread}" if spread else interval
    above, below = clear and low > 0, clear and high < 0
    if above and (share is None or share >= DO_SHARE):
        return Recommendation(policy, "do", f"Do {policy}: {with_spread}.", net, currency)
    if below and (share is None or share <= DONT_SHARE) and pays_when is None:
        reason = f"{with_spread}, and no condition was found under which it pays"
        if share is None:
            reason = f"{interval} (assumptions not sampled)"
        return Recommendation(policy, "don't", f"Don't adopt {policy}: {reason}.", net, currency)
    if pays_when is not None:
        condition = pays_when
    elif loses_when is not None:
        condition = f"you can rule out that {loses_when}"
    else:
        condition = "a trial in your own firm shows that it pays"
    return Recommendation(
        policy, "only if", f"{policy} only if {condition}: {with_spread}.", net, currency
    )


def best_line(recommendations: Sequence[Recommendation], reference: str) -> str:
    """Which option to take, by the same rule: the *do* that earns the most, or none.

    Args:
        recommendations: Every policy's recommendation.
        reference: What they were compared with.
    """
    doable = [item for item in recommendations if item.action == "do"]
    if not doable:
        return (
            f"No policy tried is a clear *do* against {reference}: keep {reference}, unless a "
            "condition above holds in your firm."
        )
    best = max(doable, key=lambda item: item.net)
    others = [item.policy for item in doable if item is not best]
    also = f" (also to adopt: {', '.join(others)})" if others else ""
    return (
        f"Best option on this evidence: **{best.policy}**, of the policies to adopt the one that "
        "earns the most, "
        f"{format_money(best.net, best.currency, signed=True)} a year against {reference}{also}."
    )


def recommendations(verdicts: Sequence[PolicyVerdict], spread: Any = None) -> list[Recommendation]:
    """Every policy's recommendation from its verdict and, when it ran, its spread.

    Args:
        verdicts: The policies' verdicts (:func:`~npssim.report.decision.policy_verdicts`).
        spread: The spread over plausible assumptions
            (:class:`~npssim.experiment.uncertainty.AssumptionSpread`: ``policies``, ``pays``
            and ``flip``), or None.
    """
    items = []
    for verdict in verdicts:
        evidence: dict[str, Any] = {}
        if spread is not None and verdict.policy in spread.policies:
            paying, cases = spread.pays(verdict.policy)
            flip = spread.flip(verdict.policy)
            evidence = {
                "paying": paying,
                "cases": cases,
                "pays_when": flip.words if flip is not None and flip.pays else None,
                "loses_when": flip.words if flip is not None and not flip.pays else None,
            }
        items.append(
            recommend(
                verdict.policy,
                net=verdict.net,
                low=verdict.net_low,
                high=verdict.net_high,
                currency=verdict.currency,
                **evidence,
            )
        )
    return items
