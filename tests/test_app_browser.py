"""The dashboard end to end: ``npssim explore`` on localhost, driven in headless Chromium."""

import re
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

pytestmark = pytest.mark.slow

CHARTS = 2  # reported vs true NPS for both firms; the cumulative difference in money
DRAWN_IMAGES = (
    "return Array.from(document.images).filter(i => i.complete && i.naturalWidth > 200).length"
)
#: The first screen the dashboard is laid out for.
LAPTOP_WIDTH = 1280
NPS_WEIGHT_SLIDER = ".lever-policy-incentives-nps_weight [role=slider]"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("localhost", 0))
        return probe.getsockname()[1]


def wait_until_serving(url: str, server: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert server.poll() is None, "npssim explore exited before serving"
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"npssim explore did not serve {url} within {seconds} s")


@pytest.fixture(scope="module")
def dashboard_url(tmp_path_factory):
    port = free_port()
    log = tmp_path_factory.mktemp("explore") / "server.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "npssim.cli", "explore", "--port", str(port)],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://localhost:{port}/"
    try:
        wait_until_serving(url, server)
        yield url
    finally:
        server.terminate()  # SIGTERM to the command alone: no server may be left behind
        server.wait(timeout=30)
    with socket.create_server(("localhost", port)):
        pass  # the port is free again
    served = log.read_text()
    assert "Traceback" not in served and "Warning" not in served, served


@pytest.fixture
def laptop(browser):
    """The shared browser with a viewport 1280 px wide, restored afterwards."""
    size = browser.get_window_size()
    inner = browser.execute_script("return window.innerWidth")
    browser.set_window_size(size["width"] + LAPTOP_WIDTH - inner, size["height"])
    yield browser
    browser.set_window_size(size["width"], size["height"])


def button(driver, label: str):
    for element in driver.find_elements(By.TAG_NAME, "button"):
        if element.text.strip().lower() == label:
            return element
    return None


def body_text(driver) -> str:
    return driver.find_element(By.TAG_NAME, "body").text


def week_shown(driver) -> int:
    match = re.search(r"Week (\d+) of (\d+)", body_text(driver))
    return int(match.group(1)) if match else -1


def verdict(driver) -> str:
    return driver.find_element(By.CLASS_NAME, "npssim-verdict").text


def ready(driver, label: str):
    """The button, once the firms are not playing (it is enabled)."""
    found = button(driver, label)
    return found if found is not None and found.is_enabled() else None


def test_both_firms_step_with_intervals_and_nothing_overflows(dashboard_url, laptop):
    laptop.get(dashboard_url)
    wait = WebDriverWait(laptop, 90, poll_frequency=0.5)
    wait.until(lambda driver: ready(driver, "step 4 weeks"))
    wait.until(lambda driver: week_shown(driver) == 0)
    text = body_text(laptop)
    assert "8 replications per firm" in text and "press Step" in verdict(laptop)
    assert "nps_bonus from week 26 vs intervention_week26 without it" in text
    for group in ("Your policy", "Assumptions about your firm"):
        assert group in text
    assert "Share of variable pay on NPS" in text and "Reps' integrity" in text

    for week in range(4, 32 + 1, 4):
        wait.until(lambda driver: ready(driver, "step 4 weeks")).click()
        wait.until(lambda driver, week=week: week_shown(driver) == week)
    wait.until(lambda driver: driver.execute_script(DRAWN_IMAGES) == CHARTS)

    text = body_text(laptop)
    assert "with the policy" in text and "without it" in text  # both firms, side by side
    assert "95% interval" in verdict(laptop) and "over 8 paired replications" in verdict(laptop)
    tiles = laptop.find_elements(By.CLASS_NAME, "npssim-tile")
    assert len(tiles) == 6 and all(" to " in tile.text for tile in tiles)  # every one an interval
    assert "shaded 10-90% of replications" in text
    assert laptop.execute_script("return window.innerWidth") == LAPTOP_WIDTH
    assert laptop.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")


def test_a_changed_lever_takes_effect_on_reset(dashboard_url, browser):
    browser.get(dashboard_url)
    wait = WebDriverWait(browser, 90, poll_frequency=0.5)
    wait.until(lambda driver: ready(driver, "run to end")).click()
    wait.until(lambda driver: week_shown(driver) == 104 and ready(driver, "reset"))
    with_bonus = verdict(browser)
    assert "with the policy the firm has made" in with_bonus and "less" in with_bonus

    browser.find_element(By.CSS_SELECTOR, NPS_WEIGHT_SLIDER).send_keys(Keys.HOME)  # weight 0
    wait.until(lambda driver: "press Reset" in body_text(driver))
    assert week_shown(browser) == 104  # nothing changes until Reset
    button(browser, "reset").click()
    wait.until(lambda driver: week_shown(driver) == 0)
    assert "(changed: share of variable pay on NPS 0%)" in body_text(browser)

    wait.until(lambda driver: ready(driver, "run to end")).click()
    wait.until(lambda driver: week_shown(driver) == 104 and ready(driver, "reset"))
    # no NPS pay from week 26: the same policy as without it, on the same seeds
    assert "the two firms have made the same money" in verdict(browser)
    money = browser.find_elements(By.CLASS_NAME, "npssim-tile")[0].text
    assert "0 USD" in money and money != with_bonus
