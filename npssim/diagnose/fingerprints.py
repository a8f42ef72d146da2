"""Gaming's fingerprints in a firm's two exports, rep by rep, and a combined suspicion.

Each fingerprint is a test a rep can fail, measured from the responses and accounts tables
only (never from the truth a simulated firm also has):

- ``top_box``: more 9s and 10s than the rep's book predicts (pleas, bribes, hostage promises);
- ``spread``: too little spread in its scores (answers pushed to the top);
- ``at_risk``: too few invitations to accounts that later churn (cherry-picking);
- ``response_rate``: more answers per invitation than peers (pleading, nudges, hostages);
- ``promoters_churn``: promoters who then churn (a 9-10 that no longer means loyalty);
- ``discount_before_promoter``: larger discounts at renewals that a 9-10 soon follows
  (concessions traded for scores);
- ``quarter_end``: more 9-10s in the weeks before quarter ends (scores bunching before reviews);
- ``rep_vs_automated``: higher scores from rep-triggered invitations than from the firm's
  automated ones, where a rep has both.

Each gives a statistic in plain units and a one-sided z, positive where the rep looks gamed,
from an exact or asymptotic test against what the rep's peers (pooled) or its book predicts.
Honest reps differ more than sampling noise alone (books, skill), and the tests share data, so
the z's are not read against N(0, 1) but against the peers' own spread: each is standardised by
the median and the median absolute deviation over reps, an empirical null (Efron 2004, "Large-
scale simultaneous hypothesis testing"), which holds as long as most reps are not outliers in
the same direction. The combined ``suspicion`` is Stouffer's sum of the standardised z's over
the fingerprints a rep has, each weighted by how well it tells gamed reps from others in
simulated firms whose truth is known (:data:`WEIGHTS`), standardised once more the same way
(the fingerprints are correlated, so Stouffer's N(0, 1) would not hold); its p-value is read
from that. Reps are
``flagged`` by Benjamini-Hochberg at the chosen false discovery rate.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.tools.sm_exceptions import PerfectSeparationError

from npssim.policy import WEEKS_PER_QUARTER

#: Fewest answers a rep needs for its score-based fingerprints to be computed (below it the
#: rep gets NaN there: a handful of answers says nothing about a distribution).
MIN_ANSWERS = 5
#: Scores counted as a promoter's (9-10) and a detractor's (0-6), as NPS defines them.
PROMOTER_MIN, DETRACTOR_MAX = 9, 6
#: Weeks after a renewal within which a 9-10 counts as following its discount: one quarter.
FOLLOWS_WITHIN = WEEKS_PER_QUARTER
#: Weeks before a quarter's end counted as "before the review": the last wave of a quarter.
QUARTER_END_WEEKS = 4
#: Scale factor making the median absolute deviation estimate a normal standard deviation.
MAD_TO_SD = 1.4826


@dataclass(frozen=True)
class Fingerprint:
    """One fingerprint: what it measures and which tactics leave it.

    Attributes:
        name: Its column in the per-rep table.
        description: One plain line on what it measures.
        tactics: The tactics that leave it (names as in :mod:`npssim.tactics`).
        unit: The unit of its statistic.
        measure: Computes, from the two tables, per rep (index ``rep_id``) its ``statistic``
            and a one-sided ``z`` (positive: looks gamed).
    """

    name: str
    description: str
    tactics: tuple[str, ...]
    unit: str
    measure: Callable[[pd.DataFrame, pd.DataFrame], pd.DataFrame]


def _frame(statistic: pd.Series, z: pd.Series) -> pd.DataFrame:
    return pd.DataFrame({"statistic": statistic, "z": z})


def _binomial_z(observed: pd.Series, expected: pd.Series, variance: pd.Series) -> pd.Series:
    """The normal approximation of a count against its expectation (continuity-corrected)."""
    excess = observed - expected
    corrected = np.sign(excess) * np.maximum(np.abs(excess) - 0.5, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (corrected / np.sqrt(variance)).where(variance > 0)


def answered(responses: pd.DataFrame) -> pd.DataFrame:
    """The responses that were answered, with a promoter flag."""
    scored = responses[responses["answered"].astype(bool) & responses["score"].notna()].copy()
    scored["promoter"] = scored["score"] >= PROMOTER_MIN
    return scored


def churned_accounts(accounts: pd.DataFrame) -> pd.Index:
    """Accounts that churned at a renewal in the window."""
    return pd.Index(accounts.loc[accounts["renewed"] == 0, "account_id"].unique())


def top_box(responses: pd.DataFrame, accounts: pd.DataFrame) -> pd.DataFrame:
    """Share of 9-10 beyond what the rep's book predicts.

    The prediction is each answer's chance of a 9-10 from a logistic regression over the
    firm's answers (statsmodels GLM) on what the CRM says about satisfaction: how the
    answering account's contract ends in the window (churned, renewed, not yet due) and the
    churn rate of the rep's whole book (a rep whose customers leave is expected to have fewer
    promoters). Its answers' 9-10 count is tested against the sum of those chances (binomial,
    normal approximation).
    """
    scored = answered(responses)
    outcome = accounts.groupby("account_id")["renewed"].min()
    scored["outcome"] = scored["account_id"].map(outcome).fillna(-1.0)
    due = accounts.dropna(subset=["renewed"])
    churn = (due["renewed"] == 0).groupby(due["rep_id"]).mean()
    scored["book_churn"] = scored["rep_id"].map(churn).fillna(float((due["renewed"] == 0).mean()))
    scored["chance"] = _predicted(scored)
    per_rep = scored.groupby("rep_id").agg(
        n=("promoter", "size"), observed=("promoter", "sum"), expected=("chance", "sum")
    )
    variance = (
        scored.assign(v=scored["chance"] * (1 - scored["chance"])).groupby("rep_id")["v"].sum()
    )
    per_rep = per_rep[per_rep["n"] >= MIN_ANSWERS]
    statistic = (per_rep["observed"] - per_rep["expected"]) / per_rep["n"]
    return _frame(
        statistic,
        _binomial_z(per_rep["observed"], per_rep["expected"], variance.loc[per_rep.index]),
    )


def _predicted(scored: pd.DataFrame) -> np.ndarray:
    """Each answer's chance of a 9-10 from its account's outcome and its rep's book churn."""
    design = pd.get_dummies(scored["outcome"].astype(str), prefix="outcome", dtype=float)
    design["book_churn"] = scored["book_churn"].astype(float)
    design = sm.add_constant(design.iloc[:, 1:], has_constant="add")
    target = scored["promoter"].astype(float)
    if target.nunique() < 2:
        return np.full(len(scored), float(target.mean()) if len(target) else np.nan)
    try:
        fitted = sm.GLM(target, design, family=sm.families.Binomial()).fit()
    except (np.linalg.LinAlgError, ValueError, PerfectSeparationError):
        return scored.groupby("outcome")["promoter"].transform("mean").to_numpy()
    return np.asarray(fitted.predict(design))


def spread(responses: pd.DataFrame, accounts: pd.DataFrame) -> pd.DataFrame:
    """Too little spread for the rep's level: its scores' variance against what its mean predicts.

    Scores near the top of the scale vary less whoever gives them, so a rep's variance is read
    against the firm's curve: the log variance of each rep's scores regressed on its mean score
    and its square (least squares over reps, weighted by answers). The statistic is the rep's
    variance over the curve's; the z is the shortfall of its log variance in standard errors
    (``sqrt(2 / (n - 1))``, the log of a sample variance's).
    """
    scored = answered(responses)
    per_rep = scored.groupby("rep_id")["score"].agg(["size", "mean", "var"])
    per_rep = per_rep[(per_rep["size"] >= MIN_ANSWERS) & (per_rep["var"] > 0)]
    if len(per_rep) < 4:
        return _frame(pd.Series(dtype=float), pd.Series(dtype=float))
    design = np.column_stack([np.ones(len(per_rep)), per_rep["mean"], per_rep["mean"] ** 2])
    weight = np.sqrt(per_rep["size"].to_numpy(dtype=float) - 1)
    log_var = np.log(per_rep["var"].to_numpy())
    coefficients, *_ = np.linalg.lstsq(design * weight[:, None], log_var * weight, rcond=None)
    residual = log_var - design @ coefficients
    z = -residual / np.sqrt(2.0 / (per_rep["size"] - 1))
    return _frame(pd.Series(np.exp(residual), index=per_rep.index), z)


def at_risk(responses: pd.DataFrame, accounts: pd.DataFrame) -> pd.DataFrame:
    """Too few invitations to accounts that later churn.

    Across the firm an account that churns in the window is invited ``k`` times as often as
    one that stays (fewer weeks on the books, and whatever the sampler does). A rep with ``c``
    churners and ``s`` others should send a share ``c k / (c k + s)`` of its invitations to
    churners; a deficit is tested as a binomial count. The statistic is the observed share over
    the expected one (1: as expected).
    """
    churned = churned_accounts(accounts)
    book = accounts.drop_duplicates("account_id")[["account_id", "rep_id"]].copy()
    book["churned"] = book["account_id"].isin(churned)
    invites = responses.groupby("account_id").size()
    book["invites"] = book["account_id"].map(invites).fillna(0.0)
    totals = book.groupby("churned")["invites"].agg(["sum", "size"])
    if not {True, False} <= set(totals.index) or totals.loc[False, "sum"] == 0:
        return _frame(pd.Series(dtype=float), pd.Series(dtype=float))
    rate = totals["sum"] / totals["size"]
    k = rate[True] / rate[False]
    per_rep = book.groupby("rep_id").agg(
        churners=("churned", "sum"), accounts=("churned", "size"), invites=("invites", "sum")
    )
    to_churners = book[book["churned"]].groupby("rep_id")["invites"].sum()
    per_rep["observed"] = to_churners.reindex(per_rep.index).fillna(0.0)
    weight = per_rep["churners"] * k
    share = weight / (weight + per_rep["accounts"] - per_rep["churners"])
    per_rep = per_rep[(per_rep["churners"] > 0) & (per_rep["invites"] > 0)]
    share = share.loc[per_rep.index]
    expected = per_rep["invites"] * share
    statistic = per_rep["observed"] / expected
    z = -_binomial_z(per_rep["observed"], expected, expected * (1 - share))
    return _frame(statistic, z)


def response_rate(responses: pd.DataFrame, accounts: pd.DataFrame) -> pd.DataFrame:
    """Answers per invitation against peers' pooled rate (binomial); the statistic is the rate."""
    rate = float(responses["answered"].mean())
    per_rep = responses.groupby("rep_id")["answered"].agg(["size", "sum"])
    expected = per_rep["size"] * rate
    z = _binomial_z(per_rep["sum"], expected, expected * (1 - rate))
    return _frame(per_rep["sum"] / per_rep["size"], z)


def _next_renewal(answers: pd.DataFrame, accounts: pd.DataFrame) -> pd.DataFrame:
    """Each answer with its account's first renewal outcome after it (dropped if none)."""
    renewals = accounts.dropna(subset=["renewal_week", "renewed"])[
        ["account_id", "renewal_week", "renewed"]
    ].sort_values("renewal_week")
    left = answers.assign(week=answers["week"].astype(float)).sort_values("week")
    joined = pd.merge_asof(
        left,
        renewals.rename(columns={"renewal_week": "week_due"}).assign(
            week=lambda frame: frame["week_due"]
        ),
        on="week",
        by="account_id",
        direction="forward",
        allow_exact_matches=False,
    )
    return joined.dropna(subset=["renewed"])


def promoters_churn(responses: pd.DataFrame, accounts: pd.DataFrame) -> pd.DataFrame:
    """Promoters who churn at their next renewal, against the pooled rate among promoters.

    The statistic is the rep's churn rate after a 9-10; the test is binomial.
    """
    promoters = _next_renewal(answered(responses).query("promoter"), accounts)
    rate = float((promoters["renewed"] == 0).mean()) if len(promoters) else np.nan
    per_rep = promoters.groupby("rep_id")["renewed"].agg(
        n="size", churned=lambda renewed: float((renewed == 0).sum())
    )
    expected = per_rep["n"] * rate
    z = _binomial_z(per_rep["churned"], expected, expected * (1 - rate))
    return _frame(per_rep["churned"] / per_rep["n"], z)


def discount_before_promoter(responses: pd.DataFrame, accounts: pd.DataFrame) -> pd.DataFrame:
    """Discounts at renewals that a 9-10 from the same account follows within a quarter.

    Each such renewal's discount is compared with the median discount of renewals of accounts
    of similar value (deciles of annual value, over the firm); the rep's mean excess is tested
    with a one-sample t-test. The statistic is that mean excess (share of list price).
    """
    renewals = accounts.dropna(subset=["renewal_week"]).copy()
    if renewals.empty:
        return _frame(pd.Series(dtype=float), pd.Series(dtype=float))
    deciles = min(10, renewals["annual_value"].nunique())
    renewals["band"] = pd.qcut(renewals["annual_value"], deciles, labels=False, duplicates="drop")
    renewals["excess"] = renewals["discount"] - renewals.groupby("band")["discount"].transform(
        "median"
    )
    promoters = answered(responses).query("promoter")[["account_id", "week"]]
    promoters = promoters.assign(week=promoters["week"].astype(float)).sort_values("week")
    left = renewals.assign(week=renewals["renewal_week"]).sort_values("week")
    joined = pd.merge_asof(
        left,
        promoters.assign(answer_week=promoters["week"]),
        on="week",
        by="account_id",
        direction="forward",
        tolerance=float(FOLLOWS_WITHIN),
    )
    followed = joined.dropna(subset=["answer_week"])
    per_rep = followed.groupby("rep_id")["excess"].agg(["size", "mean", "std"])
    pooled_sd = float(followed["excess"].std(ddof=1)) if len(followed) > 1 else np.nan
    # A rep with few such renewals borrows the pooled spread (its own is too noisy to use).
    sd = np.sqrt((per_rep["size"] - 1) * per_rep["std"].fillna(0) ** 2 + 2 * pooled_sd**2)
    sd = sd / np.sqrt(per_rep["size"] + 1)
    t = per_rep["mean"] / (sd / np.sqrt(per_rep["size"]))
    return _frame(per_rep["mean"], t.where(sd > 0))


def quarter_end(responses: pd.DataFrame, accounts: pd.DataFrame) -> pd.DataFrame:
    """More 9-10s in the last weeks of a quarter than in its other weeks (two proportions)."""
    scored = answered(responses)
    late = (scored["week"] % WEEKS_PER_QUARTER) >= WEEKS_PER_QUARTER - QUARTER_END_WEEKS
    scored = scored.assign(late=late)
    table = scored.groupby(["rep_id", "late"])["promoter"].agg(["size", "sum"]).unstack("late")
    if table.shape[1] < 4:
        return _frame(pd.Series(dtype=float), pd.Series(dtype=float))
    n_late, n_early = table[("size", True)], table[("size", False)]
    p_late = table[("sum", True)] / n_late
    p_early = table[("sum", False)] / n_early
    pooled = (table[("sum", True)] + table[("sum", False)]) / (n_late + n_early)
    se = np.sqrt(pooled * (1 - pooled) * (1 / n_late + 1 / n_early))
    statistic = p_late - p_early
    return _frame(statistic, (statistic / se).where(se > 0))


def rep_vs_automated(responses: pd.DataFrame, accounts: pd.DataFrame) -> pd.DataFrame:
    """Scores from rep-triggered invitations above those from automated ones (Mann-Whitney).

    Only reps with answers of both kinds get a value; the statistic is the difference of
    their mean scores.
    """
    scored = answered(responses)
    rows = {}
    for rep, group in scored.groupby("rep_id"):
        mine = group.loc[group["invited_by"] == "rep", "score"]
        others = group.loc[group["invited_by"] != "rep", "score"]
        if len(mine) >= MIN_ANSWERS and len(others) >= MIN_ANSWERS:
            test = stats.mannwhitneyu(mine, others, alternative="greater")
            p = float(np.clip(test.pvalue, 1e-12, 1 - 1e-12))
            rows[rep] = (float(mine.mean() - others.mean()), float(stats.norm.isf(p)))
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=["statistic", "z"])
    return frame


#: Every fingerprint, in the order of the per-rep table.
FINGERPRINTS: tuple[Fingerprint, ...] = (
    Fingerprint(
        "top_box",
        "Share of 9-10 scores beyond what the rep's book (how its accounts' contracts end) "
        "predicts",
        ("coach", "bribe", "concede", "giveaway", "cherry_pick"),
        "share of answers",
        top_box,
    ),
    Fingerprint(
        "spread",
        "Variance of the rep's scores relative to what its mean score predicts (low: scores "
        "pushed together)",
        ("coach", "bribe", "concede"),
        "ratio of variances",
        spread,
    ),
    Fingerprint(
        "at_risk",
        "Invitations to accounts that later churn, relative to what the rep's book predicts "
        "(low: unhappy accounts kept out)",
        ("cherry_pick",),
        "observed / expected",
        at_risk,
    ),
    Fingerprint(
        "response_rate",
        "Answers per invitation (high against peers: customers pressed to answer)",
        ("coach", "bribe", "concede"),
        "share of invitations",
        response_rate,
    ),
    Fingerprint(
        "promoters_churn",
        "Share of 9-10 answers whose account churns at its next renewal (a score that no "
        "longer means loyalty)",
        ("coach", "bribe", "concede", "giveaway"),
        "share of promoters",
        promoters_churn,
    ),
    Fingerprint(
        "discount_before_promoter",
        "Discount beyond accounts of like value at renewals a 9-10 follows within a quarter "
        "(prices traded for scores)",
        ("concede",),
        "share of list price",
        discount_before_promoter,
    ),
    Fingerprint(
        "quarter_end",
        "9-10 share in the last weeks of a quarter minus in its other weeks (scores bunching "
        "before reviews)",
        ("coach", "bribe", "teach_to_test"),
        "share of answers",
        quarter_end,
    ),
    Fingerprint(
        "rep_vs_automated",
        "Mean score from rep-triggered invitations minus from automated ones, where both exist",
        ("cherry_pick", "coach", "bribe"),
        "points (0-10)",
        rep_vs_automated,
    ),
)
FINGERPRINT_NAMES: tuple[str, ...] = tuple(fingerprint.name for fingerprint in FINGERPRINTS)


#: Each fingerprint's weight in the combined suspicion: Fisher's linear discriminant of the
#: reps whose true gaming share is above their firm's median, over the standardised z's of
#: simulated firms whose truth is known (negative weights set to 0, scaled to sum of squares
#: 1), re-derived by :func:`npssim.diagnose.validation.learn_weights` (the training set is
#: :data:`npssim.diagnose.validation.TRAINING`: bundled gaming scenarios at seeds the
#: validation never uses). ``rep_vs_automated`` cannot be measured there (no bundled firm has
#: one rep with both kinds of invitation): its weight is an assumption, a middling one.
WEIGHTS: dict[str, float] = {
    "top_box": 0.194,
    "spread": 0.0,
    "at_risk": 0.006,
    "response_rate": 0.863,
    "promoters_churn": 0.057,
    "discount_before_promoter": 0.463,
    "quarter_end": 0.0,
    "rep_vs_automated": 0.5,
}


def standardised(z: pd.Series) -> pd.Series:
    """``z`` against the reps' own spread: (z - median) / (1.4826 x median absolute deviation).

    The empirical null: what is typical among peers is no evidence, only departures from it.
    The scale is never below 1, the spread each z has by its own test: honest differences
    between reps only widen it, and a sparse statistic (most reps with no promoter who
    churned) can have a median absolute deviation near 0 that would make every count look
    extreme.
    """
    values = z.dropna()
    if len(values) < 3:
        return z * np.nan
    centre = float(values.median())
    scale = MAD_TO_SD * float((values - centre).abs().median())
    if not np.isfinite(scale):
        return z * np.nan
    return (z - centre) / max(scale, 1.0)


def score_reps(
    responses: pd.DataFrame,
    accounts: pd.DataFrame,
    *,
    fdr: float = 0.05,
    fingerprints: tuple[Fingerprint, ...] = FINGERPRINTS,
    weights: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Every rep's fingerprints, combined suspicion, p-value and flag.

    Returns:
        One row per rep: ``rep_id``, ``answers``, ``invitations``, then per fingerprint its
        statistic (column named after it), ``<name>_z`` (standardised against peers) and
        ``<name>_p``; ``suspicion`` (standardised Stouffer combination, higher is more
        suspicious), ``p_value`` and ``flagged`` (Benjamini-Hochberg at ``fdr``); sorted by
        suspicion, most suspicious first.
    """
    weights_by_name = WEIGHTS if weights is None else weights
    reps = responses.groupby("rep_id").agg(
        invitations=("answered", "size"), answers=("answered", "sum")
    )
    zs = {}
    for fingerprint in fingerprints:
        measured = fingerprint.measure(responses, accounts).reindex(reps.index)
        z = standardised(measured["z"].astype(float))
        reps[fingerprint.name] = measured["statistic"].astype(float)
        reps[f"{fingerprint.name}_z"] = z
        reps[f"{fingerprint.name}_p"] = stats.norm.sf(z)
        zs[fingerprint.name] = z
    frame = pd.DataFrame(zs)
    weights = pd.Series({name: float(weights_by_name.get(name, 0.0)) for name in frame.columns})
    present = frame.notna()
    weighted = frame.fillna(0.0).mul(weights, axis=1)
    norm = np.sqrt((present * weights**2).sum(axis=1))
    stouffer = (weighted.sum(axis=1) / norm).where(norm > 0)
    reps["suspicion"] = standardised(stouffer)
    reps["p_value"] = stats.norm.sf(reps["suspicion"])
    reps["flagged"] = flag(reps["p_value"], fdr)
    reps = reps.reset_index().rename(columns={"index": "rep_id"})
    return reps.sort_values("suspicion", ascending=False, na_position="last").reset_index(drop=True)


def flag(p_values: pd.Series, fdr: float) -> pd.Series:
    """Benjamini-Hochberg at ``fdr`` over the p-values that exist (a missing one is not flagged)."""
    flagged = pd.Series(False, index=p_values.index)
    present = p_values.dropna()
    if len(present):
        rejected, *_ = multipletests(present.to_numpy(), alpha=fdr, method="fdr_bh")
        flagged.loc[present.index] = rejected
    return flagged


def firm_fingerprints(reps: pd.DataFrame, fdr: float = 0.05) -> pd.DataFrame:
    """Per fingerprint: its description, the firm's median statistic, how many reps it marks.

    A fingerprint is ``present`` when Benjamini-Hochberg at ``fdr``, run over every rep's
    p-value on every fingerprint at once, finds at least one rep on it: the firm has reps whose
    departure from their peers is not noise.
    """
    columns = [f"{fp.name}_p" for fp in FINGERPRINTS if f"{fp.name}_p" in reps]
    grid = reps[columns].stack() if columns else pd.Series(dtype=float)
    marks = flag(grid, fdr)
    rows = []
    for fingerprint in FINGERPRINTS:
        column = f"{fingerprint.name}_p"
        marked = int(marks.xs(column, level=1).sum()) if column in columns and len(grid) else 0
        rows.append(
            {
                "name": fingerprint.name,
                "description": fingerprint.description,
                "unit": fingerprint.unit,
                "statistic": float(reps[fingerprint.name].median())
                if fingerprint.name in reps
                else np.nan,
                "reps_measured": int(reps[fingerprint.name].notna().sum())
                if fingerprint.name in reps
                else 0,
                "reps_marked": marked,
                "present": marked > 0,
                "tactics": ", ".join(fingerprint.tactics),
            }
        )
    return pd.DataFrame(rows)
