"""``npssim breakeven``: what it prints, what it writes, and what it refuses."""

from __future__ import annotations

import contextlib
import io

import pytest

from npssim.cli import main
from tests.cli.conftest import assert_one_line_error, run_cli

TINY = [
    "--set", "firm.managers=1", "--set", "firm.reps_per_manager=4",
    "--set", "firm.accounts_per_rep=20", "--weeks", "60", "--replications", "2",
    "--grid", "2", "--samples", "10", "--workers", "1", "--quiet",
    "--trajectories", "2", "--only-assumed",
]  # fmt: skip
ASSUME = ["--assume", "reps.service_response=0:3", "--assume", "reps.integrity_mean"]


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "out"
    # capsys is per test: the one run all these tests read captures its own output.
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        status = main(["breakeven", "nps_bonus", *ASSUME, *TINY, "--out", str(out)])
    return status, stdout.getvalue(), out


def test_breakeven_prints_the_answer_then_the_screen_then_the_tornado(finished):
    status, out, folder = finished
    assert status == 0
    text = " ".join(out.split())
    assert text.startswith("Set-up: firm of 1 managers")
    assert text.index("replications each. At the scenario's own values nps_bonus") > 0
    assert "extra service hours a unit of incentive buys" in out  # what a firm could measure
    assert "per unit drive" in out  # with its unit
    assert "reps.service_response" in out
    assert " USD" in out
    assert out.index("The screen moved 2 assumptions") < out.index("mu_star")
    assert out.index("mu_star") < out.index("each assumption alone at its low and high")
    assert f"Results: {folder}" in out
    # screen 2 x 3 points, tornado 5, map 4, discovery 10: x 2 scenarios, x 2 replications
    # but the screen's one
    assert "report.html; 88 runs" in out


def test_breakeven_writes_the_report_with_its_section_first(finished):
    _, _, folder = finished
    report = (folder / "report.md").read_text()
    assert "## What would have to be true" in report
    for name in ("tornado.csv", "heatmap.csv", "discovery.csv", "manifest.json"):
        assert (folder / name).is_file()


def test_breakeven_resume_of_a_finished_folder_gives_the_same_answer(finished, capsys):
    _, out, folder = finished
    status, again, _ = run_cli(
        capsys, "breakeven", "nps_bonus", *ASSUME, *TINY, "--out", str(folder), "--resume"
    )
    assert status == 0
    assert again.splitlines()[:3] == out.splitlines()[:3]


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["--assume", "reps.integrity_mea"], ["--assume", "reps.integrity_mea"]),
        (["--assume", "reps.integrity_mean=0:2"], ["--assume", "allowed range"]),
        (["--assume", "policy.survey.sampler=0:1"], ["--assume", "policy.survey.sampler"]),
        (["--assume", "firm.managers"], ["--assume", "firm.managers", "plausible"]),
        (["--grid", "1"], ["--grid"]),
        (["--samples", "5"], ["--samples"]),
        (["--baseline", "nps_bonus"], ["--baseline", "nps_bonus"]),
        (["--trajectories", "1"], ["--trajectories"]),
        (["--carry", "0"], ["--carry"]),
        (["--only-assumed"], ["--only-assumed", "--assume"]),
    ],
)
def test_bad_input_exits_2_in_one_line_and_writes_nothing(capsys, tmp_path, args, needles):
    out = tmp_path / "out"
    status, _, err = run_cli(capsys, "breakeven", "nps_bonus", *args, "--out", str(out))
    assert_one_line_error(status, err, *needles)
    assert not out.exists()


def test_an_unknown_scenario_exits_2_and_writes_nothing(capsys, tmp_path):
    out = tmp_path / "out"
    status, _, err = run_cli(capsys, "breakeven", "no_such_policy", "--out", str(out))
    assert_one_line_error(status, err, "no_such_policy")
    assert not out.exists()


def test_resume_needs_the_out_folder(capsys):
    status, _, err = run_cli(capsys, "breakeven", "nps_bonus", "--resume")
    assert_one_line_error(status, err, "--resume")


def test_a_baseline_of_another_firm_is_refused_unless_different_firms(capsys, tmp_path):
    bigger = tmp_path / "bigger.toml"
    bigger.write_text('extends = "baseline"\nname = "bigger"\n\n[firm]\nreps_per_manager = 9\n')
    out = tmp_path / "out"
    status, _, err = run_cli(
        capsys, "breakeven", "nps_bonus", "--baseline", str(bigger), "--out", str(out)
    )
    assert_one_line_error(status, err, "--different-firms")
    assert not out.exists()


def test_different_firms_passes_the_same_firm_rule(capsys, tmp_path):
    bigger = tmp_path / "bigger.toml"
    bigger.write_text('extends = "baseline"\nname = "bigger"\n\n[firm]\nreps_per_manager = 9\n')
    out = tmp_path / "out"
    # Past the rule, the next check (here a bad --grid) is the one that refuses.
    status, _, err = run_cli(
        capsys, "breakeven", "nps_bonus", "--baseline", str(bigger), "--different-firms",
        "--assume", "reps.integrity_mea", "--out", str(out),
    )  # fmt: skip
    assert status == 2
    assert "reps.integrity_mea" in err and "different-firms" not in err
