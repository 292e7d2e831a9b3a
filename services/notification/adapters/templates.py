"""Email and SMS bodies from jinja2 templates (the `Renderer` port)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import jinja2

from services.notification.domain import RenderError, format_money
from services.notification.service import Rendered

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


class TemplateRenderer:
    """jinja2 with HTML autoescaping and StrictUndefined (a typo is an error)."""

    def __init__(self, directory: Path = TEMPLATES) -> None:
        self._env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(directory),
            autoescape=jinja2.select_autoescape(["html"]),
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
        )
        self._env.filters["money"] = format_money

    def _render(self, name: str, context: Mapping[str, object]) -> str:
        try:
            return self._env.get_template(name).render(**context)
        except jinja2.TemplateError as err:
            raise RenderError(f"{name}: {err}") from err

    def email(self, template: str, context: Mapping[str, object]) -> Rendered:
        return Rendered(
            text=self._render(f"{template}.txt", context),
            html=self._render(f"{template}.html", context),
        )

    def sms(self, template: str, context: Mapping[str, object]) -> str:
        return self._render(f"{template}.sms.txt", context).strip()
