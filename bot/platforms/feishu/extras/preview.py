"""HTML preview of a Feishu outbox payload, so the playground's Feishu skin shows exactly what is sent.

It reads the card JSON 2.0 that render.py produced (not the Card model): a tag this preview does
not know is shown as a labelled placeholder instead of being hidden.
"""

from __future__ import annotations

import re
from typing import Any

from markupsafe import Markup, escape

COLOURS = {"blue": "#3370ff", "wathet": "#50a6ff", "turquoise": "#2dbeab", "green": "#34c724",
           "yellow": "#ffc60a", "orange": "#ff8800", "red": "#f54a45", "carmine": "#e22e6f",
           "violet": "#c64ce6", "purple": "#7f3bf5", "indigo": "#4954e6", "grey": "#8f959e", "default": "#8f959e"}
_BOLD = re.compile(r"\*\*(.+?)\*\*")


def _md(content: str) -> str:
    """Feishu markdown subset: **bold**, "- " bullets and line breaks; the rest stays literal text."""
    blocks: list[str] = []
    for line in str(content).split("\n"):
        html = _BOLD.sub(r"<b>\1</b>", str(escape(_unentity(line))))
        if line.startswith("- "):
            if not blocks or not blocks[-1].startswith("<ul>"):
                blocks.append("<ul></ul>")
            blocks[-1] = blocks[-1][:-5] + f"<li>{html[2:]}</li></ul>"
        else:
            blocks.append(html)
    return "".join(b if b.startswith("<ul>") else f"<div>{b}</div>" for b in blocks)


def _unentity(text: str) -> str:
    """Undo render.md_escape so the preview shows what Feishu shows."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _text(node: Any) -> str:
    return str((node or {}).get("content", "")) if isinstance(node, dict) else str(node or "")


def _element(el: dict[str, Any]) -> str:
    tag = el.get("tag")
    if tag == "markdown":
        size = " fs-note" if el.get("text_size") == "notation" else ""
        return f'<div class="fs-md{size}">{_md(el.get("content", ""))}</div>'
    if tag == "hr":
        return '<hr class="fs-hr">'
    if tag == "column_set":
        cols = "".join(f'<div class="fs-col fs-col-{escape(c.get("width", "auto"))}">'
                       + "".join(_element(e) for e in c.get("elements", [])) + "</div>"
                       for c in el.get("columns", []))
        return f'<div class="fs-columns" style="display:flex;gap:8px">{cols}</div>'
    if tag == "button":
        value: dict[str, Any] = next((b.get("value") for b in el.get("behaviors", [])
                                      if b.get("type") == "callback"), {}) or {}
        style, packed = escape(el.get("type", "default")), escape(value.get("a", ""))
        return f'<button class="btn btn-{style}" data-action="{packed}">{escape(_text(el.get("text")))}</button>'
    if tag == "checker":
        return _checker(el)
    if tag == "form":
        inner = "".join(_element(e) for e in el.get("elements", []))
        return f'<form class="fs-form" style="display:flex;gap:8px" onsubmit="return false">{inner}</form>'
    if tag == "input":
        hint = escape(_text(el.get("placeholder")))
        return f'<input class="fs-input" name="{escape(el.get("name", ""))}" placeholder="{hint}" style="flex:1">'
    return f'<div class="fs-unknown">[{escape(str(tag))}]</div>'


def _checker(el: dict[str, Any]) -> str:
    """A tickable line: a button carrying its callback (the playground posts it), else a ticked/disabled line."""
    label, checked = escape(_text(el.get("text"))), bool(el.get("checked"))
    value = next((b.get("value") for b in el.get("behaviors", []) if b.get("type") == "callback"), None) or {}
    if value.get("a") and not checked and not el.get("disabled"):
        return (f'<button class="fs-checker" role="checkbox" aria-checked="false" data-action="{escape(value["a"])}"'
                f' style="display:block;border:0;background:none;padding:2px 0;text-align:left">☐ {label}</button>')
    style = "text-decoration:line-through;opacity:.6" if checked else ""
    return f'<div class="fs-checker is-off" role="checkbox" aria-checked="{str(checked).lower()}" ' \
           f'style="{style}">{"☑" if checked else "☐"} {label}</div>'


def preview_html(payload: dict[str, Any]) -> str:
    """Render a Feishu outbox payload (render.render's output) as HTML for the playground."""
    card = payload.get("card")
    if not isinstance(card, dict):
        return f'<div class="card card-feishu fs-text">{escape(payload.get("text", ""))}</div>'
    header = card.get("header") or {}
    colour = COLOURS.get(str(header.get("template", "default")), COLOURS["default"])
    head = f'<div class="card-title">{escape(_text(header.get("title")))}</div>'
    if header.get("subtitle"):
        head += f'<div class="card-subtitle">{escape(_text(header["subtitle"]))}</div>'
    body = "".join(_element(el) for el in (card.get("body") or {}).get("elements", []))
    return str(Markup(f'<div class="card card-feishu fs-card"><div class="card-head" style="background:{colour};'
                      f'color:#fff">{head}</div><div class="card-body">{body}</div></div>'))
