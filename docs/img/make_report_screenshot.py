r"""Redraw docs/img/report.png: the first screen of a comparison's report.html at 1280 x 800.

A second argument names another image in docs/img/ for another report, e.g. break-even's::

    .venv/bin/python docs/img/make_report_screenshot.py results/breakeven breakeven_report.png

Run the README's main job first, then point this at its folder::

    .venv/bin/npssim compare scenarios/baseline.toml scenarios/closed_loop.toml \\
        scenarios/nps_bonus.toml scenarios/well_designed_bonus.toml --replications 30 \\
        --out results/main
    .venv/bin/python docs/img/make_report_screenshot.py results/main

It drives Debian's Chromium through its chromedriver (``apt-get install chromium
chromium-driver``), headless, and never downloads a browser. It also checks what a leader
forwarding the report needs: nothing wider than the window.
"""

from __future__ import annotations

import sys
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

VIEWPORT = {"width": 1280, "height": 800, "deviceScaleFactor": 1, "mobile": False}
OUTPUT = Path(__file__).resolve().parent / "report.png"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking")


def main(folder: str, output: Path = OUTPUT) -> int:
    """Screenshot ``folder/report.html`` into ``output``; exit 1 if the page scrolls sideways."""
    report = Path(folder).resolve() / "report.html"
    if not report.is_file():
        print(f"{report}: no report here; run the README's main job first", file=sys.stderr)
        return 2
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in (*FLAGS, "--hide-scrollbars"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", VIEWPORT)
        driver.get(report.as_uri())
        overflow = driver.execute_script(
            "return document.documentElement.scrollWidth - window.innerWidth"
        )
        driver.save_screenshot(str(output))
    finally:
        driver.quit()
    print(f"wrote {output}; horizontal overflow {overflow} px")
    return 1 if overflow > 0 else 0


if __name__ == "__main__":
    folder = sys.argv[1] if len(sys.argv) > 1 else "results/main"
    sys.exit(main(folder, OUTPUT.with_name(sys.argv[2]) if len(sys.argv) > 2 else OUTPUT))
