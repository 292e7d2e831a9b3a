"""The browser tier: the storefront in Debian's Chromium (headless, through
chromedriver and Selenium) against the real mesh of the session.

Every step saves a screenshot under tests/browser/output/<test>/; a failed
test keeps its last screenshot, the page's HTML and the browser console log
there too. BROWSER_USE_RUNNING_MESH=1 drives an already running mesh (the
ports of DAPRSHOP_PORT_OFFSET) instead of starting one.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from tests.browser.shop import Browser

OUTPUT = Path(__file__).with_name("output")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Any:
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def running_mesh(request: pytest.FixtureRequest) -> object:
    """The session's mesh (started once), or the one already running."""
    if os.environ.get("BROWSER_USE_RUNNING_MESH") == "1":
        return None
    return request.getfixturevalue("mesh")


def _driver() -> webdriver.Chrome:
    for program in (CHROMIUM, CHROMEDRIVER):
        if not Path(program).exists():
            pytest.fail(
                f"{program} is missing: `python3 -m devmesh.bootstrap --only apt`"
                " installs chromium and chromium-driver",
                pytrace=False,
            )
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",  # the tests may run as root
        "--disable-dev-shm-usage",
        "--window-size=1280,900",
        "--disable-gpu",
        "--no-first-run",
        "--password-store=basic",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.set_page_load_timeout(30)
    return driver


@pytest.fixture
def browser(request: pytest.FixtureRequest, running_mesh: object) -> Iterator[Browser]:
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    folder = OUTPUT / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    driver = _driver()
    shop = Browser(driver, folder)
    try:
        yield shop
    finally:
        failed = any(
            getattr(getattr(request.node, f"report_{when}", None), "failed", False)
            for when in ("setup", "call")
        )
        try:
            if failed:
                shop.screenshot("failure")
                (folder / "failure.html").write_text(driver.page_source)
            console = driver.get_log("browser")
            (folder / "console.log").write_text(
                "\n".join(json.dumps(entry) for entry in console) + "\n"
            )
        finally:
            driver.quit()
