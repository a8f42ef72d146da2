"""Is our NPS already gamed? The diagnosis of a firm's exports, and its answer in plain words.

:func:`diagnose` reads the two tables (responses, accounts), scores every rep's fingerprints
(:mod:`npssim.diagnose.fingerprints`), estimates through the model how far the reported score
overstates the truth (:mod:`npssim.diagnose.estimate`), and sizes the independent survey that
would settle the question (:func:`settle_accounts`). The :class:`Diagnosis` opens with its
answer (:meth:`Diagnosis.answer`).

What would settle it: an independent random survey whose 95% interval for the true NPS is at
most half the estimated overstatement wide on each side. Its interval then cannot contain both
the reported score and the estimated true one: if the true NPS is the reported one less the
overstatement, the survey's interval excludes the reported score; if there is no overstatement,
it excludes the estimated true one. NPS is a difference of two proportions of one multinomial
sample, so one answer's variance is ``p + d - (p - d)^2`` (in shares; ``p`` promoters, ``d``
detractors), times 100^2 in NPS points; the answers needed are ``z^2 x variance / margin^2``,
corrected for a finite book (``n / (1 + (n - 1) / accounts)``), and the accounts to invite are
the answers over the response rate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from npssim.diagnose.estimate import estimate_overstatement, observed_moments
from npssim.diagnose.fingerprints import (
    FINGERPRINTS,
    WEIGHTS,
    answered,
    firm_fingerprints,
    score_reps,
)
from npssim.experiment.analysis import Interval
from npssim.policy import TACTICS, WEEKS_PER_YEAR
from npssim.scenario import Scenario

#: The overstatement an independent survey is sized to detect when none was estimated (or the
#: estimate is below it): NPS points. Assumption: about the smallest difference between two
#: firms' scores that leaders read as meaningful (scores are reported in whole points and
#: usually compared in steps of 5 or more).
SMALLEST_OVERSTATEMENT = 5.0
CONFIDENCE = 0.95


@dataclass
class Diagnosis:
    """What a firm's exports say about gaming of its NPS.

    Attributes:
        reps: Per rep: ``rep_id``, ``answers``, each fingerprint's statistic, z and p-value,
            ``suspicion``, ``p_value`` and ``flagged``; most suspicious first.
        fingerprints: Per fingerprint: ``name``, ``description``, ``statistic`` (the median
            rep's), ``present`` (Benjamini-Hochberg finds at least one rep on it alone) and the
            ``tactics`` it points to.
        reported_nps: The reported NPS over the export's last year (mean of the waves').
        overstatement: How far the reported NPS overstates the true one, NPS points, with its
            interval; None when not estimated.
        flagged: Reps flagged.
        false_alarm_share: The expected share of flagged reps who are false alarms (the false
            discovery rate they were flagged at).
        settle_accounts: Accounts an independent random survey would invite to settle it.
        fitted_scenario: This firm, fitted (ready for ``compare`` and ``breakeven``), or None.
        indistinguishable: Plain sentences on what the fingerprints cannot tell apart.
        settle_margin: The half-width, NPS points, the survey of ``settle_accounts`` measures
            the true NPS to.
        estimate: The estimate behind ``overstatement`` (fit and candidates), or None.
    """

    reps: pd.DataFrame
    fingerprints: pd.DataFrame
    reported_nps: float
    overstatement: Interval | None
    flagged: int
    false_alarm_share: float
    settle_accounts: int
    fitted_scenario: Scenario | None
    indistinguishable: list[str]
    settle_margin: float = math.nan
    estimate: Any = field(default=None, repr=False)

    def answer(self) -> list[str]:
        """The opening sentences: overstatement, fingerprints, flagged reps, what settles it."""
        lines = []
        if self.overstatement is not None and math.isfinite(self.overstatement.mean):
            o = self.overstatement
            lines.append(
                f"The reported NPS of {self.reported_nps:.1f} likely overstates customers' true "
                f"NPS by {o.mean:.1f} points (95% interval {o.low:.1f} to {o.high:.1f}), "
                "estimated by fitting the model to this firm's exports."
            )
        else:
            lines.append(
                f"The reported NPS is {self.reported_nps:.1f}; how far it overstates the truth "
                "was not estimated."
            )
        present = self.fingerprints[self.fingerprints["present"]]
        if present.empty:
            lines.append("No fingerprint of gaming sets any rep apart from its peers.")
        else:
            lines.append(
                "Fingerprints present: "
                + "; ".join(
                    f"{row.name.replace('_', ' ')} ({int(row.reps_marked)} "
                    f"rep{'' if int(row.reps_marked) == 1 else 's'})"
                    for row in present.itertuples()
                )
                + "."
            )
        total = len(self.reps)
        expected = self.flagged * self.false_alarm_share
        lines.append(
            f"{self.flagged} of {total} reps are flagged as likely gaming; at a false discovery "
            f"rate of {self.false_alarm_share:.0%}, expect about {expected:.1f} of them to be "
            "false alarms."
            if self.flagged
            else f"None of {total} reps stands out from its peers at a false discovery rate of "
            f"{self.false_alarm_share:.0%}; where every rep games alike, only the estimate "
            "through the model can show it."
        )
        lines.append(
            f"An independent random survey of {self.settle_accounts:,} accounts would settle "
            f"it: it measures the true NPS to within {self.settle_margin:.1f} points (95%)."
        )
        return lines


def settle_accounts(
    promoters: float,
    detractors: float,
    overstatement: float,
    response_rate: float,
    population: int,
    confidence: float = CONFIDENCE,
) -> tuple[int, float]:
    """Accounts an independent random survey must invite to settle an overstatement.

    See the module's docstring for the formula.

    Args:
        promoters: Share of answers that are 9-10 (0-1).
        detractors: Share of answers that are 0-6 (0-1).
        overstatement: The overstatement to confirm or rule out, NPS points (> 0).
        response_rate: Share of invited accounts that answer (0-1].
        population: Accounts in the book (no survey invites more).
        confidence: Confidence of the survey's interval.

    Returns:
        The accounts to invite, and the margin (half-width, NPS points) the survey reaches.
    """
    margin = abs(overstatement) / 2.0
    variance = 100.0**2 * (promoters + detractors - (promoters - detractors) ** 2)
    z = float(stats.norm.ppf(0.5 + confidence / 2.0))
    answers = z**2 * max(variance, 1e-9) / margin**2
    answers = answers / (1.0 + (answers - 1.0) / max(population, 1))
    invited = math.ceil(answers / max(response_rate, 1e-9))
    return min(invited, int(population)), margin


def indistinguishable() -> list[str]:
    """Sentences on the tactics the fingerprints cannot tell apart, generated from their table.

    Tactics that leave exactly the same fingerprints look alike in the exports; a tactic
    whose fingerprints carry no weight in suspicion (:data:`WEIGHTS`) is all but invisible.
    """
    marks: dict[str, frozenset[str]] = {
        tactic: frozenset(fp.name for fp in FINGERPRINTS if tactic in fp.tactics)
        for tactic in TACTICS
    }
    groups: dict[frozenset[str], list[str]] = {}
    for tactic, names in marks.items():
        groups.setdefault(names, []).append(tactic)
    lines = []
    for names, tactics in groups.items():
        if len(tactics) > 1 and names:
            lines.append(
                f"{_join(tactics)} leave the same fingerprints ({_join(sorted(names))}): the "
                "exports cannot tell them apart."
            )
    for tactic, names in marks.items():
        if not any(WEIGHTS.get(name, 0.0) > 0 for name in names):
            lines.append(
                f"{tactic.replace('_', ' ')} shows only in fingerprints that do not tell gamed "
                "reps from honest ones in simulated firms: the exports barely see it."
            )
    lines.append(
        "Honest differences between reps (better service, easier books) and gaming both raise a "
        "rep's score; the fingerprints read a rep against its peers and its book, so a firm where "
        "every rep games alike shows in the estimate, not in flags."
    )
    return lines


def _join(words: list[str]) -> str:
    words = [word.replace("_", " ") for word in words]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def diagnose(
    responses: pd.DataFrame,
    accounts: pd.DataFrame,
    *,
    fdr: float = 0.05,
    estimate: bool = True,
    scenario: Scenario | str | None = None,
    seed: int | None = None,
    progress: Any = None,
) -> Diagnosis:
    """Diagnose a firm's exports (canonical tables: see :mod:`npssim.diagnose.exports`).

    Args:
        responses: One row per invitation.
        accounts: One row per account and renewal.
        fdr: The false discovery rate reps are flagged at (Benjamini-Hochberg).
        estimate: Estimate the overstatement through the model (a minute or two for a firm of
            100 reps); False skips it.
        scenario: The firm's other assumptions for the estimate (bundled ``baseline`` default).
        seed: Root seed of the estimate's replications.
        progress: Show the estimate's progress bars (truthy).
    """
    reps = score_reps(responses, accounts, fdr=fdr)
    table = firm_fingerprints(reps, fdr)
    moments = observed_moments(responses, accounts)
    fitted = None
    if estimate:
        fitted = estimate_overstatement(
            responses,
            accounts,
            scenario=scenario if scenario is not None else "baseline",
            seed=seed,
            progress=bool(progress),
        )
    scores = answered(responses)
    recent = scores[scores["week"] >= scores["week"].max() + 1 - WEEKS_PER_YEAR]
    promoters = float((recent["score"] >= 9).mean()) if len(recent) else 0.5
    detractors = float((recent["score"] <= 6).mean()) if len(recent) else 0.25
    size = fitted.overstatement.mean if fitted is not None else np.nan
    target = max(size, SMALLEST_OVERSTATEMENT) if math.isfinite(size) else SMALLEST_OVERSTATEMENT
    latest = accounts.drop_duplicates("account_id", keep="last")
    population = int((latest["renewed"] != 0).sum())
    rate = moments["response_rate"] if math.isfinite(moments["response_rate"]) else 1.0
    needed, margin = settle_accounts(promoters, detractors, target, rate, population)
    return Diagnosis(
        reps=reps,
        fingerprints=table,
        reported_nps=moments["reported_nps"],
        overstatement=fitted.overstatement if fitted is not None else None,
        flagged=int(reps["flagged"].sum()),
        false_alarm_share=fdr,
        settle_accounts=needed,
        fitted_scenario=fitted.scenario if fitted is not None else None,
        indistinguishable=indistinguishable(),
        settle_margin=margin,
        estimate=fitted,
    )
