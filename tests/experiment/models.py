"""Model subclasses that experiments run by import path, in this process and in workers."""

from __future__ import annotations

from typing import ClassVar

from npssim import NPSModel
from npssim.agents import Manager
from npssim.metrics import Metric
from npssim.scenario import Section, param


class StrictManager(Manager):
    """A manager who never signs off a large discount or concession traded for a score."""

    def approval_chance(self, policy):
        return 0.0


class StrictFirm(NPSModel):
    """The firm with strict managers: the README's example of a changed behaviour."""

    manager_class = StrictManager


class NotAModel:
    """Anything that is not an NPSModel."""


class TrainingParams(Section):
    """Training: hours of product training each rep takes a week."""

    hours: float = param(
        1.0, "Hours of product training each rep takes a week.", unit="hours", ge=0, le=10
    )


class TrainedFirm(NPSModel):
    """A firm that trains its reps: one parameter and one outcome, declared, nothing overridden.

    The outcome is the cumulative training hours of the whole sales force, read from the
    parameter and the weeks simulated, so it changes when (and only when) the parameter does.
    """

    extra_params: ClassVar[dict[str, type[Section]]] = {"training": TrainingParams}

    def training_hours(self) -> float:
        """Training hours the sales force has taken so far (its running total)."""
        return self.params.training.hours * len(self.reps) * (self.week + 1)

    extra_metrics = (
        Metric(
            "training_hours",
            "Hours of training taken",
            "Training hours the sales force has taken, cumulative",
            "hours",
            "context",
            None,
            cumulative=True,
            compute="training_hours",
        ),
    )
