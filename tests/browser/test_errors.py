"""What the shopper reads when something goes wrong at checkout, and that
nothing they typed is lost: the gateway unreachable, the rate limit, an
expired session. Each ends with the order placed after all."""

from __future__ import annotations

import json
import threading
import uuid

import pytest

from devmesh import ports
from devmesh.tokens import get_token
from tests.browser.shop import Browser
from tests.browser.test_journey import create_product, issuer
from tests.e2e.graphql import post_graphql

pytestmark = [pytest.mark.browser]

ADDRESS = (
    ("Full name", "Grace Shopper"),
    ("Street and number", "7 Retry Lane"),
    ("City", "Backoff"),
    ("Postal code", "54321"),
    ("Country", "Daprland"),
)
CARD = (
    ("Name on card", "Grace Shopper"),
    ("Card number", "4242 4242 4242 4242"),
    ("Expiry (MM/YY)", "11/38"),
    ("CVC", "321"),
)
ADD = "mutation($p: ID!) { addToCart(productId: $p, quantity: 1) { __typename } }"


def to_checkout(browser: Browser, shopper: str) -> None:
    product = create_product(f"Sturdy mug {uuid.uuid4().hex[:6]}", 1500, 20)
    browser.open("/")
    browser.login(shopper)
    browser.open(f"/products/{product}")
    browser.click("Add to cart")
    browser.see("Added to your cart")
    browser.open("/checkout")
    for label, value in (*ADDRESS, *CARD):
        browser.fill(label, value)


def address_kept(browser: Browser) -> bool:
    return all(browser.field(label).get_attribute("value") == v for label, v in ADDRESS)


def test_a_gateway_outage_is_explained_and_the_retry_places_the_order(
    browser: Browser,
) -> None:
    to_checkout(browser, f"shopper-{uuid.uuid4().hex[:8]}")
    gateway = f"*127.0.0.1:{ports.load().apps['gateway'].app}*"
    browser.driver.execute_cdp_cmd("Network.enable", {})
    browser.driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": [gateway]})
    browser.click("Pay and place order")
    browser.see("The shop cannot be reached right now")
    assert address_kept(browser)
    browser.screenshot("gateway-unreachable")

    browser.driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": []})
    browser.click("Pay and place order")
    browser.see("Your order is placed")


def test_the_rate_limit_is_explained_and_nothing_is_lost(browser: Browser) -> None:
    shopper = f"shopper-{uuid.uuid4().hex[:8]}"
    to_checkout(browser, shopper)
    # The same shopper, from a script, keeps their bucket empty (the bucket
    # refills at 10 units a second; a mutation costs 5).
    token = get_token(shopper, issuer_url=issuer())
    stop = threading.Event()
    refused: list[int] = []

    def spend() -> None:
        while not stop.is_set():
            status, _body = post_graphql(ADD, {"p": "x"}, token=token)
            if status == 429:
                refused.append(status)

    spenders = [threading.Thread(target=spend) for _ in range(3)]
    for thread in spenders:
        thread.start()
    try:
        browser.wait(lambda: refused, "the bucket to run dry")
        browser.click("Pay and place order")
        browser.see(r"Too many requests in a short time\. Please wait \d+ s")
    finally:
        stop.set()
        for thread in spenders:
            thread.join()
    assert address_kept(browser)
    browser.screenshot("rate-limited")


def test_an_expired_session_asks_to_log_in_again_and_keeps_the_address(
    browser: Browser,
) -> None:
    shopper = f"shopper-{uuid.uuid4().hex[:8]}"
    to_checkout(browser, shopper)
    # The access token runs out and the provider refuses the refresh token.
    browser.driver.execute_script(
        """
        const key = Object.keys(sessionStorage).find(k => k.startsWith("oidc.user:"));
        const user = JSON.parse(sessionStorage.getItem(key));
        user.expires_at = Math.floor(Date.now() / 1000) - 5;
        user.refresh_token = "revoked";
        sessionStorage.setItem(key, JSON.stringify(user));
        """
    )
    browser.click("Pay and place order")
    browser.see("Your session has expired")
    browser.screenshot("session-expired")
    drafts = browser.driver.execute_script(
        "return sessionStorage.getItem('draft:address');"
    )
    assert json.loads(drafts)["city"] == "Backoff"

    browser.login(shopper)
    browser.see("Shipping address")
    assert address_kept(browser)
    browser.screenshot("back-with-the-address")
