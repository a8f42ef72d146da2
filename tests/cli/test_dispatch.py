"""How the command ends when something goes wrong: one line and a status, never a traceback."""

from __future__ import annotations

import errno
import importlib.abc
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from npssim.experiment.store import RunStore
from npssim.files import LOCK_NAME

from .conftest import run_cli

SMALL = [
    "--set", "firm.managers=1", "--set", "firm.reps_per_manager=2",
    "--set", "firm.accounts_per_rep=10", "--weeks", "6", "--workers", "1", "--quiet",
]  # fmt: skip


def full_disk_after(count: int, code: int = errno.ENOSPC):
    """A RunStore.save that stores ``count`` runs, then fails as a full disk would."""
    original = RunStore.save
    calls = {"n": 0}

    def save(self, result):
        calls["n"] += 1
        if calls["n"] > count:
            raise OSError(code, "No space left on device", str(self.folder / "runs"))
        original(self, result)

    return save


def test_a_full_disk_ends_in_one_line_with_status_1_and_resumes(capsys, tmp_path, monkeypatch):
    out = tmp_path / "out"
    args = ["run", "baseline", *SMALL, "--replications", "4", "--out", str(out)]
    monkeypatch.setattr(RunStore, "save", full_disk_after(2))
    status, _, err = run_cli(capsys, *args)
    assert status == 1
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "No space left on device" in err and "--resume" in err
    assert len(list(out.rglob("*.npz"))) == 2
    assert not list(out.rglob("*.tmp")) and not (out / LOCK_NAME).exists()
    monkeypatch.undo()
    status, _, _ = run_cli(capsys, *args, "--resume")
    assert status == 0
    assert json.loads((out / "manifest.json").read_text())["status"] == "complete"


def test_a_read_only_folder_while_writing_is_the_users_path_status_2(capsys, tmp_path, monkeypatch):
    out = tmp_path / "out"
    monkeypatch.setattr(RunStore, "save", full_disk_after(0, errno.EROFS))
    status, _, err = run_cli(capsys, "run", "baseline", *SMALL, "--out", str(out))
    assert status == 2
    assert err.count("\n") == 1 and "cannot write" in err


class InterruptImport(importlib.abc.MetaPathFinder):
    """Ctrl-C arriving while a module is imported."""

    def find_spec(self, name, path=None, target=None):
        if name == "npssim.cli.dispatch":
            raise KeyboardInterrupt
        return None


def test_ctrl_c_while_importing_exits_130_in_one_line(capsys, monkeypatch):
    from npssim.cli import main

    monkeypatch.delitem(sys.modules, "npssim.cli.dispatch", raising=False)
    monkeypatch.setattr(sys, "meta_path", [InterruptImport(), *sys.meta_path])
    assert main(["params"]) == 130
    assert capsys.readouterr().err == "npssim: interrupted\n"


class InterruptInsideImport(importlib.abc.MetaPathFinder):
    """Ctrl-C landing in a module's start-up code: an ImportError raised from it."""

    def __init__(self, module: str) -> None:
        self.module = module

    def find_spec(self, name, path=None, target=None):
        if name == self.module:
            try:
                raise KeyboardInterrupt
            except KeyboardInterrupt as interrupt:
                raise ImportError(f"initialization of {name} failed") from interrupt
        return None


@pytest.mark.parametrize("module", ["npssim.cli.dispatch", "npssim.cli.discovery"])
def test_an_import_error_caused_by_ctrl_c_is_an_interrupt(capsys, monkeypatch, module):
    from npssim.cli import main

    monkeypatch.delitem(sys.modules, module, raising=False)
    monkeypatch.setattr(sys, "meta_path", [InterruptInsideImport(module), *sys.meta_path])
    assert main(["params"]) == 130
    assert capsys.readouterr().err == "npssim: interrupted\n"


INTERRUPTED_MODEL = """
# A module whose start-up Ctrl-C interrupts, as it does an extension module's: the import
# system reports an ImportError raised from the KeyboardInterrupt.
try:
    raise KeyboardInterrupt
except KeyboardInterrupt as interrupt:
    raise ImportError("initialization of interrupted_model failed") from interrupt
"""


@pytest.mark.parametrize("command", ["params", "metrics"])
def test_ctrl_c_in_a_models_import_is_an_interrupt_not_bad_input(capsys, tmp_path, command):
    # The loader turns an ImportError into "--model ...: cannot import" (bad input, status 2);
    # one that Ctrl-C caused is still the user stopping the command.
    model = tmp_path / "interrupted_model.py"
    model.write_text(INTERRUPTED_MODEL)
    status, _, err = run_cli(capsys, command, "--model", f"{model}:Model")
    assert (status, err) == (130, "npssim: interrupted\n")


def test_a_failing_models_import_without_ctrl_c_stays_bad_input(capsys, tmp_path):
    model = tmp_path / "broken_model.py"
    model.write_text('raise ImportError("no module named nosuch")\n')
    status, _, err = run_cli(capsys, "params", "--model", f"{model}:Model")
    assert status == 2 and err.startswith("npssim: error: --model") and "cannot import" in err


def test_a_write_error_ctrl_c_caused_is_an_interrupt(capsys, tmp_path, monkeypatch):
    def interrupted_save(self, result):
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as interrupt:
            raise OSError(errno.EIO, "Input/output error") from interrupt

    monkeypatch.setattr(RunStore, "save", interrupted_save)
    out = tmp_path / "out"
    status, _, err = run_cli(capsys, "run", "baseline", *SMALL, "--out", str(out))
    assert status == 130 and err.count("\n") == 1 and err.startswith("npssim: interrupted")
    assert f"--out {out} --resume" in err


def test_an_unraisable_error_ctrl_c_caused_is_raised_again_as_ctrl_c():
    from types import SimpleNamespace

    from npssim.cli import _redeliver_interrupts

    try:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as interrupt:
            raise ImportError("initialization failed") from interrupt
    except ImportError as err:
        caused = err
    passed_on = []
    with pytest.raises(KeyboardInterrupt):
        _redeliver_interrupts(SimpleNamespace(exc_value=caused), otherwise=passed_on.append)
    other = SimpleNamespace(exc_value=ImportError("no module named nosuch"))
    _redeliver_interrupts(other, otherwise=passed_on.append)
    assert passed_on == [other]


def test_only_errors_that_ctrl_c_caused_are_interrupts():
    from npssim.cli.status import caused_by_interrupt

    try:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt:
            raise ImportError("raised while handling Ctrl-C") from None
    except ImportError as err:
        during = err
    assert caused_by_interrupt(during)
    assert not caused_by_interrupt(ImportError("no module named nosuch"))


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.3, 0.6, 1.0, 1.5, 2.0, 2.5, 3.5])
def test_ctrl_c_at_any_moment_exits_130_in_one_line(tmp_path, delay):
    process = subprocess.Popen(
        [sys.executable, "-m", "npssim.cli", "run", "nps_bonus", "--out", str(tmp_path / "o")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(delay)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert err.count("\n") == 1 and err.startswith("npssim: interrupted")


@pytest.mark.slow
def test_a_second_writer_of_a_folder_is_refused_even_with_force(tmp_path):
    out = tmp_path / "out"
    first = subprocess.Popen(
        [sys.executable, "-m", "npssim.cli", "run", "nps_bonus", "--out", str(out), "--quiet"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(200):  # until it holds the lock
            if (out / LOCK_NAME).exists():
                break
            time.sleep(0.05)
        second = subprocess.run(
            [sys.executable, "-m", "npssim.cli", "run", "baseline", *SMALL,
             "--out", str(out), "--force"],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    finally:
        first.kill()
        first.wait()
    assert second.returncode == 2
    assert second.stderr.count("\n") == 1
    assert f"another npssim is writing this folder (process {first.pid}" in second.stderr


LEFT_SEMAPHORES = """
import multiprocessing, sys
import npssim.cli as cli

class Holder:
    pass

held = Holder()
held.lock = multiprocessing.get_context("spawn").Lock()  # a pool's queues hold such locks
if sys.argv[1] == "cycle":
    held.me = held
    del held
cli.main = lambda argv=None: cli.EXIT_INTERRUPTED
cli.entry()
"""


@pytest.mark.parametrize("kept", ["cycle", "alive"])
def test_an_interrupted_exit_leaves_no_semaphore_for_the_tracker_to_report(kept):
    done = subprocess.run(
        [sys.executable, "-c", LEFT_SEMAPHORES, kept], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 130
    assert done.stderr == ""  # no "resource_tracker: ... leaked semaphore objects"


@pytest.mark.parametrize(
    ("code", "status"),
    [(errno.ELOOP, 2), (errno.ENOTDIR, 2), (errno.EISDIR, 2), (errno.EEXIST, 2),
     (errno.ENOSPC, 1), (errno.EIO, 1)],
)  # fmt: skip
def test_only_a_real_write_failure_is_status_1(capsys, tmp_path, monkeypatch, code, status):
    out = tmp_path / "out"
    monkeypatch.setattr(RunStore, "save", full_disk_after(0, code))
    got, _, err = run_cli(capsys, "run", "baseline", *SMALL, "--out", str(out))
    assert got == status
    assert err.count("\n") == 1 and "cannot write" in err


@pytest.mark.slow
@pytest.mark.parametrize("delay", [1.0, 2.5, 3.5, 4.5])
@pytest.mark.parametrize("executor", [["--workers", "2"], ["--dask-local", "2"]])
def test_ctrl_c_to_the_whole_process_group_prints_one_line(tmp_path, executor, delay):
    # As a terminal sends it: to npssim, its pool's or cluster's workers and the tracker.
    process = subprocess.Popen(
        [sys.executable, "-m", "npssim.cli", "run", "nps_bonus", "--out", str(tmp_path / "o"),
         "--quiet", *executor],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    time.sleep(delay)
    os.killpg(process.pid, signal.SIGINT)
    _, err = process.communicate(timeout=120)
    if process.returncode == 0:  # it had finished: nothing to interrupt, nothing to say
        assert err == ""
    else:
        assert process.returncode == 130, err
        assert err.count("\n") == 1 and err.startswith("npssim: interrupted"), err
