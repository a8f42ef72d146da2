"""Model subclasses that experiments run by import path, in this process and in workers."""

from __future__ import annotations

from npssim import NPSModel
from npssim.agents import Manager


class StrictManager(Manager):
    """A manager who never signs off a large discount or concession traded for a score."""

    def approval_chance(self, policy):
        return 0.0


class StrictFirm(NPSModel):
    """The firm with strict managers: the README's example of a changed behaviour."""

    manager_class = StrictManager


class NotAModel:
    """Anything that is not an NPSModel."""
