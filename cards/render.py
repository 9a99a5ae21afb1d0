"""Render Cards with each platform's jinja2 templates (cards/templates/<platform>/)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from bot.core.cards import Card

TEMPLATES = Path(__file__).with_name("templates")
_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]),
                   undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
_BOLD = re.compile(r"\*\*(.+?)\*\*")


def mdbold(text: str) -> Markup:
    """Turn **x** into <b>x</b> after escaping, so markdown-ish help lines look right in HTML."""
    return Markup(_BOLD.sub(r"<b>\1</b>", str(escape(text))))


_env.filters["mdbold"] = mdbold


def plain(text: str) -> str:
    """Drop our one bit of inline markup (**bold**) for carriers that show plain text only."""
    return _BOLD.sub(r"\1", text)


def render_template(name: str, **values: Any) -> str:
    """Render one template by path relative to cards/templates."""
    return _env.get_template(name).render(**values)


def render_html(card: Card, skin: str = "wecom") -> str:
    """Render a card as HTML for the playground, styled as the chosen platform."""
    return render_template("playground/card.html.j2", card=card, skin=skin)
