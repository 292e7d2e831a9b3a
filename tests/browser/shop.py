"""The storefront as a shopper uses it: a thin layer over Selenium that finds
things the way a person (or a screen reader) does, by role, label and text,
and photographs every step."""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from selenium.common.exceptions import (
    NoSuchElementException,
    StaleElementReferenceException,
)
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement

from devmesh import ports

T = TypeVar("T")
TIMEOUT = 20.0


def storefront_url(path: str = "/") -> str:
    return f"http://127.0.0.1:{ports.load().storefront}{path}"


class Browser:
    def __init__(self, driver: WebDriver, folder: Path) -> None:
        self.driver = driver
        self.folder = folder
        self._steps = itertools.count(1)

    # --- evidence -----------------------------------------------------------

    def screenshot(self, step: str) -> Path:
        path = self.folder / f"{next(self._steps):02d}-{step}.png"
        self.driver.save_screenshot(str(path))
        return path

    # --- waiting and finding ----------------------------------------------------

    def wait(
        self, probe: Callable[[], T | None], what: str, timeout: float = TIMEOUT
    ) -> T:
        deadline = time.monotonic() + timeout
        while True:
            try:
                value = probe()
            except (NoSuchElementException, StaleElementReferenceException):
                value = None
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"timed out after {timeout:.0f}s waiting for {what}"
                )
            time.sleep(0.2)

    def text(self) -> str:
        return str(self.driver.find_element(By.TAG_NAME, "body").text)

    def see(self, pattern: str, timeout: float = TIMEOUT) -> str:
        """Wait until the page shows text matching `pattern`; returns the match."""
        found = self.wait(
            lambda: re.search(pattern, self.text()), f"text /{pattern}/", timeout
        )
        return found.group(0)

    def button(self, name: str) -> WebElement:
        """A visible, enabled button (or link styled as one) by its text."""

        def find() -> WebElement | None:
            for element in self.driver.find_elements(
                By.XPATH, "//button | //a[contains(@class,'button')]"
            ):
                label = element.get_attribute("aria-label") or element.text
                if (
                    label.strip() == name
                    and element.is_displayed()
                    and element.is_enabled()
                ):
                    return element
            return None

        return self.wait(find, f"button {name!r}")

    def field(self, label: str, within: WebElement | None = None) -> WebElement:
        """An input by the text of its <label> (as a screen reader finds it)."""
        scope = within or self.driver

        def find() -> WebElement | None:
            for element in scope.find_elements(By.TAG_NAME, "label"):
                if element.text.strip().startswith(label):
                    target = element.get_attribute("for")
                    if target:
                        return self.driver.find_element(By.ID, target)
                    return element.find_element(By.XPATH, ".//input | .//select")
            return None

        return self.wait(find, f"field {label!r}")

    def fill(self, label: str, value: str, within: WebElement | None = None) -> None:
        element = self.field(label, within)
        element.clear()
        element.send_keys(value)

    def click(self, name: str) -> None:
        self.button(name).click()

    def link(self, text: str) -> None:
        self.wait(
            lambda: self.driver.find_element(By.PARTIAL_LINK_TEXT, text),
            f"link {text!r}",
        ).click()

    # --- pages -------------------------------------------------------------

    def open(self, path: str = "/") -> None:
        self.driver.get(storefront_url(path))

    def login(self, user: str) -> None:
        """Through the provider's own login page (authorization code + PKCE)."""
        self.click("Log in")
        username = self.wait(
            lambda: self.driver.find_element(By.NAME, "username"),
            "the provider's login form",
        )
        assert "/shop/authorize" in self.driver.current_url, self.driver.current_url
        self.screenshot("provider-login")
        username.send_keys(user)
        username.submit()
        self.wait(
            lambda: (
                self.driver.find_element(By.CSS_SELECTOR, "[data-testid=who]").text
                == user
            ),
            f"being logged in as {user}",
        )

    def logout(self) -> None:
        self.click("Log out")
        self.button("Log in")

    def by_testid(self, testid: str) -> WebElement:
        return self.wait(
            lambda: self.driver.find_element(
                By.CSS_SELECTOR, f"[data-testid={testid}]"
            ),
            f"[data-testid={testid}]",
        )
