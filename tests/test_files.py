import os
import subprocess
import sys

import pytest

from npssim.errors import InputError
from npssim.files import LOCK_NAME, FolderBusy, FolderLock, atomic_path, remove_temporaries


def write_text(target, text):
    with atomic_path(target) as temporary:
        temporary.write_text(text)


def test_atomic_write_replaces_content(tmp_path):
    target = tmp_path / "a.txt"
    target.write_text("old")
    write_text(target, "new")
    assert target.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_failed_write_keeps_old_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "a.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_path(target) as temporary:
        temporary.write_text("half")
        raise RuntimeError("interrupted")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_written_file_gets_the_usual_permissions(tmp_path):
    target = tmp_path / "a.txt"
    write_text(target, "x")
    reference = tmp_path / "b.txt"
    reference.write_text("x")
    assert target.stat().st_mode == reference.stat().st_mode


# ---------------------------------------------------------------- one writer per folder

HOLD_LOCK = """
import sys, time
from npssim.files import FolderLock
with FolderLock(sys.argv[1]):
    print("locked", flush=True)
    time.sleep(60)
"""


@pytest.fixture
def lock_holder(tmp_path):
    """Another process holding the lock of ``tmp_path / 'out'``; killed at the end."""
    folder = tmp_path / "out"
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(folder)], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout.readline().strip() == "locked"
    yield folder, process
    process.kill()
    process.wait()


def test_a_second_writer_is_refused_naming_the_holder(lock_holder):
    folder, process = lock_holder
    with pytest.raises(FolderBusy, match=rf"another npssim is writing.*process {process.pid}"):
        FolderLock(folder).__enter__()


def test_a_lock_left_by_a_killed_process_is_taken_over(lock_holder):
    folder, process = lock_holder
    process.kill()
    process.wait()
    assert (folder / LOCK_NAME).exists()  # the file stays; the kernel dropped the lock
    with FolderLock(folder):
        assert str(os.getpid()) in (folder / LOCK_NAME).read_text()


def test_the_lock_is_reentrant_within_a_process_and_removed_after(tmp_path):
    folder = tmp_path / "out"
    with FolderLock(folder), FolderLock(folder):
        assert (folder / LOCK_NAME).is_file()
    assert not (folder / LOCK_NAME).exists()
    assert folder.is_dir()


def test_a_refused_writer_leaves_no_folder_it_created(tmp_path):
    folder = tmp_path / "new"
    with pytest.raises(InputError), FolderLock(folder):
        raise InputError("refused")
    assert not folder.exists()


def test_remove_temporaries_deletes_only_atomic_leftovers(tmp_path):
    (tmp_path / "runs").mkdir()
    (tmp_path / ".timeseries.csv.abc123.tmp").write_text("")
    (tmp_path / "runs" / ".p0000-r0000.npz.x.tmp").write_text("")
    (tmp_path / "keep.tmp").write_text("mine")
    assert remove_temporaries(tmp_path) == 2
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["keep.tmp"]
