"""Regenerate docs/img/notebook01_leader.png: the first screen of notebook 01's HTML edition.

Opens ``docs/notebooks/01_should_we_tie_bonuses_to_nps.html`` (written by
``notebooks/execute.py``) from disk in Debian's headless Chromium (never a downloaded browser)
at a 1280 x 800 viewport, with the network off, and saves what a leader sees before scrolling.
Run from anywhere::

    .venv/bin/python notebooks/screenshot.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "notebooks" / "01_should_we_tie_bonuses_to_nps.html"
OUTPUT = ROOT / "docs" / "img" / "notebook01_leader.png"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
#: The first screen a leader sees on a laptop.
VIEWPORT = {"width": 1280, "height": 800, "deviceScaleFactor": 1, "mobile": False}
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--hide-scrollbars",
)
#: Seconds for fonts and embedded images to settle after the page says it has loaded.
SETTLE_SECONDS = 1


def main() -> int:
    """Save the first screen of the page; 1 if it is missing or fetched from the network."""
    if not PAGE.exists():
        print(f"{PAGE} is missing: run notebooks/execute.py first", file=sys.stderr)
        return 1
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", VIEWPORT)
        # Offline, as a leader's laptop on a train: the edition must need nothing from the web.
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd(
            "Network.emulateNetworkConditions",
            {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
        )
        driver.get(PAGE.as_uri())
        time.sleep(SETTLE_SECONDS)
        fetched = driver.execute_script(
            "return performance.getEntriesByType('resource')"
            ".map(e => e.name).filter(n => !n.startsWith('data:') && !n.startsWith('file:'))"
        )
        OUTPUT.parent.mkdir(parents=True, exist_ok=True)
        temporary = OUTPUT.with_name(f".{OUTPUT.name}.tmp")
        temporary.write_bytes(driver.get_screenshot_as_png())
        temporary.replace(OUTPUT)
    finally:
        driver.quit()
    if fetched:
        print(f"the page asked the network for {fetched}", file=sys.stderr)
        return 1
    print(OUTPUT.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
