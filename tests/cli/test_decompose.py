"""``npssim decompose``, and ``npssim compare`` with one scenario or with another firm."""

import json

import pandas as pd

from .conftest import assert_one_line_error, run_cli

SMALL = [
    "--set",
    "firm.managers=2",
    "--set",
    "firm.reps_per_manager=3",
    "--set",
    "firm.accounts_per_rep=20",
]
FAST = [*SMALL, "--weeks", "20", "--replications", "2", "--workers", "1", "--quiet"]
OTHER_FIRM = (
    'extends = "nps_bonus"\nname = "our_firm"\n[firm]\nmanagers = 3\nreps_per_manager = 3\n'
    'accounts_per_rep = 20\ncurrency = "EUR"\n'
)


def test_decompose_prints_what_earns_and_writes_the_folder(capsys, tmp_path):
    out = tmp_path / "out"
    status, stdout, _ = run_cli(capsys, "decompose", "team_target", "--out", str(out), *FAST)
    assert status == 0
    assert "Against baseline, team_target changes the firm's net value in all 20 weeks by" in stdout
    for label in ("reps' pay on NPS", "managers' pay on NPS", "whose score counts"):
        assert label in stdout
    assert "the whole of team_target" in stdout
    frame = pd.read_csv(out / "contributions.csv")
    assert set(frame["element"]) == {"rep_weight", "manager_weight", "scope", "total"}
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kind"] == "decompose"
    assert [e["key"] for e in manifest["decompose"]["elements"]] == [
        "rep_weight",
        "manager_weight",
        "scope",
    ]
    assert (out / "figures" / "waterfall.png").is_file()
    assert "What each element earns" in (out / "report.md").read_text()
    # The folder resumes as the same experiment: nothing runs again, the same numbers.
    before = (out / "contributions.csv").read_text()
    status, stdout, _ = run_cli(
        capsys, "decompose", "team_target", "--out", str(out), "--resume", *FAST
    )
    assert status == 0 and (out / "contributions.csv").read_text() == before


def test_decompose_refuses_in_one_line_before_writing(capsys, tmp_path):
    out = tmp_path / "out"
    ours = tmp_path / "our_firm.toml"
    ours.write_text(OTHER_FIRM)
    cases = [
        (["intervention_week26"], ["intervention_week26", "timeline"]),
        (["baseline"], ["nothing to decompose"]),
        ([str(ours)], ["our_firm", "firm.currency (USD vs EUR)", "--different-firms"]),
    ]
    for arguments, needles in cases:
        status, _, err = run_cli(capsys, "decompose", *arguments, "--out", str(out), *FAST)
        assert_one_line_error(status, err, *needles)
        assert not out.exists()


def test_compare_with_one_scenario_uses_the_same_firm_without_its_policy(capsys, tmp_path):
    out = tmp_path / "out"
    ours = tmp_path / "our_firm.toml"
    ours.write_text(OTHER_FIRM)
    status, stdout, _ = run_cli(capsys, "compare", str(ours), "--out", str(out), *FAST)
    assert status == 0
    assert stdout.startswith(
        "Compared with the same firm without its policy: our_firm_without_policy"
    )
    ledger = pd.read_csv(out / "ledger.csv")
    assert list(dict.fromkeys(ledger["scenario"])) == ["our_firm_without_policy", "our_firm"]
    assert (out / "scenarios" / "our_firm_without_policy.toml").is_file()
    report = (out / "report.md").read_text()
    assert "our_firm_without_policy" in report and "without its policy" in report
    assert "EUR" in report and "USD" not in report


def test_compare_refuses_another_firm_unless_told(capsys, tmp_path):
    out = tmp_path / "out"
    ours = tmp_path / "our_firm.toml"
    ours.write_text(OTHER_FIRM)
    status, _, err = run_cli(capsys, "compare", "baseline", str(ours), "--out", str(out), *FAST)
    assert_one_line_error(status, err, "our_firm", "baseline", "firm.currency", "--different-firms")
    assert not out.exists()
    status, _, _ = run_cli(
        capsys, "compare", "baseline", str(ours), "--different-firms", "--out", str(out), *FAST
    )
    assert status == 0 and (out / "comparison.csv").is_file()
