"""A comparison's report, as a leader opens it: the answer on the first screen, nothing wider.

Reports are forwarded and read on laptops; at 1280 px nothing may scroll sideways, and the first
screen must hold the verdict with its interval and the tiles against the reference.
"""

import pytest

from npssim.experiment import run_experiment

from .conftest import SMALL

VIEWPORT = {"width": 1280, "height": 800, "deviceScaleFactor": 1, "mobile": False}


@pytest.fixture(scope="module")
def report_page(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    results = run_experiment(
        ["baseline", "nps_bonus", "well_designed_bonus"],
        replications=2,
        seed=3,
        overrides=SMALL,
        executor="serial",
    )
    results.save(folder)
    return folder / "report.html"


@pytest.fixture
def laptop_screen(browser):
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", VIEWPORT)
    yield browser
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_the_report_never_scrolls_sideways_at_1280_px(report_page, laptop_screen):
    laptop_screen.get(report_page.as_uri())
    overflow = laptop_screen.execute_script(
        "return document.documentElement.scrollWidth - window.innerWidth"
    )
    wide_tables = laptop_screen.execute_script(
        "return Array.from(document.querySelectorAll('.table-wrap'))"
        ".filter(e => e.scrollWidth > e.clientWidth + 1).length"
    )
    assert overflow <= 0  # negative by the width of a vertical scroll bar
    assert wide_tables == 0


def test_the_first_screen_holds_the_verdict_and_the_tiles(report_page, laptop_screen):
    laptop_screen.get(report_page.as_uri())
    visible = laptop_screen.execute_script(
        "return Array.from(document.querySelectorAll('p.lead, .tile'))"
        ".filter(e => e.getBoundingClientRect().top < window.innerHeight)"
        ".map(e => e.className + ': ' + e.innerText)"
    )
    leads = [text for text in visible if text.startswith("lead")]
    tiles = [text for text in visible if text.startswith("tile")]
    assert any("95% interval" in text and "nps_bonus" in text for text in leads)
    assert any("The firm's net money" in text for text in tiles)
