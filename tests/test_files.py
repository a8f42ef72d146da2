import os
import subprocess
import sys

import pytest

from npssim.errors import InputError
from npssim.files import (
    LOCK_NAME,
    MANIFEST,
    DamagedRecord,
    FolderBusy,
    FolderLock,
    UnsafePath,
    atomic_path,
    file_digest,
    read_record,
    remove_temporaries,
)


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


# ------------------------------------------------ nothing followed, nothing special replaced


def test_a_lock_file_that_is_a_link_is_refused_and_its_target_untouched(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (folder / LOCK_NAME).symlink_to(victim)
    with pytest.raises(UnsafePath, match=r"\.npssim\.lock.*symbolic link"), FolderLock(folder):
        pass
    assert victim.read_text() == "precious"


def test_a_lock_file_that_is_a_folder_or_a_fifo_is_refused(tmp_path):
    folder = tmp_path / "out"
    (folder / LOCK_NAME).mkdir(parents=True)
    with pytest.raises(UnsafePath, match="a folder"), FolderLock(folder):
        pass
    other = tmp_path / "other"
    other.mkdir()
    os.mkfifo(other / LOCK_NAME)
    with pytest.raises(UnsafePath, match="FIFO"), FolderLock(other):
        pass


@pytest.mark.parametrize("kind", ["link", "fifo", "folder"])
def test_an_atomic_write_replaces_no_link_fifo_or_folder(tmp_path, kind):
    target = tmp_path / "target"
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    if kind == "link":
        target.symlink_to(victim)
    elif kind == "fifo":
        os.mkfifo(target)
    else:
        target.mkdir()
    with pytest.raises(UnsafePath, match="npssim replaces only regular files"):
        write_text(target, "new")
    assert victim.read_text() == "precious"
    assert target.is_symlink() == (kind == "link") and target.exists()
    assert not list(tmp_path.glob(".*.tmp"))


def test_a_linked_subfolder_of_a_locked_folder_is_not_written_through(tmp_path):
    folder, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    folder.mkdir()
    elsewhere.mkdir()
    (folder / "figures").symlink_to(elsewhere, target_is_directory=True)
    with FolderLock(folder), pytest.raises(UnsafePath, match=r"figures.*symbolic link.*inside"):
        write_text(folder / "figures" / "nps.png", "png")
    assert not list(elsewhere.iterdir())


def test_a_dangling_link_as_the_folder_is_refused_as_input(tmp_path):
    folder = tmp_path / "out"
    folder.symlink_to(tmp_path / "nowhere")
    with pytest.raises(UnsafePath, match=r"--out .*symbolic link"), FolderLock(folder):
        pass
    assert not (tmp_path / "nowhere").exists()


def test_a_users_file_in_a_locked_folder_is_not_replaced_and_npssims_are(tmp_path):
    folder = tmp_path / "out"
    with FolderLock(folder):
        write_text(folder / "report.md", "npssim's")
        write_text(folder / "report.md", "npssim's again")  # its own: replaced
    (folder / "notes.md").write_text("mine")
    with FolderLock(folder):
        write_text(folder / "report.md", "third")  # still on record after the lock ended
        with pytest.raises(UnsafePath, match=r"notes.md.*not a file npssim wrote"):
            write_text(folder / "notes.md", "npssim's")
    assert (folder / "notes.md").read_text() == "mine"
    assert set(read_record(folder)[0]) == {"report.md"}


def test_the_record_keeps_a_checksum_when_asked(tmp_path):
    folder = tmp_path / "out"
    with FolderLock(folder):
        write_text(folder / "a.txt", "a")
        (folder / "runs").mkdir()
        with atomic_path(folder / "runs" / "b.npz", checksum=True) as temporary:
            temporary.write_text("b")
    record, legacy = read_record(folder)
    assert record == {"a.txt": None, "runs/b.npz": file_digest(folder / "runs" / "b.npz")}
    assert not legacy


@pytest.mark.parametrize(
    ("text", "reason"),
    [("[1, 2]", "not an npssim manifest"), ("{", "not valid JSON"),
     ('{"files": [1]}', "files entry is malformed")],
)  # fmt: skip
def test_a_malformed_manifest_is_refused_in_one_line(tmp_path, text, reason):
    (tmp_path / MANIFEST).write_text(text)
    with pytest.raises(DamagedRecord, match=reason) as caught:
        read_record(tmp_path)
    assert "\n" not in str(caught.value)


def test_a_shared_folder_keeps_no_record_and_its_other_files_may_be_replaced(tmp_path):
    (tmp_path / "evidence.md").write_text("an earlier table")
    with FolderLock(tmp_path, record=False):
        write_text(tmp_path / "evidence.md", "new table")
    assert (tmp_path / "evidence.md").read_text() == "new table"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["evidence.md"]
