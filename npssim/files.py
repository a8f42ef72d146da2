"""Safe file output: atomic writes that follow no link, and one writer per output folder.

A reader never sees a half-written file, and an interrupted run leaves either the old file or
the new one, never a fragment (:func:`atomic_path`). Two processes never write one output
folder at once (:class:`FolderLock`).

Output paths are typed by users, who may be careless or hostile, so nothing here follows a
symbolic link or replaces anything but a regular file: a rename over ``/dev/null``, a FIFO or a
link destroys what stands there, and a link inside an output folder (``figures -> /elsewhere``)
would lead writes outside it. Such a target is refused in one line (:class:`UnsafePath`, a bad
input, exit 2).

Inside a locked output folder npssim also remembers which files it wrote: each write is
appended, before its rename, to the folder's journal (:data:`JOURNAL`), with the file's SHA-256
when asked, and the manifest carries the same record. ``--force`` removes what the record lists
and nothing else, a stored run whose bytes do not match its checksum is simulated again, and a
user's own file standing where npssim would write is refused instead of replaced.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import stat
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

from npssim.errors import InputError, one_line, quoted

#: The lock file in an output folder; npssim's own, never one of its outputs.
LOCK_NAME = ".npssim.lock"
#: The journal of the files npssim wrote into an output folder: one JSON object a line,
#: ``{"path": path relative to the folder, "sha256": digest or null}``, appended before each
#: rename, so even a killed process leaves every file it wrote on record.
JOURNAL = ".npssim.files"
#: The output folder's manifest; its ``files`` entry is the record as of its writing.
MANIFEST = "manifest.json"
#: Where stored runs live: a ``.npz`` there is npssim's to replace (a run, or a damaged or
#: foreign copy of one), so a run that fails its checksum is simulated again over it.
RUNS = "runs"
#: What npssim writes into an output folder. Folders written by an npssim that kept no record
#: of its files (a manifest without ``files``) may have these replaced, as that npssim did.
OUTPUTS: tuple[str, ...] = (
    MANIFEST,
    RUNS,
    "scenarios",
    "figures",
    "timeseries.csv",
    "timeseries.parquet",
    "ledger.csv",
    "summary.csv",
    "comparison.csv",
    "stakeholders.csv",
    "sweep.csv",
    "design.csv",
    "indices.csv",
    # npssim breakeven: a store per stage, and its tables
    "screen",
    "tornado",
    "heatmap",
    "discovery",
    "screen.csv",
    "tornado.csv",
    "heatmap.csv",
    "discovery.csv",
    "box.csv",
    "report.md",
    "report.html",
    # npssim export and npssim diagnose
    "responses.csv",
    "accounts.csv",
    "truth.csv",
    "responses.parquet",
    "accounts.parquet",
    "truth.parquet",
    "reps.csv",
    "our_firm.toml",
    "validation.csv",
    # npssim compare: the spread over plausible assumptions, its store and its table
    "assumptions",
    "assumptions.csv",
)


#: What a message about a damaged manifest advises.
_MOVE = "; move the folder away, or choose another --out"


class UnsafePath(InputError):
    """An output path npssim refuses to write through: a link, a device, a user's file."""


class FolderBusy(InputError):
    """Another process holds an output folder's lock; ``str(error)`` says which."""


class DamagedRecord(InputError):
    """An output folder's manifest is not one npssim wrote (malformed, or not an object)."""


@contextlib.contextmanager
def atomic_path(target: str | Path, *, checksum: bool = False) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces ``target`` in one rename.

    The temporary file is created exclusively (``O_EXCL`` and ``O_NOFOLLOW``, as ``mkstemp``
    does), and the rename replaces nothing or a regular file: a link, device, FIFO, socket or
    folder at ``target`` is refused. Inside a locked output folder no folder from it down to
    ``target`` may be a link, an existing file must be one npssim wrote, and the write is
    recorded in the folder's journal.

    Args:
        target: The file to create or replace.
        checksum: Record the file's SHA-256 (stored runs), so that a damaged, foreign or
            swapped copy is recognised later.

    Yields:
        A temporary path in the same directory (so the rename stays on one file system).

    Raises:
        UnsafePath: The target, or a folder on the way to it, is not safe to write.
    """
    target = Path(target)
    holders = _Held.containing(target)
    for held in holders:
        held.check_inside(target.parent)
    _check_target(target, holders)
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(handle)
    temporary = Path(name)
    os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes 0600; outputs get the usual mode
    try:
        yield temporary
        digest = file_digest(temporary) if checksum else None
        for held in holders:
            held.note(target, digest)
        _check_target(target, holders)  # once more, as close to the rename as can be
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def file_digest(path: str | Path) -> str:
    """The SHA-256 of a file's bytes, read without following a link."""
    with os.fdopen(os.open(path, os.O_RDONLY | os.O_NOFOLLOW), "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _check_target(target: Path, holders: list[_Held]) -> None:
    """Refuse to replace anything but a regular file that npssim may replace."""
    try:
        mode = os.lstat(target).st_mode
    except FileNotFoundError:
        return
    except NotADirectoryError:
        raise UnsafePath(f"{quoted(target)}: a file stands where a folder must be") from None
    if not stat.S_ISREG(mode):
        raise UnsafePath(
            f"{quoted(target)}: is {describe(mode)}; npssim replaces only regular files, so "
            "choose another path"
        )
    for held in holders:
        if not held.may_replace(target):
            raise UnsafePath(
                f"{quoted(target)}: is not a file npssim wrote, so it is not replaced; move it "
                f"out of {quoted(held.folder)} or choose another --out"
            )


def describe(mode: int) -> str:
    """What a file of this mode is, in words: ``a symbolic link``, ``a device``..."""
    kinds = (
        (stat.S_ISLNK, "a symbolic link"),
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISCHR, "a device"),
        (stat.S_ISBLK, "a device"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISSOCK, "a socket"),
    )
    return next((text for test, text in kinds if test(mode)), "not a regular file")


def check_no_link(path: str | Path, option: str = "", *, folder: bool = False) -> None:
    """Refuse a path npssim would write that is a link or a special file; a missing one is fine.

    Args:
        path: The path to check.
        option: How to name it in the message (``--out x``); the path itself by default.
        folder: A folder is expected there (else a regular file).

    Raises:
        UnsafePath: It is a link, a device, a FIFO or a socket (or a folder where a file must
            be, or a file where a folder must be).
    """
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return
    wanted = stat.S_ISDIR if folder else stat.S_ISREG
    if not wanted(mode):
        raise UnsafePath(
            f"{option or quoted(path)}: is {describe(mode)}; npssim writes through no link and "
            f"replaces no special file, so give {'a folder' if folder else 'a file name'}"
        )


def check_output_tree(folder: str | Path) -> None:
    """No link or special file stands under the names npssim writes in an output folder.

    A link there (``figures -> /elsewhere``, ``runs/<label> -> ...``) would lead writes or
    ``--force``'s removals outside the folder, so the folder is refused before anything runs.

    Raises:
        UnsafePath: Naming the first such path.
    """
    folder = Path(folder)
    for name in OUTPUTS:
        top = folder / name
        paths = [top]
        if _is_folder(top):
            for parent, folders, files in os.walk(top):
                paths.extend(Path(parent) / entry for entry in (*folders, *files))
        for path in paths:
            try:
                mode = os.lstat(path).st_mode
            except OSError:
                continue
            if not (stat.S_ISDIR(mode) or stat.S_ISREG(mode)):
                raise UnsafePath(
                    f"--out {quoted(folder)}: {quoted(path.relative_to(folder))} is "
                    f"{describe(mode)}; npssim writes through no link and replaces no special "
                    "file (it could lead outside --out), so remove it"
                )


def check_force(folder: str | Path) -> None:
    """``--force`` may clear the folder: no user's file stands at a name npssim writes.

    Raises:
        UnsafePath: A regular file at one of :data:`OUTPUTS` is not on npssim's record.
        DamagedRecord: The manifest is damaged, so npssim's files cannot be told apart.
    """
    folder = Path(folder)
    record, legacy = read_record(folder)
    if legacy:
        return  # an npssim that kept no record wrote these names: they are its own
    for name in OUTPUTS:
        if name != MANIFEST and name not in record and _is_regular(folder / name):
            raise UnsafePath(
                f"--out {quoted(folder)}: {name} is not a file npssim wrote (its record does "
                "not list it), so --force keeps it, and npssim must write there; move it away "
                "or choose another --out"
            )


def folder_refused(reason: str, folder: str | Path) -> InputError:
    """The one line refusing an output folder, the same from preflight and from the store.

    Args:
        reason: ``"not empty"`` (no ``--resume`` or ``--force``), ``"no manifest"`` or
            ``"no plan"`` (``--resume`` on a folder that holds no npssim experiment).
        folder: The folder.
    """
    if reason == "not empty":
        return InputError(
            f"--out {folder}: the folder is not empty; add --resume to complete the "
            "experiment in it, or --force to replace its results"
        )
    if reason == "no manifest":
        return InputError(
            f"--resume: {folder} holds no npssim experiment (no {MANIFEST}); "
            "choose another --out or add --force"
        )
    return DamagedRecord(
        f"--resume: {quoted(Path(folder) / MANIFEST)} has no plan of an experiment "
        f"(damaged?){_MOVE}"
    )


def _is_folder(path: Path) -> bool:
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def read_record(folder: str | Path) -> tuple[dict[str, str | None], bool]:
    """The files npssim wrote into an output folder, from its manifest and journal.

    Returns:
        Each file's path relative to the folder and its SHA-256 (None when not taken); and
        whether the folder comes from an npssim that kept no record (a manifest without
        ``files``, and no journal).

    Raises:
        DamagedRecord: The manifest is not a JSON object with a well-formed ``files`` entry.
    """
    folder = Path(folder)
    manifest = read_manifest(folder)
    record: dict[str, str | None] = {}
    listed = manifest.get("files") if manifest is not None else None
    if listed is not None:
        if not isinstance(listed, dict) or not all(
            isinstance(key, str) and (value is None or isinstance(value, str))
            for key, value in listed.items()
        ):
            raise DamagedRecord(f"{quoted(folder / MANIFEST)}: its files entry is malformed{_MOVE}")
        record.update(listed)
    journaled = _read_journal(folder / JOURNAL)
    record.update(journaled)
    legacy = manifest is not None and listed is None and not journaled
    return record, legacy


def read_manifest(folder: str | Path) -> dict | None:
    """An output folder's manifest, or None when it has none.

    Raises:
        DamagedRecord: It is not a regular file holding a JSON object.
    """
    path = Path(folder) / MANIFEST
    try:
        with os.fdopen(os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK), "rb") as file:
            if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
                raise DamagedRecord(f"{quoted(path)}: is not a regular file{_MOVE}")
            text = file.read()
    except FileNotFoundError:
        return None
    except OSError as err:
        if err.errno in (errno.ELOOP, errno.EISDIR, errno.ENXIO):
            raise DamagedRecord(f"{quoted(path)}: is not a regular file{_MOVE}") from None
        raise
    try:
        manifest = json.loads(text)
    except (ValueError, RecursionError):
        raise DamagedRecord(f"{quoted(path)}: is not valid JSON (damaged?){_MOVE}") from None
    if not isinstance(manifest, dict):
        raise DamagedRecord(f"{quoted(path)}: is not an npssim manifest (no JSON object){_MOVE}")
    return manifest


def _read_journal(path: Path) -> dict[str, str | None]:
    """The journal's entries; a line a killed writer left unfinished is skipped."""
    try:
        with os.fdopen(os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK), "rb") as file:
            if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
                return {}
            lines = file.read().decode("utf-8", "replace").splitlines()
    except OSError:
        return {}
    entries: dict[str, str | None] = {}
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and isinstance(entry.get("path"), str):
            digest = entry.get("sha256")
            entries[entry["path"]] = digest if isinstance(digest, str) else None
    return entries


class _Held:
    """A folder whose lock this process holds, and the files it knows npssim wrote there."""

    #: Resolved folder -> what is held there.
    roots: ClassVar[dict[Path, _Held]] = {}

    def __init__(self, folder: Path, descriptor: int, *, recording: bool = True) -> None:
        self.folder = Path(os.path.abspath(folder))  # links in --out itself are the user's
        self.descriptor = descriptor
        self.recording = recording
        self.depth = 1
        self.journal: int | None = None
        self._record: dict[str, str | None] | None = None
        self.legacy = False

    @classmethod
    def containing(cls, path: Path) -> list[_Held]:
        """Every held folder ``path`` lies in (an analysis' folder and its stage's folder)."""
        absolute = Path(os.path.abspath(path))
        return [held for held in cls.roots.values() if absolute.is_relative_to(held.folder)]

    def relative(self, path: Path) -> str:
        return Path(os.path.abspath(path)).relative_to(self.folder).as_posix()

    def check_inside(self, folder: Path) -> None:
        """Each folder from the held one down to ``folder`` is a real folder, not a link."""
        current = self.folder
        for part in Path(self.relative(folder)).parts:
            current = current / part
            try:
                mode = os.lstat(current).st_mode
            except FileNotFoundError:
                return  # the writer makes it, a real folder
            if not stat.S_ISDIR(mode):
                raise UnsafePath(
                    f"{quoted(current)}: is {describe(mode)} inside the output folder; npssim "
                    "writes through no link (it could lead outside --out), so remove it"
                )

    @property
    def record(self) -> dict[str, str | None]:
        if self._record is None:
            self._record, self.legacy = read_record(self.folder)
        return self._record

    def may_replace(self, path: Path) -> bool:
        if not self.recording:
            return True  # a shared folder (docs/): its other files are not npssim's to judge
        relative = self.relative(path)
        top = relative.split("/", 1)[0]
        if relative in self.record or (top == RUNS and relative.endswith(".npz")):
            return True
        return self.legacy and top in OUTPUTS

    def note(self, path: Path, digest: str | None) -> None:
        """Record a write in the journal (before its rename: a kill leaves it on record)."""
        if not self.recording:
            return
        if self.journal is None:
            self.journal = _open_regular(self.folder / JOURNAL, os.O_WRONLY | os.O_APPEND)
        relative = self.relative(path)
        line = json.dumps({"path": relative, "sha256": digest}) + "\n"
        os.write(self.journal, line.encode("utf-8"))
        self.record[relative] = digest

    def forget(self) -> None:
        """Start a new record (``--force`` removed every file the old one listed)."""
        if self.journal is not None:
            os.close(self.journal)
            self.journal = None
        self._record, self.legacy = {}, False

    def close(self) -> None:
        if self.journal is not None:
            os.close(self.journal)
        os.close(self.descriptor)


def recorded_files(folder: str | Path) -> dict[str, str | None]:
    """The files npssim wrote into a folder (see :func:`read_record`), this process's too."""
    key = Path(folder).resolve()
    if key in _Held.roots:
        return dict(_Held.roots[key].record)
    return read_record(folder)[0]


def forget_files(folder: str | Path) -> None:
    """Drop a held folder's record of files, once they have all been removed."""
    held = _Held.roots.get(Path(folder).resolve())
    if held is not None:
        held.forget()


def _open_regular(path: Path, flags: int) -> int:
    """Open (creating) a regular file without following a link or blocking on a FIFO.

    Raises:
        UnsafePath: Something else stands at ``path``.
    """
    try:
        descriptor = os.open(
            path, flags | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK, 0o666 & ~_umask()
        )
    except OSError as err:
        if err.errno not in (errno.ELOOP, errno.EISDIR, errno.ENXIO, errno.EOPNOTSUPP):
            raise
        descriptor = None
    if descriptor is not None and stat.S_ISREG(os.fstat(descriptor).st_mode):
        return descriptor
    if descriptor is not None:
        os.close(descriptor)
    mode = os.lstat(path).st_mode
    raise UnsafePath(f"{quoted(path)}: is {describe(mode)}; it is npssim's own file, so remove it")


class FolderLock:
    """An exclusive, OS-level lock on an output folder, held while an experiment writes it.

    Two experiments writing one folder would mix their runs and tables without either noticing,
    so whoever writes a folder holds this lock first: ``flock`` on ``.npssim.lock`` inside it.
    The kernel releases it when the holder exits, however it exits, so a lock left by a killed
    process is simply taken over. The holder writes its process id and command into the file,
    for the message a second writer gets, and removes the file when it is done. Within one
    process the lock is re-entrant: the command line holds it around a whole command while the
    functions it calls take it again. The lock file is opened without following a link and
    must be a regular file: a link there would have its target overwritten.

    Args:
        folder: The output folder (created if it does not exist; removed again if the holder
            is refused or interrupted before it wrote anything).
        record: Keep the record of the files npssim writes there, and replace no other file.
            False for a folder npssim shares with other files, such as ``docs/`` for
            ``npssim evidence --out docs``: it writes there through no link all the same.
    """

    def __init__(self, folder: str | Path, *, record: bool = True) -> None:
        self.folder = Path(folder)
        self.created = False
        self.record = record

    def __enter__(self) -> FolderLock:
        key = self.folder.resolve()
        if key in _Held.roots:
            _Held.roots[key].depth += 1
            return self
        for outer in _Held.containing(self.folder):
            outer.check_inside(self.folder)
        option = f"--out {quoted(self.folder)}"
        if not self.folder.is_dir():  # a link to a folder, as --out, is the user's choice
            check_no_link(self.folder, option, folder=True)
        self.created = not self.folder.exists()
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):
            raise UnsafePath(f"{option}: a file stands where a folder must be") from None
        try:
            descriptor = self._acquire()
        except BaseException:
            self._remove_if_created()
            raise
        _Held.roots[key] = _Held(self.folder, descriptor, recording=self.record)
        return self

    def _acquire(self) -> int:
        path = self.folder / LOCK_NAME
        while True:
            descriptor = _open_regular(path, os.O_RDWR)
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
                current = os.lstat(path).st_ino
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
        held = _Held.roots[key]
        if held.depth > 1:
            held.depth -= 1
            return
        del _Held.roots[key]
        # Unlink while still holding the lock, so nobody locks the file being removed (a
        # newcomer that opened it meanwhile sees it gone and locks a new one).
        (self.folder / LOCK_NAME).unlink(missing_ok=True)
        held.close()
        if kind is not None:
            self._remove_if_created()

    def _remove_if_created(self) -> None:
        if self.created:
            with contextlib.suppress(OSError):
                self.folder.rmdir()  # refused or stopped before writing: leave no empty folder


def remove_temporaries(folder: str | Path) -> int:
    """Delete what :func:`atomic_path` left behind in a folder when its process was killed.

    Only safe while holding the folder's :class:`FolderLock`: a live writer's temporary files
    look the same. Only regular files are removed, and no link is followed.

    Returns:
        How many files were removed.
    """
    removed = 0
    for parent, _, names in os.walk(folder):
        for name in names:
            path = Path(parent) / name
            if name.startswith(".") and name.endswith(".tmp") and _is_regular(path):
                path.unlink(missing_ok=True)
                removed += 1
    return removed


def _is_regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def _holder() -> str:
    command = " ".join(sys.argv[:4]) + (" ..." if len(sys.argv) > 4 else "")
    return f"process {os.getpid()}: {command}\n"


def is_npssim_file(path: Path) -> bool:
    """Whether a file in an output folder is npssim's bookkeeping (its lock), not an output."""
    return path.name == LOCK_NAME
