"""``npssim export`` and ``npssim diagnose``: what they print and write, and what they refuse.

The science API is replaced by the stand-ins of tests/diagnose/fake_science.py: these tests lock
the command line's wiring, reading and writing, not the statistics.
"""

from __future__ import annotations

import pandas as pd
import pytest

from npssim.files import JOURNAL
from tests.cli.conftest import assert_one_line_error, run_cli
from tests.diagnose import fake_science
from tests.diagnose.test_reading import CRM_COLUMNS, crm_accounts, crm_responses


@pytest.fixture
def calls(monkeypatch):
    return fake_science.install(monkeypatch)


@pytest.fixture
def crm(tmp_path):
    """A CRM-like export with the firm's own column names and dates."""
    responses, accounts = tmp_path / "survey.csv", tmp_path / "crm.xlsx"
    crm_responses().to_csv(responses, index=False)
    crm_accounts().to_excel(accounts, index=False)
    options = [f"--column={name}={column}" for name, column in CRM_COLUMNS.items()]
    return ["--responses", str(responses), "--accounts", str(accounts), *options]


def _files(folder):
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_export_writes_the_three_files(tmp_path, capsys, calls):
    out = tmp_path / "firm"
    status, stdout, _ = run_cli(capsys, "export", "nps_bonus", "--out", str(out), "--seed", "7")
    assert status == 0
    assert _files(out) == sorted(["responses.csv", "accounts.csv", "truth.csv", JOURNAL])
    assert calls[0] == ("simulate_exports", {"scenario": "nps_bonus", "seed": 7, "weeks": None})
    assert "npssim diagnose --responses" in stdout
    # What export wrote, diagnose reads as it is (no --column needed).
    status, stdout, err = run_cli(
        capsys,
        "diagnose",
        "--responses",
        str(out / "responses.csv"),
        "--accounts",
        str(out / "accounts.csv"),
        "--out",
        str(tmp_path / "diagnosis"),
    )
    assert status == 0, err


def test_export_refuses_a_folder_that_is_not_empty(tmp_path, capsys, calls):
    (tmp_path / "mine.txt").write_text("keep")
    status, _, err = run_cli(capsys, "export", "baseline", "--out", str(tmp_path))
    assert_one_line_error(status, err, "--out", "not empty")
    assert _files(tmp_path) == ["mine.txt"]
    assert calls == []  # refused before anything ran


def test_export_refuses_a_bad_scenario_before_anything(tmp_path, capsys, calls):
    status, _, err = run_cli(capsys, "export", "no_such_scenario", "--out", str(tmp_path / "x"))
    assert_one_line_error(status, err, "no_such_scenario")
    assert not (tmp_path / "x").exists() and calls == []


def test_diagnose_prints_the_answer_first_and_writes_the_folder(tmp_path, capsys, calls, crm):
    out = tmp_path / "diagnosis"
    status, stdout, err = run_cli(capsys, "diagnose", *crm, "--out", str(out), "--fdr", "0.1")
    assert status == 0, err
    lines = stdout.strip().splitlines()
    assert lines[0] == "The answer"
    assert lines[1].startswith("- The reported NPS of")
    assert stdout.index("The answer") < stdout.index("Flagged reps") < stdout.index("Results:")
    assert set(_files(out)) >= {
        "reps.csv",
        "report.md",
        "report.html",
        "our_firm.toml",
        "figures/suspicion.png",
    }
    assert calls[-1] == ("diagnose", {"fdr": 0.1, "estimate": True, "seed": None})
    reps = pd.read_csv(out / "reps.csv")
    assert sorted(reps["rep_id"]) == ["Ann", "Bob"]  # read through --column, from both files
    assert (out / "report.md").read_text().split("\n## ")[1].startswith("The answer")


def test_no_estimate_writes_no_fitted_scenario(tmp_path, capsys, calls, crm):
    out = tmp_path / "d"
    status, _, err = run_cli(capsys, "diagnose", *crm, "--out", str(out), "--no-estimate")
    assert status == 0, err
    assert calls[-1][1]["estimate"] is False
    assert not (out / "our_firm.toml").exists()


def test_validate_estimates_when_asked(tmp_path, capsys, calls):
    args = ["diagnose", "--validate", "--estimate", "--fdr", "0.1", "--quiet"]
    status, _, err = run_cli(capsys, *args, "--out", str(tmp_path / "v"))
    assert status == 0, err
    assert calls == [("validate", {"fdr": 0.1, "estimate": True})]
    assert err == ""


def test_diagnose_again_needs_force_and_replaces_only_its_own(tmp_path, capsys, calls, crm):
    out = tmp_path / "d"
    assert run_cli(capsys, "diagnose", *crm, "--out", str(out))[0] == 0
    status, _, err = run_cli(capsys, "diagnose", *crm, "--out", str(out))
    assert_one_line_error(status, err, "not empty", "--force")
    assert run_cli(capsys, "diagnose", *crm, "--out", str(out), "--force")[0] == 0
    # A user's own file where npssim writes is never replaced, even with --force.
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "reps.csv").write_text("my notes")
    status, _, err = run_cli(capsys, "diagnose", *crm, "--out", str(mine), "--force")
    assert_one_line_error(status, err, "reps.csv", "not a file npssim wrote")
    assert (mine / "reps.csv").read_text() == "my notes"


@pytest.mark.parametrize(
    ("change", "needles"),
    [
        ({"Likelihood to Recommend": ["9", "", "11", "3"]}, ["survey.csv", "Likelihood", "row 4"]),
        ({"Survey Date": ["2026-03-04", "soon", "2026-03-09", "2026-03-20"]}, ["row 3", "date"]),
        ({"Survey ID": ["S1", "S1", "S3", "S4"]}, ["Survey ID", "row 3", "already on row 2"]),
        ({"Account Name": ["Acme", "Beta", "Zeta", "Gamma"]}, ["row 4", "not an account"]),
    ],
)
def test_a_malformed_file_is_refused_in_one_line_and_nothing_written(
    tmp_path, capsys, calls, crm, change, needles
):
    crm_responses().assign(**change).to_csv(tmp_path / "survey.csv", index=False)
    out = tmp_path / "d"
    status, _, err = run_cli(capsys, "diagnose", *crm, "--out", str(out))
    assert_one_line_error(status, err, *needles)
    assert not out.exists()
    assert [name for name, _ in calls] == []


def test_a_missing_column_names_what_was_found_and_the_hint(tmp_path, capsys, calls, crm):
    without_mapping = [option for option in crm if not option.startswith("--column=rep_id")]
    status, _, err = run_cli(capsys, "diagnose", *without_mapping, "--out", str(tmp_path / "d"))
    assert_one_line_error(status, err, "crm.xlsx", "rep_id", "'Owner'", "--column rep_id=NAME")
    assert not (tmp_path / "d").exists()


@pytest.mark.parametrize(
    ("options", "needles"),
    [
        (["--accounts", "a.csv"], ["--responses FILE"]),
        (["--responses", "r.csv", "--accounts", "nowhere.csv"], ["--accounts", "no such file"]),
        (["--responses", "r.csv", "--accounts", "a.json"], ["--accounts", ".xlsx"]),
        (["--responses", "r.csv", "--accounts", "r.csv", "--column", "boss=Owner"], ["boss"]),
        (["--responses", "r.csv", "--accounts", "r.csv", "--fdr", "1.5"], ["--fdr"]),
        (["--validate", "--responses", "r.csv"], ["--responses", "--validate"]),
    ],
)
def test_bad_options_are_refused_before_anything(tmp_path, capsys, calls, options, needles):
    (tmp_path / "r.csv").write_text("a\n1\n")
    options = [str(tmp_path / o) if o.endswith((".csv", ".json")) else o for o in options]
    status, _, err = run_cli(capsys, "diagnose", *options, "--out", str(tmp_path / "d"))
    assert_one_line_error(status, err, *needles)
    assert not (tmp_path / "d").exists() and calls == []


def test_validate_prints_and_writes_the_table(tmp_path, capsys, calls):
    out = tmp_path / "v"
    status, stdout, err = run_cli(capsys, "diagnose", "--validate", "--out", str(out))
    assert status == 0, err
    assert "How well the diagnosis finds gaming" in stdout
    assert calls == [("validate", {"fdr": 0.05, "estimate": False})]  # estimate off by default
    assert "validated 2 scenarios" in err  # progress, a line per step
    table = pd.read_csv(out / "validation.csv")
    assert table.equals(fake_science.validate())
    assert (out / "report.html").exists()


def test_export_passes_weeks_and_refuses_too_many(tmp_path, capsys, calls):
    out = tmp_path / "firm"
    assert run_cli(capsys, "export", "baseline", "--out", str(out), "--weeks", "12")[0] == 0
    assert calls[0][1]["weeks"] == 12
    status, _, err = run_cli(
        capsys, "export", "baseline", "--out", str(tmp_path / "x"), "--weeks", "0"
    )
    assert_one_line_error(status, err, "--weeks")
