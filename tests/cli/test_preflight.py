"""Inputs checked before anything is imported or written: one line, exit 2, no folder."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import time

import pytest

from npssim.cli import preflight

from .conftest import assert_one_line_error, run_cli

SMALL = ["--set", "firm.managers=1", "--set", "firm.reps_per_manager=2", "--weeks", "6"]


def refused_fast(capsys, out, *args: str, needles: tuple[str, ...] = ()) -> None:
    started = time.perf_counter()
    status, _, err = run_cli(capsys, *args)
    assert time.perf_counter() - started < 2.0
    assert_one_line_error(status, err, *needles)
    assert not out.exists()


def test_a_bad_scenario_is_refused_before_the_output_folder_exists(capsys, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[firm]\nmanagers = true\n")
    out = tmp_path / "out"
    refused_fast(capsys, out, "run", str(bad), "--out", str(out), needles=(str(bad), "managers"))


def test_weeks_that_cut_off_the_timeline_name_the_file(capsys, tmp_path):
    scenario = tmp_path / "late.toml"
    scenario.write_text('[[timeline]]\nweek = 26\nset = {"policy.incentives.nps_weight" = 0.1}\n')
    out = tmp_path / "out"
    refused_fast(
        capsys, out, "run", str(scenario), "--weeks", "8", "--out", str(out),
        needles=(f"{scenario} with --set", "timeline[0].week", "week 26"),
    )  # fmt: skip


@pytest.mark.parametrize("address", ["not a url", "tcp://", "http://host:8786", "host:99999"])
def test_a_malformed_scheduler_address_is_refused(capsys, tmp_path, address):
    out = tmp_path / "out"
    refused_fast(
        capsys, out, "run", "baseline", *SMALL, "--scheduler", address, "--out", str(out),
        needles=("--scheduler",),
    )  # fmt: skip


def test_an_unreachable_scheduler_is_refused_before_the_folder_is_made(capsys, tmp_path):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    out = tmp_path / "out"
    refused_fast(
        capsys, out, "compare", "baseline", "nps_bonus", *SMALL,
        "--scheduler", f"tcp://127.0.0.1:{port}", "--out", str(out),
        needles=("--scheduler", "cannot reach"),
    )  # fmt: skip


def test_an_output_folder_that_cannot_be_written_is_refused(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(preflight.os, "access", lambda path, mode: False)
    out = tmp_path / "out"
    refused_fast(
        capsys, out, "run", "baseline", *SMALL, "--out", str(out),
        needles=("--out", "cannot write in"),
    )  # fmt: skip


def test_an_output_folder_that_is_a_file_is_refused(capsys, tmp_path):
    out = tmp_path / "out"
    out.write_text("mine")
    status, _, err = run_cli(capsys, "run", "baseline", *SMALL, "--out", str(out))
    assert_one_line_error(status, err, "--out", "not a folder")
    assert out.read_text() == "mine"


def test_calibrate_refuses_a_folder_for_its_output_file_before_fitting(capsys, tmp_path):
    out = tmp_path / "existing"
    out.mkdir()
    status, _, err = run_cli(
        capsys, "calibrate", "baseline", "--target", "true_nps=20",
        "--free", "reps.integrity_mean=0.3:0.9", "--out", str(out),
    )  # fmt: skip
    assert_one_line_error(status, err, "--out", "is a folder")
    assert list(out.iterdir()) == []


def test_schema_refuses_an_output_file_in_a_missing_folder(capsys, tmp_path):
    out = tmp_path / "missing" / "schema.json"
    status, _, err = run_cli(capsys, "schema", "--out", str(out))
    assert_one_line_error(status, err, "--out", "does not exist")


def test_sensitivity_with_one_factor_is_refused_before_any_run(capsys, tmp_path):
    out = tmp_path / "out"
    refused_fast(
        capsys, out, "sensitivity", "baseline", *SMALL,
        "--param", "reps.integrity_mean=0.3:0.9", "--out", str(out),
        needles=("--param", "at least 2"),
    )  # fmt: skip


def test_the_readonly_reason_names_a_readonly_file_system(tmp_path, monkeypatch):
    class ReadOnly:
        f_flag = os.ST_RDONLY

    monkeypatch.setattr(preflight.os, "statvfs", lambda path: ReadOnly())
    assert preflight._why_not_writable(tmp_path) == "read-only file system"


def test_a_breakeven_against_the_policy_itself_is_refused_at_once(capsys, tmp_path):
    out = tmp_path / "out"
    refused_fast(
        capsys, out, "breakeven", "nps_bonus", "--baseline", "nps_bonus", "--out", str(out),
        needles=("--baseline", "same scenario as the policy"),
    )  # fmt: skip


@pytest.mark.parametrize("model", ["no_such_module:Firm", "missing.py:Firm"])
def test_a_model_that_is_not_there_is_refused_at_once(capsys, tmp_path, model):
    out = tmp_path / "out"
    refused_fast(
        capsys, out, "run", "baseline", *SMALL, "--model", model, "--out", str(out),
        needles=("--model", "cannot import"),
    )  # fmt: skip


# ------------------------------------------- refused before the model, matplotlib or Mesa load

#: Modules that a rejection must not wait for: loading them takes seconds.
HEAVY = ("npssim.model", "matplotlib", "mesa", "pandas", "scipy")
REFUSE = f"""
import sys
from npssim.cli import main
status = main(sys.argv[1:])
print(status, [name for name in {HEAVY!r} if name in sys.modules])
"""


def refused_before_heavy_imports(folder, *args: str, needles: tuple[str, ...] = ()) -> str:
    """Run ``npssim ARGS`` in a fresh process in ``folder``: exit 2 in one line, nothing heavy."""
    done = subprocess.run(
        [sys.executable, "-c", REFUSE, *args],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.stdout.strip() == "2 []", done.stdout + done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("npssim: error: "), done.stderr
    for needle in needles:
        assert needle in lines[0]
    return lines[0]


LONG = "9" * 5000


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["run", "baseline", "--weeks", "5201"], ("argument --weeks", "5200")),
        (["run", "baseline", "--weeks", LONG], ("argument --weeks", "characters)")),
        (["run", "baseline", "--set", f"run.weeks={LONG}"], ("--set run.weeks=", "5,000")),
        (["calibrate", "baseline", "--target", f"reported_nps={LONG}", "--free",
          "accounts.response_rate=0.05:0.6"], ("--target reported_nps=", "at most 400")),
        (["sweep", "baseline", "--vary", f"firm.product_quality={LONG}"], ("--vary",)),
        (["sweep", "baseline", "--vary", "run.weeks=1,2"], ("--vary run.weeks", "--weeks")),
        (["sensitivity", "baseline", "--param", "run.weeks=1:9", "--param",
          "accounts.response_rate=0.1:0.5"], ("--param run.weeks",)),
        (["sweep", "baseline", "--vary", "policy.incentives.nps_weight=a,b"], ("got 'a'",)),
        (["sweep", "baseline", "--vary", "policy.incentives.nps_weight=0:2:3"], ("equal to 1",)),
        (["sweep", "baseline", "--vary", "policy.incentives.nps_weight=nan,1"], ("finite",)),
        (["evidence", "--set", "nope=1"], ("--set", "nope")),
        (["explore", "--replications", "31"], ("--replications", "30")),
        (["run", "baseline", "--out", ""], ("--out", "empty")),
        (["schema", "--out", "/dev/null"], ("--out /dev/null", "a device")),
        (["new", "x", "--force", "--out", "/dev/null"], ("--out /dev/null", "a device")),
    ],
)  # fmt: skip
def test_bad_input_is_refused_in_one_line_before_the_heavy_imports(tmp_path, args, needles):
    line = refused_before_heavy_imports(tmp_path, *args, needles=needles)
    assert "9" * 200 not in line  # a long value is cut, never echoed whole
    assert [path.name for path in tmp_path.iterdir()] == []


def test_bad_output_folders_are_refused_before_the_heavy_imports(tmp_path):
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    (tmp_path / "lockdir" / ".npssim.lock").mkdir(parents=True)
    os.mkfifo(tmp_path / "fifo")
    linked = tmp_path / "linked"
    linked.mkdir()
    (linked / "manifest.json").write_text('{"plan": {}, "files": {"manifest.json": null}}')
    (linked / "figures").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("mine")
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "manifest.json").write_text("[1, 2]")
    (tmp_path / "planless").mkdir()
    (tmp_path / "planless" / "manifest.json").write_text('{"plan": "x"}')
    (tmp_path / "users").mkdir()
    (tmp_path / "users" / "manifest.json").write_text('{"plan": {}, "files": {}}')
    (tmp_path / "users" / "report.md").write_text("my report")
    cases = [
        (["run", "baseline", "--out", "dangling"], "symbolic link"),
        (["run", "baseline", "--out", "lockdir"], ".npssim.lock: is a folder"),
        (["schema", "--out", "fifo"], "FIFO"),
        (["run", "baseline", "--out", "linked", "--force"], "figures is a symbolic link"),
        (["run", "baseline", "--out", "linked", "--resume"], "figures is a symbolic link"),
        (["run", "baseline", "--out", "mine"], "not empty"),
        (["run", "baseline", "--out", "mine", "--resume"], "holds no npssim experiment"),
        (["run", "baseline", "--out", "broken", "--resume"], "not an npssim manifest"),
        (["run", "baseline", "--out", "planless", "--resume"], "has no plan"),
        (["run", "baseline", "--out", "users", "--force"], "report.md is not a file npssim"),
    ]
    for args, needle in cases:
        refused_before_heavy_imports(tmp_path, *args, needles=(needle,))
    assert (tmp_path / "users" / "report.md").read_text() == "my report"
    assert (tmp_path / "mine" / "notes.txt").read_text() == "mine"
    assert stat.S_ISFIFO(os.lstat(tmp_path / "fifo").st_mode)


def test_explore_s_bound_is_the_dashboard_s():
    from npssim import app
    from npssim.cli.parser import EXPLORE_MAX_REPLICATIONS

    assert EXPLORE_MAX_REPLICATIONS == app.MAX_REPLICATIONS


def test_a_missing_submodule_is_refused_without_running_its_package(tmp_path):
    package = tmp_path / "firms"
    package.mkdir()
    (package / "__init__.py").write_text("open('ran', 'w').write('the package ran')\n")
    refused_before_heavy_imports(
        tmp_path, "run", "baseline", "--model", "firms.nosuch:Firm", needles=("cannot import",)
    )
    assert not (tmp_path / "ran").exists()


def test_the_model_option_says_it_runs_the_module(capsys):
    from npssim.cli import main

    with pytest.raises(SystemExit):
        main(["run", "--help"])
    assert "imported and its code run, like python -m" in " ".join(capsys.readouterr().out.split())


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["run", "baseline", "--replications", "1000000000000"], ("even with --yes",)),
        (["run", "baseline", "--replications", "1000000"], ("1,000,000 runs", "add --yes")),
        (["sweep", "baseline", "--vary", "firm.product_quality=1:9:1000",
          "--vary", "policy.incentives.nps_weight=0:1:1000"], ("days", "add --yes")),
        (["breakeven", "nps_bonus", "--samples", "100000"], ("add --yes",)),
    ],
)  # fmt: skip
def test_a_job_of_absurd_size_is_refused_with_its_estimate(tmp_path, args, needles):
    refused_before_heavy_imports(tmp_path, *args, "--workers", "2", needles=needles)


def test_yes_runs_a_job_estimated_to_take_over_a_day(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(preflight, "SECONDS_PER_ACCOUNT_WEEK", 1000.0)  # a slow machine
    args = ["run", "baseline", *SMALL, "--replications", "2", "--workers", "1", "--quiet"]
    out = tmp_path / "out"
    status, _, err = run_cli(capsys, *args, "--out", str(out))
    assert_one_line_error(status, err, "add --yes")
    assert not out.exists()
    status, _, err = run_cli(capsys, *args, "--yes", "--out", str(out))
    assert status == 0, err
