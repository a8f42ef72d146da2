"""Regenerate docs/img/notebookNN_leader.png: the first screen of each notebook's HTML edition.

Opens each ``docs/notebooks/NN_*.html`` (written by ``notebooks/execute.py``) from disk in
Debian's headless Chromium (never a downloaded browser) at a 1280 x 800 viewport, with the
network off, and saves what a leader sees before scrolling.
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
EDITIONS = ROOT / "docs" / "notebooks"
IMAGES = ROOT / "docs" / "img"
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
    """Save the first screen of every edition; 1 if there is none or one fetched the network."""
    pages = sorted(EDITIONS.glob("[0-9][0-9]_*.html"))
    if not pages:
        print(f"no edition in {EDITIONS}: run notebooks/execute.py first", file=sys.stderr)
        return 1
    return max(screenshot(page, IMAGES / f"notebook{page.name[:2]}_leader.png") for page in pages)


def screenshot(page: Path, output: Path) -> int:
    """Save the first screen of one edition; 1 if it fetched anything from the network."""
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
        driver.get(page.as_uri())
        time.sleep(SETTLE_SECONDS)
        fetched = driver.execute_script(
            "return performance.getEntriesByType('resource')"
            ".map(e => e.name).filter(n => !n.startsWith('data:') && !n.startsWith('file:'))"
        )
        output.parent.mkdir(parents=True, exist_ok=True)
        temporary = output.with_name(f".{output.name}.tmp")
        temporary.write_bytes(driver.get_screenshot_as_png())
        temporary.replace(output)
    finally:
        driver.quit()
    if fetched:
        print(f"the page asked the network for {fetched}", file=sys.stderr)
        return 1
    print(output.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
