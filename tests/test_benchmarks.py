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


OVERHEAD = SCRIPT.parent / "dask_overhead.py"


@pytest.fixture(scope="module")
def overhead():
    spec = importlib.util.spec_from_file_location("benchmark_dask_overhead", OVERHEAD)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_projection_spreads_runs_and_their_overhead_over_the_workers(overhead):
    assert overhead.project(runs=6_400, workers=64, run_s=0.2, overhead_s=0.05, start_s=3) == (
        pytest.approx(6_400 * 0.25 / 64 + 3)
    )


@pytest.mark.slow
def test_the_overhead_of_an_existing_cluster_is_measured_through_its_scheduler(overhead, capsys):
    import json

    from distributed import LocalCluster

    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, protocol="tcp://",
        scheduler_port=0, dashboard_address=None,
    ) as cluster:  # fmt: skip
        status = overhead.main(
            ["--json", "--scheduler", cluster.scheduler_address, "--run-seconds", "0.25",
             "--calls", "3", "--batch", "2", "--batches", "2"]
        )  # fmt: skip
    found = json.loads(capsys.readouterr().out)
    assert status == 0 and found["cluster"] == cluster.scheduler_address
    assert found["trivial_ms"]["best"] > 0 and found["start_s"]["best"] == 0
    plan = found["projection"]
    assert plan["batched_s"] >= plan["ideal_s"] == pytest.approx(100_000 * 0.25 / 64)


def test_worker_peaks_reads_the_high_water_mark_of_a_python_child(bench):
    allocate = "import time; block = bytearray(300 * 2**20); time.sleep(1.0)"
    with bench.WorkerPeaks(every_s=0.05) as workers:
        subprocess.run([sys.executable, "-c", allocate], check=True)
    assert workers.peak_mib >= 300
