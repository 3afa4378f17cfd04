"""Headless Chromium for the tests and benchmarks of report.html: Debian's ``chromium`` and
``chromium-driver`` driven by selenium, offline (never a downloaded browser or driver)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
#: What a page opened from a file may request: itself, inline data, nothing else.
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")


def missing() -> str | None:
    """Why Chromium cannot be driven here, or None."""
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        return (f"{CHROMIUM} or {CHROMEDRIVER} is missing (apt install chromium "
                "chromium-driver)")
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e .[dev])"
    return None


def start_chromium(profile: str | Path, width: int = 1600, height: int = 1000):
    """A headless Chromium with a fresh profile, background networking off, and every host
    name resolving to nothing (so a request to another host could not succeed either)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ["SE_OFFLINE"] = "true"  # selenium must not fetch a driver either
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                "--disable-default-apps", "--disable-extensions",
                "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9",
                f"--user-data-dir={profile}", f"--window-size={width},{height}"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    driver.execute_cdp_cmd("Network.enable", {})
    return driver


def open_page(driver, path: Path, ready: str = "window.geonamesReport && geonamesReport.ready",
              rendered: str = "geonamesReport.timing.rendered") -> tuple[float, list[str]]:
    """Open a page; wait until ``ready`` holds. Returns ``rendered`` (ms from the start of
    navigation, by the page's clock) in seconds, and the URLs the page requested."""
    driver.get("about:blank")
    driver.get_log("performance")  # drop what came before
    driver.get(path.resolve().as_uri())
    deadline = time.monotonic() + 60
    while not driver.execute_script(f"return !!({ready})"):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{path}: the map never finished drawing")
        time.sleep(0.02)
    ms = driver.execute_script(f"return {rendered}")
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return ms / 1000, urls
