"""Evidence: the published patterns of metric gaming, reproduced (or not) from the defaults.

:func:`run_evidence` runs three fixed experiments on shared replication seeds:

- a comparison of six scenarios: ``baseline``, ``baseline`` without non-response bias,
  ``nps_bonus``, ``nps_bonus`` without resentment, ``audited`` and ``third_party_survey``;
- a sweep of ``baseline`` over the response rate;
- a sweep of ``nps_bonus`` over the bonus weight on NPS.

It then reads one finding per pattern: the model's figure with its 95% interval, what the
published source leads one to expect, and whether the figure meets it (``holds``). Where a
pattern does not hold, the finding says why. The patterns and sources are in ``FACTS.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from npssim import __version__
from npssim.experiment.analysis import Interval, interval
from npssim.experiment.api import ExecutorLike, run_experiment
from npssim.experiment.results import ExperimentResults
from npssim.experiment.sweep import SweepResults, run_sweep
from npssim.files import atomic_path
from npssim.report import plot_intervals, plot_metrics, plot_sweep, save_figure
from npssim.scenario import Scenario, load_scenario

#: Replications per scenario and design point when none are given.
DEFAULT_REPLICATIONS = 20
#: Response rates of the non-response sweep, and bonus weights of the multitask sweep.
RESPONSE_RATES = (0.1, 0.3, 0.6, 0.9)
BONUS_WEIGHTS = (0.0, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1.0)
#: What the accumulation figure draws week by week.
ACCUMULATING = (
    "reported_nps",
    "true_nps",
    "savvy_share",
    "concession_cost",
    "honest_rep_share",
    "share_coached",
)
#: The table's columns, in order.
COLUMNS = ("pattern", "source", "model", "ci_low", "ci_high", "shown", "expected", "holds", "note")


@dataclass(frozen=True)
class Finding:
    """One pattern as the model reproduces it.

    Attributes:
        key: Short name, also the figure's file name.
        pattern: The published pattern, in words.
        source: Where it was published.
        estimate: The model's figure over replications (mean and 95% interval).
        shown: The estimate as text, in its unit.
        expected: What the source leads one to expect.
        holds: Whether the model's figure meets the expectation.
        note: Why it does not hold, or what else to read beside it.
        figure: The figure that shows it.
    """

    key: str
    pattern: str
    source: str
    estimate: Interval
    shown: str
    expected: str
    holds: bool
    note: str
    figure: Figure


class EvidenceResults:
    """The findings of :func:`run_evidence`, as a table, figures and files."""

    def __init__(self, findings: list[Finding], settings: dict[str, Any]) -> None:
        self.findings = findings
        self.settings = settings

    def table(self) -> pd.DataFrame:
        """One row per pattern: the columns of :data:`COLUMNS`."""
        return pd.DataFrame(
            [
                {
                    "pattern": finding.pattern,
                    "source": finding.source,
                    "model": finding.estimate.mean,
                    "ci_low": finding.estimate.low,
                    "ci_high": finding.estimate.high,
                    "shown": finding.shown,
                    "expected": finding.expected,
                    "holds": finding.holds,
                    "note": finding.note,
                }
                for finding in self.findings
            ],
            columns=list(COLUMNS),
        )

    def markdown(self, command: str) -> str:
        """The table as a Markdown page, with the command that made it and the figures."""
        lines = [
            "# Evidence: published patterns, reproduced from the default calibration",
            "",
            f"Made by `{command}` with npssim {__version__}: "
            f"{self.settings['replications']} replications per scenario and design point, root "
            f"seed {self.settings['seed']}, {self.settings['weeks']} weeks. Figures are means "
            "with 95% intervals over replications; differences are paired (the same seeds).",
            "",
            "| pattern | source | model (95% interval) | expected | holds |",
            "|---|---|---|---|---|",
        ]
        for finding in self.findings:
            holds = "yes" if finding.holds else "**no**"
            lines.append(
                f"| {finding.pattern} | {finding.source} | {finding.shown} | "
                f"{finding.expected} | {holds} |"
            )
        lines += ["", "## Notes and figures", ""]
        for finding in self.findings:
            lines += [
                f"### {finding.pattern}",
                "",
                finding.note,
                "",
                f"![{finding.key}](img/evidence/{finding.key}.png)",
                "",
            ]
        return "\n".join(lines)

    def save(self, folder: str | Path, command: str) -> list[Path]:
        """Write ``evidence.md``, ``evidence.csv`` and ``img/evidence/*.png`` into ``folder``."""
        folder = Path(folder)
        (folder / "img" / "evidence").mkdir(parents=True, exist_ok=True)
        written = []
        for finding in self.findings:
            path = folder / "img" / "evidence" / f"{finding.key}.png"
            save_figure(finding.figure, path)
            written.append(path)
        for name, text in (
            ("evidence.csv", self.table().to_csv(index=False)),
            ("evidence.md", self.markdown(command)),
        ):
            with atomic_path(folder / name) as temporary:
                temporary.write_text(text, encoding="utf-8")
            written.append(folder / name)
        return written


def run_evidence(
    *,
    replications: int = DEFAULT_REPLICATIONS,
    seed: int | None = None,
    overrides: Mapping[str, Any] | None = None,
    executor: ExecutorLike = None,
    workers: int | None = None,
    progress: bool = False,
) -> EvidenceResults:
    """Run the pattern checks from the shipped defaults.

    Args:
        replications: Replications per scenario and design point.
        seed: Root seed (the bundled scenarios' ``run.seed`` by default).
        overrides: Values set in every scenario (for small, fast checks), like ``--set``.
        executor: Where the runs go, as in :func:`~npssim.experiment.run_experiment`.
        workers: Local worker processes.
        progress: Show progress bars.

    Returns:
        One finding per pattern.
    """
    settings = dict(overrides or {})
    execution = {"executor": executor, "workers": workers, "progress": progress}
    shared = {"replications": replications, "seed": seed, **execution}
    scenarios = [
        _variant("baseline", settings),
        _variant("baseline", settings, "no_nonresponse_bias", {"accounts.nonresponse_bias": 0.0}),
        _variant("nps_bonus", settings),
        _variant("nps_bonus", settings, "no_resentment", {"accounts.resent_probability": 0.0}),
        _variant("audited", settings),
        _variant("third_party_survey", settings),
    ]
    policies = run_experiment(scenarios, **shared)
    response = run_sweep(
        scenarios[0],
        {"accounts.response_rate": list(RESPONSE_RATES)},
        metrics=["reported_nps", "response_rate"],
        **shared,
    )
    weights = run_sweep(
        scenarios[2],
        {"policy.incentives.nps_weight": list(BONUS_WEIGHTS)},
        metrics=["genuine_effort", "true_nps"],
        **shared,
    )
    read = _Reader(policies)
    findings = [check(read, response, weights) for check in CHECKS]
    return EvidenceResults(
        findings,
        {"replications": replications, "seed": policies.plan.seed, "weeks": policies.plan.weeks},
    )


def _variant(
    name: str,
    settings: Mapping[str, Any],
    suffix: str = "",
    change: Mapping[str, Any] | None = None,
) -> Scenario:
    """A bundled scenario with the common settings and, under a new name, a change."""
    scenario = load_scenario(name, {**settings, **(change or {})})
    if not suffix:
        return scenario
    return scenario.model_copy(update={"name": f"{name}_{suffix}"})


class _Reader:
    """Per-replication values of the policy comparison, by scenario, horizon and metric."""

    def __init__(self, results: ExperimentResults) -> None:
        self.results = results
        self.frames = {horizon: results.per_run(horizon) for horizon in ("short", "long")}

    def values(self, scenario: str, metric: str, horizon: str = "long") -> np.ndarray:
        frame = self.frames[horizon]
        return frame.loc[frame["scenario"] == scenario, metric].to_numpy(dtype=float)


# ---------------------------------------------------------------------- the patterns

Check = Callable[[_Reader, SweepResults, SweepResults], Finding]


def _points(value: Interval) -> str:
    return f"{value.mean:+.1f} ({value.low:+.1f} to {value.high:+.1f}) points"


def _share(value: Interval) -> str:
    return f"{value.mean:.1%} ({value.low:.1%} to {value.high:.1%})"


def _rows(estimates: Mapping[str, Interval]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"label": label, "mean": value.mean, "ci_low": value.low, "ci_high": value.high}
            for label, value in estimates.items()
        ]
    )


def _below_zero(value: Interval) -> bool:
    return bool(value.high < 0)


def indicator_only(read: _Reader, *_: SweepResults) -> Finding:
    """Unpaid, the score is off the truth only by non-response bias."""
    biased = interval(read.values("baseline", "nps_inflation"))
    unbiased = interval(read.values("baseline_no_nonresponse_bias", "nps_inflation"))
    return Finding(
        key="indicator_only",
        pattern="NPS as an indicator only: reported NPS is close to true NPS, apart from "
        "non-response bias",
        source="FACTS.md: Reichheld 2003; non-response biased toward unhappy customers",
        estimate=biased,
        shown=f"reported - true: {_points(biased)}; without non-response bias: {_points(unbiased)}",
        expected="reported within 10 points of true with nobody paid on the score, and closer "
        "without non-response bias",
        holds=bool(abs(biased.mean) < 10 and abs(unbiased.mean) < abs(biased.mean)),
        note="With nobody paid on the score, reported NPS stays within a few points of the "
        "honest census. Most of the gap is non-response bias: unhappy customers answer less. "
        "Removing it (accounts.nonresponse_bias = 0) turns the gap from positive to a smaller "
        "negative one. The rest is answer noise around the 9-and-above and 6-and-below lines, "
        "which pushes more customers out of the promoter band than into it, because "
        "satisfaction is skewed toward the top.",
        figure=plot_intervals(
            _rows({"baseline": biased, "without non-response bias": unbiased}),
            "NPS as an indicator only: reported - true NPS (long run)",
            "points",
            expected=(-10.0, 10.0),
        ),
    )


def response_rate(read: _Reader, response: SweepResults, _: SweepResults) -> Finding:
    """Unhappy customers answer less, so more answers mean a lower score."""
    frame = response.per_run("long")
    column = "accounts.response_rate"
    low = frame.loc[frame[column] == RESPONSE_RATES[0], "reported_nps"].to_numpy()
    high = frame.loc[frame[column] == RESPONSE_RATES[-1], "reported_nps"].to_numpy()
    change = interval(high - low)
    return Finding(
        key="response_rate",
        pattern="A higher response rate gives a lower reported NPS",
        source="FACTS.md: face-to-face surveys with 80%+ response gave markedly lower NPS",
        estimate=change,
        shown=f"reported NPS at base response {RESPONSE_RATES[-1]:.0%} minus "
        f"{RESPONSE_RATES[0]:.0%}: {_points(change)}",
        expected="below zero (paired difference)",
        holds=_below_zero(change),
        note="Unhappy customers answer less (accounts.nonresponse_bias); raising the response "
        "rate brings them back into the sample, and the reported score falls toward the truth.",
        figure=plot_sweep(
            response.table(),
            column,
            ["reported_nps", "response_rate"],
            title="Baseline: reported NPS against the response rate (long run)",
        ),
    )


def pressured_share(read: _Reader, *_: SweepResults) -> Finding:
    """The share of responses reps plead for under a rep-sampled bonus."""
    share = interval(read.values("nps_bonus", "share_coached"))
    return Finding(
        key="pressured_share",
        pattern="A pay-linked, rep-sampled survey: about a quarter of customers are pressured "
        "for a top score",
        source="FACTS.md: TrueDelta poll 2007, 25-28% pressured to give perfect scores",
        estimate=share,
        shown=f"share of responses pleaded for under nps_bonus: {_share(share)}",
        expected="20% to 35%",
        holds=bool(0.20 <= share.mean <= 0.35),
        note="From the default calibration: reps' initial propensity to plead, learning and "
        "imitation under a 50% individual bonus with rep-picked samples.",
        figure=plot_intervals(
            _rows({"nps_bonus": share}),
            "Responses pleaded for under an individual NPS bonus (long run)",
            "share (0-1)",
            expected=(0.25, 0.28),
        ),
    )


def official_gap(read: _Reader, *_: SweepResults) -> Finding:
    """The official (reported) score against the independent census under a bonus."""
    gap = interval(read.values("nps_bonus", "nps_inflation"))
    return Finding(
        key="official_gap",
        pattern="Under a target, the official figure runs ahead of independent measurement by "
        "about 20 points",
        source="FACTS.md: Bevan & Hood 2006, 96% official vs 77% independent",
        estimate=gap,
        shown=f"reported - true NPS under nps_bonus: {_points(gap)}",
        expected="10 to 30 points",
        holds=bool(10 <= gap.mean <= 30),
        note="The official score is the reps' own sample and answers; the independent one is "
        "the honest census of every account (true_nps).",
        figure=plot_intervals(
            _rows(
                {
                    "baseline": interval(read.values("baseline", "nps_inflation")),
                    "nps_bonus": gap,
                }
            ),
            "Official (reported) minus independent (true) NPS (long run)",
            "points",
            expected=(10.0, 30.0),
        ),
    )


def money_given_away(read: _Reader, *_: SweepResults) -> Finding:
    """Concessions, giveaways and bribes as a share of revenue under a bonus."""

    def share(scenario: str) -> Interval:
        given = sum(
            read.values(scenario, metric)
            for metric in ("concession_cost", "giveaway_cost", "bribe_cost")
        )
        return interval(given / read.values(scenario, "revenue"))

    bonus = share("nps_bonus")
    return Finding(
        key="money_given_away",
        pattern="Strong incentives: concessions and giveaways of the order of 6-8% of revenue",
        source="FACTS.md: Larkin 2014, price concessions of 6-8% of revenue",
        estimate=bonus,
        shown=f"concessions, giveaways and bribes / revenue under nps_bonus: {_share(bonus)}",
        expected="6% to 8%",
        holds=bool(0.06 <= bonus.mean <= 0.08),
        note="Known gap. The model's concessions are one-off demands of a few percent of an "
        "account's value (accounts.concession_size) by the few savvy, powerful accounts, and "
        "giveaways are capped by each rep's budget (policy.concessions.giveaway_budget). "
        "Larkin's 6-8% are price discounts on every deal, timed to a commission schedule, a "
        "channel the model does not have; no published B2B figure sizes score-for-concession "
        "trades (FACTS.md), so the defaults are assumptions.",
        figure=plot_intervals(
            _rows({name: share(name) for name in ("nps_bonus", "audited", "third_party_survey")}),
            "Money given away as a share of revenue (long run)",
            "share (0-1)",
            expected=(0.06, 0.08),
        ),
    )


def asked_for_a_ten(read: _Reader, *_: SweepResults) -> Finding:
    """Pleading for a top score lowers some customers' true satisfaction."""
    # Read in the short run, while the paired runs have not yet drifted apart for other reasons.
    effect = interval(
        read.values("nps_bonus", "true_nps", "short")
        - read.values("nps_bonus_no_resentment", "true_nps", "short")
    )
    return Finding(
        key="asked_for_a_ten",
        pattern="Being asked for a top score lowers some customers' true satisfaction",
        source="FACTS.md: 2014 study of requests for positive evaluations",
        estimate=effect,
        shown=f"true NPS under nps_bonus, with resentment minus without (short run): "
        f"{_points(effect)}",
        expected="below zero (paired difference)",
        holds=_below_zero(effect),
        note="A customer pleaded with resents it with chance accounts.resent_probability and "
        "loses accounts.resent_penalty of latent satisfaction: the true score, not only the "
        "answer, falls.",
        figure=plot_intervals(
            _rows({"with resentment - without": effect}),
            "True NPS under an NPS bonus: the cost of asking for a 10 (short run)",
            "points",
        ),
    )


def multitask(read: _Reader, _: SweepResults, weights: SweepResults) -> Finding:
    """Genuine effort against the bonus weight: rise then fall, or only a fall."""
    frame = weights.per_run("long")
    column = "policy.incentives.nps_weight"
    effort = {
        weight: frame.loc[frame[column] == weight, "genuine_effort"].to_numpy()
        for weight in BONUS_WEIGHTS
    }
    peak = max(BONUS_WEIGHTS[1:-1], key=lambda weight: effort[weight].mean())
    rise = interval(effort[peak] - effort[BONUS_WEIGHTS[0]])
    fall = interval(effort[BONUS_WEIGHTS[-1]] - effort[peak])
    holds = bool(rise.low > 0 and fall.high < 0)
    return Finding(
        key="multitask",
        pattern="Genuine service effort against the bonus weight on NPS rises, then falls",
        source="FACTS.md: Holmström & Milgrom 1991 (multitask principal-agent)",
        estimate=rise,
        shown=f"genuine effort at weight {peak:g} minus weight 0: {_share(rise)}; "
        f"at weight 1 minus weight {peak:g}: {_share(fall)}",
        expected="a rise above zero, then a fall below zero",
        holds=holds,
        note="Only the fall is reproduced. Without a bonus, reps already give all their "
        "service hours to genuine service (genuine_effort = 100%), so no weight can raise it: "
        "the model has no channel by which a small bonus motivates more real service. Effort "
        "falls steadily as the weight grows and gaming pays better than service."
        if not holds
        else "Effort peaks at an interior weight.",
        figure=plot_sweep(
            weights.table(),
            column,
            ["genuine_effort", "true_nps"],
            title="nps_bonus: genuine effort and true NPS against the bonus weight (long run)",
        ),
    )


def independent_and_audits(read: _Reader, *_: SweepResults) -> Finding:
    """Third-party sampling and audits against the plain bonus."""
    bonus = read.values("nps_bonus", "nps_inflation")
    independent = interval(read.values("third_party_survey", "nps_inflation") - bonus)
    audited = interval(read.values("audited", "nps_inflation") - bonus)
    return Finding(
        key="independent_and_audits",
        pattern="Independent random sampling and audits cut inflation",
        source="FACTS.md: GM discarding tampered surveys; Jacob & Levitt 2003 retests",
        estimate=independent,
        shown=f"inflation vs nps_bonus: third-party sample {_points(independent)}; "
        f"audits {_points(audited)}",
        expected="both below zero (paired differences)",
        holds=_below_zero(independent) and _below_zero(audited),
        note="A third party's anonymous random sample removes cherry-picking and hides whom "
        "to plead with; audits catch and punish some gaming.",
        figure=plot_intervals(
            _rows({"third-party sample - nps_bonus": independent, "audits - nps_bonus": audited}),
            "NPS inflation: safeguards against the plain bonus (long run)",
            "points",
        ),
    )


def audits_slow_spread(read: _Reader, *_: SweepResults) -> Finding:
    """Hostage-taking still spreads under audits, more slowly."""
    rise = {
        name: interval(read.values(name, "savvy_share") - read.values(name, "savvy_share", "short"))
        for name in ("nps_bonus", "audited")
    }
    slower = interval(
        read.values("audited", "savvy_share") - read.values("nps_bonus", "savvy_share")
    )
    gaming = interval(read.values("audited", "share_coached"))
    holds = bool(rise["audited"].low > 0 and slower.high < 0 and gaming.low > 0)
    return Finding(
        key="audits_slow_spread",
        pattern="Audits slow, but do not stop, the spread of gaming",
        source="FACTS.md: Smaldino & McElreath 2016",
        estimate=slower,
        shown=f"savvy share, audited minus nps_bonus: {_share(slower)}; its rise under audits "
        f"(long - short run): {_share(rise['audited'])}",
        expected="lower than without audits, and still rising",
        holds=holds,
        note=f"Under audits, {gaming.mean:.0%} of responses are still pleaded for, and the "
        "share of accounts that hold their score hostage keeps rising, more slowly.",
        figure=plot_intervals(
            _rows(
                {
                    "rise under nps_bonus": rise["nps_bonus"],
                    "rise under audits": rise["audited"],
                    "audited - nps_bonus (long run)": slower,
                }
            ),
            "Savvy (hostage-taking) share of accounts",
            "share (0-1)",
        ),
    )


def bads_accumulate(read: _Reader, *_: SweepResults) -> Finding:
    """The reported gain comes early; savvy, concessions and honest exits grow."""

    def gain(metric: str, horizon: str, per_quarter: int = 1) -> Interval:
        difference = read.values("nps_bonus", metric, horizon) - read.values(
            "baseline", metric, horizon
        )
        return interval(difference / per_quarter)

    reported = {horizon: gain("reported_nps", horizon) for horizon in ("short", "long")}
    savvy = {horizon: gain("savvy_share", horizon) for horizon in ("short", "long")}
    # The short run is two quarters, the long run four: concessions per quarter.
    concessions = {
        "short": gain("concession_cost", "short", 2),
        "long": gain("concession_cost", "long", 4),
    }
    honest = {horizon: gain("honest_rep_share", horizon) for horizon in ("short", "long")}
    early = reported["short"].mean >= 0.8 * reported["long"].mean
    grow = (
        savvy["long"].mean > savvy["short"].mean
        and concessions["long"].mean > concessions["short"].mean
        and honest["long"].mean < honest["short"].mean
    )
    return Finding(
        key="bads_accumulate",
        pattern="Over two years the bads accumulate while the reported gain arrives early",
        source="FACTS.md: Smaldino & McElreath 2016; Filippas, Horton & Golden 2022",
        estimate=reported["short"],
        shown=f"reported NPS gain, short run {_points(reported['short'])} vs long run "
        f"{_points(reported['long'])}; savvy share {_share(savvy['short'])} -> "
        f"{_share(savvy['long'])}; honest reps {_share(honest['short'])} -> "
        f"{_share(honest['long'])}",
        expected="gain at least 80% there in the short run; savvy share, concessions per "
        "quarter and honest-rep loss all larger in the long run",
        holds=bool(early and grow),
        note="nps_bonus against baseline, paired. Concessions per quarter: "
        f"{concessions['short'].mean:,.0f} in the short run, {concessions['long'].mean:,.0f} "
        "in the long run.",
        figure=plot_metrics(
            pd.concat(
                read.results.timeseries_blocks(ACCUMULATING),
                ignore_index=True,
            ).query("scenario in ['baseline', 'nps_bonus']"),
            ACCUMULATING,
            title="Two years under an NPS bonus: the reported gain comes early, the bads build up",
        ),
    )


#: Every pattern checked, in the table's order.
CHECKS: tuple[Check, ...] = (
    indicator_only,
    response_rate,
    pressured_share,
    official_gap,
    money_given_away,
    asked_for_a_ten,
    multitask,
    independent_and_audits,
    audits_slow_spread,
    bads_accumulate,
)
