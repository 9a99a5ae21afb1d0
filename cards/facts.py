"""The facts of a card (every text a reader could need) and whether a rendered payload still shows each one.

Renderers use `missing` after fitting a card into a platform's limits: anything not shown in full is
reached through the card's full view (bot/core/viewlinks.py), never silently dropped.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

from bot.core.cards import Card
from cards.render import plain

_MD_LINK = re.compile(r"\[([^\]]+)\]\((\S+?)\)")
_FONT = re.compile(r"</?font[^>]*>")


def norm(text: str) -> str:
    """One comparable form: no entities, <font> or **bold**, `[label](url)` read as `label：url`, one space."""
    text = _MD_LINK.sub(r"\1：\2", _FONT.sub("", html.unescape(str(text))))
    return " ".join(plain(text).split())


def raw_facts(card: Card) -> list[str]:
    """Every text of the card as written: title, subtitle, section titles/texts/fields/items, footer, buttons."""
    out = [card.title, card.subtitle, card.footer]
    for s in card.sections:
        out += [s.title, s.text, *(c.label for c in s.checks)] if s.checks else [s.title, s.text, *s.items]
        out += [x for f in s.fields for x in (f.label, f.value)]
    out += [b.label for b in card.buttons]
    return [x for x in out if x and x.strip()]


def facts(card: Card) -> list[str]:
    """Every text of the card, normalized (see norm)."""
    return [n for n in (norm(x) for x in raw_facts(card)) if n]


def strings(payload: Any) -> list[str]:
    """Every string leaf of a payload in document order (JSON-in-a-string values are opened too)."""
    out: list[str] = []
    _collect(payload, out)
    return out


def _collect(payload: Any, out: list[str]) -> None:
    # One list for the whole walk, not a generator per container: every card of a 10,000-rep push is checked.
    if isinstance(payload, dict):
        for v in payload.values():
            _collect(v, out)
    elif isinstance(payload, list):
        for v in payload:
            _collect(v, out)
    elif isinstance(payload, str):
        out.append(payload)
        if payload[:1] in "[{":
            _json_strings(payload, out)


def _json_strings(text: str, out: list[str]) -> None:
    try:
        data = json.loads(text)
    except ValueError:
        return
    _collect(data, out)


def shown(payload: Any) -> str:
    """The normalized text a payload shows, all its strings in one pass (\x00 keeps a fact within one string)."""
    return norm("\x00".join(strings(payload)))


def missing(card: Card, payload: Any) -> list[str]:
    """The card's facts that the rendered payload does not show in full."""
    raw = "\x00".join(strings(payload))
    left = [x for x in raw_facts(card) if x not in raw]  # most facts are there verbatim: no normalizing needed
    if not left:
        return []
    blob = norm(raw)
    return [f for f in (norm(x) for x in left) if f and f not in blob]
