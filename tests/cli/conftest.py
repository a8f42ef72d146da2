"""Helpers for driving the ``npssim`` command in-process."""

from __future__ import annotations

from npssim.cli import main


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    """Run ``npssim ARGS`` and return the exit status, stdout and stderr."""
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def assert_one_line_error(status: int, err: str, *needles: str) -> None:
    """Bad input: exit 2, one line on stderr naming what is wrong, no traceback."""
    assert status == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("npssim: error: ")
    assert "Traceback" not in err
    for needle in needles:
        assert needle in lines[0]
