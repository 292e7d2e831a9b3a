"""Templates: HTML autoescaped, text not, missing variables are errors."""

from __future__ import annotations

import pytest

from services.notification.adapters.templates import TemplateRenderer
from services.notification.domain import (
    LineItem,
    Money,
    RenderError,
)


def test_html_is_autoescaped_and_text_is_not() -> None:
    rendered = TemplateRenderer().email(
        "welcome", {"name": "<script>x</script>", "shop": "Daprshop"}
    )
    assert "<script>" not in rendered.html
    assert "&lt;script&gt;" in rendered.html
    assert "<script>x</script>" in rendered.text


def test_confirmation_shows_order_items_and_formatted_total() -> None:
    rendered = TemplateRenderer().email(
        "order_confirmation",
        {
            "name": "Eve",
            "shop": "Daprshop",
            "order_id": "o-42",
            "items": (LineItem("Mug", 3, Money(1299, "USD")),),
            "total": Money(3897, "USD"),
        },
    )
    for part in (rendered.text, rendered.html):
        assert "o-42" in part
        assert "Mug" in part
        assert "$12.99" in part
        assert "$38.97" in part


def test_missing_template_variables_are_errors_not_blanks() -> None:
    with pytest.raises(RenderError):
        TemplateRenderer().email("order_confirmation", {"name": "Eve"})
    with pytest.raises(RenderError):
        TemplateRenderer().sms("no_such_template", {})
