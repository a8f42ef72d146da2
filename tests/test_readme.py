"""Each Python example in the README runs as a file, as written, and prints what it shows."""

import pytest

from .readme import examples, run_as_a_file, same_text

#: EMA Workbench 3 needs Python 3.12: its example runs in test_interop_ema.py.
RUN_HERE = [example for example in examples() if "ema_workbench" not in example.code]


def test_the_readme_has_its_examples():
    names = [example.name for example in examples()]
    assert len(names) >= 6, names
    assert any("mesa.batch_run" in example.code for example in examples())
    assert any("salib_problem" in example.code for example in examples())
    assert any("ema_model" in example.code for example in examples())


@pytest.mark.parametrize("example", RUN_HERE, ids=lambda example: example.name[:40])
def test_a_readme_example_runs_as_a_file_and_prints_what_the_readme_shows(example, tmp_path):
    printed = run_as_a_file(example, tmp_path)
    if example.output is not None:
        assert same_text(printed, example.output), printed
