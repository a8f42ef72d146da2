"""Evidence: the published patterns of metric incentives, reproduced (or not) from the defaults.

:func:`run_evidence` runs a fixed set of experiments on shared replication seeds, so that every
difference below is paired (common random numbers):

- a comparison of the bundled policies and a few variants: ``baseline``, ``nps_bonus``,
  ``rank_and_yank``, ``audited``, ``third_party_survey``, ``well_designed_bonus``, the baseline
  without non-response bias, ``nps_bonus`` without resentment, a null world (a bonus that can
  move nothing real) beside its baseline, and ``rank_and_yank`` beside ``baseline`` with reps'
  learning switched off (selection alone);
- sweeps of the baseline over the response rate, of ``nps_bonus`` over the bonus weight and
  over reps' integrity, and of ``third_party_survey`` over how far reps' effort responds to the
  stake (where the verdict flips);
- a cliff bonus run in-process with every renewal's price recorded (where discounts cluster).

It then reads one finding per pattern: the model's figure with its 95% interval, what the
published source leads one to expect, and whether the figure meets it (``holds``). The sources
are in ``docs/references.md``; where a pattern is partly built into the model's inputs, the
finding's note says so.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from npssim.experiment.analysis import Interval, interval
from npssim.experiment.api import ExecutorLike, run_experiment
from npssim.experiment.plan import DEFAULT_REPLICATIONS
from npssim.experiment.results import ExperimentResults
from npssim.experiment.sweep import SweepResults, run_sweep
from npssim.files import atomic_path
from npssim.metrics import ACCUMULATING, ALL_GIVEN_AWAY, as_flows
from npssim.model import NPSModel
from npssim.report import plot_intervals, plot_metrics, plot_sweep, save_figure
from npssim.scenario import Scenario, load_scenario
from npssim.tactics import TACTICS
from npssim.version import __version__

#: Response rates of the non-response sweep, and bonus weights of the multitask sweep.
RESPONSE_RATES = (0.1, 0.3, 0.6, 0.9)
BONUS_WEIGHTS = (0.0, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1.0)
#: Reps' mean integrity in the sweep that checks integrity bounds gaming.
INTEGRITY_LEVELS = (0.35, 0.65, 0.95)
#: How far reps' effort responds to the stake, in the sweep where the verdict can flip.
EFFORT_RESPONSES = (0.0, 0.3, 0.6, 1.0, 1.5)
#: The policy swept for the flip: individual pay on an independent, honest survey.
FLIP_SCENARIO = "third_party_survey"
#: The cliff bonus whose renewals are recorded: all or nothing at an NPS of 40.
CLIFF = {"policy.incentives.payout": "cliff", "policy.incentives.target_nps": 40.0}
#: A world in which a bonus can move nothing real: no tactic, no hostage-taking, no effort or
#: stress response. Both sides of the null comparison run in it.
NULL_WORLD: dict[str, Any] = {
    **{f"reps.initial_propensity.{tactic}": 0.0 for tactic in TACTICS},
    "accounts.initial_savvy_share": 0.0,
    "reps.service_response": 0.0,
    "reps.fear_mean": 0.0,
}
#: Reps who neither learn nor imitate nor conform: only selection can change the roster.
NO_LEARNING = {"reps.learning_rate": 0.0, "reps.imitation_rate": 0.0, "reps.conformity": 0.0}
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
        note: How the model produces it, what is an input, and why it does not hold if not.
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


@dataclass(frozen=True)
class Flip:
    """Where a policy's verdict changes sign along an uncertain assumption.

    Attributes:
        scenario: The policy read against ``baseline``.
        parameter: The assumption swept.
        values: The values swept.
        default: The assumption's default value.
        net_value: The long-run paired net value difference at each value.
        crossing: Where the mean difference crosses zero (linear between points), or NaN.
        figure: The figure that shows it.
    """

    scenario: str
    parameter: str
    values: tuple[float, ...]
    default: float
    net_value: tuple[Interval, ...]
    crossing: float
    figure: Figure

    @property
    def changes_sign(self) -> bool:
        """Whether the difference is clearly below zero somewhere and clearly above elsewhere."""
        return any(v.high < 0 for v in self.net_value) and any(v.low > 0 for v in self.net_value)


class EvidenceResults:
    """The findings of :func:`run_evidence`, as a table, figures and files."""

    def __init__(self, findings: list[Finding], flip: Flip, settings: dict[str, Any]) -> None:
        self.findings = findings
        self.flip = flip
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
        held = sum(finding.holds for finding in self.findings)
        lines = [
            "# Evidence: published patterns, reproduced from the default calibration",
            "",
            f"Made by `{command}` with npssim {__version__}: "
            f"{self.settings['replications']} replications per scenario and design point, root "
            f"seed {self.settings['seed']}, {self.settings['weeks']} weeks. Figures are means "
            "with 95% intervals over replications; differences are paired (the same seeds). "
            f"{held} of {len(self.findings)} patterns hold. Sources: "
            "[references.md](references.md).",
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
        lines += ["", *self._flip_section(), "", "## Notes and figures", ""]
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

    def _flip_section(self) -> list[str]:
        flip = self.flip
        rows = [
            f"| {value:g} | {_money_interval(estimate)} |"
            for value, estimate in zip(flip.values, flip.net_value, strict=True)
        ]
        where = (
            f"The mean crosses zero near {flip.parameter} = {flip.crossing:.2f}."
            if np.isfinite(flip.crossing)
            else "The mean does not cross zero within the range."
        )
        return [
            "## Where the verdict flips",
            "",
            f"Net value of `{flip.scenario}` against `baseline` (long run, paired) as "
            f"`{flip.parameter}` moves from {flip.values[0]:g} (effort ignores the stake) to "
            f"{flip.values[-1]:g} ({flip.values[-1] / flip.default:g} times the default, "
            f"{flip.default:g}): how far reps' effort "
            "responds to a stake in the score, an assumption no published figure pins down. "
            f"{where} The sign {'changes' if flip.changes_sign else 'does not clearly change'} "
            "within the range: whether an individual bonus on an honest survey pays depends on "
            "how strongly reps' effort answers the stake.",
            "",
            f"| {flip.parameter} | net value against baseline, per year |",
            "|---|---|",
            *rows,
            "",
            "![flip](img/evidence/flip.png)",
        ]

    def save(self, folder: str | Path, command: str) -> list[Path]:
        """Write ``evidence.md``, ``evidence.csv`` and ``img/evidence/*.png`` into ``folder``."""
        folder = Path(folder)
        (folder / "img" / "evidence").mkdir(parents=True, exist_ok=True)
        written = []
        figures = [(finding.key, finding.figure) for finding in self.findings]
        for key, figure in [*figures, ("flip", self.flip.figure)]:
            path = folder / "img" / "evidence" / f"{key}.png"
            save_figure(figure, path)
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
    model_class: type[NPSModel] = NPSModel,
) -> EvidenceResults:
    """Run the pattern checks from the shipped defaults.

    Args:
        replications: Replications per scenario and design point.
        seed: Root seed (the bundled scenarios' ``run.seed`` by default).
        overrides: Values set in every scenario (for small, fast checks), like ``--set``.
        executor: Where the runs go, as in :func:`~npssim.experiment.run_experiment`.
        workers: Local worker processes.
        progress: Show progress bars.
        model_class: The model every run builds: :class:`~npssim.NPSModel` or a subclass (to
            check that a changed behaviour still reproduces the patterns).

    Returns:
        One finding per pattern, and where the verdict flips.
    """
    settings = dict(overrides or {})
    execution = {
        "executor": executor,
        "workers": workers,
        "progress": progress,
        "model_class": model_class,
    }
    shared = {"replications": replications, "seed": seed, **execution}
    scenarios = [
        _variant("baseline", settings),
        _variant("baseline", settings, "no_nonresponse_bias", {"accounts.nonresponse_bias": 0.0}),
        _variant("nps_bonus", settings),
        _variant("nps_bonus", settings, "no_resentment", {"accounts.resent_probability": 0.0}),
        _variant("rank_and_yank", settings),
        _variant("audited", settings),
        _variant("third_party_survey", settings),
        _variant("well_designed_bonus", settings),
        _variant("baseline", settings, "null_world", NULL_WORLD),
        _variant("nps_bonus", settings, "null_world", NULL_WORLD),
        _variant("baseline", settings, "no_learning", NO_LEARNING),
        _variant("rank_and_yank", settings, "no_learning", NO_LEARNING),
    ]
    policies = run_experiment(scenarios, **shared)
    by_name = {scenario.name: scenario for scenario in scenarios}
    response = run_sweep(
        by_name["baseline"],
        {"accounts.response_rate": list(RESPONSE_RATES)},
        metrics=["reported_nps", "response_rate"],
        **shared,
    )
    weights = run_sweep(
        by_name["nps_bonus"],
        {"policy.incentives.nps_weight": list(BONUS_WEIGHTS)},
        metrics=["genuine_effort", "true_nps"],
        **shared,
    )
    integrity = run_sweep(
        by_name["nps_bonus"],
        {"reps.integrity_mean": list(INTEGRITY_LEVELS)},
        metrics=["nps_inflation", "share_coached"],
        **shared,
    )
    effort = run_sweep(
        by_name[FLIP_SCENARIO],
        {"reps.service_response": list(EFFORT_RESPONSES)},
        metrics=["net_value", "genuine_effort"],
        **shared,
    )
    context = _Context(
        read=_Reader(policies),
        response=response,
        weights=weights,
        integrity=integrity,
        effort=effort,
        pricing=_record_cliff_pricing(
            _variant("nps_bonus", {**settings, **CLIFF}), policies.plan.seeds(), model_class
        ),
    )
    findings = [check(context) for check in CHECKS]
    return EvidenceResults(
        findings,
        _flip(context),
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

    def difference(
        self, scenario: str, metric: str, horizon: str = "long", reference: str = "baseline"
    ) -> np.ndarray:
        """Per-replication ``scenario - reference`` (paired by seed)."""
        return self.values(scenario, metric, horizon) - self.values(reference, metric, horizon)

    def weekly(self, metrics: tuple[str, ...]) -> pd.DataFrame:
        """The comparison's weekly data, for the chosen metrics."""
        return pd.concat(self.results.timeseries_blocks(metrics), ignore_index=True)


@dataclass(frozen=True)
class _Context:
    """Everything the checks read."""

    read: _Reader
    response: SweepResults
    weights: SweepResults
    integrity: SweepResults
    effort: SweepResults
    pricing: pd.DataFrame


class _PricingRecorder(NPSModel):
    """The model, with every negotiated price kept beside the rep's distance to the target.

    Mixed in ahead of the experiment's model class, so a researcher's subclass is what records.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.priced: list[pd.DataFrame] = []

    def price_contracts(self, rows: np.ndarray) -> np.ndarray:
        discount = super().price_contracts(rows)
        book, inc = self.book, self.policy.incentives
        ordinary = self.params.accounts.power_discount * book.power[rows]
        owners = book.rep[rows]
        self.priced.append(
            pd.DataFrame(
                {
                    "gap": inc.target_nps - self.roster.last_score[owners],
                    "for_score": np.clip(discount - ordinary, 0.0, None),
                    "acv": book.acv[rows],
                }
            )
        )
        return discount


def _record_cliff_pricing(
    scenario: Scenario, seeds: list[int], model_class: type[NPSModel] = NPSModel
) -> pd.DataFrame:
    """Every renewal's and new deal's price under a cliff bonus, one replication per seed."""
    recorder = (
        _PricingRecorder
        if model_class is NPSModel
        else type(f"Recorded{model_class.__name__}", (_PricingRecorder, model_class), {})
    )
    frames = []
    for replication, seed in enumerate(seeds):
        model = recorder(scenario, seed=seed)
        model.run()
        model.close()
        frame = pd.concat(model.priced, ignore_index=True)
        frame["replication"] = replication
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


# ---------------------------------------------------------------------- the patterns

Check = Callable[[_Context], Finding]


def _points(value: Interval) -> str:
    return f"{value.mean:+.1f} ({value.low:+.1f} to {value.high:+.1f}) points"


def _share(value: Interval) -> str:
    return f"{value.mean:.1%} ({value.low:.1%} to {value.high:.1%})"


def _money_interval(value: Interval) -> str:
    return f"{value.mean:+,.0f} ({value.low:+,.0f} to {value.high:+,.0f})"


def _rows(estimates: Mapping[str, Interval]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"label": label, "mean": value.mean, "ci_low": value.low, "ci_high": value.high}
            for label, value in estimates.items()
        ]
    )


def _below_zero(value: Interval) -> bool:
    return bool(value.high < 0)


def _above_zero(value: Interval) -> bool:
    return bool(value.low > 0)


def _at(sweep: SweepResults, column: str, value: float, metric: str) -> np.ndarray:
    frame = sweep.per_run("long")
    return frame.loc[frame[column] == value, metric].to_numpy(dtype=float)


def _curve(values: tuple[float, ...], estimates: list[Interval], parameter: str, metric: str):
    """A sweep-shaped frame of paired differences, for :func:`plot_sweep`."""
    return pd.DataFrame(
        {
            parameter: list(values),
            "metric": metric,
            "mean": [estimate.mean for estimate in estimates],
            "ci_low": [estimate.low for estimate in estimates],
            "ci_high": [estimate.high for estimate in estimates],
        }
    )


def indicator_only(context: _Context) -> Finding:
    """Unpaid, the score is off the truth only by non-response bias."""
    read = context.read
    biased = interval(read.values("baseline", "nps_inflation"))
    unbiased = interval(read.values("baseline_no_nonresponse_bias", "nps_inflation"))
    return Finding(
        key="indicator_only",
        pattern="NPS as an indicator only: reported NPS is close to true NPS, apart from "
        "non-response bias",
        source="Reichheld 2003; non-response biased toward unhappy customers",
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


def response_rate(context: _Context) -> Finding:
    """Unhappy customers answer less, so more answers mean a lower score."""
    column = "accounts.response_rate"
    low = _at(context.response, column, RESPONSE_RATES[0], "reported_nps")
    high = _at(context.response, column, RESPONSE_RATES[-1], "reported_nps")
    change = interval(high - low)
    return Finding(
        key="response_rate",
        pattern="A higher response rate gives a lower reported NPS",
        source="Face-to-face surveys with 80%+ response gave markedly lower NPS",
        estimate=change,
        shown=f"reported NPS at base response {RESPONSE_RATES[-1]:.0%} minus "
        f"{RESPONSE_RATES[0]:.0%}: {_points(change)}",
        expected="below zero (paired difference)",
        holds=_below_zero(change),
        note="Unhappy customers answer less (accounts.nonresponse_bias); raising the response "
        "rate brings them back into the sample, and the reported score falls toward the truth.",
        figure=plot_sweep(
            context.response.table(),
            column,
            ["reported_nps", "response_rate"],
            title="Baseline: reported NPS against the response rate (long run)",
        ),
    )


def pressured_share(context: _Context) -> Finding:
    """The share of responses reps plead for under a rep-sampled bonus."""
    share = interval(context.read.values("nps_bonus", "share_coached"))
    return Finding(
        key="pressured_share",
        pattern="A pay-linked, rep-sampled survey: about a quarter of customers are pressured "
        "for a top score",
        source="TrueDelta poll 2007: 25-28% pressured to give perfect scores",
        estimate=share,
        shown=f"share of responses pleaded for under nps_bonus: {_share(share)}",
        expected="20% to 35%",
        holds=bool(0.20 <= share.mean <= 0.35),
        note="Partly an input: reps' starting propensity to plead "
        "(reps.initial_propensity.coach) was set with this figure in mind. How far it is used "
        "then follows from the drive a 50% individual bonus gives, customers' candour, "
        "integrity, learning and imitation.",
        figure=plot_intervals(
            _rows({"nps_bonus": share}),
            "Responses pleaded for under an individual NPS bonus (long run)",
            "share (0-1)",
            expected=(0.25, 0.28),
        ),
    )


def official_gap(context: _Context) -> Finding:
    """The official (reported) score against the independent census under a bonus."""
    read = context.read
    gap = interval(read.values("nps_bonus", "nps_inflation"))
    return Finding(
        key="official_gap",
        pattern="Under a target, the official figure runs ahead of independent measurement by "
        "about 20 points",
        source="Bevan & Hood 2006: 96% official vs 77% independent",
        estimate=gap,
        shown=f"reported - true NPS under nps_bonus: {_points(gap)}",
        expected="10 to 30 points",
        holds=bool(10 <= gap.mean <= 30),
        note="The official score is the reps' own sample and answers; the independent one is "
        "the honest census of every account (true_nps). About 8 of the points are there "
        "without any incentive (non-response bias; see the first pattern).",
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


def _given_away_share(read: _Reader, scenario: str) -> Interval:
    """Money given away beyond the baseline's, as a share of the policy's revenue."""
    extra = sum(read.difference(scenario, metric) for metric in ALL_GIVEN_AWAY)
    return interval(extra / read.values(scenario, "revenue"))


def money_given_away(context: _Context) -> Finding:
    """Concessions, giveaways, bribes and price discounts as a share of revenue."""
    read = context.read
    strongest = _given_away_share(read, "rank_and_yank")
    discounts = interval(read.difference("rank_and_yank", "discount_cost"))
    savvy = interval(read.values("rank_and_yank", "savvy_share"))
    savvy_at_start = load_scenario("rank_and_yank").accounts.initial_savvy_share
    return Finding(
        key="money_given_away",
        pattern="Strong incentives on a gameable measure: money given away of the order of "
        "Larkin's 6-8% of revenue",
        source="Larkin 2014: price concessions timed to a non-linear scheme cost 6-8% of revenue",
        estimate=strongest,
        shown=f"discounts, concessions, giveaways and bribes beyond the baseline's, share of "
        f"revenue under rank_and_yank (the strongest bundled incentive): {_share(strongest)}",
        expected="3% to 10% (the order of Larkin's 6-8%)",
        holds=bool(0.03 <= strongest.mean <= 0.10),
        note="Most of it is price: at renewals and new deals reps trade discount for the "
        f"account's score (discounts alone: {discounts.mean:,.0f} a year beyond the baseline's "
        f"ordinary negotiation). Savvy accounts, which time their demands, are "
        f"{savvy_at_start:.0%} of accounts at the start (accounts.initial_savvy_share, an "
        f"assumption after hotel 'review blackmail') and {savvy.mean:.1%} in the second year. "
        "Partly an input: the size of the discount a fully powerful "
        "account wins from a fully willing rep (accounts.score_discount) was scaled to this "
        "figure; how often reps are willing, and how many accounts are powerful and savvy, is "
        "the model's. The 3-10% range reads Larkin's 6-8% as an order of magnitude, since his "
        "firm and scheme are not this one.",
        figure=plot_intervals(
            _rows(
                {
                    name: _given_away_share(read, name)
                    for name in ("rank_and_yank", "nps_bonus", "audited", "well_designed_bonus")
                }
            ),
            "Money given away beyond the baseline's, share of revenue (long run)",
            "share (0-1)",
            expected=(0.06, 0.08),
        ),
    )


def discounts_near_the_line(context: _Context) -> Finding:
    """Under a cliff bonus, price traded for scores clusters just short of the target."""
    priced = context.pricing.dropna(subset=["gap"])
    width = load_scenario("nps_bonus").reps.near_miss_width
    near = (priced["gap"] > 0) & (priced["gap"] <= width)
    by_run = priced.assign(near=near).groupby(["replication", "near"])["for_score"].mean()
    table = by_run.unstack("near")
    excess = interval(table[True].to_numpy() - table[False].to_numpy())
    return Finding(
        key="discounts_near_the_line",
        pattern="Discounts cluster where the scheme pays to close: reps just short of a cliff "
        "target give the most away",
        source="Larkin 2014; Schweitzer, Ordonez & Douma 2004",
        estimate=excess,
        shown=f"mean discount traded for the score, reps within {width:g} points below the "
        f"target minus all others: {_share(excess)} of list price",
        expected="above zero (paired difference)",
        holds=_above_zero(excess),
        note="nps_bonus with a cliff payout at NPS 40, every renewal and new deal recorded "
        "beside the rep's distance to the target at the last review. Partly an input: the "
        "cliff drive peaks just short of the line by construction (reps.near_miss_*, after "
        "Schweitzer et al.); what follows from it (which accounts renew then, how powerful "
        "and savvy they are, the approval rules and caps) is the model's.",
        figure=plot_intervals(
            _rows({"just short of the line - elsewhere": excess}),
            "Discount traded for the score under a cliff bonus",
            "share (0-1)",
        ),
    )


def asked_for_a_ten(context: _Context) -> Finding:
    """Pleading for a top score lowers some customers' true satisfaction."""
    read = context.read
    # Read in the short run, while the paired runs have not yet drifted apart for other reasons.
    effect = interval(
        read.difference("nps_bonus", "true_nps", "short", reference="nps_bonus_no_resentment")
    )
    return Finding(
        key="asked_for_a_ten",
        pattern="Being asked for a top score lowers some customers' true satisfaction",
        source="2014 study of requests for positive evaluations",
        estimate=effect,
        shown=f"true NPS under nps_bonus, with resentment minus without (short run): "
        f"{_points(effect)}",
        expected="below zero (paired difference)",
        holds=_below_zero(effect),
        note="An input in direction: a customer pleaded with resents it with chance "
        "accounts.resent_probability and loses accounts.resent_penalty of latent satisfaction; "
        "the check is that it shows in the true score at the firm's scale.",
        figure=plot_intervals(
            _rows({"with resentment - without": effect}),
            "True NPS under an NPS bonus: the cost of asking for a 10 (short run)",
            "points",
        ),
    )


def multitask(context: _Context) -> Finding:
    """Genuine effort against the bonus weight: it rises at a small weight, then falls."""
    column = "policy.incentives.nps_weight"
    effort = {w: _at(context.weights, column, w, "genuine_effort") for w in BONUS_WEIGHTS}
    peak = max(BONUS_WEIGHTS[1:-1], key=lambda weight: effort[weight].mean())
    rise = interval(effort[peak] - effort[BONUS_WEIGHTS[0]])
    fall = interval(effort[BONUS_WEIGHTS[-1]] - effort[peak])
    holds = bool(rise.low > 0 and fall.high < 0)
    return Finding(
        key="multitask",
        pattern="Genuine service effort against the bonus weight on NPS rises, then falls",
        source="Holmström & Milgrom 1991 (multitask principal-agent)",
        estimate=rise,
        shown=f"genuine effort at weight {peak:g} minus weight 0: {_share(rise)}; "
        f"at weight 1 minus weight {peak:g}: {_share(fall)}",
        expected="a rise above zero, then a fall below zero",
        holds=holds,
        note="Without a stake reps give existing accounts reps.service_share of their hours. "
        "A small stake raises the value of an hour of service and, before any tactic is worth "
        "its moral cost, reps work more; a larger one makes tactics pay, and the hours they "
        "take come out of service. Where the peak falls is the model's: it depends on "
        "integrity, customers' candour and survey design."
        if holds
        else "Effort does not peak at an interior weight with these settings.",
        figure=plot_sweep(
            context.weights.table(),
            column,
            ["genuine_effort", "true_nps"],
            title="nps_bonus: genuine effort and true NPS against the bonus weight (long run)",
        ),
    )


def independent_and_audits(context: _Context) -> Finding:
    """Third-party sampling and audits against the plain bonus."""
    read = context.read
    independent = interval(
        read.difference("third_party_survey", "nps_inflation", reference="nps_bonus")
    )
    audited = interval(read.difference("audited", "nps_inflation", reference="nps_bonus"))
    return Finding(
        key="independent_and_audits",
        pattern="Independent random sampling and audits cut inflation",
        source="GM discarding tampered surveys; Jacob & Levitt 2003 retests",
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


def audits_slow_spread(context: _Context) -> Finding:
    """Hostage-taking persists under audits, at a lower level than without them."""
    read = context.read
    slower = interval(read.difference("audited", "savvy_share", reference="nps_bonus"))
    persists = interval(read.difference("audited", "savvy_share"))
    gaming = interval(read.values("audited", "share_coached"))
    holds = bool(slower.high < 0 and persists.low > 0)
    return Finding(
        key="audits_slow_spread",
        pattern="Audits slow, but do not stop, the spread of gaming",
        source="Smaldino & McElreath 2016 (replication slows the decline, does not stop it)",
        estimate=slower,
        shown=f"savvy share (long run), audited minus nps_bonus: {_share(slower)}; audited "
        f"minus baseline: {_share(persists)}",
        expected="lower than without audits, yet above the baseline's, where the trick dies out",
        holds=holds,
        note="A rep caught by an audit forfeits the bonus and turns cautious "
        "(reps.caught_unlearning), granting fewer hostage-takers' demands, so fewer accounts "
        "learn that holding the score hostage pays. The trick still pays often enough to "
        "stay: without any incentive it fades away. Under audits "
        f"{gaming.mean:.0%} of responses are still pleaded for.",
        figure=plot_intervals(
            _rows({"audited - nps_bonus": slower, "audited - baseline": persists}),
            "Savvy (hostage-taking) share of accounts, long run",
            "share (0-1)",
        ),
    )


def bads_accumulate(context: _Context) -> Finding:
    """The reported gain comes early; savvy, concessions and honest exits grow."""
    read = context.read

    def gain(metric: str, horizon: str, per_quarter: int = 1) -> Interval:
        return interval(read.difference("nps_bonus", metric, horizon) / per_quarter)

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
        source="Smaldino & McElreath 2016; Filippas, Horton & Golden 2022",
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
            context.read.weekly(ACCUMULATING).query("scenario in ['baseline', 'nps_bonus']"),
            ACCUMULATING,
            title="Two years under an NPS bonus: the reported gain comes early, the bads build up",
        ),
    )


def pay_on_rep_sampled_score_loses(context: _Context) -> Finding:
    """Individual pay on a rep-sampled score loses the firm money."""
    read = context.read
    loss = interval(read.difference("nps_bonus", "net_value"))
    share = loss.mean / read.values("baseline", "gross_margin").mean()
    return Finding(
        key="pay_on_rep_sampled_score_loses",
        pattern="Tying frontline pay to NPS has almost always backfired",
        source="Bain; Reichheld (tying pay to NPS destroys the business unless limited to "
        "senior executives and relative performance)",
        estimate=loss,
        shown=f"net value of nps_bonus minus baseline, per year (long run): "
        f"{_money_interval(loss)} ({share:+.1%} of the baseline's margin)",
        expected="below zero (paired difference)",
        holds=_below_zero(loss),
        note="Found, not built in: net value counts the margin from real retention and price, "
        "less money given away, the bonus paid for inflated scores, measurement, acquisition "
        "and turnover. Under individual pay on a sample the rep picks, the discounts traded "
        "for scores, the hours taken from service, stress and turnover cost more than the "
        "bonus's effort gain brings in.",
        figure=plot_intervals(
            _rows(
                {
                    name: interval(read.difference(name, "net_value"))
                    for name in (
                        "nps_bonus",
                        "rank_and_yank",
                        "audited",
                        "third_party_survey",
                        "well_designed_bonus",
                    )
                }
            ),
            "Net value against baseline, per year (long run)",
            "currency",
        ),
    )


def _half_way(weekly: np.ndarray) -> int:
    """First week a paired difference reaches half its long-run mean, from week 0."""
    target = 0.5 * weekly[-52:].mean()
    above = np.flatnonzero(weekly >= target) if target > 0 else np.flatnonzero(weekly <= target)
    return int(above[0]) if above.size else len(weekly)


def well_designed_pays(context: _Context) -> Finding:
    """A customer measure in a careful incentive plan: satisfaction first, revenue after."""
    read = context.read
    true_nps = interval(read.difference("well_designed_bonus", "true_nps"))
    revenue = interval(read.difference("well_designed_bonus", "revenue"))
    weekly = read.weekly(("true_nps", "revenue"))
    paired = {}
    for name in ("baseline", "well_designed_bonus"):
        frame = weekly[weekly["scenario"] == name].sort_values(["replication", "week"])
        flows = as_flows(frame, by=["replication"])
        paired[name] = flows.groupby("week")[["true_nps", "revenue"]].mean().to_numpy()
    difference = paired["well_designed_bonus"] - paired["baseline"]
    lag = _half_way(difference[:, 1]) - _half_way(difference[:, 0])
    holds = _above_zero(true_nps) and _above_zero(revenue) and lag > 0
    return Finding(
        key="well_designed_pays",
        pattern="A customer measure in a well-designed incentive plan: satisfaction and "
        "revenue both improve, revenue later",
        source="Banker, Potter & Srinivasan 2000; its 2005 follow-up (revenue follows "
        "satisfaction by about six months)",
        estimate=true_nps,
        shown=f"well_designed_bonus minus baseline (long run): true NPS {_points(true_nps)}; "
        f"revenue {_money_interval(revenue)} a year; revenue's gain reaches half its "
        f"long-run size {lag} weeks after true NPS's",
        expected="both above zero, revenue lagging satisfaction by months",
        holds=bool(holds),
        note="Found, not built in: the lag comes from contracts renewing once a year, so a "
        "happier customer pays off at its next renewal. The gain comes from managers measured "
        "on their team's score following up more detractors, and from reps working more "
        "hours on service; the independent survey, audits and caps keep gaming small.",
        figure=plot_metrics(
            weekly.query("scenario in ['baseline', 'well_designed_bonus']"),
            ("true_nps", "revenue"),
            title="well_designed_bonus against baseline: satisfaction first, revenue after",
        ),
    )


def null_world(context: _Context) -> Finding:
    """A bonus that can move nothing real changes the firm's money by nothing."""
    read = context.read
    difference = interval(
        read.difference("nps_bonus_null_world", "net_value", reference="baseline_null_world")
    )
    bonus = interval(read.values("nps_bonus_null_world", "bonus_paid"))
    holds = bool(difference.n > 1 and difference.low <= 0 <= difference.high)
    return Finding(
        key="null_world",
        pattern="A null world: where no tactic is possible and nobody responds to the stake, "
        "a bonus funded from variable pay changes nothing",
        source="Accounting identity (Hauser, Simester & Wernerfelt 1994: a customer measure "
        "reweights pay)",
        estimate=difference,
        shown=f"net value, bonus minus no bonus, both in the null world: "
        f"{_money_interval(difference)} a year, while {bonus.mean:,.0f} of bonus is paid",
        expected="zero within its interval",
        holds=holds,
        note="Both scenarios run with every tactic's starting propensity at 0, no savvy "
        "accounts, reps.service_response = 0 and reps.fear_mean = 0. The bonus is paid out of "
        "variable pay the firm pays anyway (policy.incentives.funded_from_variable_pay), and "
        "honest scores earn all of it, so net value must not move: it checks that the money "
        "accounting invents neither goods nor bads.",
        figure=plot_intervals(
            _rows({"bonus - no bonus (null world)": difference}),
            "Net value in a null world, per year (long run)",
            "currency",
        ),
    )


def culture_selection(context: _Context) -> Finding:
    """Selection on the score removes honest reps, even where no rep learns."""
    read = context.read
    short = interval(
        read.difference(
            "rank_and_yank_no_learning",
            "honest_rep_share",
            "short",
            reference="baseline_no_learning",
        )
    )
    long = interval(
        read.difference(
            "rank_and_yank_no_learning", "honest_rep_share", reference="baseline_no_learning"
        )
    )
    holds = _below_zero(long) and long.mean < short.mean
    return Finding(
        key="culture_selection",
        pattern="Selection on a proxy changes who does the work: honest reps are selected "
        "out, even when nobody learns to game",
        source="Smaldino & McElreath 2016 (selection without learning); Braganza 2022",
        estimate=long,
        shown=f"share of honest reps, rank_and_yank minus baseline with reps' learning, "
        f"imitation and conformity off: short run {_share(short)}, long run {_share(long)}",
        expected="below zero in the long run, and falling from the short run",
        holds=bool(holds),
        note="Found, not built in: reps who game less score lower, so firing the bottom of "
        "the ranking removes more of them; honest reps also leave gaming teams sooner "
        "(reps.honest_exit_rate), and new hires join the culture of the team they enter "
        "(reps.hire_acculturation).",
        figure=plot_intervals(
            _rows({"short run": short, "long run": long}),
            "Honest reps: rank_and_yank minus baseline, no learning",
            "share (0-1)",
        ),
    )


def integrity_bounds_gaming(context: _Context) -> Finding:
    """Reps' integrity bounds how far a bonus inflates the score."""
    read = context.read
    baseline = read.values("baseline", "nps_inflation")
    added = [
        interval(_at(context.integrity, "reps.integrity_mean", level, "nps_inflation") - baseline)
        for level in INTEGRITY_LEVELS
    ]
    falling = all(a.mean > b.mean for a, b in itertools.pairwise(added))
    span = interval(
        _at(context.integrity, "reps.integrity_mean", INTEGRITY_LEVELS[-1], "nps_inflation")
        - _at(context.integrity, "reps.integrity_mean", INTEGRITY_LEVELS[0], "nps_inflation")
    )
    holds = bool(falling and _below_zero(span))
    shown = "; ".join(
        f"integrity {level:g}: {_points(value)}"
        for level, value in zip(INTEGRITY_LEVELS, added, strict=True)
    )
    return Finding(
        key="integrity_bounds_gaming",
        pattern="Intrinsic motivation limits proxy gaming: the more honest the reps, the less "
        "a bonus inflates the score",
        source="Braganza 2022 (Proxyeconomics)",
        estimate=added[-1],
        shown=f"inflation added by nps_bonus over baseline, by reps' mean integrity: {shown}; "
        f"0.95 minus 0.35: {_points(span)}",
        expected="falling with integrity: less at every step up, and clearly less at 0.95 "
        "than at 0.35 (paired difference below zero)",
        holds=holds,
        note="Integrity is a moral cost against every tactic and a cap on what a rep can learn "
        "(reps.integrity_bound). The bonus still costs money at high integrity: discounts "
        "traded for scores are a business decision with a low moral weight.",
        figure=plot_sweep(
            _curve(INTEGRITY_LEVELS, added, "reps.integrity_mean", "nps_inflation"),
            "reps.integrity_mean",
            ["nps_inflation"],
            title="Inflation added by nps_bonus, by reps' mean integrity (long run)",
        ),
    )


def _flip(context: _Context) -> Flip:
    """Net value of the flip scenario against baseline along the effort response."""
    read = context.read
    baseline = read.values("baseline", "net_value")
    estimates = [
        interval(_at(context.effort, "reps.service_response", value, "net_value") - baseline)
        for value in EFFORT_RESPONSES
    ]
    means = np.array([estimate.mean for estimate in estimates])
    crossing = float("nan")
    for index in range(len(means) - 1):
        if np.sign(means[index]) != np.sign(means[index + 1]):
            a, b = means[index], means[index + 1]
            x0, x1 = EFFORT_RESPONSES[index], EFFORT_RESPONSES[index + 1]
            crossing = x0 + (x1 - x0) * a / (a - b)
            break
    return Flip(
        scenario=FLIP_SCENARIO,
        parameter="reps.service_response",
        values=EFFORT_RESPONSES,
        default=load_scenario(FLIP_SCENARIO).reps.service_response,
        net_value=tuple(estimates),
        crossing=crossing,
        figure=plot_sweep(
            _curve(EFFORT_RESPONSES, estimates, "reps.service_response", "net_value"),
            "reps.service_response",
            ["net_value"],
            title=f"{FLIP_SCENARIO}: net value against baseline, per year, by how far effort "
            "responds to the stake",
        ),
    )


#: Every pattern checked, in the table's order.
CHECKS: tuple[Check, ...] = (
    indicator_only,
    response_rate,
    pressured_share,
    official_gap,
    money_given_away,
    discounts_near_the_line,
    asked_for_a_ten,
    multitask,
    independent_and_audits,
    audits_slow_spread,
    bads_accumulate,
    pay_on_rep_sampled_score_loses,
    well_designed_pays,
    null_world,
    culture_selection,
    integrity_bounds_gaming,
)
