"""Shared fixtures: small firms that run in milliseconds."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from npssim import NPSModel, Scenario, load_scenario

#: EMA Workbench 3 needs Python 3.12 or newer: its tests run in the Python 3.12 suite, which
#: .ci/run runs beside this one (npssim.interop tells users of 3.11 so; test_interop.py checks).
collect_ignore = ["test_interop_ema.py"] if sys.version_info < (3, 12) else []

#: Debian's Chromium and its driver (``apt-get install chromium chromium-driver``); the tests
#: never download a browser.
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")

TINY = {
    "firm.managers": 2,
    "firm.reps_per_manager": 4,
    "firm.accounts_per_rep": 25,
    "run.weeks": 52,
}

#: Every tactic off: reps serve and nothing else.
NO_TACTICS = {
    f"reps.prior_belief.{tactic}": 0.0
    for tactic in ("cherry_pick", "teach_to_test", "coach", "bribe", "concede", "giveaway")
}


def tiny_scenario(name: str = "baseline", overrides: Mapping[str, Any] | None = None) -> Scenario:
    """A bundled scenario shrunk to 8 reps and 200 accounts, with extra overrides."""
    return load_scenario(name, {**TINY, **(overrides or {})})


@pytest.fixture(autouse=True)
def no_spread_unless_asked(monkeypatch):
    """Comparisons run without the spread over plausible firms unless a test asks for it.

    By default every comparison also runs each scenario in 40 plausible firms, which would
    multiply the runs of every test that compares for another reason. The tests of the spread
    give ``assumption_samples`` (or ``--assumption-samples``) explicitly, and one test checks
    that the default is read (tests/experiment/test_uncertainty.py).
    """
    from npssim.experiment import defaults

    monkeypatch.setattr(defaults, "ASSUMPTION_SAMPLES", 0)


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


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    """Headless Chromium, shared by the tests that look at pages (the dashboard, the report)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    assert CHROMIUM.exists() and CHROMEDRIVER.exists(), (
        "browser tests need Debian's chromium and chromium-driver packages"
    )
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--window-size=1500,1300",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium')}"):  # fmt: skip
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    yield driver
    driver.quit()
