"""Shared fixtures: small firms that run in milliseconds."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pytest

from npssim import NPSModel, Scenario, load_scenario

TINY = {
    "firm.managers": 2,
    "firm.reps_per_manager": 4,
    "firm.accounts_per_rep": 25,
    "run.weeks": 52,
}

#: Every tactic off: reps serve and nothing else.
NO_TACTICS = {
    f"reps.initial_propensity.{tactic}": 0.0
    for tactic in ("cherry_pick", "teach_to_test", "coach", "bribe", "concede", "giveaway")
}


def tiny_scenario(name: str = "baseline", overrides: Mapping[str, Any] | None = None) -> Scenario:
    """A bundled scenario shrunk to 8 reps and 200 accounts, with extra overrides."""
    return load_scenario(name, {**TINY, **(overrides or {})})


@pytest.fixture
def tiny() -> Callable[..., Scenario]:
    return tiny_scenario


@pytest.fixture
def run_tiny() -> Callable[..., NPSModel]:
    def run(
        name: str = "baseline", overrides: Mapping[str, Any] | None = None, seed: int | None = None
    ) -> NPSModel:
        model = NPSModel(tiny_scenario(name, overrides), seed=seed)
        model.run()
        return model

    return run
