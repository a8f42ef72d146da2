"""Safe file output: atomic writes, and one writer per output folder.

A reader never sees a half-written file, and an interrupted run leaves either the old file or
the new one, never a fragment (:func:`atomic_path`). Two processes never write one output
folder at once (:class:`FolderLock`).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

from npssim.errors import InputError, one_line


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces ``target`` in one rename.

    Args:
        target: The file to create or replace.

    Yields:
        A temporary path in the same directory (so the rename stays on one file system).
    """
    target = Path(target)
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(handle)
    temporary = Path(name)
    os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes 0600; outputs get the usual mode
    try:
        yield temporary
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


#: The lock file in an output folder; npssim's own, never one of its outputs.
LOCK_NAME = ".npssim.lock"


class FolderBusy(InputError):
    """Another process holds an output folder's lock; ``str(error)`` says which."""


class FolderLock:
    """An exclusive, OS-level lock on an output folder, held while an experiment writes it.

    Two experiments writing one folder would mix their runs and tables without either noticing,
    so whoever writes a folder holds this lock first: ``flock`` on ``.npssim.lock`` inside it.
    The kernel releases it when the holder exits, however it exits, so a lock left by a killed
    process is simply taken over. The holder writes its process id and command into the file,
    for the message a second writer gets, and removes the file when it is done. Within one
    process the lock is re-entrant: the command line holds it around a whole command while the
    functions it calls take it again.

    Args:
        folder: The output folder (created if it does not exist; removed again if the holder
            is refused or interrupted before it wrote anything).
    """

    _held: ClassVar[dict[Path, tuple[int, int]]] = {}  # folder -> (file descriptor, depth)

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.created = False

    def __enter__(self) -> FolderLock:
        key = self.folder.resolve()
        if key in self._held:
            descriptor, depth = self._held[key]
            self._held[key] = (descriptor, depth + 1)
            return self
        self.created = not self.folder.exists()
        self.folder.mkdir(parents=True, exist_ok=True)
        self._held[key] = (self._acquire(), 1)
        return self

    def _acquire(self) -> int:
        path = self.folder / LOCK_NAME
        while True:
            descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o666 & ~_umask())
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.pread(descriptor, 4096, 0).decode("utf-8", "replace").strip()
                os.close(descriptor)
                raise FolderBusy(
                    f"--out {self.folder}: another npssim is writing this folder "
                    f"({one_line(holder) or 'a process'}); wait for it to finish, or choose "
                    "another --out"
                ) from None
            except BaseException:
                os.close(descriptor)
                raise
            try:
                current = os.stat(path).st_ino
            except FileNotFoundError:
                current = None
            if current == os.fstat(descriptor).st_ino:
                break
            os.close(descriptor)  # its holder removed the file as we locked it: lock the new one
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, _holder().encode("utf-8"), 0)
        return descriptor

    def __exit__(self, kind: type[BaseException] | None, *rest: object) -> None:
        key = self.folder.resolve()
        descriptor, depth = self._held[key]
        if depth > 1:
            self._held[key] = (descriptor, depth - 1)
            return
        del self._held[key]
        # Unlink while still holding the lock, so nobody locks the file being removed (a
        # newcomer that opened it meanwhile sees it gone and locks a new one).
        (self.folder / LOCK_NAME).unlink(missing_ok=True)
        os.close(descriptor)
        if kind is not None and self.created:
            with contextlib.suppress(OSError):
                self.folder.rmdir()  # refused or stopped before writing: leave no empty folder


def remove_temporaries(folder: str | Path) -> int:
    """Delete what :func:`atomic_path` left behind in a folder when its process was killed.

    Only safe while holding the folder's :class:`FolderLock`: a live writer's temporary files
    look the same.

    Returns:
        How many files were removed.
    """
    removed = 0
    for path in Path(folder).rglob(".*.tmp"):
        if path.is_file():
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def _holder() -> str:
    command = " ".join(sys.argv[:4]) + (" ..." if len(sys.argv) > 4 else "")
    return f"process {os.getpid()}: {command}\n"


def is_npssim_file(path: Path) -> bool:
    """Whether a file in an output folder is npssim's bookkeeping (its lock), not an output."""
    return path.name == LOCK_NAME
