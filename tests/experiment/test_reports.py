"""Every kind of experiment writes a report that shows what the CLI printed, and only that."""

import re

import pytest

from npssim.experiment import run_experiment, run_sensitivity, run_sweep
from npssim.experiment.design import parse_factor

from .conftest import SMALL

FAST = {"replications": 2, "seed": 3, "overrides": SMALL, "executor": "serial"}


def report(results, folder) -> str:
    results.save(folder)
    return (folder / "report.md").read_text(encoding="utf-8")


def test_a_run_s_report_shows_its_goods_and_bads_without_verdicts(tmp_path):
    text = report(run_experiment("nps_bonus", **FAST), tmp_path)
    assert "### nps_bonus: goods and bads, mean ± 95% interval over 2 replications" in text
    assert "verdict" not in text.lower() and "Differences are paired" not in text


@pytest.mark.slow
def test_a_comparison_s_report_shows_each_scenario_against_the_baseline(tmp_path):
    text = report(run_experiment(["baseline", "nps_bonus"], **FAST), tmp_path)
    assert "### nps_bonus against baseline: paired differences over 2 replications" in text
    assert "A verdict says **better** or **worse**" in text and "Differences are paired" in text


@pytest.fixture(scope="module")
def sweep_report(tmp_path_factory):
    results = run_sweep(
        "nps_bonus",
        {"policy.incentives.nps_weight": [0.0, 1.0]},
        metrics=["net_value"],
        **FAST,
    )
    return results, report(results, tmp_path_factory.mktemp("sweep"))


def test_a_sweep_s_report_shows_the_sweep_tables_the_cli_prints(sweep_report):
    results, text = sweep_report
    for title, _ in results.people_tables():
        assert f"### {title}" in text
    assert "figures/sweep.png" in text and "figures/sweep_levels.png" in text


def test_a_sweep_s_report_shows_no_design_point_as_if_it_were_the_scenario(sweep_report):
    _, text = sweep_report
    assert "goods and bads" not in text and "figures/nps.png" not in text
    assert "A verdict says" not in text  # a sweep shows no verdicts
    assert "Every point is compared with the reference point (nps_weight=0)" in text


@pytest.fixture(scope="module")
def tiny_sobol(tmp_path_factory):
    results = run_sensitivity(
        "nps_bonus",
        [parse_factor("policy.incentives.nps_weight=0:1"), parse_factor("reps.integrity_mean")],
        method="sobol",
        samples=4,
        metric="nps_inflation",
        replications=1,
        seed=2,
        overrides={**SMALL, "run.weeks": 16},
        executor="serial",
    )
    return results, report(results, tmp_path_factory.mktemp("sobol"))


def test_a_sensitivity_report_shows_the_indices_table_and_figure(tiny_sobol):
    results, text = tiny_sobol
    ((title, table),) = results.people_tables()
    assert f"### {title}" in text and "figures/sensitivity.png" in text
    assert {"parameter", "S1", "ST"} <= set(table.columns)
    assert "**S1** is the share of the output's variance" in text


def test_a_sample_too_small_to_read_is_said_with_the_size_that_would_do(tiny_sobol):
    results, text = tiny_sobol
    (warning,) = results.warnings()
    assert "The sample is too small to read these indices" in warning
    assert "--samples" in warning and "instead of 4" in warning
    assert f"**Warning.** {warning}" in text


@pytest.fixture(scope="module")
def comparison_report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("compare")
    results = run_experiment(["baseline", "nps_bonus", "well_designed_bonus"], **FAST)
    return results, report(results, folder), folder


def test_a_comparison_s_report_opens_with_the_answer(comparison_report):
    _, text, _ = comparison_report
    answer = text.index("## The answer")
    assert answer < text.index("## What was run") < text.index("### nps_bonus against baseline")
    assert re.search(r"\*\*nps_bonus\*\* (costs|earns|makes no clear)", text[answer:])
    assert "Best option on this evidence" in text or "No policy tried is a clear *do*" in text
    assert answer < text.index("### What to do") < text.index("## What was run")


def test_the_answer_shows_a_policy_matrix_and_the_paired_differences_chart_first(
    comparison_report,
):
    _, text, _ = comparison_report
    assert "### The policies side by side" in text
    assert "| baseline (reference) |" in text.replace("  ", " ").replace("  ", " ")
    assert text.index("figures/differences.png") < text.index("## What was run")


def test_a_comparison_s_report_says_who_wins_and_who_loses(comparison_report):
    _, text, folder = comparison_report
    assert "## Who wins, who loses" in text and "Powerful customers" in text
    stakeholders = (folder / "stakeholders.csv").read_text()
    assert stakeholders.startswith("policy,party,what,")


def test_report_tables_carry_meanings_as_hover_text_and_a_glossary_not_a_column(
    comparison_report,
):
    _, text, folder = comparison_report
    html = (folder / "report.html").read_text()
    assert '<th scope="col">meaning</th>' not in html.split("Glossary")[0]
    assert 'title="NPS of an honest census of all active accounts' in html
    assert "## Glossary" in text


@pytest.mark.slow
def test_money_in_the_report_names_the_currency(tmp_path):
    overrides = {**SMALL, "firm.currency": "EUR"}
    results = run_experiment(["baseline", "nps_bonus"], **{**FAST, "overrides": overrides})
    text = report(results, tmp_path)
    assert "The firm's net money (EUR)" in text and "EUR a year" in text
