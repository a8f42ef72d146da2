import json

import numpy as np
import pandas as pd
import pytest

from npssim.errors import InputError
from npssim.experiment import run_experiment
from npssim.experiment.store import MANIFEST
from npssim.files import JOURNAL, DamagedRecord, UnsafePath, read_record

from .conftest import SMALL


def experiment(out, seed=9, **options):
    return run_experiment(
        ["baseline", "nps_bonus"],
        replications=4,
        seed=seed,
        overrides=SMALL,
        executor="serial",
        out=out,
        **options,
    )


class Stop(KeyboardInterrupt):
    pass


def interrupt_after(count: int):
    def on_finished(done: int, total: int) -> None:
        if done >= count:
            raise Stop

    return on_finished


def test_each_run_is_stored_as_it_finishes(tmp_path):
    with pytest.raises(Stop):
        experiment(tmp_path / "out", on_finished=interrupt_after(3))
    assert len(list((tmp_path / "out" / "runs").glob("*/*.npz"))) == 3
    manifest = json.loads((tmp_path / "out" / MANIFEST).read_text())
    assert manifest["status"] == "running"


def test_resumed_experiment_equals_an_uninterrupted_one(tmp_path):
    with pytest.raises(Stop):
        experiment(tmp_path / "cut", on_finished=interrupt_after(5))
    resumed = experiment(tmp_path / "cut", resume=True)
    whole = experiment(tmp_path / "whole")
    assert resumed.resumed == 5
    pd.testing.assert_frame_equal(resumed.ledger, whole.ledger, check_exact=True)
    pd.testing.assert_frame_equal(resumed.timeseries, whole.timeseries, check_exact=True)


def test_non_empty_folder_is_refused_without_force(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    with pytest.raises(InputError, match=r"not empty.*--resume.*--force"):
        experiment(out)
    assert sorted(path.name for path in out.iterdir()) == ["notes.txt"]


@pytest.mark.slow
def test_force_replaces_npssim_outputs_and_keeps_other_files(tmp_path):
    out = tmp_path / "out"
    experiment(out).save(out)
    (out / "notes.txt").write_text("mine")
    stale = out / "runs" / "baseline" / "p0000-r0099.npz"
    stale.write_bytes(b"old")
    experiment(out, force=True)
    assert (out / "notes.txt").read_text() == "mine"
    assert not stale.exists()
    assert not (out / "report.html").exists()


def test_resume_refuses_a_folder_of_another_experiment(tmp_path):
    out = tmp_path / "out"
    experiment(out)
    with pytest.raises(InputError, match=r"--resume.*different experiment.*seed"):
        experiment(out, seed=10, resume=True)


def test_damaged_run_file_is_run_again(tmp_path):
    out = tmp_path / "out"
    whole = experiment(out)
    damaged = out / "runs" / "nps_bonus" / "p0000-r0002.npz"
    damaged.write_bytes(b"not a numpy file")
    again = experiment(out, resume=True)
    assert again.resumed == 7
    pd.testing.assert_frame_equal(again.ledger, whole.ledger, check_exact=True)


def test_no_temporary_files_are_left_behind(tmp_path):
    out = tmp_path / "out"
    experiment(out, assumption_samples=10).save(out)
    hidden = sorted(path.relative_to(out) for path in out.rglob(".*") if path.is_file())
    # npssim's record of the files it wrote (the spread over assumptions is a store of its
    # own, with its own record), and no temporary
    assert [str(path) for path in hidden] == [JOURNAL, f"assumptions/{JOURNAL}"]


def test_runs_stored_with_other_metrics_are_simulated_again_on_resume(tmp_path):
    with pytest.raises(Stop):
        experiment(tmp_path / "cut", on_finished=interrupt_after(2))
    for path in (tmp_path / "cut" / "runs").glob("*/*.npz"):  # as an older npssim stored them
        with np.load(path) as data:
            weekly, seconds = data["weekly"][:, :-1], data["seconds"]
        with path.open("wb") as handle:
            np.savez(handle, weekly=weekly, seconds=seconds)
    resumed = experiment(tmp_path / "cut", resume=True)
    whole = experiment(tmp_path / "whole")
    assert resumed.resumed == 0
    pd.testing.assert_frame_equal(resumed.ledger, whole.ledger, check_exact=True)


def test_resume_removes_temporary_files_a_killed_run_left(tmp_path):
    out = tmp_path / "out"
    experiment(out).save(out)
    leftover = out / ".timeseries.csv.k1ll3d.tmp"
    leftover.write_text("")
    experiment(out, resume=True)
    assert not leftover.exists()


def test_the_same_experiment_stopped_before_any_run_starts_again_without_resume(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(Stop):
        experiment(out, on_finished=interrupt_after(0))
    for stored in (out / "runs").rglob("*.npz"):
        stored.unlink()  # as if its scheduler had been unreachable: a manifest and no run
    assert experiment(out).ledger.shape[0] > 0


def test_the_folder_is_locked_while_the_experiment_writes(tmp_path):
    out = tmp_path / "out"
    seen = []

    def look(done: int, total: int) -> None:
        seen.append((out / ".npssim.lock").is_file())

    experiment(out, on_finished=look)
    assert seen and all(seen)
    assert not (out / ".npssim.lock").exists()


# ---------------------------------------------------------------- --force and damaged folders


def test_force_removes_only_the_files_npssims_record_lists(tmp_path):
    out = tmp_path / "out"
    experiment(out).save(out)
    (out / "scenarios" / "my_policy.toml").write_text("mine")
    (out / "figures" / "board_slide.png").write_bytes(b"mine")
    written = set(read_record(out)[0])
    assert "figures/nps.png" in written and "runs/baseline/p0000-r0000.npz" in written
    experiment(out, seed=10, force=True)
    assert (out / "scenarios" / "my_policy.toml").read_text() == "mine"
    assert (out / "figures" / "board_slide.png").read_bytes() == b"mine"
    assert not (out / "figures" / "nps.png").exists() and not (out / "report.md").exists()


def test_force_refuses_when_a_users_file_stands_where_npssim_writes(tmp_path):
    out = tmp_path / "out"
    experiment(out)
    (out / "report.md").write_text("my own report")
    before = sorted(path.relative_to(out) for path in out.rglob("*"))
    with pytest.raises(UnsafePath, match=r"report\.md is not a file npssim wrote.*--force keeps"):
        experiment(out, force=True)
    assert sorted(path.relative_to(out) for path in out.rglob("*")) == before
    assert (out / "report.md").read_text() == "my own report"


def test_force_refuses_a_linked_subfolder_and_removes_nothing_through_it(tmp_path):
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    experiment(out)
    elsewhere.mkdir()
    (elsewhere / "keep.png").write_bytes(b"x")
    (out / "figures").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(UnsafePath, match=r"figures.*symbolic link"):
        experiment(out, force=True)
    assert (elsewhere / "keep.png").exists()


def test_resume_refuses_a_linked_runs_folder_and_writes_nothing_through_it(tmp_path):
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    with pytest.raises(Stop):
        experiment(out, on_finished=interrupt_after(2))
    elsewhere.mkdir()
    (out / "runs" / "baseline").rename(elsewhere / "baseline")
    (out / "runs" / "baseline").symlink_to(elsewhere / "baseline", target_is_directory=True)
    with pytest.raises(UnsafePath, match=r"runs/baseline.*symbolic link"):
        experiment(out, resume=True)
    assert len(list((elsewhere / "baseline").iterdir())) == 2


def _damage(out, how):
    runs = sorted((out / "runs").rglob("*.npz"))
    if how == "truncated":
        runs[1].write_bytes(runs[1].read_bytes()[:100])
    elif how == "swapped":
        first, second = runs[0].read_bytes(), runs[1].read_bytes()
        runs[0].write_bytes(second)
        runs[1].write_bytes(first)
    else:  # foreign: the same run of another experiment (another seed), copied over it
        other = tmp = out.parent / "other"
        experiment(tmp, seed=11)
        runs[1].write_bytes((other / runs[1].relative_to(out)).read_bytes())
    return 1 if how != "swapped" else 2


@pytest.mark.parametrize("how", ["truncated", "swapped", "foreign"])
def test_damaged_swapped_or_foreign_runs_are_simulated_again_and_said_once(tmp_path, capsys, how):
    out = tmp_path / "out"
    whole = experiment(out)
    damaged = _damage(out, how)
    capsys.readouterr()
    again = experiment(out, resume=True)
    assert again.resumed == 8 - damaged
    pd.testing.assert_frame_equal(again.ledger, whole.ledger, check_exact=True)
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{damaged} stored runs" in err and "again" in err


@pytest.mark.parametrize(
    ("text", "reason"),
    [("[1]", "not an npssim manifest"), ('{"plan": "x"}', "no plan"), ("{oops", "not valid JSON")],
)
def test_resume_refuses_a_malformed_manifest_in_one_line(tmp_path, text, reason):
    out = tmp_path / "out"
    experiment(out)
    (out / MANIFEST).write_text(text)
    with pytest.raises(DamagedRecord, match=reason):
        experiment(out, resume=True)
    if "plan" not in text:  # --force needs the record of files, not the plan
        with pytest.raises(DamagedRecord, match=reason):
            experiment(out, force=True)
