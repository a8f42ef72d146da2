"""The evidence pipeline's mechanics: how patterns are read, labelled and written, not what holds.

Whether a published pattern holds is a finding of the model, reported by ``npssim evidence``;
no test here asserts it. The tests give patterns small ledgers made by hand, whose right answer
is known, and check that each pattern computes and judges them correctly, that every pattern
carries a valid label, that the document shows each pattern with its label, and that identity
checks are computed right. One small run checks that the runs a pattern declares are the runs
it gets.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

import npssim.experiment
from npssim import load_scenario
from npssim.experiment.analysis import interval
from npssim.experiment.evidence import (
    COLUMNS,
    IDENTITIES,
    LABELS,
    PATTERNS,
    Ledgers,
    Variant,
    citing_parameters,
    flip,
    identities,
    measurement,
    outcomes,
    read,
    run_evidence,
    trades,
)
from npssim.experiment.evidence.document import counts
from npssim.experiment.evidence.flip import crossing
from npssim.experiment.evidence.pattern import find
from npssim.experiment.evidence.runs import (
    BASELINE,
    NPS_BONUS,
    RANK_AND_YANK,
    Recording,
    Sweep,
    execute,
    gather,
    record_prices,
)
from npssim.metrics import METRIC_NAMES
from npssim.scenario import params_by_path

from .conftest import SMALL
from .models import StrictFirm

#: A firm of 3 reps and 60 accounts, for the few tests that run the model.
TINY = {**SMALL, "firm.managers": 1, "firm.reps_per_manager": 3}


def ledgers(
    long: dict[Variant, dict[str, list[float]]],
    short: dict[Variant, dict[str, list[float]]] | None = None,
    **more,
) -> Ledgers:
    """Ledgers made by hand: per-replication values by variant and metric, per horizon."""

    def frame(table):
        records = [
            {"scenario": variant.name, "replication": r, **{m: v[r] for m, v in metrics.items()}}
            for variant, metrics in table.items()
            for r in range(len(next(iter(metrics.values()))))
        ]
        return pd.DataFrame(records)

    return Ledgers({"long": frame(long), "short": frame(short or long)}, **more)


@pytest.fixture(scope="module")
def everything():
    """Random ledgers holding every metric for every run any pattern or check reads."""
    rng = np.random.default_rng(1)
    reads = [run for check in (*PATTERNS, *IDENTITIES) for run in check.reads] + [*flip.READS]
    variants, recordings = gather(reads)
    per_run = {
        horizon: pd.DataFrame(
            [
                {"scenario": v.name, "replication": r, **dict(zip(METRIC_NAMES, row, strict=True))}
                for v in variants
                for r, row in enumerate(rng.uniform(1.0, 2.0, (3, len(METRIC_NAMES))))
            ]
        )
        for horizon in ("short", "long")
    }
    weeks = np.arange(60)
    weekly = pd.DataFrame(
        [
            {"scenario": v.name, "replication": r, "week": w, **{m: w + 1.0 for m in METRIC_NAMES}}
            for v in variants
            for r in range(3)
            for w in weeks
        ]
    )
    records = {
        recording.name: pd.DataFrame(
            {
                "gap": np.tile([5.0, 30.0, -3.0], 6),
                "for_score": rng.uniform(0, 0.1, 18),
                "acv": 1.0,
                "replication": np.repeat([0, 1, 2], 6),
            }
        )
        for recording in recordings
    }
    return read(
        Ledgers(per_run, weekly, records), settings={"replications": 3, "seed": 1, "weeks": 60}
    )


# ------------------------------------------------------------------ labels and declarations


def test_every_pattern_has_a_unique_key_a_valid_label_and_a_line_on_why():
    keys = [pattern.key for pattern in PATTERNS]
    assert len(set(keys)) == len(keys)
    for pattern in PATTERNS:
        assert pattern.label in LABELS, pattern.key
        assert pattern.why.strip() and pattern.claim.strip() and pattern.source.strip()
        assert pattern.reads, f"{pattern.key} reads no runs"


def test_inputs_and_calibrations_name_schema_parameters_and_predictions_none():
    known = params_by_path()
    for pattern in PATTERNS:
        if pattern.label == "prediction":
            assert pattern.set_by == (), pattern.key
        else:
            assert pattern.set_by, f"{pattern.key} is {pattern.label} but names no parameter"
            assert [path for path in pattern.set_by if path not in known] == [], pattern.key


def test_a_parameter_citing_a_pattern_s_figure_is_among_what_set_it():
    # A prediction's figure is cited by no parameter; an input's by those it names.
    for pattern in PATTERNS:
        assert set(citing_parameters(pattern)) <= set(pattern.set_by), pattern.key


def test_citing_parameters_finds_a_cited_figure_unless_every_run_switches_it_off():
    on = Variant("baseline", "on", {"reps.a": 0.5})
    off = Variant("baseline", "off", {"reps.a": 0.0})
    sources = {"reps.a": "assumption (after Smith 2001)", "reps.b": "assumption"}
    pattern = outcomes.CULTURE_SELECTION
    cited = replace(pattern, cites=("smith",), reads=(on, off))
    assert citing_parameters(cited, sources) == ["reps.a"]
    switched_off = replace(cited, reads=(off,))
    assert citing_parameters(switched_off, sources) == []


def test_the_null_world_is_an_identity_check_not_a_pattern():
    assert "null_world" not in {pattern.key for pattern in PATTERNS}
    assert "null_world" in {check.key for check in IDENTITIES}


def test_a_sweep_names_each_point_safely_and_sets_the_parameter():
    sweep = Sweep(Variant("nps_bonus", "x", {"a.b": 1}), "reps.integrity_mean", (0.35, 1.0))
    first, last = sweep.variants
    assert first.name == "nps_bonus_x__reps.integrity_mean_0.35"
    assert first.change == {"a.b": 1, "reps.integrity_mean": 0.35} and last.change["a.b"] == 1
    assert sweep.at(1.0) == last


def test_runs_are_gathered_once_and_a_name_cannot_mean_two_runs():
    variants, recordings = gather([BASELINE, NPS_BONUS, BASELINE, trades.CLIFF_PRICING])
    assert [v.name for v in variants] == ["baseline", "nps_bonus"]
    assert recordings == [trades.CLIFF_PRICING]
    with pytest.raises(ValueError, match="baseline_x"):
        gather([Variant("baseline", "x", {"a": 1}), Variant("baseline", "x", {"a": 2})])


# ------------------------------------------------------------------ patterns from hand-made ledgers


def test_every_pattern_and_check_computes_from_ledgers_of_metric_columns_alone(everything):
    for finding in [*everything.findings, *everything.identities]:
        assert finding.computed, finding.key
        assert finding.status in ("holds", "does not hold")
        assert finding.reading.figure is not None


def test_official_gap_is_the_mean_inflation_under_the_bonus_judged_against_10_to_30():
    made = {BASELINE: {"nps_inflation": [1.0, 2.0, 3.0]}}
    inside = ledgers({**made, NPS_BONUS: {"nps_inflation": [18.0, 20.0, 22.0]}})
    reading = measurement.OFFICIAL_GAP.compute(inside)
    assert reading.estimate.mean == pytest.approx(20.0) and reading.holds
    outside = ledgers({**made, NPS_BONUS: {"nps_inflation": [40.0, 42.0, 44.0]}})
    assert not measurement.OFFICIAL_GAP.compute(outside).holds


def test_answers_bought_is_the_mean_share_bribed_under_the_bonus_judged_against_its_range():
    inside = ledgers({NPS_BONUS: {"share_bribed": [0.01, 0.02, 0.03]}})
    reading = measurement.ANSWERS_BOUGHT.compute(inside)
    assert reading.estimate.mean == pytest.approx(0.02) and reading.holds
    assert not measurement.ANSWERS_BOUGHT.compute(
        ledgers({NPS_BONUS: {"share_bribed": [0.2, 0.25, 0.3]}})
    ).holds


def test_response_rate_reads_the_highest_rate_minus_the_lowest_paired():
    sweep = measurement.RESPONSE
    values = {
        sweep.at(rate): {"reported_nps": [30.0 - 10 * rate, 31.0 - 10 * rate, 29.0 - 10 * rate]}
        for rate in sweep.values
    }
    reading = measurement.RESPONSE_RATE.compute(ledgers(values))
    assert reading.estimate.mean == pytest.approx(-8.0)  # 10 x (0.1 - 0.9), the same each run
    assert reading.estimate.high < 0 and reading.holds


def test_score_decoupling_needs_the_reported_auc_to_fall_more_than_the_latent_one():
    falling = ledgers(
        {
            BASELINE: {"signal_validity": [0.7, 0.72, 0.71], "latent_signal_validity": [0.8] * 3},
            NPS_BONUS: {"signal_validity": [0.6, 0.61, 0.62], "latent_signal_validity": [0.8] * 3},
        }
    )
    reading = measurement.SCORE_DECOUPLES.compute(falling)
    assert reading.estimate.mean == pytest.approx(-0.1) and reading.holds
    both = ledgers(
        {
            BASELINE: {"signal_validity": [0.7, 0.72, 0.71], "latent_signal_validity": [0.8] * 3},
            NPS_BONUS: {"signal_validity": [0.6, 0.61, 0.62], "latent_signal_validity": [0.6] * 3},
        }
    )
    assert not measurement.SCORE_DECOUPLES.compute(both).holds


def test_money_given_away_is_every_form_beyond_the_baseline_over_revenue():
    base = {"concession_cost": [1.0] * 2, "giveaway_cost": [1.0] * 2, "bribe_cost": [0.0] * 2}
    made = {
        variant: {
            **base,
            "discount_cost": [2.0] * 2,
            "revenue": [100.0] * 2,
            "savvy_share": [0.1] * 2,
        }
        for variant in trades.MONEY_GIVEN_AWAY.reads
    }
    made[RANK_AND_YANK] = {
        **made[RANK_AND_YANK],
        "concession_cost": [2.0, 3.0],
        "discount_cost": [5.0, 5.0],
    }
    reading = trades.MONEY_GIVEN_AWAY.compute(ledgers(made))
    # (1 + 3) and (2 + 3) beyond the baseline, over revenue of 100.
    assert reading.estimate.mean == pytest.approx(0.045) and reading.holds


def test_discounts_near_the_line_compare_reps_just_short_with_all_others():
    width = trades.near_miss_width()
    record = pd.DataFrame(
        {
            "gap": [width / 2, width + 1, -1.0, width / 2, width + 1, np.nan, width, -5.0],
            "for_score": [0.05, 0.01, 0.03, 0.06, 0.02, 0.5, 0.04, 0.005],
            "acv": 1.0,
            "replication": [0, 0, 0, 1, 1, 1, 2, 2],
        }
    )
    made = Ledgers(
        {"long": pd.DataFrame(), "short": pd.DataFrame()},
        records={trades.CLIFF_PRICING.name: record},
    )
    reading = trades.DISCOUNTS_NEAR_THE_LINE.compute(made)
    # Replication 0: 0.05 - mean(0.01, 0.03); 1: 0.06 - 0.02 (no gap is left out); 2: 0.035.
    assert reading.estimate.mean == pytest.approx((0.03 + 0.04 + 0.035) / 3) and reading.holds


def test_multitask_finds_the_peak_weight_and_judges_the_rise_and_the_fall():
    sweep = trades.WEIGHTS
    shape = {0.0: 0.70, 0.05: 0.72, 0.1: 0.75, 0.2: 0.73, 0.35: 0.7, 0.5: 0.65, 0.75: 0.6, 1.0: 0.5}
    noise = np.array([0.0, 0.002, -0.002])
    made = ledgers(
        {sweep.at(w): {"genuine_effort": list(level + noise)} for w, level in shape.items()}
    )
    reading = trades.MULTITASK.compute(made)
    assert "weight 0.1 minus weight 0" in reading.shown
    assert reading.estimate.mean == pytest.approx(0.05) and reading.holds
    flat = ledgers({sweep.at(w): {"genuine_effort": list(0.7 - w / 10 + noise)} for w in shape})
    assert not trades.MULTITASK.compute(flat).holds  # no rise: effort only falls


def test_commission_pattern_nets_out_commission_s_own_effect_on_price():
    low, high = trades.COMMISSION_RATES
    made = {}
    for rate, bonus, base in ((low, 10.0, 2.0), (high, 6.0, 3.0)):
        made[trades.COMMISSION_BONUS.at(rate)] = {
            "discount_cost": [bonus, bonus + 1],
            "concession_cost": [1.0, 1.0],
        }
        made[trades.COMMISSION_BASELINE.at(rate)] = {
            "discount_cost": [base, base + 1],
            "concession_cost": [1.0, 1.0],
        }
    reading = trades.COMMISSION_CURBS_DISCOUNTS.compute(ledgers(made))
    # Traded for scores: 10 - 2 = 8 at the low rate, 6 - 3 = 3 at the high one.
    assert reading.estimate.mean == pytest.approx(3.0 - 8.0) and reading.holds


def test_a_tactic_that_buys_nothing_fades_when_used_less_in_the_long_run():
    plea = trades.POINTLESS_PLEA
    fading = ledgers({plea: {"share_coached": [0.1, 0.12]}}, {plea: {"share_coached": [0.3, 0.3]}})
    reading = trades.INEFFECTIVE_TACTIC_FADES.compute(fading)
    assert reading.estimate.mean == pytest.approx(-0.19) and reading.holds
    assert "last / first: 0.37" in reading.shown
    lasting = ledgers({plea: {"share_coached": [0.3, 0.31]}}, {plea: {"share_coached": [0.3, 0.3]}})
    assert not trades.INEFFECTIVE_TACTIC_FADES.compute(lasting).holds


def test_culture_selection_reads_the_honest_share_under_selection_alone():
    yank, base = outcomes.RANK_AND_YANK_SELECTION_ONLY, outcomes.BASELINE_SELECTION_ONLY
    long = {yank: {"honest_rep_share": [0.4, 0.42, 0.41]}, base: {"honest_rep_share": [0.5] * 3}}
    short = {yank: {"honest_rep_share": [0.49, 0.5, 0.5]}, base: {"honest_rep_share": [0.5] * 3}}
    reading = outcomes.CULTURE_SELECTION.compute(ledgers(long, short))
    assert reading.estimate.mean == pytest.approx(-0.09) and reading.holds
    assert not outcomes.CULTURE_SELECTION.compute(ledgers(short, long)).holds  # recovering
    earlier = {
        yank: {"honest_rep_share": [0.37, 0.38, 0.39]},
        base: {"honest_rep_share": [0.5] * 3},
    }
    # Below zero in the long run, but less so than in the short run: not a selection that grows.
    assert not outcomes.CULTURE_SELECTION.compute(ledgers(long, earlier)).holds


def test_the_revenue_lag_is_weeks_between_the_two_gains_reaching_half_their_size():
    weeks = np.arange(80)
    rows = []
    for variant, gain in ((BASELINE, 0.0), (outcomes.WELL_DESIGNED, 1.0)):
        for r in range(3):
            nps = 20 + gain * (weeks >= 3)
            revenue = np.cumsum(100 + gain * 10 * (weeks >= 13))  # a running total
            rows.append(
                pd.DataFrame(
                    {
                        "scenario": variant.name,
                        "replication": r,
                        "week": weeks,
                        "true_nps": nps,
                        "revenue": revenue,
                    }
                )
            )
    weekly = pd.concat(rows, ignore_index=True)
    made = ledgers(
        {
            BASELINE: {"true_nps": [20.0] * 3, "revenue": [5200.0] * 3},
            outcomes.WELL_DESIGNED: {"true_nps": [21.0, 21.1, 21.2], "revenue": [5700.0] * 3},
        },
        weekly=weekly,
    )
    reading = outcomes.WELL_DESIGNED_PAYS.compute(made)
    assert "10 weeks after" in reading.shown and reading.holds


def test_flip_crossing_is_linear_between_the_points_around_the_sign_change():
    assert crossing((0.0, 1.0, 2.0), np.array([-2.0, 2.0, 4.0])) == pytest.approx(0.5)
    assert np.isnan(crossing((0.0, 1.0), np.array([-2.0, -1.0])))


# ------------------------------------------------------------------ identity checks


def test_the_null_world_holds_when_net_value_moves_by_exactly_the_pay_moved():
    pay = {"salary_paid": [50.0, 50.0, 50.0]}
    unpaid = {"net_value": [100.0, 120.0, 90.0], "bonus_paid": [0.0] * 3,
              "commission_paid": [20.0, 22.0, 18.0], **pay}  # fmt: skip
    # Half the commission becomes a bonus of 15: net value falls by what pay rose (5, 4, 6).
    paid = {"net_value": [95.0, 116.0, 84.0], "bonus_paid": [15.0] * 3,
            "commission_paid": [10.0, 11.0, 9.0], **pay}  # fmt: skip
    world = (identities.BASELINE_NULL_WORLD, identities.NPS_BONUS_NULL_WORLD)
    reading = identities.NULL_WORLD_CHECK.compute(ledgers({world[0]: unpaid, world[1]: paid}))
    assert reading.estimate.mean == pytest.approx(0.0) and reading.holds
    invented = {world[0]: unpaid, world[1]: {**paid, "net_value": [105.0, 126.0, 94.0]}}
    assert not identities.NULL_WORLD_CHECK.compute(ledgers(invented)).holds
    rounded = {world[0]: unpaid, world[1]: {**paid, "net_value": [95.0, 116.0 - 1e-12, 84.0]}}
    assert identities.NULL_WORLD_CHECK.compute(ledgers(rounded)).holds


def test_no_stake_sums_every_kind_of_trade_against_the_baseline():
    base = {metric: [1.0, 2.0] for metric in identities.TRADED}
    made = {BASELINE: base, identities.NO_STAKE: {**base, "bribe_cost": [1.5, 2.5]}}
    reading = identities.NO_STAKE_CHECK.compute(ledgers(made))
    assert reading.estimate.mean == pytest.approx(0.5) and not reading.holds
    assert identities.NO_STAKE_CHECK.compute(
        ledgers({BASELINE: base, identities.NO_STAKE: base})
    ).holds


# ------------------------------------------------------------------ the document


def test_a_pattern_whose_runs_this_model_lacks_is_reported_not_computed():
    made = ledgers(
        {NPS_BONUS: {"share_coached": [0.2, 0.3]}}, missing={"nps_bonus": "no such thing"}
    )
    finding = find(measurement.PRESSURED_SHARE, made)
    assert not finding.computed and finding.holds is None and finding.status == "not computed"
    assert finding.missing == ("no such thing",)


def test_the_table_has_a_row_per_pattern_with_its_label_and_interval(everything):
    table = everything.table()
    assert list(table.columns) == list(COLUMNS)
    assert table["pattern"].tolist() == [pattern.claim for pattern in PATTERNS]
    assert table["label"].tolist() == [pattern.label for pattern in PATTERNS]
    assert (table["why"].str.len() > 0).all() and (table["note"].str.len() > 0).all()
    assert (table["ci_low"] <= table["model"]).all() and (table["model"] <= table["ci_high"]).all()


def test_the_page_shows_each_pattern_s_label_and_why_and_counts_the_predictions(everything):
    page = everything.markdown("npssim evidence --replications 3")
    assert "`npssim evidence --replications 3`" in page
    predictions = sum(pattern.label == "prediction" for pattern in PATTERNS)
    assert f"**Predictions: {predictions}** of {len(PATTERNS)} patterns." in page
    for pattern in PATTERNS:
        assert f"| {pattern.claim} | {pattern.label} |" in page
        assert f"**{pattern.label.capitalize()}.** {pattern.why}" in page
    identity = page.index("## Identity checks")
    assert page.index("| A null world") > identity  # listed among the checks, after the patterns


def test_a_pattern_that_does_not_hold_is_shown_as_a_finding(everything):
    findings = everything.findings
    failing = [f for f in findings if f.status == "does not hold"]
    assert failing  # random ledgers meet few published claims
    table = everything.table()
    assert set(table.loc[table["status"] == "does not hold", "pattern"]) == {
        f.check.claim for f in failing
    }
    page = everything.markdown("x")
    patterns_table = page[: page.index("## Identity checks")]
    assert patterns_table.count(" | **no** |") == len(failing)
    assert f"{counts(findings)['hold']} of {len(PATTERNS)} patterns hold" in page


def test_saving_writes_the_page_the_table_and_a_figure_per_computed_finding(everything, tmp_path):
    written = everything.save(tmp_path, "npssim evidence")
    page = (tmp_path / "evidence.md").read_text()
    for finding in [*everything.findings, *everything.identities]:
        assert (tmp_path / "img" / "evidence" / f"{finding.key}.png").stat().st_size > 0
        assert f"img/evidence/{finding.key}.png" in page
    assert (tmp_path / "img" / "evidence" / "flip.png") in written
    csv = pd.read_csv(tmp_path / "evidence.csv")
    assert csv["label"].tolist() == [pattern.label for pattern in PATTERNS]
    assert csv["holds"].tolist() == everything.table()["holds"].tolist()


def test_a_finding_not_computed_has_no_figure_and_says_why(tmp_path):
    made = ledgers(
        {NPS_BONUS: {"nps_inflation": [20.0, 21.0]}, BASELINE: {"nps_inflation": [1.0, 2.0]}},
        missing={"nps_bonus_no_resentment": "this model has no parameter x"},
    )
    results = read(
        made,
        (measurement.OFFICIAL_GAP, measurement.ASKED_FOR_A_TEN),
        (),
        {"replications": 2, "seed": 1, "weeks": 30},
        with_flip=False,
    )
    results.save(tmp_path, "npssim evidence")
    assert sorted(p.name for p in (tmp_path / "img" / "evidence").glob("*.png")) == [
        "official_gap.png"
    ]
    page = (tmp_path / "evidence.md").read_text()
    assert "Not computed: this model has no parameter x." in page
    assert "1 of 2 patterns hold (1 could not be computed in this model)" in page
    assert "## Where the verdict flips\n\nNot computed" in page


# ------------------------------------------------------------------ the runs


def test_a_researcher_s_own_pattern_runs_with_the_variants_it_declares():
    safer = Variant("nps_bonus", "audited_often", {"policy.audits.probability": 1.0})

    def gap(made: Ledgers):
        return replace(
            measurement.OFFICIAL_GAP.compute(made),
            estimate=interval(made.difference(safer, "nps_inflation", reference=NPS_BONUS)),
        )

    own = replace(
        measurement.OFFICIAL_GAP,
        key="audits_close_the_gap",
        reads=(NPS_BONUS, safer, BASELINE),
        compute=gap,
    )
    results = run_evidence(
        replications=2,
        seed=3,
        overrides={**TINY, "run.weeks": 20},
        executor="serial",
        patterns=[own],
    )
    (finding,) = results.findings
    assert finding.key == "audits_close_the_gap" and finding.computed
    assert finding.reading.estimate.n == 2


def test_a_variant_the_model_cannot_build_is_missing_and_the_rest_still_run():
    lacking = Variant("baseline", "lacking", {"policy.pay.no_such_rate": 0.1})
    made, settings = execute(
        [BASELINE, lacking],
        [],
        replications=2,
        seed=3,
        settings={**TINY, "run.weeks": 20},
        executor="serial",
    )
    assert "policy.pay.no_such_rate" in made.missing["baseline_lacking"]
    assert set(made.per_run["long"]["scenario"]) == {"baseline"}
    assert len(made.values(BASELINE, "net_value")) == 2
    assert settings == {"replications": 2, "seed": 3, "weeks": 20}


def test_run_evidence_runs_only_what_the_chosen_patterns_read():
    results = run_evidence(
        replications=2,
        seed=3,
        overrides={**TINY, "run.weeks": 20},
        executor="serial",
        patterns=["official_gap"],
    )
    (finding,) = results.findings
    assert finding.key == "official_gap" and finding.computed
    assert results.identities == [] and results.flip is None
    assert npssim.experiment.run_evidence is run_evidence  # the public name still reaches it
    with pytest.raises(KeyError, match="no evidence pattern"):
        run_evidence(patterns=["no_such_pattern"])


def test_a_pattern_none_of_whose_runs_this_model_has_is_reported_not_an_error():
    lacking = Variant("baseline", "x", {"policy.no.such": 1.0})
    pattern = replace(measurement.OFFICIAL_GAP, reads=(lacking,))
    settings = {**TINY, "run.weeks": 20}
    made, _ = execute(
        pattern.reads, [], replications=2, seed=3, settings=settings, executor="serial"
    )
    finding = find(pattern, made)
    assert finding.status == "not computed" and "this model has no parameter" in finding.missing[0]


def test_the_pricing_record_is_kept_by_the_experiment_s_own_model_class():
    scenario = load_scenario("nps_bonus", {**SMALL, "run.weeks": 20})
    plain = record_prices(scenario, [1])
    strict = record_prices(scenario, [1], StrictFirm)
    assert len(strict) == len(plain) and strict["for_score"].sum() <= plain["for_score"].sum()


def test_a_recording_the_model_cannot_make_is_missing():
    recording = Recording(BASELINE, method="record_nothing")
    settings = {**TINY, "run.weeks": 20}
    made, _ = execute(
        [BASELINE, recording], [], replications=2, seed=3, settings=settings, executor="serial"
    )
    assert made.missing[recording.name] == "this model has no method record_nothing()"
    assert recording.name not in made.records


def test_differences_pair_replications_by_index_not_by_row_order():
    frame = pd.DataFrame(
        {
            "scenario": ["baseline"] * 3 + ["nps_bonus"] * 3,
            "replication": [0, 1, 2, 2, 0, 1],
            "net_value": [10.0, 20.0, 30.0, 33.0, 11.0, 22.0],
        }
    )
    made = Ledgers({"long": frame, "short": frame})
    np.testing.assert_array_equal(made.difference(NPS_BONUS, "net_value"), [1.0, 2.0, 3.0])


def test_intervals_of_a_hand_made_reading_are_the_paired_student_t_interval():
    made = ledgers(
        {
            BASELINE: {"nps_inflation": [1.0, 2.0, 3.0]},
            NPS_BONUS: {"nps_inflation": [11.0, 14.0, 13.0]},
        }
    )
    assert measurement.OFFICIAL_GAP.compute(made).estimate == interval([11.0, 14.0, 13.0])
