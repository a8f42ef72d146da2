import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from npssim import load_scenario
from npssim.cli import main
from npssim.experiment import run_experiment
from npssim.experiment.evidence import IDENTITIES, PATTERNS, Ledgers, read
from npssim.experiment.evidence.measurement import OFFICIAL_GAP
from npssim.experiment.evidence.runs import BASELINE, NPS_BONUS
from npssim.files import JOURNAL
from npssim.metrics import METRIC_NAMES

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


def test_run_prints_goods_and_bads_and_writes_the_folder(capsys, tmp_path):
    out = tmp_path / "out"
    status, stdout, _ = run_cli(capsys, "run", "nps_bonus", "--seed", "3", "--out", str(out), *FAST)
    assert status == 0
    for name in ("reported_nps", "true_nps", "nps_inflation", "concession_cost", "Goods", "Bads"):
        assert name in stdout
    assert "±" in stdout and "report.html" in stdout
    frame = pd.read_csv(out / "timeseries.csv")
    assert set(METRIC_NAMES) <= set(frame.columns)
    assert len(frame) == 2 * 20
    assert (out / "figures" / "nps.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (out / "report.html").is_file() and (out / "manifest.json").is_file()
    assert [path.name for path in out.rglob(".*") if path.is_file()] == [JOURNAL]


def test_run_is_reproducible(capsys, tmp_path):
    for name in ("a", "b"):
        run_cli(capsys, "run", "baseline", "--seed", "5", "--out", str(tmp_path / name), *FAST)
    assert (tmp_path / "a" / "ledger.csv").read_text() == (
        tmp_path / "b" / "ledger.csv"
    ).read_text()


def test_run_default_folder_is_under_results(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    status, _, _ = run_cli(capsys, "run", "baseline", *FAST)
    assert status == 0
    (folder,) = (tmp_path / "results").iterdir()
    assert folder.name.startswith("baseline-")
    assert (folder / "ledger.csv").exists()


def test_compare_prints_paired_differences_with_verdicts(capsys, tmp_path):
    out = tmp_path / "out"
    status, stdout, _ = run_cli(
        capsys, "compare", "baseline", "nps_bonus", "--out", str(out), *FAST
    )
    assert status == 0
    assert "nps_bonus against baseline" in stdout
    # 20 weeks: both windows are the whole run, and the headers say so.
    assert "first 20 weeks" in stdout and "all 20 weeks" in stdout
    assert "The firm's net money" in stdout and "net_value" not in stdout  # labels, no names
    comparison = pd.read_csv(out / "comparison.csv")
    assert set(comparison["scenario"]) == {"nps_bonus"}


def test_compare_opens_with_the_answer_and_the_policy_matrix(capsys, tmp_path):
    out = tmp_path / "out"
    status, stdout, _ = run_cli(
        capsys, "compare", "baseline", "nps_bonus", "audited", "--out", str(out), *FAST
    )
    assert status == 0
    text = " ".join(stdout.split())
    assert text.startswith("Set-up: firm of 2 managers, 6 reps, 120 accounts (USD)")
    assert text.index(". The answer") < text.index("- nps_bonus ")
    assert "- nps_bonus " in stdout and "- audited " in stdout and "USD a year" in stdout
    assert stdout.index("The policies side by side") < stdout.index("nps_bonus against baseline")
    assert "baseline (reference)" in stdout


@pytest.mark.slow
def test_compare_baseline_option_puts_the_baseline_first(capsys, tmp_path):
    out = tmp_path / "out"
    status, stdout, _ = run_cli(
        capsys, "compare", "nps_bonus", "--baseline", "baseline", "--out", str(out), *FAST
    )
    assert status == 0
    assert "nps_bonus against baseline" in stdout


def test_sweep_prints_a_row_per_point(capsys, tmp_path):
    status, stdout, _ = run_cli(
        capsys, "sweep", "nps_bonus", "--vary", "policy.incentives.nps_weight=0,1",
        "--metric", "nps_inflation", "--out", str(tmp_path / "out"), *FAST,
    )  # fmt: skip
    assert status == 0
    assert "paired difference from the reference point (nps_weight=0)" in " ".join(stdout.split())
    assert "How far the survey overstates NPS" in stdout
    for figure in ("sweep.png", "sweep_levels.png"):
        assert (tmp_path / "out" / "figures" / figure).is_file()
    table = pd.read_csv(tmp_path / "out" / "sweep.csv")
    assert len(table) == 2 and table["reference"].tolist() == [True, False]


def test_sensitivity_prints_indices_for_every_parameter(capsys, tmp_path):
    status, stdout, _ = run_cli(
        capsys, "sensitivity", "nps_bonus", "--method", "morris", "--samples", "2",
        "--param", "policy.incentives.nps_weight=0:1",
        "--param", "reps.prior_belief.coach=0:80",
        "--out", str(tmp_path / "out"), *FAST,
    )  # fmt: skip
    assert status == 0
    assert "mu_star" in stdout
    indices = pd.read_csv(tmp_path / "out" / "indices.csv")
    assert set(indices["parameter"]) == {
        "policy.incentives.nps_weight",
        "reps.prior_belief.coach",
    }


def test_sensitivity_analyses_every_metric_given(capsys, tmp_path):
    out = tmp_path / "out"
    status, stdout, _ = run_cli(
        capsys, "sensitivity", "nps_bonus", "--method", "morris", "--samples", "2",
        "--param", "policy.incentives.nps_weight=0:1", "--param", "reps.prior_belief.coach=0:80",
        "--metric", "nps_inflation", "--metric", "net_value", "--out", str(out), *FAST,
    )  # fmt: skip
    assert status == 0
    flat = " ".join(stdout.split())
    assert stdout.startswith("The answer\n")
    for metric in ("nps_inflation", "net_value"):
        assert f"Morris sensitivity of {metric}" in flat
        assert f"({metric}: mu_star" in flat  # the answer names each
        assert f"Morris sensitivity of {metric}" in (out / "report.md").read_text()
    indices = pd.read_csv(out / "indices.csv")
    assert set(indices["metric"]) == {"nps_inflation", "net_value"}
    assert {"nps_inflation", "net_value"} <= set(pd.read_csv(out / "design.csv").columns)


def test_a_sweep_opens_with_the_answer_in_compares_period_words(capsys, tmp_path):
    weeks = ["--weeks", "60"]  # the long run is then the "last 52 weeks"
    status, stdout, _ = run_cli(
        capsys, "sweep", "nps_bonus", "--vary", "policy.incentives.nps_weight=0,1",
        "--out", str(tmp_path / "sweep"), *FAST, *weeks,
    )  # fmt: skip
    assert status == 0
    assert stdout.startswith("The answer\n- Last 52 weeks: most net value at ")
    assert "long run" not in stdout
    report = (tmp_path / "sweep" / "report.md").read_text()
    assert report.index("## The answer") < report.index("## What was run")


def test_non_empty_output_folder_is_refused_without_force(capsys, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("keep")
    status, _, err = run_cli(capsys, "run", "baseline", "--out", str(out), *FAST)
    assert_one_line_error(status, err, "--out", "not empty", "--force")
    assert [path.name for path in out.iterdir()] == ["keep.txt"]
    status, _, _ = run_cli(capsys, "run", "baseline", "--out", str(out), "--force", *FAST)
    assert status == 0


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["sweep", "baseline", "--vary", "policy.incentives.nps_weight=0:1:1"], ["--vary"]),
        (["sweep", "baseline", "--vary", "firm.manager=1,2"], ["--vary", "did you mean"]),
        (["sweep", "baseline", "--vary", "firm.managers=2", "--metric", "nps"], ["--metric"]),
        (["sweep", "baseline"], ["--vary"]),
        (["sensitivity", "baseline", "--param", "firm.managers=2"], ["--param"]),
        (
            [
                "sensitivity",
                "baseline",
                "--param",
                "firm.managers=2:4",
                "--param",
                "reps.integrity_mean=0.3:0.9",
                "--samples",
                "6",
            ],
            ["--samples"],
        ),
        (
            ["sensitivity", "baseline", "--param", "firm.managers=2:4", "--method", "fast"],
            ["--method"],
        ),
        (["run", "baseline", "--replications", "0"], ["--replications"]),
        (["run", "baseline", "--workers", "x"], ["--workers"]),
        (["run", "baseline", "--scheduler", "tcp://a:1", "--dask-local", "2"], ["--scheduler"]),
        (["run", "baseline", "--horizon", "long"], ["unrecognized"]),
    ],
)
def test_experiment_commands_reject_bad_input_in_one_line(capsys, tmp_path, args, needles):
    status, _, err = run_cli(capsys, *args, "--out", str(tmp_path / "out"))
    assert_one_line_error(status, err, *needles)
    assert not (tmp_path / "out").exists()


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


def test_resume_needs_the_output_folder(capsys):
    status, _, err = run_cli(capsys, "run", "baseline", "--resume")
    assert_one_line_error(status, err, "--resume", "--out")


def test_output_path_that_is_a_file(capsys, tmp_path):
    target = tmp_path / "taken"
    target.write_text("keep me")
    status, _, err = run_cli(capsys, "run", "baseline", "--out", str(target), *FAST)
    assert_one_line_error(status, err, "--out", "not a folder")
    assert target.read_text() == "keep me"


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


@pytest.mark.slow
def test_ctrl_c_exits_130_and_resume_completes_the_same_experiment(tmp_path):
    out = tmp_path / "out"
    command = [
        str(Path(sys.executable).with_name("npssim")),
        "run", "nps_bonus", "--replications", "12", "--weeks", "52", "--workers", "1",
        "--seed", "4", "--out", str(out), "--quiet",
        "--set", "firm.managers=4", "--set", "firm.reps_per_manager=5",
    ]  # fmt: skip
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not list(out.glob("runs/*/*.npz")) and time.monotonic() < deadline:
        time.sleep(0.01)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "--resume" in err and "Traceback" not in err
    stored = len(list(out.glob("runs/*/*.npz")))
    assert 1 <= stored < 12
    assert not (out / "ledger.csv").exists()

    resumed = subprocess.run([*command, "--resume"], capture_output=True, text=True, check=False)
    assert resumed.returncode == 0, resumed.stderr
    whole = run_experiment(
        "nps_bonus",
        replications=12,
        weeks=52,
        seed=4,
        overrides={"firm.managers": 4, "firm.reps_per_manager": 5},
        executor="serial",
    )
    pd.testing.assert_frame_equal(pd.read_csv(out / "ledger.csv"), whole.ledger)


def test_calibrate_prints_the_fit_and_writes_the_fitted_scenario(capsys, tmp_path):
    out = tmp_path / "fitted.toml"
    status, printed, _ = run_cli(
        capsys, "calibrate", "baseline", "--target", "response_rate=0.3",
        "--free", "accounts.response_rate=0.1:0.6", "--max-evaluations", "12",
        "--out", str(out), *FAST,
    )  # fmt: skip
    assert status == 0
    assert "Fitted values" in printed and "accounts.response_rate" in printed
    assert "response_rate" in printed and "se" in printed
    assert 0.1 <= load_scenario(out).accounts.response_rate <= 0.6


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["--target", "response_rat=0.3"], ["--target", "did you mean"]),
        (["--target", "response_rate=high"], ["--target", "metric=number"]),
        (["--target", "response_rate=0.3", "--target", "response_rate=0.4"], ["given twice"]),
        (["--target", "response_rate=0.3", "--free", "accounts.respons=0:1"], ["--free"]),
        (["--target", "response_rate=0.3", "--free", "accounts.response_rate=0.6:0.1"], ["--free"]),
        (
            [
                "--target",
                "response_rate=0.3",
                "--free",
                "accounts.response_rate=0.1:0.6",
                "--free",
                "firm.product_quality=5:8",
            ],
            ["--free", "2 free parameters but 1 target"],
        ),
    ],
)
def test_calibrate_rejects_bad_input_in_one_line(capsys, tmp_path, args, needles):
    if "--free" not in args:
        args = [*args, "--free", "accounts.response_rate=0.1:0.6"]
    out = tmp_path / "fitted.toml"
    status, _, err = run_cli(capsys, "calibrate", "baseline", *args, "--out", str(out), *FAST)
    assert_one_line_error(status, err, *needles)
    assert not out.exists()


def test_calibrate_refuses_an_output_file_in_a_missing_folder(capsys, tmp_path):
    out = tmp_path / "missing" / "fitted.toml"
    status, _, err = run_cli(
        capsys, "calibrate", "baseline", "--target", "response_rate=0.3",
        "--free", "accounts.response_rate=0.1:0.6", "--out", str(out), *FAST,
    )  # fmt: skip
    assert_one_line_error(status, err, "--out", "does not exist")


@pytest.mark.slow
def test_evidence_prints_the_patterns_and_writes_the_table_and_figures(capsys, tmp_path):
    # Into a folder it shares, as docs/: its earlier table is replaced, other files left alone.
    (tmp_path / "evidence.md").write_text("an earlier table")
    (tmp_path / "index.md").write_text("not npssim's")
    status, printed, _ = run_cli(
        capsys, "evidence", "--out", str(tmp_path), "--set", "firm.managers=1", "--weeks", "30",
        "--replications", "2", "--workers", "1", "--quiet",
    )  # fmt: skip
    assert status == 0
    assert "patterns hold" in printed and "are predictions" in printed
    assert "Identity checks" in printed and "prediction" in printed
    assert (tmp_path / "evidence.md").read_text().startswith("# Evidence")
    table = pd.read_csv(tmp_path / "evidence.csv")
    assert table["label"].tolist() == [pattern.label for pattern in PATTERNS]
    # One figure per pattern computed in this model, per identity check, and the flip's.
    computed = int((table["status"] != "not computed").sum())
    figures = list((tmp_path / "img" / "evidence").glob("*.png"))
    assert len(figures) == computed + len(IDENTITIES) + 1
    assert (tmp_path / "index.md").read_text() == "not npssim's"


def test_evidence_exits_0_and_reports_a_pattern_that_does_not_hold(capsys, tmp_path, monkeypatch):
    made = pd.DataFrame(
        {
            "scenario": ["baseline"] * 3 + ["nps_bonus"] * 3,
            "replication": [0, 1, 2] * 2,
            "nps_inflation": [1.0, 2.0, 3.0, 60.0, 61.0, 62.0],  # far from the 10-30 expected
        }
    )
    assert {BASELINE.name, NPS_BONUS.name} == set(made["scenario"])
    results = read(
        Ledgers({"long": made, "short": made}),
        (OFFICIAL_GAP,),
        (),
        {"replications": 3, "seed": 1, "weeks": 30},
        with_flip=False,
    )
    monkeypatch.setattr("npssim.cli.experiments.run_evidence", lambda **_: results)
    status, printed, err = run_cli(capsys, "evidence", "--out", str(tmp_path), "--quiet")
    assert status == 0, err
    assert "does not hold" in printed
    assert "0 of 1 patterns hold" in printed
    assert "| **no** |" in (tmp_path / "evidence.md").read_text()


def test_evidence_refuses_a_file_as_its_output_folder(capsys, tmp_path):
    out = tmp_path / "file.md"
    out.write_text("keep")
    status, _, err = run_cli(capsys, "evidence", "--out", str(out), "--replications", "2")
    assert_one_line_error(status, err, "--out", "not a folder")
    assert out.read_text() == "keep"


ONE = [*SMALL, "--weeks", "20", "--workers", "1", "--quiet"]


@pytest.mark.slow
def test_one_replication_of_an_experiment_reruns_exactly(capsys, tmp_path):
    whole, alone = tmp_path / "whole", tmp_path / "alone"
    run_cli(capsys, "run", "nps_bonus", "--seed", "3", "--replications", "3", "--out", str(whole),
            *ONE)  # fmt: skip
    status, stdout, _ = run_cli(
        capsys, "run", "nps_bonus", "--seed", "3", "--replication", "2", "--out", str(alone), *ONE
    )
    assert status == 0 and "over replication 2" in stdout
    expected = pd.read_csv(whole / "ledger.csv").query("replication == 2").reset_index(drop=True)
    pd.testing.assert_frame_equal(pd.read_csv(alone / "ledger.csv"), expected)
    manifest = json.loads((alone / "manifest.json").read_text())
    assert manifest["first_replication"] == 2 and manifest["replication_seeds"] == [
        json.loads((whole / "manifest.json").read_text())["replication_seeds"][2]
    ]


def test_replication_and_replications_cannot_both_be_given(capsys):
    status, _, err = run_cli(capsys, "run", "baseline", "--replication", "2", "--replications", "3")
    assert_one_line_error(status, err, "--replication", "not allowed with", "--replications")


def test_a_model_class_by_import_path_runs_in_every_experiment(capsys, tmp_path):
    out = tmp_path / "out"
    status, _, _ = run_cli(
        capsys, "run", "nps_bonus", "--model", "tests.experiment.models:StrictFirm",
        "--out", str(out), *FAST,
    )  # fmt: skip
    assert status == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["model"] == "tests.experiment.models:StrictFirm"


@pytest.mark.slow
def test_a_model_class_in_a_file_runs_on_worker_processes(capsys, tmp_path):
    models = tmp_path / "my_policies.py"
    models.write_text(
        "from npssim import NPSModel\n"
        "from npssim.agents import Manager\n\n\n"
        "class Strict(Manager):\n"
        "    def approval_chance(self, policy):\n"
        "        return 0.0\n\n\n"
        "class StrictFirm(NPSModel):\n"
        "    manager_class = Strict\n"
    )
    outputs = {}
    for label, extra in (("strict", ["--model", f"{models}:StrictFirm"]), ("plain", [])):
        out = tmp_path / label
        status, _, _ = run_cli(
            capsys, "run", "nps_bonus", "--seed", "4", "--replications", "2", "--workers", "2",
            "--out", str(out), *SMALL, "--weeks", "30", "--quiet", *extra,
        )  # fmt: skip
        assert status == 0
        outputs[label] = pd.read_csv(out / "ledger.csv")["discount_cost"]
    assert outputs["strict"].sum() < outputs["plain"].sum()


def test_a_bad_model_path_is_one_line(capsys, tmp_path):
    status, _, err = run_cli(
        capsys, "run", "baseline", "--model", "nowhere_at_all:Firm", "--out", str(tmp_path / "o")
    )
    assert_one_line_error(status, err, "--model nowhere_at_all:Firm", "cannot import")
    assert not (tmp_path / "o").exists()


def test_a_sweep_compares_every_point_with_the_chosen_reference(capsys, tmp_path):
    out = tmp_path / "out"
    status, stdout, _ = run_cli(
        capsys, "sweep", "nps_bonus", "--vary", "policy.incentives.nps_weight=0,0.5",
        "--reference", "policy.incentives.nps_weight=0.5", "--metric", "net_value",
        "--out", str(out), *FAST,
    )  # fmt: skip
    assert status == 0 and "reference point (nps_weight=0.5)" in " ".join(stdout.split())
    table = pd.read_csv(out / "sweep.csv")
    assert table["reference"].tolist() == [False, True]


def test_a_sensitivity_sample_too_small_to_read_is_warned_about(capsys, tmp_path):
    status, stdout, _ = run_cli(
        capsys, "sensitivity", "nps_bonus", "--method", "sobol", "--samples", "2",
        "--param", "policy.incentives.nps_weight=0:1", "--param", "reps.integrity_mean",
        "--out", str(tmp_path / "out"), *FAST,
    )  # fmt: skip
    assert status == 0
    assert "Warning: The sample is too small to read these indices" in " ".join(stdout.split())
    assert "Warning." in (tmp_path / "out" / "report.md").read_text()


@pytest.mark.slow
def test_a_sweep_runs_on_an_existing_dask_cluster_as_it_runs_here(capsys, tmp_path):
    from distributed import LocalCluster

    sweep = ["sweep", "nps_bonus", "--vary", "policy.incentives.nps_weight=0,1"]
    settings = [*SMALL, "--weeks", "20", "--replications", "2", "--quiet"]
    status, _, _ = run_cli(
        capsys, *sweep, *settings, "--workers", "1", "--out", str(tmp_path / "here")
    )
    assert status == 0
    with LocalCluster(  # a cluster someone else started: npssim only connects to its scheduler
        n_workers=1,
        threads_per_worker=1,
        processes=False,
        protocol="tcp://",
        scheduler_port=0,
        dashboard_address=None,
    ) as cluster:
        address = cluster.scheduler_address
        status, _, err = run_cli(
            capsys, *sweep, *settings, "--scheduler", address, "--out", str(tmp_path / "there")
        )
    assert status == 0, err
    manifest = json.loads((tmp_path / "there" / "manifest.json").read_text())
    assert address in json.dumps(manifest)
    pd.testing.assert_frame_equal(
        pd.read_csv(tmp_path / "there" / "sweep.csv"),
        pd.read_csv(tmp_path / "here" / "sweep.csv"),
        check_exact=True,
    )


def test_escape_sequences_in_a_description_are_written_out_in_the_report(capsys, tmp_path):
    scenario = tmp_path / "loud.toml"
    scenario.write_text('description = "calm \\u001b[2J\\u001b]0;pwned\\u0007 text"\n')
    out = tmp_path / "out"
    status, _, err = run_cli(capsys, "run", str(scenario), "--out", str(out), *FAST)
    assert status == 0, err
    for name in ("report.md", "report.html"):
        text = (out / name).read_text()
        assert "\x1b" not in text and "\x07" not in text
        assert "\\x1b[2J" in text
