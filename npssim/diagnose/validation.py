"""How well the fingerprints find gamed reps, measured on simulated firms whose truth is known.

A simulated firm's exports carry the truth per rep (:mod:`npssim.diagnose.exports`): the
share of its answers a tactic touched. Validation runs bundled scenarios at several seeds and
firm sizes and reports, per fingerprint and combined:

- ``auc``: the area under the ROC curve of the rep's z (or the combined ``suspicion``) for
  telling the reps whose true gaming share is above their firm's median from the others
  (:func:`auc`); 0.5 is chance, 1 a perfect ranking. Undefined (NaN) where no rep games, or
  all reps game alike;
- ``flagged_share``: the share of reps flagged (Benjamini-Hochberg at the false discovery
  rate); under ``baseline`` nobody is paid on the score, so every flag there is a false alarm;
- ``coverage``: whether the overstatement's interval (:mod:`npssim.diagnose.estimate`)
  covers the simulated firm's true overstatement (when ``estimate`` is on);
- ``answers_per_rep``: the median answers a rep has, which is what a fingerprint's power
  falls with (smaller books, fewer answers).

The combination's weights are learned here too (:func:`learn_weights`), on seeds the
validation never uses (:data:`TRAINING`), so the published AUC is measured out of sample.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from npssim.diagnose.exports import Exports, simulate_exports
from npssim.diagnose.fingerprints import FINGERPRINT_NAMES, flag, score_reps
from npssim.scenario import Scenario, load_scenario, with_overrides

#: Scenarios and seeds :data:`npssim.diagnose.fingerprints.WEIGHTS` were learned on.
TRAINING: tuple[tuple[str, tuple[int, ...]], ...] = (
    ("nps_bonus", (101, 102, 103, 104, 105)),
    ("rank_and_yank", (101, 102)),
    ("team_target", (101, 102)),
    ("well_designed_bonus", (101, 102)),
)
#: What validation runs by default: the honest firm, the plain bonus and the designed one.
SCENARIOS: tuple[str, ...] = ("baseline", "nps_bonus", "well_designed_bonus")
#: Default seeds: none of them in :data:`TRAINING`.
SEEDS: tuple[int, ...] = (1, 2, 3)
#: Default firm sizes, as accounts per rep (the default firm has 40): fewer accounts, fewer
#: answers per rep.
SIZES: tuple[int, ...] = (40, 20, 10)


def auc(score: pd.Series | np.ndarray, gaming_share: pd.Series | np.ndarray) -> float:
    """AUC of ``score`` for the reps whose true gaming share is above the median of all reps'.

    The positives are the reps whose ``gaming_share`` is strictly above the median (reps
    without a score or a share are left out); the AUC is the Mann-Whitney U statistic of the
    positives' scores against the others', over the number of pairs (ties count a half), as
    ``scipy.stats.mannwhitneyu`` computes it.

    Returns:
        The AUC, or NaN when either group is empty.
    """
    frame = pd.DataFrame(
        {"score": np.asarray(score, dtype=float), "truth": np.asarray(gaming_share, dtype=float)}
    ).dropna()
    positive = frame["truth"] > frame["truth"].median()
    high, low = frame.loc[positive, "score"], frame.loc[~positive, "score"]
    if high.empty or low.empty:
        return float("nan")
    return float(stats.mannwhitneyu(high, low).statistic / (len(high) * len(low)))


def learn_weights(firms: Iterable[Exports]) -> dict[str, float]:
    """Fisher's linear discriminant of gamed reps over the fingerprints' standardised z's.

    The reps of each firm whose true gaming share is above the firm's median are one class,
    the others the other; the weights are the within-class covariance's inverse times the
    classes' mean difference (a small ridge keeps it invertible), negative weights set to 0
    and the rest scaled to sum of squares 1. A missing z counts as 0 (typical).
    """
    features, labels = [], []
    for firm in firms:
        if firm.truth is None:
            continue
        reps = score_reps(firm.responses, firm.accounts).merge(firm.truth, on="rep_id")
        reps = reps.dropna(subset=["gaming_share"])
        if reps["gaming_share"].nunique() < 2:
            continue
        features.append(reps[[f"{name}_z" for name in FINGERPRINT_NAMES]].fillna(0.0).to_numpy())
        labels.append((reps["gaming_share"] > reps["gaming_share"].median()).to_numpy())
    if not features:
        raise ValueError("learn_weights: no firm with reps that game unequally")
    x, y = np.vstack(features), np.concatenate(labels)
    difference = x[y].mean(axis=0) - x[~y].mean(axis=0)
    within = (np.cov(x[y].T) * (y.sum() - 1) + np.cov(x[~y].T) * ((~y).sum() - 1)) / (y.size - 2)
    within = np.nan_to_num(within) + 1e-3 * np.eye(len(within))
    weights = np.clip(np.linalg.solve(within, difference), 0.0, None)
    total = float(np.sqrt((weights**2).sum()))
    weights = weights / total if total > 0 else weights
    return {name: round(float(w), 3) for name, w in zip(FINGERPRINT_NAMES, weights, strict=True)}


def training_firms() -> list[Exports]:
    """The simulated firms of :data:`TRAINING` (default size)."""
    return [simulate_exports(name, seed=seed) for name, seeds in TRAINING for seed in seeds]


def measure(firm: Exports, *, fdr: float = 0.05) -> list[dict[str, float | str]]:
    """One firm's rows of the validation table: per fingerprint and ``combined``."""
    reps = score_reps(firm.responses, firm.accounts, fdr=fdr)
    truth = firm.truth if firm.truth is not None else pd.DataFrame(columns=["rep_id"])
    joined = reps.merge(truth, on="rep_id", how="left")
    if "gaming_share" not in joined:
        joined["gaming_share"] = np.nan
    common = {
        "reps": len(reps),
        "answers_per_rep": float(reps["answers"].median()),
        "true_gaming_share": float(joined["gaming_share"].mean()),
    }
    rows: list[dict[str, float | str]] = []
    for name in FINGERPRINT_NAMES:
        z = joined[f"{name}_z"]
        rows.append(
            {
                "fingerprint": name,
                **common,
                "auc": auc(z, joined["gaming_share"]),
                "flagged_share": float(flag(joined[f"{name}_p"], fdr).mean()),
            }
        )
    rows.append(
        {
            "fingerprint": "combined",
            **common,
            "auc": auc(
                joined["suspicion"], joined.get("gaming_share", joined["suspicion"] * np.nan)
            ),
            "flagged_share": float(joined["flagged"].mean()),
        }
    )
    return rows


def validate(
    *,
    scenarios: Sequence[str | Scenario] = SCENARIOS,
    seeds: Sequence[int] = SEEDS,
    sizes: Sequence[int] = SIZES,
    fdr: float = 0.05,
    estimate: bool = False,
    progress: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """The validation table: scenarios x sizes x seeds x fingerprints (and ``combined``).

    The defaults (3 scenarios x 3 sizes x 3 seeds, 27 firms, no estimate) take one to three
    minutes on two cores; ``estimate`` adds a minute or two per firm.

    Args:
        scenarios: Bundled scenario names, files or :class:`Scenario` objects.
        seeds: Root seeds of the simulated firms.
        sizes: Accounts per rep of each firm (the rest of the firm as the scenario has it).
        fdr: The false discovery rate reps are flagged at.
        estimate: Also estimate each firm's overstatement through the model
            (:func:`npssim.diagnose.estimate.estimate_overstatement`, a minute or two a firm) and
            report whether its interval covers the truth.
        progress: Called with a line as each firm is done.

    Returns:
        One row per scenario, size, seed and fingerprint: ``scenario``, ``accounts_per_rep``,
        ``seed``, ``fingerprint``, ``reps``, ``answers_per_rep``, ``true_gaming_share``,
        ``auc``, ``flagged_share``, ``true_overstatement``, and with ``estimate`` the
        ``estimated_overstatement``, its ``low`` and ``high`` and ``covered``.
    """
    rows = []
    for scenario in scenarios:
        for size in sizes:
            size_set = {"firm.accounts_per_rep": size}
            if isinstance(scenario, Scenario):
                base = with_overrides(scenario, size_set, source="sizes")
            else:
                base = load_scenario(scenario, size_set)
            for seed in seeds:
                firm = simulate_exports(base, seed=seed)
                extra: dict[str, float | bool | str] = {
                    "scenario": base.name,
                    "accounts_per_rep": size,
                    "seed": seed,
                    "true_overstatement": firm.overstatement
                    if firm.overstatement is not None
                    else np.nan,
                }
                if estimate:
                    from npssim.diagnose.estimate import estimate_overstatement

                    fitted = estimate_overstatement(firm.responses, firm.accounts, seed=seed)
                    interval = fitted.overstatement
                    extra.update(
                        estimated_overstatement=interval.mean,
                        low=interval.low,
                        high=interval.high,
                        covered=bool(interval.low <= extra["true_overstatement"] <= interval.high),
                    )
                rows.extend({**extra, **row} for row in measure(firm, fdr=fdr))
                if progress is not None:
                    progress(f"validated {scenario}, {size} accounts per rep, seed {seed}")
    return pd.DataFrame(rows)


def summary(table: pd.DataFrame) -> pd.DataFrame:
    """The validation table averaged over seeds: mean AUC, flagged share and coverage."""
    columns = {"auc": "mean", "flagged_share": "mean", "answers_per_rep": "median"}
    if "covered" in table:
        columns["covered"] = "mean"
    return (
        table.groupby(["scenario", "accounts_per_rep", "fingerprint"], sort=False)
        .agg(columns)
        .reset_index()
    )
