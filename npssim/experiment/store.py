"""The output folder: each finished run stored as it completes, so an experiment can resume.

A run is stored as ``runs/<scenario>/p<point>-r<replication>.npz`` (exact binary floats) the
moment it finishes, written under a temporary name and renamed. ``manifest.json`` records the
experiment's identity as soon as it starts; ``--resume`` completes a folder only for the same
experiment, and ``--force`` is needed to reuse a folder that holds anything else.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np

from npssim.errors import InputError
from npssim.experiment.runs import RunResult, RunTask
from npssim.files import atomic_path, is_npssim_file, remove_temporaries
from npssim.metrics import METRIC_NAMES

MANIFEST = "manifest.json"
RUNS = "runs"
#: What npssim writes into an output folder; ``--force`` removes these and nothing else.
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
    "sweep.csv",
    "design.csv",
    "indices.csv",
    # npssim breakeven: a store per stage, and its tables
    "tornado",
    "heatmap",
    "discovery",
    "tornado.csv",
    "heatmap.csv",
    "discovery.csv",
    "box.csv",
    "report.md",
    "report.html",
)


class RunStore:
    """The runs of one experiment in its output folder.

    Args:
        folder: The output folder.
    """

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)

    def open(self, identity: dict[str, Any], *, resume: bool = False, force: bool = False) -> None:
        """Make the folder ready for an experiment, or check that it is the one to resume.

        Args:
            identity: The plan's identity (see :meth:`~npssim.experiment.plan.Plan.identity`).
            resume: Complete the runs of a folder the same experiment started.
            force: Remove npssim's earlier outputs from the folder and start again.

        Raises:
            InputError: The folder cannot be used as asked.
        """
        folder = self.folder
        if folder.exists() and not folder.is_dir():
            raise InputError(f"--out {folder}: exists and is not a folder")
        busy = folder.is_dir() and any(not is_npssim_file(path) for path in folder.iterdir())
        if busy and resume and not force:
            self._check_identity(identity)
            remove_temporaries(folder)  # a killed run's half-written files (we hold the lock)
            return
        if busy and not force and not self._unstarted(identity):
            raise InputError(
                f"--out {folder}: the folder is not empty; add --resume to complete the "
                "experiment in it, or --force to replace its results"
            )
        if busy:
            for name in OUTPUTS:
                path = folder / name
                if path.is_dir():
                    shutil.rmtree(path)
                else:
                    path.unlink(missing_ok=True)
            remove_temporaries(folder)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise InputError(f"--out {folder}: cannot create the folder ({err.strerror})") from None
        self.write_manifest({"status": "running", "plan": identity})

    def _unstarted(self, identity: dict[str, Any]) -> bool:
        """The same experiment stopped before it stored a run (its scheduler was down, say).

        Starting it again loses nothing, so the same command is not refused as "not empty".
        """
        manifest = self.read_manifest()
        if manifest is None or _canonical(manifest.get("plan")) != _canonical(identity):
            return False
        outputs = {path.name for path in self.folder.iterdir() if not is_npssim_file(path)}
        stored = any((self.folder / RUNS).rglob("*.npz"))
        return outputs <= {MANIFEST, RUNS} and not stored

    def _check_identity(self, identity: dict[str, Any]) -> None:
        manifest = self.read_manifest()
        if manifest is None:
            raise InputError(
                f"--resume: {self.folder} holds no npssim experiment (no {MANIFEST}); "
                "choose another --out or add --force"
            )
        stored = manifest.get("plan", {})
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
        """The folder's manifest, or None when there is none (or it cannot be read)."""
        try:
            return json.loads((self.folder / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        """Write ``manifest.json`` atomically."""
        with atomic_path(self.folder / MANIFEST) as temporary:
            temporary.write_text(json.dumps(manifest, indent=2, default=str) + "\n", "utf-8")

    def path(self, task: RunTask) -> Path:
        """Where a task's run is stored."""
        return self.folder / RUNS / f"{task.key}.npz"

    def save(self, result: RunResult) -> None:
        """Store a finished run (atomically, so a killed process never leaves half a run)."""
        target = self.folder / RUNS / f"{result.key}.npz"
        target.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(target) as temporary, temporary.open("wb") as handle:
            np.savez(handle, weekly=result.weekly, seconds=np.array(result.seconds))

    def load(self, task: RunTask) -> RunResult | None:
        """A stored run of the task, or None if it has not finished (or its file is damaged)."""
        path = self.path(task)
        if not path.is_file():
            return None
        try:
            with np.load(path) as data:
                weekly, seconds = data["weekly"], float(data["seconds"])
        except (OSError, ValueError, KeyError):
            return None
        if weekly.shape != (task.scenario.run.weeks, len(METRIC_NAMES)):
            return None  # stored by a version with other metrics: simulate it again
        return RunResult(task.key, weekly, seconds)


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)
