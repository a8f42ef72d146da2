"""Output piped into a reader that stops early: the command completes, quietly."""

from __future__ import annotations

import io
import os
import shlex
import subprocess
import sys

from npssim.cli.pipes import PipeGuard, guarded_stdout

SMALL = [
    "--set", "firm.managers=1", "--set", "firm.reps_per_manager=2",
    "--set", "firm.accounts_per_rep=10", "--weeks", "6", "--workers", "1", "--quiet",
    "--replications", "2",
]  # fmt: skip


def compare(out) -> list[str]:
    # Without the spread over plausible firms: the pipe is the point, not the answer's content.
    return [sys.executable, "-m", "npssim.cli", "compare", "baseline", "nps_bonus", *SMALL,
            "--assumption-samples", "0", "--out", str(out)]  # fmt: skip


def test_compare_piped_into_head_completes_writes_its_report_and_exits_0(tmp_path):
    out = tmp_path / "out"
    command = shlex.join(compare(out))
    shell = subprocess.run(
        ["bash", "-c", f"{command} | head -1; exit ${{PIPESTATUS[0]}}"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert shell.returncode == 0, shell.stderr
    assert shell.stderr == ""
    assert shell.stdout.count("\n") == 1
    assert (out / "report.html").is_file() and (out / "comparison.csv").is_file()


def test_compare_whose_reader_has_gone_before_it_prints_still_completes(tmp_path):
    # The read end is closed at once: every write to stdout fails, whatever the timing.
    out = tmp_path / "out"
    process = subprocess.Popen(compare(out), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None
    process.stdout.close()
    _, err = process.communicate(timeout=300)
    assert (process.returncode, err) == (0, b"")
    assert (out / "report.html").is_file()


def test_a_guard_discards_output_once_its_reader_has_gone():
    read, write = os.pipe()
    stream = io.TextIOWrapper(io.FileIO(write, "w"), encoding="utf-8", write_through=True)
    guard = PipeGuard(stream)
    assert guard.write("first\n") == 6 and not guard.broken
    assert os.read(read, 100) == b"first\n"
    os.close(read)
    assert guard.write("second\n") == 7  # the reader has gone: no BrokenPipeError
    assert guard.broken
    guard.write("third\n")
    guard.flush()
    # The descriptor now points at os.devnull: Python's own flush at exit cannot fail.
    assert os.fstat(write).st_rdev == os.stat(os.devnull).st_rdev
    stream.close()


def test_a_guard_passes_everything_else_to_its_stream():
    stream = io.StringIO()
    guard = PipeGuard(stream)
    guard.write("text")
    assert stream.getvalue() == "text" and guard.getvalue() == "text"
    assert guard.isatty() is False


def test_guarded_stdout_is_restored_after_the_command():
    before = sys.stdout
    with guarded_stdout() as guard:
        assert sys.stdout is guard
    assert sys.stdout is before
