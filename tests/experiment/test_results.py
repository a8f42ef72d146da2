import base64
import json
import re

import numpy as np
import pandas as pd
import pytest

from npssim import METRIC_NAMES
from npssim.experiment import run_experiment
from npssim.experiment.analysis import COLUMNS, HORIZONS
from npssim.scenario import load_scenario

from .conftest import SMALL


@pytest.fixture(scope="module")
def results():
    return run_experiment(
        ["baseline", "nps_bonus"], replications=3, seed=5, overrides=SMALL, executor="serial"
    )


@pytest.fixture(scope="module")
def saved(results, tmp_path_factory):
    folder = tmp_path_factory.mktemp("saved")
    results.save(folder)
    return folder


def test_timeseries_has_one_row_per_scenario_replication_and_week(results):
    frame = results.timeseries
    assert len(frame) == 2 * 3 * 30
    assert list(frame.columns[:4]) == ["scenario", "replication", "seed", "week"]
    assert set(METRIC_NAMES) <= set(frame.columns)


def test_ledger_has_one_row_per_scenario_and_replication(results):
    assert len(results.ledger) == 6
    last = results.timeseries.groupby(["scenario", "replication"]).tail(1)
    np.testing.assert_array_equal(
        results.ledger["true_nps"].to_numpy(), last["true_nps"].to_numpy()
    )


def test_summary_gives_every_metric_at_every_horizon(results):
    summary = results.summary()
    counts = summary.groupby(["scenario", "horizon"])["metric"].nunique()
    assert set(counts) == {len(COLUMNS)}
    assert set(summary["horizon"]) == set(HORIZONS)
    row = summary.query("scenario == 'nps_bonus' and horizon == 'end' and metric == 'bonus_paid'")
    assert (row["ci_low"] <= row["mean"]).all() and (row["mean"] <= row["ci_high"]).all()


def test_identical_scenarios_differ_by_exactly_zero_when_paired():
    same = run_experiment(
        ["baseline", "baseline"], replications=3, seed=5, overrides=SMALL, executor="serial"
    )
    comparison = same.compare()
    assert (comparison["difference"].fillna(0) == 0).all()
    assert set(comparison["verdict"]) <= {"", "no clear change"}


def test_comparison_reports_short_and_long_run_against_the_baseline(results):
    comparison = results.compare()
    assert set(comparison["scenario"]) == {"nps_bonus"}
    assert set(comparison["horizon"]) == {"short", "long"}
    inflation = comparison.query("metric == 'bonus_paid' and horizon == 'long'").iloc[0]
    assert inflation["difference"] > 0
    assert inflation["verdict"] == ""


def test_the_folder_holds_every_output(saved):
    for name in (
        "manifest.json",
        "timeseries.csv",
        "timeseries.parquet",
        "ledger.csv",
        "summary.csv",
        "comparison.csv",
        "report.md",
        "report.html",
        "figures/nps.png",
        "figures/over_time.png",
        "figures/money.png",
        "figures/differences.png",
        "figures/assumptions.png",
        "assumptions.csv",
        "scenarios/baseline.toml",
        "scenarios/nps_bonus.toml",
    ):
        assert (saved / name).is_file(), name


def test_csv_tables_read_back_exactly(results, saved):
    pd.testing.assert_frame_equal(pd.read_csv(saved / "ledger.csv"), results.ledger)


def test_weekly_files_written_in_blocks_read_back_as_the_timeseries(results, saved):
    csv = pd.read_csv(saved / "timeseries.csv")
    pd.testing.assert_frame_equal(csv, results.timeseries, check_dtype=False)
    parquet = pd.read_parquet(saved / "timeseries.parquet")
    pd.testing.assert_frame_equal(parquet, results.timeseries, check_exact=True)


def test_timeseries_blocks_hold_a_few_replications_each_in_row_order(results):
    blocks = list(results.timeseries_blocks(replications=2))
    assert [block["replication"].nunique() for block in blocks] == [2, 1, 2, 1]
    whole = pd.concat(blocks, ignore_index=True)
    pd.testing.assert_frame_equal(whole, results.timeseries, check_exact=True)


def test_timeseries_blocks_can_carry_only_some_metrics(results):
    block = next(results.timeseries_blocks(["true_nps"]))
    assert list(block.columns) == ["scenario", "replication", "seed", "week", "true_nps"]


def test_runs_are_read_from_the_experiment_s_single_copy_of_its_data(results):
    cubes = list(results._cubes.values())
    for run in results.runs.values():
        assert any(np.shares_memory(run.weekly, cube) for cube in cubes), run.key


def test_manifest_records_versions_seeds_and_hashes(results, saved):
    manifest = json.loads((saved / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert manifest["root_seed"] == 5
    assert manifest["replication_seeds"] == results.plan.seeds()
    assert manifest["mesa"] and manifest["npssim"] and manifest["platform"]
    assert len(manifest["scenarios"]["nps_bonus"]["file_sha256"]) == 64
    assert manifest["timings"]["runs"] == 6


def test_resolved_scenario_files_load_to_the_scenarios_that_ran(results, saved):
    for label, scenario in results.scenarios.items():
        assert load_scenario(saved / "scenarios" / f"{label}.toml") == scenario


def test_html_report_is_self_contained_with_every_figure(saved):
    html = (saved / "report.html").read_text()
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', html)
    assert len(images) == len(list((saved / "figures").glob("*.png"))) == 5
    assert all(base64.b64decode(image)[:4] == b"\x89PNG" for image in images)
    assert not re.search(r'(src|href)="(?!data:|#)', html)
    assert "net_value" in html and "paired differences" in html


def test_weekly_flows_are_what_accrued_in_each_week(results):
    flows, totals = results.flows(), results.timeseries
    assert list(flows.columns) == list(totals.columns)
    again = flows.groupby(["scenario", "replication"])["revenue"].cumsum()
    np.testing.assert_allclose(again, totals["revenue"])
    pd.testing.assert_series_equal(flows["true_nps"], totals["true_nps"])


def test_counts_are_whole_numbers_in_every_table(results):
    assert results.timeseries["churned_accounts"].dtype == np.int64
    assert results.ledger["accounts_active"].dtype == np.int64
    assert results.per_run("long")["churned_accounts"].dtype == np.int64
    assert results.per_run("long")["accounts_active"].dtype == np.float64  # a weekly mean
