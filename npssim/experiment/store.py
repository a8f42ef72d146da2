"""The output folder: each finished run stored as it completes, so an experiment can resume.

A run is stored as ``runs/<scenario>/p<point>-r<replication>.npz`` (exact binary floats) the
moment it finishes, written under a temporary name and renamed, its SHA-256 recorded in the
folder's journal and, at each manifest write, in ``manifest.json`` (see :mod:`npssim.files`).
``manifest.json`` records the experiment's identity as soon as it starts; ``--resume`` completes
a folder only for the same experiment, simulating again any run whose bytes do not match their
checksum, and ``--force`` is needed to reuse a folder that holds anything else. ``--force``
removes only the files npssim's record lists: a user's own file is kept, or refused when it
stands where npssim must write.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
import sys
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np

from npssim.errors import InputError, quoted
from npssim.experiment.runs import RunResult, RunTask
from npssim.files import (
    JOURNAL,
    MANIFEST,
    OUTPUTS,
    RUNS,
    atomic_path,
    check_force,
    check_output_tree,
    file_digest,
    folder_refused,
    forget_files,
    is_npssim_file,
    read_manifest,
    read_record,
    recorded_files,
    remove_temporaries,
)
from npssim.metrics import METRIC_NAMES

__all__ = ["MANIFEST", "OUTPUTS", "RUNS", "RunStore"]


class RunStore:
    """The runs of one experiment in its output folder.

    Args:
        folder: The output folder.
    """

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        #: The stored runs whose checksums matched when the folder was opened (relative
        #: paths); None until :meth:`open`, when every readable run is taken as it is.
        self._verified: set[str] | None = None

    def open(self, identity: dict[str, Any], *, resume: bool = False, force: bool = False) -> None:
        """Make the folder ready for an experiment, or check that it is the one to resume.

        Args:
            identity: The plan's identity (see :meth:`~npssim.experiment.plan.Plan.identity`).
            resume: Complete the runs of a folder the same experiment started.
            force: Remove npssim's earlier outputs from the folder and start again.

        Raises:
            InputError: The folder cannot be used as asked: a link or special file under one
                of npssim's names, a damaged manifest, a user's file where npssim must write.
        """
        folder = self.folder
        if folder.exists() and not folder.is_dir():
            raise InputError(f"--out {folder}: exists and is not a folder")
        self._verified = set()
        busy = folder.is_dir() and any(not is_npssim_file(path) for path in folder.iterdir())
        if busy:
            check_output_tree(folder)
        if busy and resume and not force:
            self._check_identity(identity)
            remove_temporaries(folder)  # a killed run's half-written files (we hold the lock)
            self._verify_runs()
            return
        if busy and not force and not self._unstarted(identity):
            raise folder_refused("not empty", folder)
        if busy:
            self._remove_outputs()
            remove_temporaries(folder)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise InputError(f"--out {folder}: cannot create the folder ({err.strerror})") from None
        self.write_manifest({"status": "running", "plan": identity})

    def _remove_outputs(self) -> None:
        """``--force``: remove the files npssim's record lists, and nothing else.

        Raises:
            UnsafePath: A file npssim did not write stands where it will write one.
        """
        check_force(self.folder)
        record, legacy = read_record(self.folder)
        owned = _legacy_outputs(self.folder) if legacy else set(record)
        owned |= _stored_runs(self.folder)
        for relative in sorted(owned):
            path = _inside(self.folder, relative)
            if path is not None:
                path.unlink(missing_ok=True)
        for name in OUTPUTS:
            top = self.folder / name
            if _mode(top) is not None and stat.S_ISDIR(_mode(top)):
                for parent, _, _ in os.walk(top, topdown=False):
                    with contextlib.suppress(OSError):
                        Path(parent).rmdir()  # only when empty: a user's files stay
        (self.folder / JOURNAL).unlink(missing_ok=True)
        (self.folder / MANIFEST).unlink(missing_ok=True)
        forget_files(self.folder)

    def _verify_runs(self) -> None:
        """Check each stored run against its recorded checksum; say once how many failed.

        A run that was truncated, copied from another folder, or swapped with another has no
        matching checksum: it is simulated again, so the resumed folder equals an
        uninterrupted one. Folders from an npssim that kept no checksums are taken as they are.
        """
        record, legacy = read_record(self.folder)
        runs = self.folder / RUNS
        failed = 0
        for parent, _, files in os.walk(runs):
            for name in files:
                if not name.endswith(".npz"):
                    continue
                relative = (Path(parent) / name).relative_to(self.folder).as_posix()
                expected = record.get(relative)
                if legacy or (expected is not None and _digest(self.folder / relative) == expected):
                    self._verified.add(relative)
                else:
                    failed += 1
        if failed:
            print(
                f"npssim: {failed} stored runs in {quoted(runs)} are damaged or not the ones "
                "npssim stored there; simulating them again",
                file=sys.stderr,
                flush=True,
            )

    def _unstarted(self, identity: dict[str, Any]) -> bool:
        """The same experiment stopped before it stored a run (its scheduler was down, say).

        Starting it again loses nothing, so the same command is not refused as "not empty".
        """
        manifest = self.read_manifest()
        if manifest is None or _canonical(manifest.get("plan")) != _canonical(identity):
            return False
        outputs = {path.name for path in self.folder.iterdir() if not is_npssim_file(path)}
        stored = any((self.folder / RUNS).rglob("*.npz"))
        return outputs <= {MANIFEST, RUNS, JOURNAL} and not stored

    def _check_identity(self, identity: dict[str, Any]) -> None:
        manifest = self.read_manifest()
        if manifest is None:
            raise folder_refused("no manifest", self.folder)
        stored = manifest.get("plan")
        if not isinstance(stored, dict):
            raise folder_refused("no plan", self.folder)
        if _canonical(stored) != _canonical(identity):
            differing = sorted(
                key for key in identity if _canonical(stored.get(key)) != _canonical(identity[key])
            )
            raise InputError(
                f"--resume: {self.folder} holds a different experiment (its "
                f"{', '.join(differing) or 'plan'} differ); use the same command, another "
                "--out, or --force"
            )

    def read_manifest(self) -> dict[str, Any] | None:
        """The folder's manifest, or None when there is none.

        Raises:
            DamagedRecord: It is there but is not a JSON object (damaged, or not npssim's).
        """
        return read_manifest(self.folder)

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        """Write ``manifest.json`` atomically, with the record of every file npssim wrote."""
        files = {**recorded_files(self.folder), MANIFEST: None}
        manifest = {**manifest, "files": dict(sorted(files.items()))}
        with atomic_path(self.folder / MANIFEST) as temporary:
            temporary.write_text(json.dumps(manifest, indent=2, default=str) + "\n", "utf-8")

    def path(self, task: RunTask) -> Path:
        """Where a task's run is stored."""
        return self.folder / RUNS / f"{task.key}.npz"

    def save(self, result: RunResult) -> None:
        """Store a finished run (atomically, so a killed process never leaves half a run)."""
        target = self.folder / RUNS / f"{result.key}.npz"
        target.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(target, checksum=True) as temporary, temporary.open("wb") as handle:
            np.savez(handle, weekly=result.weekly, seconds=np.array(result.seconds))

    def load(self, task: RunTask) -> RunResult | None:
        """A stored run of the task, or None if it has not finished (or its file is damaged)."""
        path = self.path(task)
        relative = path.relative_to(self.folder).as_posix()
        if self._verified is not None and relative not in self._verified:
            return None
        if _mode(path) is None or not stat.S_ISREG(_mode(path)):
            return None
        try:
            with np.load(path) as data:
                weekly, seconds = data["weekly"], float(data["seconds"])
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
            return None  # truncated or not a run at all: simulated again
        if weekly.shape != (task.scenario.run.weeks, len(METRIC_NAMES)):
            return None  # stored by a version with other metrics: simulate it again
        return RunResult(task.key, weekly, seconds)


def _mode(path: Path) -> int | None:
    try:
        return os.lstat(path).st_mode
    except OSError:
        return None


def _digest(path: Path) -> str | None:
    try:
        return file_digest(path)
    except OSError:
        return None


def _inside(folder: Path, relative: str) -> Path | None:
    """``folder / relative`` if it is a regular file reached through real folders only.

    A record is read from the folder, which a user could edit: a listed ``../x`` or a path
    through a link is never removed.
    """
    parts = PurePosixPath(relative).parts
    if not parts or relative.startswith("/") or ".." in parts:
        return None
    path = folder
    for part in parts[:-1]:
        path = path / part
        mode = _mode(path)
        if mode is None or not stat.S_ISDIR(mode):
            return None
    path = path / parts[-1]
    mode = _mode(path)
    return path if mode is not None and stat.S_ISREG(mode) else None


#: A stored run's file name.
_RUN_NAME = re.compile(r"p\d+-r\d+\.npz")


def _stored_runs(folder: Path) -> set[str]:
    """The runs stored in a folder and its stages' (relative paths), on record or not.

    A file under ``runs/`` named as npssim names runs is a stale run whatever its record says
    (a kill can come between a rename and the record's next manifest write).
    """
    owned = set()
    for parent, _, files in os.walk(folder):
        relative = Path(parent).relative_to(folder)
        if relative.parts and relative.parts[0] in OUTPUTS and RUNS in relative.parts:
            owned.update((relative / name).as_posix() for name in files if _RUN_NAME.match(name))
    return owned


def _legacy_outputs(folder: Path) -> set[str]:
    """What a folder written by an npssim that kept no record surely holds of npssim's.

    Its top-level tables and report, and its stages' manifests; figures and scenarios cannot
    be told from a user's and stay.
    """
    owned = {name for name in OUTPUTS if (folder / name).is_file()}
    for name in OUTPUTS:
        if (folder / name / MANIFEST).is_file():
            owned.add(f"{name}/{MANIFEST}")
    return owned


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)
