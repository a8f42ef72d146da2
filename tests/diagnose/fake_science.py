"""Small stand-ins for the science API of issue 27 (exports, diagnosis, validation).

The command line, the reader and the report are tested on these, so their tests lock the wiring
(what is read, printed and written, and in what order) and not the statistics, which the science
modules' own tests lock. The stand-ins follow the API agreed in the shared design exactly, and
compute simple but real things from their input (no fixed answers), so a test fails if the
wiring passes the wrong table or option.
"""

from __future__ import annotations

import importlib
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from npssim.experiment.analysis import Interval, interval
from npssim.files import atomic_path
from npssim.scenario import Scenario, load_scenario
from npssim.tactics import TACTICS

#: What the stand-ins were called with, in order: (function name, keyword arguments).
CALLS: list[tuple[str, dict]] = []


@dataclass(frozen=True)
class Exports:
    responses: pd.DataFrame
    accounts: pd.DataFrame
    truth: pd.DataFrame | None
    scenario: Scenario | None
    seed: int | None


@dataclass
class Diagnosis:
    reps: pd.DataFrame
    fingerprints: pd.DataFrame
    reported_nps: float
    overstatement: Interval | None
    flagged: int
    false_alarm_share: float
    settle_accounts: int
    fitted_scenario: Scenario | None
    indistinguishable: list[str] = field(default_factory=list)

    def answer(self) -> list[str]:
        over = (
            "not estimated"
            if self.overstatement is None
            else f"{self.overstatement.mean:+.1f} points "
            f"({self.overstatement.low:+.1f} to {self.overstatement.high:+.1f})"
        )
        return [
            f"The reported NPS of {self.reported_nps:+.1f} likely overstates the truth by {over}.",
            f"{self.flagged} reps are flagged.",
            f"A random survey of {self.settle_accounts} accounts would settle it.",
        ]


def simulate_exports(scenario, *, seed=None, model=None, weeks=None) -> Exports:
    CALLS.append(("simulate_exports", {"scenario": scenario, "seed": seed, "weeks": weeks}))
    rng = np.random.default_rng(seed)
    reps = [f"rep{i}" for i in range(6)]
    accounts = pd.DataFrame(
        {
            "account_id": [f"acc{i}" for i in range(30)],
            "rep_id": [reps[i % 6] for i in range(30)],
            "annual_value": rng.uniform(1_000, 9_000, 30).round(2),
            "renewal_week": [float(i % 10) for i in range(30)],
            "renewed": [float(i % 3 != 0) for i in range(30)],
            "discount": [0.05 * (i % 4) for i in range(30)],
        }
    )
    rows = 120
    account = rng.integers(0, 30, rows)
    answered = rng.random(rows) < 0.6
    responses = pd.DataFrame(
        {
            "response_id": [f"r{i}" for i in range(rows)],
            "account_id": [f"acc{a}" for a in account],
            "rep_id": [reps[a % 6] for a in account],
            "week": np.sort(rng.integers(0, weeks or 10, rows)),
            "invited_by": rng.choice(["rep", "firm"], rows),
            "answered": answered,
            "score": np.where(answered, rng.integers(0, 11, rows), np.nan),
        }
    )
    truth = pd.DataFrame({"rep_id": reps, "gaming_share": rng.random(6), "answers": 12})
    for tactic in TACTICS:
        truth[f"use_{tactic}"] = rng.integers(0, 5, 6)
    return Exports(responses, accounts, truth, None, seed)


def write_exports(exports: Exports, folder: Path, *, parquet=None) -> list[Path]:
    CALLS.append(("write_exports", {"folder": folder, "parquet": parquet}))
    written = []
    for name in ("responses", "accounts", "truth"):
        path = Path(folder) / f"{name}.csv"
        with atomic_path(path) as temporary:
            getattr(exports, name).to_csv(temporary, index=False)
        written.append(path)
    return written


def diagnose(
    responses, accounts, *, fdr=0.05, estimate=True, scenario=None, seed=None, progress=None
) -> Diagnosis:
    """Per rep: share of 9-10 among answers as suspicion; p-values from its rank."""
    CALLS.append(("diagnose", {"fdr": fdr, "estimate": estimate, "seed": seed}))
    answered = responses[responses["answered"]]
    reps = (
        answered.groupby("rep_id")["score"]
        .agg(answers="size", promoter_share=lambda s: float((s >= 9).mean()))
        .reset_index()
    )
    reps["suspicion"] = reps["promoter_share"]
    order = reps["suspicion"].rank(ascending=False, method="first")
    reps["p_value"] = order / (len(reps) + 1)
    reps["flagged"] = reps["p_value"] <= fdr * order / len(reps) * 10
    scores = answered["score"].to_numpy()
    nps = 100 * (np.mean(scores >= 9) - np.mean(scores <= 6))
    fingerprints = pd.DataFrame(
        {
            "name": ["excess_promoters", "response_rate"],
            "description": ["Reps' share of 9-10 beyond their book.", "Who answers."],
            "statistic": [reps["promoter_share"].mean(), responses["answered"].mean()],
            "present": [True, False],
            "tactics": [["coach", "bribe"], ["cherry_pick"]],
        }
    )
    return Diagnosis(
        reps=reps,
        fingerprints=fingerprints,
        reported_nps=float(nps),
        overstatement=interval([nps / 10, nps / 8, nps / 6]) if estimate else None,
        flagged=int(reps["flagged"].sum()),
        false_alarm_share=fdr,
        settle_accounts=len(accounts) * 3,
        fitted_scenario=load_scenario("baseline") if estimate else None,
        indistinguishable=["Coaching and bribes leave the same fingerprint."],
    )


def validate(
    *,
    scenarios=("baseline", "nps_bonus"),
    seeds=(1, 2),
    sizes=(1,),
    fdr=0.05,
    estimate=False,
    progress=None,
):
    CALLS.append(("validate", {"fdr": fdr, "estimate": estimate}))
    if progress is not None:
        progress(f"validated {len(scenarios)} scenarios")
    return pd.DataFrame(
        [
            {"scenario": s, "size": n, "fingerprint": "combined", "auc": 0.5 + 0.1 * i,
             "false_alarm_rate": 0.02, "coverage": 0.9, "responses_per_rep": 10.0 * n}
            for i, s in enumerate(scenarios)
            for n in sizes
        ]
    )  # fmt: skip


def install(monkeypatch) -> list[tuple[str, dict]]:
    """Put the stand-ins where the command imports the science API from; the calls made."""
    CALLS.clear()
    this = sys.modules[__name__]
    for name, members in {
        "npssim.diagnose.exports": ("Exports", "simulate_exports", "write_exports"),
        "npssim.diagnose.diagnosis": ("Diagnosis", "diagnose"),
        "npssim.diagnose.validation": ("validate",),
    }.items():
        module = types.ModuleType(name)
        for member in members:
            setattr(module, member, getattr(this, member))
        monkeypatch.setitem(sys.modules, name, module)
        # ``from npssim.diagnose import validation`` reads the package's attribute, which the
        # package's own imports set: replace it there too.
        package, _, attribute = name.rpartition(".")
        monkeypatch.setattr(importlib.import_module(package), attribute, module)
    return CALLS
