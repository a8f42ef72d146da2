"""The published patterns, checked at a smaller size than ``npssim evidence`` runs them.

The firm is the default one; the replications are fewer, so intervals are wider but every
pattern that holds in docs/evidence.md must still hold here.
"""

import pandas as pd
import pytest

from npssim import load_scenario
from npssim.experiment import run_evidence
from npssim.experiment.evidence import CHECKS, COLUMNS, _record_cliff_pricing

from .conftest import SMALL
from .models import StrictFirm


@pytest.fixture(scope="module")
def evidence():
    return run_evidence(replications=10, seed=7)


def test_at_least_twelve_patterns_are_checked():
    assert len(CHECKS) >= 12


@pytest.mark.slow
@pytest.mark.parametrize("check", [c.__name__ for c in CHECKS])
def test_pattern_holds_from_the_defaults(evidence, check):
    finding = next(f for f in evidence.findings if f.key == check)
    assert finding.holds, f"{finding.pattern}: {finding.shown}"


@pytest.mark.slow
def test_the_verdict_of_an_honest_survey_bonus_flips_along_the_effort_response(evidence):
    flip = evidence.flip
    assert flip.changes_sign
    assert flip.values[0] < flip.crossing < flip.values[-1]
    assert flip.net_value[0].high < 0 < flip.net_value[-1].low


@pytest.mark.slow
def test_the_table_has_a_row_per_pattern_with_source_interval_and_verdict(evidence):
    table = evidence.table()
    assert list(table.columns) == list(COLUMNS)
    assert len(table) == len(CHECKS)
    assert (table["source"].str.len() > 0).all() and (table["note"].str.len() > 0).all()
    assert (table["ci_low"] <= table["model"]).all() and (table["model"] <= table["ci_high"]).all()


@pytest.mark.slow
def test_saving_writes_the_table_as_markdown_and_csv_and_a_figure_per_pattern(evidence, tmp_path):
    evidence.save(tmp_path, "npssim evidence --replications 10")
    page = (tmp_path / "evidence.md").read_text()
    assert "`npssim evidence --replications 10`" in page
    assert "## Where the verdict flips" in page and "img/evidence/flip.png" in page
    for finding in evidence.findings:
        assert (tmp_path / "img" / "evidence" / f"{finding.key}.png").stat().st_size > 0
        assert f"img/evidence/{finding.key}.png" in page
    csv = pd.read_csv(tmp_path / "evidence.csv")
    assert csv["holds"].tolist() == evidence.table()["holds"].tolist()


def test_the_pricing_record_is_kept_by_the_experiment_s_own_model_class():
    scenario = load_scenario("nps_bonus", {**SMALL, "run.weeks": 20})
    plain = _record_cliff_pricing(scenario, [1])
    strict = _record_cliff_pricing(scenario, [1], StrictFirm)
    assert len(strict) == len(plain) and strict["for_score"].sum() <= plain["for_score"].sum()
