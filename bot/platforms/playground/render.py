"""Playground payloads: the card's data when queued, drawn as HTML in a platform's skin when the page reads it.

A reply to a message carries the skin it was sent from (ChatRef.meta["skin"]) and is drawn only in that one. A
push (a scheduled card to a member or a group) has no skin: the timeline draws it in the skin the viewer has
chosen — a DingTalk viewer sees DingTalk's push, never WeCom's. Drawing when read, not when queued, keeps a push to
10,000 demo members at one card each (three skins' HTML nobody may open cost the must_do job a third of its time);
what a drawing links to is stored then (`draw` returns the card views).
"""

from __future__ import annotations

import logging
from typing import Any

from bot.core.cards import Card
from bot.core.errors import ActionError
from bot.core.events import ChatRef
from bot.platforms.base import Skins
from bot.platforms.playground.adapter import SKINS
from cards.render import render_html

log = logging.getLogger("salesbot.playground")
Views = dict[str, dict[str, Any]]  # digest → card, the full views a drawing's links open


class PlaygroundRenderer:
    """Queue a card's data; draw it as a skin's platform would send it, with that platform's own preview."""

    def __init__(self, skins: Skins) -> None:
        self.skins = skins  # the chat platforms' renderers and previews (bot/platforms/registry.py)

    def render(self, chat: ChatRef, card: Card | None, text: str, extra: dict[str, Any]) -> dict[str, Any]:
        """Return the outbox payload the playground page reads (`draw` turns it into HTML)."""
        payload: dict[str, Any] = {"skin": chat.meta.get("skin") or "", "text": text, "chat_id": chat.chat_id}
        if card is not None:
            payload["card"] = card.to_dict()
        if extra.get("update") and chat.meta.get("message_id"):
            payload["replaces"] = chat.meta["message_id"]
        if extra.get("toast"):
            payload["toast"] = extra["toast"]
        return payload

    def draw(self, payload: dict[str, Any], viewer_skin: str) -> tuple[str, Views]:
        """The payload's card as HTML — in the skin it was sent from, else the viewer's — and its card views."""
        skin = payload.get("skin") or (viewer_skin if viewer_skin in SKINS else SKINS[0])
        card = _stored_card(payload["card"]) if payload.get("card") else None
        if card is not None:
            views: Views = {}
            return self._skin_html(skin, card, payload.get("text", ""), views), views
        # rows queued before drawing moved to read time carry their HTML: per skin, or one "html" before skins
        skins = payload.get("skins") or {}
        return skins.get(skin) or next(iter(skins.values()), "") or payload.get("html", ""), {}

    def _skin_html(self, skin: str, card: Card, text: str, views: Views) -> str:
        return self._platform_preview(skin, card, text, views) or render_html(card, skin)

    def _platform_preview(self, skin: str, card: Card, text: str, views: Views) -> str | None:
        """Exactly what that platform's renderer would send, drawn by its preview (with the JSON underneath)."""
        shown = self.skins.get(skin)
        if shown is None:
            return None
        try:
            payload = shown.renderer.render(ChatRef(skin, "preview", True, {}), card, text,
                                            {"idempotency_key": "preview"})
        except Exception:  # a preview must never break the playground
            log.exception("platform preview failed", extra={"skin": skin})
            return None
        views.update(payload.pop("views", {}))  # its full-view links must open, so the timeline stores them
        return shown.preview(payload)


def _stored_card(data: dict[str, Any]) -> Card | None:
    """The queued card; one whose buttons no longer decode (an action renamed since it was queued) without them,
    and None when even that fails — an old row must not break the timeline."""
    try:
        return Card.from_dict(data)
    except (ActionError, KeyError, TypeError, ValueError):
        log.warning("a queued playground card no longer decodes; drawn without its buttons")
    try:
        sections = [{**section, "checks": []} for section in data.get("sections", [])]
        return Card.from_dict({**data, "sections": sections, "buttons": [], "form": None})
    except (ActionError, KeyError, TypeError, ValueError, AttributeError):
        return None
