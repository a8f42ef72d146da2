"""The diagnosis report opens with the answer, and writes what it says it writes."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from npssim.diagnose.report import (
    FITTED_FILE,
    REPS_FILE,
    answer_markdown,
    diagnosis_document,
    flagged_rows,
    ranked,
    save_diagnosis,
    save_validation,
)
from npssim.scenario import load_scenario
from tests.diagnose import fake_science


@pytest.fixture
def diagnosis():
    exports = fake_science.simulate_exports("nps_bonus", seed=3)
    return fake_science.diagnose(exports.responses, exports.accounts, fdr=0.1)


def test_report_opens_with_the_answer(diagnosis):
    markdown = diagnosis_document(diagnosis).to_markdown()
    sections = re.findall(r"^## (.+)$", markdown, flags=re.MULTILINE)
    assert sections[0] == "The answer"
    answer = markdown.split("## The answer", 1)[1].split("\n## ", 1)[0]
    for line in diagnosis.answer():  # every sentence, in order, before anything else
        assert line in answer
    positions = [answer.index(line) for line in diagnosis.answer()]
    assert positions == sorted(positions)
    assert f"{diagnosis.settle_accounts:,} accounts" in answer
    assert f"{diagnosis.flagged} of {len(diagnosis.reps)}" in answer
    html = diagnosis_document(diagnosis).to_html()
    assert html.index("The answer") < html.index("The fingerprints") < html.index("The reps")
    assert 'class="lead"' in html and "<script" not in html


def test_report_explains_each_fingerprint_and_its_limits(diagnosis):
    markdown = diagnosis_document(diagnosis).to_markdown()
    for row in diagnosis.fingerprints.itertuples():
        assert row.description in markdown
    assert "### Excess promoters: present" in markdown
    assert "### Response rate: not present" in markdown
    assert "cherry pick" in markdown  # the tactics it points to, in words
    assert diagnosis.indistinguishable[0] in markdown.split("cannot tell apart", 1)[1]


def test_reps_are_ranked_most_suspicious_first(diagnosis):
    table = ranked(diagnosis.reps)
    assert table["suspicion"].is_monotonic_decreasing
    assert list(table.columns[:5]) == ["rep_id", "answers", "suspicion", "p_value", "flagged"]
    assert sorted(table["rep_id"]) == sorted(diagnosis.reps["rep_id"])


def test_flagged_rows_for_the_terminal(diagnosis):
    diagnosis.reps["flagged"] = [True, True, True, False, False, False]
    rows, more = flagged_rows(diagnosis, limit=2)
    assert len(rows) == 2 and more == 1
    top = ranked(diagnosis.reps[diagnosis.reps["flagged"]])["rep_id"].head(2).tolist()
    assert rows["rep_id"].tolist() == top


def test_save_writes_reps_report_figures_and_fitted_scenario(tmp_path, diagnosis):
    written = save_diagnosis(diagnosis, tmp_path / "out", source="r.csv and a.csv")
    names = {path.relative_to(tmp_path / "out").as_posix() for path in written}
    assert names == {
        REPS_FILE,
        "report.md",
        "report.html",
        "figures/suspicion.png",
        "figures/p_values.png",
        FITTED_FILE,
    }
    reps = pd.read_csv(tmp_path / "out" / REPS_FILE)
    assert reps["rep_id"].tolist() == ranked(diagnosis.reps)["rep_id"].tolist()
    # The fitted scenario loads back to the one the diagnosis carries.
    assert load_scenario(tmp_path / "out" / FITTED_FILE) == diagnosis.fitted_scenario


def test_without_estimate_there_is_no_fitted_scenario(tmp_path):
    exports = fake_science.simulate_exports("nps_bonus", seed=3)
    diagnosis = fake_science.diagnose(exports.responses, exports.accounts, estimate=False)
    written = save_diagnosis(diagnosis, tmp_path)
    assert FITTED_FILE not in {path.name for path in written}
    assert "not estimated" in answer_markdown(diagnosis)


def test_answer_markdown_for_notebooks(diagnosis):
    markdown = answer_markdown(diagnosis)
    assert markdown.startswith("## The answer")
    assert diagnosis.answer()[0] in markdown


def test_validation_report(tmp_path):
    table = fake_science.validate(scenarios=("baseline", "nps_bonus"), sizes=(1, 2))
    written = save_validation(table, tmp_path, "npssim diagnose --validate")
    assert (tmp_path / "validation.csv").exists()
    assert pd.read_csv(tmp_path / "validation.csv").shape == table.shape
    assert {path.name for path in written} >= {"report.md", "report.html"}
    assert "nps_bonus" in (tmp_path / "report.md").read_text()


def test_suspicion_against_truth_draws_every_rep_the_truth_knows(diagnosis):
    from npssim.diagnose.report import plot_against_truth

    truth = fake_science.simulate_exports("nps_bonus", seed=3).truth.iloc[:4]
    figure = plot_against_truth(diagnosis.reps, truth)
    points = sum(len(c.get_offsets()) for c in figure.axes[0].collections)
    assert points == 4


def test_reps_table_shows_the_fingerprints_asked_for(diagnosis):
    from npssim.diagnose.report import reps_table

    assert list(reps_table(diagnosis.reps, [])) == list(ranked(diagnosis.reps).columns[:5])
    assert "promoter_share" in reps_table(diagnosis.reps, ["promoter_share"])
    assert "promoter_share" in reps_table(diagnosis.reps)  # every column when not told


def test_a_missing_statistic_reads_n_a(diagnosis):
    diagnosis.fingerprints.loc[1, "statistic"] = float("nan")
    markdown = diagnosis_document(diagnosis).to_markdown()
    assert "Firm-level statistic: n/a." in markdown and "nan" not in markdown


def test_the_fitted_scenario_says_where_it_comes_from(tmp_path, diagnosis):
    save_diagnosis(diagnosis, tmp_path, source="survey.csv and crm.xlsx")
    first = (tmp_path / FITTED_FILE).read_text().splitlines()[0]
    assert first.startswith("# ") and "survey.csv and crm.xlsx" in first
    assert "npssim diagnose of survey.csv and crm.xlsx" in (tmp_path / "report.md").read_text()
