"""The dashboard end to end: ``npssim explore`` on localhost, driven in headless Chromium."""

import re
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

PANELS = 5  # NPS, money, savvy, tactics, reps
DRAWN_IMAGES = (
    "return Array.from(document.images).filter(i => i.complete && i.naturalWidth > 200).length"
)


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
    assert "Traceback" not in log.read_text(), log.read_text()


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


def test_dashboard_steps_the_model_and_draws_every_plot(dashboard_url, browser, tmp_path):
    browser.get(dashboard_url)
    wait = WebDriverWait(browser, 90, poll_frequency=0.5)
    step = wait.until(lambda driver: button(driver, "step"))
    wait.until(lambda driver: week_shown(driver) == 0)  # the page has rendered the first model
    assert browser.execute_script(DRAWN_IMAGES) == 0

    for _ in range(8):
        step.click()
        wait.until(lambda driver: button(driver, "step").is_enabled())
    wait.until(lambda driver: week_shown(driver) >= 30)
    wait.until(lambda driver: driver.execute_script(DRAWN_IMAGES) == PANELS)

    text = body_text(browser)
    for control in ("incentives: nps weight", "survey: sampler", "reps: integrity mean"):
        assert control in text  # sliders generated from the schema's levers
    assert "How far the survey overstates NPS" in text and "Policy in force" in text
    browser.save_screenshot(str(tmp_path / "dashboard.png"))
    assert (tmp_path / "dashboard.png").stat().st_size > 50_000


def test_a_changed_control_takes_effect_on_reset(dashboard_url, browser):
    browser.get(dashboard_url)
    wait = WebDriverWait(browser, 90, poll_frequency=0.5)
    wait.until(lambda driver: button(driver, "reset"))
    wait.until(lambda driver: "survey.anonymous = False" in body_text(driver))
    label = browser.find_element(By.XPATH, "//label[normalize-space()='survey: anonymous']")
    label.click()
    button(browser, "reset").click()
    wait.until(lambda driver: "survey.anonymous = True" in body_text(driver))
    assert week_shown(browser) == 0
