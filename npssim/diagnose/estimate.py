"""How far the reported NPS overstates the truth, estimated through the model.

A firm's exports show its reported score, but not its customers' true one. The model knows
both; so the firm's observable moments are matched by the model's (npssim's calibration: the
method of simulated moments with common random numbers, :func:`npssim.experiment.calibrate`),
and the overstatement is read in the fitted model (its ``nps_inflation``, reported minus true
NPS, over the last four quarters).

- **Moments** (:func:`observed_moments`), each read from the tables over the export's last 52
  weeks as the model's metric of the same name reads its last four quarters: the reported NPS
  (mean of the waves' NPS), the response rate (mean of the waves' rates), the retention rate
  (share of renewals that renewed) and the score's power to predict renewal
  (``signal_validity``: AUC of each renewing account's last score in the year before, for
  renewal).
- **The firm** (:func:`firm_overrides`): its number of reps (the median number of reps a
  wave of the last year invites for) and accounts per rep (the accounts active at the end
  over them), who invites (the most common ``invited_by``), and the export's
  weeks; everything else from the scenario given (the bundled ``baseline`` by default).
- **Free parameters** (:data:`FREE`): the gaming drivers, the share of variable pay on the
  score and what gaming costs a rep's conscience.
- **The interval**: a candidate is kept when its misfit is within the 95% chi-square bound
  of the best one's, the misfit counted against both the simulated mean's noise and the
  observed firm's own (one firm is one draw: its moments vary like one replication, so the
  calibration's ``J``, scaled by the mean's standard error, is divided by ``replications + 1``).
  The best candidate and those at each end of each parameter's kept range are simulated
  again, and the interval runs from the lowest to the highest 95% range of one firm's
  overstatement (mean plus or minus 1.96 standard deviations over replications) among them:
  the fit's uncertainty and one firm's luck together.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from npssim.experiment import calibrate
from npssim.experiment.analysis import Interval
from npssim.experiment.api import choose_executor, make_plan
from npssim.experiment.calibration import CalibrationResult
from npssim.experiment.engine import execute
from npssim.experiment.executors import open_executor
from npssim.experiment.results import ExperimentResults
from npssim.policy import WEEKS_PER_YEAR
from npssim.scenario import Scenario, load_scenario, with_overrides

#: The gaming drivers fitted, with their ranges: the schema's bounds for the weight, and
#: about half the low end to twice the high end of ``reps.moral_cost``'s plausible range.
FREE: dict[str, tuple[float, float]] = {
    "policy.incentives.nps_weight": (0.0, 1.0),
    "reps.moral_cost": (2_000.0, 30_000.0),
}
#: The moments matched, by the model's metric names.
MOMENTS: tuple[str, ...] = ("reported_nps", "response_rate", "retention_rate", "signal_validity")
#: Replications per candidate and candidates at most: about a minute on two cores for the
#: default firm (100 reps, 4,000 accounts, two years).
REPLICATIONS = 5
EVALUATIONS = 24
#: Who sent the invitations, to the policy's sampler.
SAMPLERS: dict[str, str] = {"rep": "rep", "firm": "random", "third_party": "third_party"}
CONFIDENCE = 0.95


@dataclass(frozen=True)
class Estimate:
    """The overstatement estimated through the model, and the fit behind it.

    Attributes:
        overstatement: Reported minus true NPS, points: the best fit's mean over replications,
            and the interval of :mod:`this module <npssim.diagnose.estimate>`.
        scenario: This firm, fitted.
        values: The fitted gaming drivers, by path.
        moments: The observed moments, by metric.
        calibration: The calibration's result (fit per moment, history).
        kept: The candidates within the bound: their values, misfit and overstatement.
    """

    overstatement: Interval
    scenario: Scenario
    values: dict[str, float]
    moments: dict[str, float]
    calibration: CalibrationResult
    kept: pd.DataFrame


def _window(responses: pd.DataFrame, accounts: pd.DataFrame) -> tuple[int, int]:
    """The export's weeks and the first week of its last year."""
    weeks = int(
        max(
            responses["week"].max() if len(responses) else 0,
            accounts["renewal_week"].max() if accounts["renewal_week"].notna().any() else 0,
        )
        + 1
    )
    return weeks, max(0, weeks - WEEKS_PER_YEAR)


def nps(scores: pd.Series) -> float:
    """Net Promoter Score of some answers: % of 9-10 minus % of 0-6."""
    if len(scores) == 0:
        return float("nan")
    return float(100.0 * ((scores >= 9).mean() - (scores <= 6).mean()))


def observed_moments(responses: pd.DataFrame, accounts: pd.DataFrame) -> dict[str, float]:
    """The firm's moments over the export's last 52 weeks (see the module's docstring)."""
    _, first = _window(responses, accounts)
    recent = responses[responses["week"] >= first]
    waves = recent.groupby("week")
    answered = recent[recent["answered"].astype(bool)]
    renewals = accounts.dropna(subset=["renewal_week", "renewed"])
    recent_renewals = renewals[renewals["renewal_week"] >= first]
    return {
        "reported_nps": float(answered.groupby("week")["score"].apply(nps).mean()),
        "response_rate": float(waves["answered"].mean().mean()),
        "retention_rate": float(recent_renewals["renewed"].mean()),
        "signal_validity": score_validity(responses, recent_renewals),
    }


def score_validity(responses: pd.DataFrame, renewals: pd.DataFrame) -> float:
    """AUC of each renewing account's last score in the year before, for renewal."""
    scores = responses.dropna(subset=["score"])[["account_id", "week", "score"]]
    scores = scores.assign(week=scores["week"].astype(float)).sort_values("week")
    due = renewals.assign(week=renewals["renewal_week"].astype(float)).sort_values("week")
    joined = pd.merge_asof(
        due,
        scores,
        on="week",
        by="account_id",
        direction="backward",
        allow_exact_matches=False,
        tolerance=float(WEEKS_PER_YEAR),
    ).dropna(subset=["score"])
    kept, lost = (
        joined.loc[joined["renewed"] == 1, "score"],
        joined.loc[joined["renewed"] == 0, "score"],
    )
    if kept.empty or lost.empty:
        return float("nan")
    return float(stats.mannwhitneyu(kept, lost).statistic / (len(kept) * len(lost)))


def firm_overrides(
    responses: pd.DataFrame, accounts: pd.DataFrame, scenario: Scenario
) -> dict[str, object]:
    """The firm's shape from its tables, as scenario overrides (see the module's docstring)."""
    weeks, first = _window(responses, accounts)
    latest = accounts.sort_values("renewal_week", na_position="first").drop_duplicates(
        "account_id", keep="last"
    )
    active = latest[latest["renewed"] != 0]
    # Reps who send a wave's invitations: each wave asks every rep's book, so the reps of a
    # wave are the firm's reps at the time (an account's owner at its last renewal may since
    # have left).
    per_wave = responses[responses["week"] >= first].groupby("week")["rep_id"].nunique()
    reps = max(1, round(float(per_wave.median())) if len(per_wave) else active["rep_id"].nunique())
    team = min(scenario.firm.reps_per_manager, reps)
    managers = max(1, round(reps / team))
    per_rep = max(1, round(len(active) / (managers * team)))
    sampler = SAMPLERS.get(str(responses["invited_by"].mode().iloc[0]), "rep")
    return {
        "firm.managers": managers,
        "firm.reps_per_manager": team,
        "firm.accounts_per_rep": per_rep,
        "policy.survey.sampler": sampler,
        "run.weeks": max(weeks, WEEKS_PER_YEAR),
    }


def spread_out(candidates: pd.DataFrame, paths: list[str]) -> pd.DataFrame:
    """The best candidate, then those at each end of each free parameter's kept range.

    The overstatement moves with the gaming drivers, so the ends of the confidence set are
    where its interval's ends are found; at most ``1 + 2 x free parameters`` candidates.
    """
    chosen = [candidates.index[0]]
    for path in paths:
        chosen += [candidates[path].idxmin(), candidates[path].idxmax()]
    unique = list(dict.fromkeys(chosen))
    return candidates.loc[unique].reset_index(drop=True)


def estimate_overstatement(
    responses: pd.DataFrame,
    accounts: pd.DataFrame,
    *,
    scenario: Scenario | str = "baseline",
    seed: int | None = None,
    free: Mapping[str, tuple[float, float]] = FREE,
    replications: int = REPLICATIONS,
    max_evaluations: int = EVALUATIONS,
    workers: int | None = None,
    progress: bool = False,
) -> Estimate:
    """Fit the model's gaming drivers to the firm's moments; read the overstatement there.

    Args:
        responses: The responses table.
        accounts: The accounts table.
        scenario: The firm's other assumptions (the bundled ``baseline`` by default).
        seed: Root seed of the replications (the scenario's by default).
        free: The parameters fitted and their ranges.
        replications: Replications per candidate (common random numbers).
        max_evaluations: Candidates simulated at most.
        workers: Local worker processes (the engine's choice by default).
        progress: Show progress bars.
    """
    base = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    base = with_overrides(base, firm_overrides(responses, accounts, base), source="exports")
    moments = observed_moments(responses, accounts)
    targets = {name: value for name, value in moments.items() if math.isfinite(value)}
    result = calibrate(
        base,
        targets,
        dict(free),
        replications=replications,
        max_evaluations=max_evaluations,
        seed=seed,
        workers=workers,
        progress=progress,
    )
    history = result.history.sort_values("objective")
    best = float(history["objective"].iloc[0])
    bound = float(stats.chi2.ppf(CONFIDENCE, len(targets)))
    scaled = (history["objective"] - best) / (replications + 1)
    kept = spread_out(history[scaled <= bound], list(free))
    points = [{path: float(row[path]) for path in free} for _, row in kept.iterrows()]
    plan = make_plan(
        "calibrate", [result.scenario], replications, result.settings["seed"], None, None, points
    )
    choice, _ = choose_executor(None, workers, len(points) * replications)
    with open_executor(choice, len(points) * replications) as running:
        runs, _ = execute(plan.tasks(), running, progress=progress, description="overstatement")
    per_run = ExperimentResults(plan, runs).per_run("long")
    means, lows, highs = [], [], []
    z = float(stats.norm.ppf(0.5 + CONFIDENCE / 2))
    for index in range(len(points)):
        values = per_run.loc[per_run["point"] == index, "nps_inflation"].to_numpy(float)
        mean, sd = float(np.mean(values)), float(np.std(values, ddof=1)) if values.size > 1 else 0.0
        means.append(mean)
        lows.append(mean - z * sd)
        highs.append(mean + z * sd)
    kept = kept.assign(overstatement=means, low=lows, high=highs)
    best_values = per_run.loc[per_run["point"] == 0, "nps_inflation"].to_numpy(float)
    overstatement = Interval(
        mean=means[0],
        low=float(min(lows)),
        high=float(max(highs)),
        sd=float(np.std(best_values, ddof=1)) if best_values.size > 1 else float("nan"),
        n=int(best_values.size),
    )
    return Estimate(
        overstatement=overstatement,
        scenario=result.scenario,
        values=result.values,
        moments=moments,
        calibration=result,
        kept=kept,
    )
