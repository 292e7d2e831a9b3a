"""A shopper's whole journey through the storefront, on the real mesh: log in
at the provider, search, add two products, check out (a declined card first),
watch the order's status change live, find the email; then the admin changes
stock and the product page shows it."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from devmesh import ports
from devmesh.tokens import get_token
from tests.browser.shop import Browser
from tests.e2e.graphql import post_graphql
from tests.integration.helpers import eventually, mailpit_messages

pytestmark = [pytest.mark.browser]

CREATE = """
mutation($input: CreateProductInput!) {
  createProduct(input: $input) { __typename ... on Product { id name } }
}"""
CANCEL = """
mutation($id: ID!) {
  updateOrderStatus(id: $id, status: CANCELLED) { __typename ... on Order { status } }
}"""


def issuer() -> str:
    return f"http://127.0.0.1:{ports.load().oidc}/shop"


def admin_token() -> str:
    return get_token("ops-admin", admin=True, issuer_url=issuer())


def create_product(name: str, cents: int, stock: int) -> str:
    status, body = post_graphql(
        CREATE,
        {
            "input": {
                "name": name,
                "category": "kitchen",
                "description": f"{name}, made for the browser tier",
                "price": {"amount": cents, "currency": "USD"},
                "stock": stock,
            }
        },
        token=admin_token(),
    )
    assert status == 200 and body["data"]["createProduct"]["__typename"] == "Product"
    product_id: str = body["data"]["createProduct"]["id"]
    return product_id


@pytest.fixture
def catalog() -> dict[str, Any]:
    """Two products only this run can find (a unique word in their names)."""
    word = f"zq{uuid.uuid4().hex[:6]}"
    return {
        "word": word,
        "cup": create_product(f"Espresso cup {word}", 900, 40),
        "kettle": create_product(f"Pour-over kettle {word}", 4900, 3),
    }


def test_a_shopper_buys_two_products_and_follows_the_order(
    browser: Browser, catalog: dict[str, Any]
) -> None:
    word = catalog["word"]
    shopper = f"shopper-{uuid.uuid4().hex[:8]}"

    browser.open("/")
    browser.see("Catalog")
    browser.screenshot("catalog")
    browser.login(shopper)
    browser.screenshot("logged-in")

    # search, then the first product: two cups
    browser.fill("Search", word)
    browser.click("Apply")
    browser.see(f"Espresso cup {word}")
    browser.see(f"Pour-over kettle {word}")
    browser.screenshot("search-results")
    browser.link(f"Espresso cup {word}")
    browser.see(r"\$9\.00")
    browser.see("40 in stock")
    browser.fill("Quantity", "2")
    browser.click("Add to cart")
    browser.see("Added to your cart")
    browser.screenshot("cup-added")

    # the second product: asking for more than the stock says what is left
    browser.open(f"/?q={word}")
    browser.link(f"Pour-over kettle {word}")
    browser.fill("Quantity", "5")
    browser.click("Add to cart")
    browser.see(r"Only 3 left in stock \(you asked for 5\)")
    browser.screenshot("kettle-out-of-stock")
    browser.fill("Quantity", "1")
    browser.click("Add to cart")
    browser.see("Added to your cart")
    browser.wait(
        lambda: browser.by_testid("cart-count").text == "3", "the cart badge to say 3"
    )

    # the cart: two lines, a quantity changed
    browser.link("Cart")
    browser.see(f"Pour-over kettle {word}")
    assert browser.by_testid("subtotal").text == "$67.00"
    browser.screenshot("cart")

    # checkout: a declined card first, nothing typed is lost
    browser.click("Checkout")
    browser.see("Shipping address")
    for label, value in (
        ("Full name", "Ada Shopper"),
        ("Street and number", "1 Mesh Way"),
        ("City", "Sidecar City"),
        ("Postal code", "12345"),
        ("Country", "Daprland"),
        ("Name on card", "Ada Shopper"),
        ("Card number", "4000 0000 0000 0002"),
        ("Expiry (MM/YY)", "12/39"),
        ("CVC", "123"),
    ):
        browser.fill(label, value)
    browser.click("Pay and place order")
    browser.see("Your card was declined")
    assert browser.field("City").get_attribute("value") == "Sidecar City"
    browser.screenshot("payment-declined")
    browser.fill("Card number", "4242 4242 4242 4242")
    browser.click("Pay and place order")
    browser.see("Your order is placed")
    order_id = browser.driver.current_url.rsplit("/orders/", 1)[1].split("?")[0]
    assert browser.by_testid("order-status").text == "PENDING"
    assert browser.by_testid("order-total").text == "$67.00"
    browser.wait(
        lambda: browser.by_testid("cart-count").text == "0", "the cart badge to empty"
    )
    browser.screenshot("order-placed")

    # the order is cancelled elsewhere; the open page follows it live
    status, body = post_graphql(CANCEL, {"id": order_id}, token=admin_token())
    assert status == 200, body
    assert body["data"]["updateOrderStatus"]["status"] == "CANCELLED"
    browser.wait(
        lambda: browser.by_testid("order-status").text == "CANCELLED",
        "the status to change live",
    )
    browser.screenshot("order-cancelled-live")

    # the cart was emptied by the checkout
    browser.link("Cart")
    browser.see("Your cart is empty")

    # the confirmation email reached the mail catcher
    email = f"{shopper}@daprshop.test"
    messages = eventually(
        lambda: mailpit_messages(f"to:{email}"), 60, what="the order email"
    )
    assert any(
        order_id[:8] in m.get("Subject", "") or order_id in str(m) for m in messages
    )


def test_an_admin_changes_stock_and_the_product_page_shows_it(
    browser: Browser, catalog: dict[str, Any]
) -> None:
    word = catalog["word"]
    browser.open("/")
    browser.login("admin")
    browser.link("Admin")
    browser.see("Admin: products")
    browser.fill("Find a product", f"Espresso cup {word}")
    stock = browser.field(f"Stock of Espresso cup {word}")
    stock.clear()
    stock.send_keys("77")
    browser.click("Save stock")
    browser.see(f"Stock of Espresso cup {word} is now 77")
    browser.screenshot("admin-stock-saved")

    browser.link(f"Espresso cup {word}")
    browser.wait(
        lambda: browser.by_testid("stock").text == "77 in stock",
        "the product page to show the new stock",
    )
    browser.screenshot("product-shows-new-stock")


def test_admin_pages_are_not_shown_to_shoppers(browser: Browser) -> None:
    browser.open("/")
    browser.login(f"shopper-{uuid.uuid4().hex[:8]}")
    assert "Admin" not in browser.driver.find_element("css selector", "nav").text
    browser.open("/admin")
    browser.see("This page is for shop administrators")
    browser.screenshot("admin-refused")
