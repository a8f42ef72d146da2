"""Regenerate docs/img/dashboard.png: the dashboard's first screen at week 104, 1280 x 800.

Starts ``npssim explore`` (intervention_week26, 8 replications per firm) on a free port, opens
it in Debian's headless Chromium (never a downloaded browser), presses "Run to end", waits for
week 104 and saves the viewport. Run from the project's root::

    .venv/bin/python docs/img/make_dashboard_screenshot.py
"""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
OUTPUT = Path(__file__).with_name("dashboard.png")
#: The first screen a leader sees on a laptop.
VIEWPORT = (1280, 800)
#: Seconds to wait for the server to start and for the run to finish.
SERVE_SECONDS = 90
RUN_SECONDS = 120
#: Seconds for the last redraw to reach the browser after the page says week 104.
SETTLE_SECONDS = 2


def free_port() -> int:
    """A port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("localhost", 0))
        return probe.getsockname()[1]


def wait_until_serving(url: str, server: subprocess.Popen) -> None:
    """Poll the page until the server answers (it takes a few seconds to start)."""
    deadline = time.monotonic() + SERVE_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("npssim explore exited before serving")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"npssim explore did not serve {url} within {SERVE_SECONDS} s")


def browser() -> webdriver.Chrome:
    """Headless Chromium whose viewport is exactly :data:`VIEWPORT`."""
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--hide-scrollbars",
                 f"--window-size={VIEWPORT[0]},{VIEWPORT[1]}"):  # fmt: skip
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    inner = driver.execute_script("return [window.innerWidth, window.innerHeight]")
    size = driver.get_window_size()
    driver.set_window_size(
        size["width"] + VIEWPORT[0] - inner[0], size["height"] + VIEWPORT[1] - inner[1]
    )
    return driver


def button(driver: webdriver.Chrome, label: str):
    """The button whose text is ``label``, or None while the page is not drawn."""
    for element in driver.find_elements(By.TAG_NAME, "button"):
        if element.text.strip().lower() == label.lower():
            return element
    return None


def main() -> None:
    """Serve, run to the end, save the first screen."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "npssim.cli", "explore", "--port", str(port)],
        stdout=subprocess.DEVNULL,
    )
    driver = None
    try:
        url = f"http://localhost:{port}/"
        wait_until_serving(url, server)
        driver = browser()
        driver.get(url)
        wait = WebDriverWait(driver, RUN_SECONDS, poll_frequency=0.5)
        wait.until(lambda page: button(page, "run to end")).click()
        text = lambda page: page.find_element(By.TAG_NAME, "body").text  # noqa: E731
        wait.until(lambda page: re.search(r"Week 104 of 104", text(page)))
        wait.until(lambda page: button(page, "play") is not None)  # playing has stopped
        time.sleep(SETTLE_SECONDS)
        inner = driver.execute_script("return [window.innerWidth, window.innerHeight]")
        assert tuple(inner) == VIEWPORT, inner
        driver.save_screenshot(str(OUTPUT))
        verdict = driver.find_element(By.CLASS_NAME, "npssim-verdict").text
        print(f"{OUTPUT}: {verdict}")
    finally:
        if driver is not None:
            driver.quit()
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
