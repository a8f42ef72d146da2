"""``npssim compare``: the set-up, the spread over plausible assumptions, what to do."""

import json

import pandas as pd
import pytest

from .conftest import assert_one_line_error, run_cli

SMALL = ["--set", "firm.managers=2", "--set", "firm.reps_per_manager=3"]
FAST = [*SMALL, "--set", "firm.accounts_per_rep=20", "--weeks", "20", "--replications", "2"]
QUIET = [*FAST, "--workers", "1", "--quiet", "--seed", "3"]


def test_the_answer_gives_each_policy_s_spread_and_a_recommendation(capsys, tmp_path):
    out = tmp_path / "out"
    status, stdout, _ = run_cli(
        capsys, "compare", "baseline", "nps_bonus", "closed_loop", "--out", str(out),
        "--assumption-samples", "10", *QUIET,
    )  # fmt: skip
    assert status == 0
    text = " ".join(stdout.split())
    assert text.startswith("Set-up: firm of 2 managers, 6 reps, 120 accounts (USD)")
    assert "assumptions: 10 plausible firms, 1 replication each." in text
    for policy in ("nps_bonus", "closed_loop"):
        assert f"- {policy} " in text
    assert text.count("Over plausible assumptions it pays in ") == 2
    assert text.index("The answer") < text.index("What to do") < text.index("nps_bonus against")
    frame = pd.read_csv(out / "assumptions.csv")
    assert list(frame["policy"].unique()) == ["nps_bonus", "closed_loop"]
    assert len(frame) == 2 * 10 and {"firm", "difference", "pays"} <= set(frame.columns)
    assert (out / "figures" / "assumptions.png").read_bytes()[:4] == b"\x89PNG"
    assert len(list((out / "assumptions" / "runs").rglob("*.npz"))) == 3 * 10
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["assumption_spread"]["samples"] == 10
    report = (out / "report.md").read_text()
    assert report.index("Set-up: firm of") < report.index("### What to do")
    assert "pays in" in report and "figures/assumptions.png" in report


def test_zero_assumption_samples_turns_the_spread_off(capsys, tmp_path):
    out = tmp_path / "out"
    status, stdout, _ = run_cli(
        capsys, "compare", "baseline", "nps_bonus", "--out", str(out),
        "--assumption-samples", "0", *QUIET,
    )  # fmt: skip
    assert status == 0
    text = " ".join(stdout.split())
    assert "assumptions: not sampled" in text and "plausible firms" not in text
    assert "What to do" in text
    assert not (out / "assumptions.csv").exists() and not (out / "assumptions").exists()


@pytest.mark.parametrize(
    ("value", "needles"),
    [
        ("5", ["--assumption-samples", "0 (off) or at least 10", "got 5"]),
        ("-1", ["--assumption-samples", "must be at least 0"]),
        ("many", ["--assumption-samples", "expected a whole number"]),
    ],
)
def test_a_bad_sample_size_is_refused_in_one_line_before_anything_is_written(
    capsys, tmp_path, value, needles
):
    out = tmp_path / "out"
    status, _, err = run_cli(
        capsys, "compare", "baseline", "nps_bonus", "--out", str(out),
        "--assumption-samples", value, *QUIET,
    )  # fmt: skip
    assert_one_line_error(status, err, *needles)
    assert not out.exists()
