import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from npssim.cli import main
from npssim.ledger import METRIC_NAMES

SMALL = [
    "--set",
    "firm.managers=2",
    "--set",
    "firm.reps_per_manager=3",
    "--set",
    "firm.accounts_per_rep=20",
]


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def assert_one_line_error(status: int, err: str, *needles: str) -> None:
    assert status == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("npssim: error: ")
    assert "Traceback" not in err
    for needle in needles:
        assert needle in lines[0]


def test_run_prints_ledger_and_writes_outputs(capsys, tmp_path):
    out = tmp_path / "out"
    status, stdout, _ = run_cli(
        capsys,
        "run",
        "nps_bonus",
        "--weeks",
        "20",
        "--seed",
        "3",
        "--out",
        str(out),
        "--quiet",
        *SMALL,
    )
    assert status == 0
    for name in ("reported_nps", "true_nps", "nps_inflation", "concession_cost", "Goods", "Bads"):
        assert name in stdout
    frame = pd.read_csv(out / "metrics.csv", index_col="week")
    assert list(frame.columns) == list(METRIC_NAMES)
    assert len(frame) == 20
    assert (out / "nps.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not list(out.glob(".*tmp"))


def test_run_is_reproducible(capsys, tmp_path):
    for name in ("a", "b"):
        run_cli(
            capsys,
            "run",
            "baseline",
            "--weeks",
            "10",
            "--seed",
            "5",
            "--out",
            str(tmp_path / name),
            "--quiet",
            *SMALL,
        )
    assert (tmp_path / "a" / "metrics.csv").read_text() == (
        tmp_path / "b" / "metrics.csv"
    ).read_text()


def test_run_default_folder_is_under_results(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    status, _, _ = run_cli(capsys, "run", "baseline", "--weeks", "5", "--quiet", *SMALL)
    assert status == 0
    (folder,) = (tmp_path / "results").iterdir()
    assert folder.name.startswith("baseline-")
    assert (folder / "metrics.csv").exists()


def test_missing_scenario_file(capsys, tmp_path):
    status, _, err = run_cli(
        capsys, "run", str(tmp_path / "nope.toml"), "--out", str(tmp_path / "out")
    )
    assert_one_line_error(status, err, "nope.toml", "no such scenario file")
    assert not (tmp_path / "out").exists()


def test_toml_syntax_error(capsys, tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("[firm\n")
    status, _, err = run_cli(capsys, "run", str(path), "--out", str(tmp_path / "out"))
    assert_one_line_error(status, err, "broken.toml", "TOML syntax error")
    assert not (tmp_path / "out").exists()


def test_unknown_key(capsys, tmp_path):
    path = tmp_path / "typo.toml"
    path.write_text("[policy.survey]\nsampel_fraction = 0.2\n")
    status, _, err = run_cli(capsys, "run", str(path))
    assert_one_line_error(
        status, err, "typo.toml", "policy.survey.sampel_fraction", "did you mean 'sample_fraction'"
    )


def test_wrong_type(capsys, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('[run]\nweeks = "long"\n')
    status, _, err = run_cli(capsys, "run", str(path))
    assert_one_line_error(status, err, "bad.toml", "run.weeks")


def test_out_of_range_value(capsys, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("[policy.incentives]\nnps_weight = 1.5\n")
    status, _, err = run_cli(capsys, "run", str(path))
    assert_one_line_error(status, err, "bad.toml", "policy.incentives.nps_weight")


def test_bad_set_path(capsys):
    status, _, err = run_cli(capsys, "run", "baseline", "--set", "policy.incentives.weight=1")
    assert_one_line_error(status, err, "--set", "policy.incentives.weight")


def test_bad_set_syntax(capsys):
    status, _, err = run_cli(capsys, "run", "baseline", "--set", "nps_weight")
    assert_one_line_error(status, err, "--set", "path=value")


def test_bad_weeks(capsys):
    status, _, err = run_cli(capsys, "run", "baseline", "--weeks", "0")
    assert_one_line_error(status, err, "--weeks")


def test_unknown_command(capsys):
    status, _, err = run_cli(capsys, "fly")
    assert_one_line_error(status, err, "invalid choice")


def test_output_path_that_is_a_file(capsys, tmp_path):
    target = tmp_path / "taken"
    target.write_text("keep me")
    status, _, err = run_cli(capsys, "run", "baseline", "--weeks", "2", "--out", str(target))
    assert_one_line_error(status, err, "--out", "not a folder")
    assert target.read_text() == "keep me"


def test_validate_accepts_good_files(capsys):
    status, stdout, _ = run_cli(
        capsys, "validate", "scenarios/baseline.toml", "scenarios/nps_bonus.toml"
    )
    assert status == 0
    assert stdout.count("ok: ") == 2


def test_validate_reports_each_bad_file(capsys, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[firm]\nmanagers = 0\n")
    status, stdout, err = run_cli(capsys, "validate", "scenarios/baseline.toml", str(bad))
    assert status == 2
    assert "ok: scenarios/baseline.toml" in stdout
    assert "bad.toml: firm.managers" in err


def test_params_lists_every_parameter(capsys):
    status, stdout, _ = run_cli(capsys, "params")
    assert status == 0
    assert "policy.incentives.nps_weight" in stdout
    assert "accounts.churn_midpoint" in stdout


def test_installed_command_exits_2_on_bad_input(tmp_path):
    script = Path(sys.executable).with_name("npssim")
    result = subprocess.run(
        [str(script), "run", str(tmp_path / "missing.toml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("args", [["--version"], ["run", "--help"]])
def test_informational_flags_exit_zero(args):
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 0
