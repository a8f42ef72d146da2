"""Each Python example in the README runs as a file, as written, and prints what it shows."""

import pytest

from .readme import README, examples, other_shell_lines, run_as_a_file, same_text, setup_commands

#: EMA Workbench 3 needs Python 3.12: its example runs in test_interop_ema.py.
RUN_HERE = [example for example in examples() if "ema_workbench" not in example.code]


def test_the_readme_has_its_examples():
    names = [example.name for example in examples()]
    assert len(names) >= 6, names
    assert any("mesa.batch_run" in example.code for example in examples())
    assert any("salib_problem" in example.code for example in examples())
    assert any("ema_model" in example.code for example in examples())


def test_the_set_up_is_two_commands_the_main_job_and_every_test():
    install_and_run, test = setup_commands()
    assert install_and_run.startswith("python3 -m venv .venv && .venv/bin/pip install -e .")
    assert "&& .venv/bin/npssim compare " in install_and_run
    assert test == "scripts/test"
    assert (README.parent / "scripts" / "test").stat().st_mode & 0o111


def test_every_other_command_assumes_the_activated_environment():
    assert "source .venv/bin/activate" in README.read_text()
    lines = other_shell_lines()
    assert any(line.startswith("npssim ") for line in lines)
    assert not [line for line in lines if ".venv/" in line]


@pytest.mark.slow
@pytest.mark.parametrize("example", RUN_HERE, ids=lambda example: example.name[:40])
def test_a_readme_example_runs_as_a_file_and_prints_what_the_readme_shows(example, tmp_path):
    printed = run_as_a_file(example, tmp_path)
    if example.output is not None:
        assert same_text(printed, example.output), printed
