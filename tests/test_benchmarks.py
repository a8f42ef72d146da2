"""The benchmark script's own logic; CI runs the script itself with ``--smoke``."""

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "run.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("benchmark_run", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


def test_recording_replaces_only_the_text_between_the_markers(bench, tmp_path):
    results = tmp_path / "RESULTS.md"
    results.write_text(f"# Title\n\n{bench.BEGIN}\nold figures\n{bench.END}\n\n## Notes by hand\n")
    bench.record(results, "new figures\n")
    assert results.read_text() == (
        f"# Title\n\n{bench.BEGIN}\nnew figures\n{bench.END}\n\n## Notes by hand\n"
    )


def test_recording_creates_a_missing_file_with_markers(bench, tmp_path):
    bench.record(tmp_path / "new.md", "figures\n")
    assert (tmp_path / "new.md").read_text() == f"{bench.BEGIN}\nfigures\n{bench.END}\n"


def test_a_results_file_without_markers_is_bad_input_and_left_alone(tmp_path):
    notes = tmp_path / "notes.md"
    notes.write_text("my notes\n")
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--record", str(notes)], capture_output=True, text=True
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "notes.md" in done.stderr and "markers" in done.stderr
    assert notes.read_text() == "my notes\n"


def test_an_unknown_section_is_bad_input():
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--only", "everything"], capture_output=True, text=True
    )
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "--only" in done.stderr
