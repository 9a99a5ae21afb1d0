"""The one jinja2 Environment for cards: every platform's templates (cards/templates/<platform>/).

HTML templates (*.html.j2, the playground) are escaped; markdown (*.md.j2) is what a chat client reads, so it
is not; JSON templates (*.json.j2) pass every value through `tojson` inside `{% autoescape false %}`.
The web pages (bot/web/templates/) have their own Environment in bot/web/pages.py: they belong to the app
shell, are HTML only, and treat a missing value as empty where a card template must fail on one.
"""

from __future__ import annotations

import re
from json.encoder import encode_basestring_ascii
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_eval_context, select_autoescape
from jinja2.nodes import EvalContext
from markupsafe import Markup, escape

from bot.core.cards import Card

TEMPLATES = Path(__file__).with_name("templates")
# auto_reload=False: templates ship with the package (a restart picks up changes), so no stat per get_template.
_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "html.j2"], default=False),
                   undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, auto_reload=False)
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_TOJSON = _env.filters["tojson"]


def mdbold(text: str) -> Markup:
    """Turn **x** into <b>x</b> after escaping, so markdown-ish help lines look right in HTML."""
    return Markup(_BOLD.sub(r"<b>\1</b>", str(escape(text))))


def oneline(value: object) -> str:
    """Fold a value onto one line: a newline would break a markdown line (a heading, a field, an item)."""
    return " ".join(str(value).split())


@pass_eval_context
def tojson(eval_ctx: EvalContext, value: Any, indent: int | None = None) -> Markup:
    """jinja's `tojson`, the same text; a plain string (most values of a card) skips building a JSONEncoder."""
    if type(value) is not str or indent is not None:
        return _TOJSON(eval_ctx, value, indent)
    return Markup(encode_basestring_ascii(value).replace("<", "\\u003c").replace(">", "\\u003e")
                  .replace("&", "\\u0026").replace("'", "\\u0027"))


_env.filters["mdbold"] = mdbold
_env.filters["oneline"] = oneline
_env.filters["tojson"] = tojson


def plain(text: str) -> str:
    """Drop our one bit of inline markup (**bold**) for carriers that show plain text only."""
    return _BOLD.sub(r"\1", text)


def render_template(name: str, **values: Any) -> str:
    """Render one template by path relative to cards/templates."""
    return _env.get_template(name).render(**values)


def render_html(card: Card, skin: str = "wecom") -> str:
    """Render a card as HTML for the playground, styled as the chosen platform."""
    return render_template("playground/card.html.j2", card=card, skin=skin)
