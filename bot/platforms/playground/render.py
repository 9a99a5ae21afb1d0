"""Playground payloads: the card as HTML in each platform's skin, plus its data.

A reply to a message carries the skin it was sent from (ChatRef.meta["skin"]). A push (a scheduled
card to a member or a group) has no skin: it is rendered in every skin, and the timeline shows the one
the viewer has chosen — a DingTalk viewer sees DingTalk's push, never WeCom's.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.core.cards import Card
from bot.core.events import ChatRef
from bot.core.viewlinks import attach
from bot.platforms.base import Skins
from bot.platforms.playground.adapter import SKINS
from cards.render import render_html

log = logging.getLogger("salesbot.playground")


class PlaygroundRenderer:
    """Render a card as every skin shows it: exactly what that platform's renderer would send, drawn as HTML."""

    def __init__(self, skins: Skins) -> None:
        self.skins = skins  # the chat platforms' renderers and previews (bot/platforms/registry.py)

    def render(self, chat: ChatRef, card: Card | None, text: str, extra: dict[str, Any]) -> dict[str, Any]:
        """Return the outbox payload the playground page shows."""
        skin = chat.meta.get("skin")
        payload: dict[str, Any] = {"skin": skin or "", "text": text, "chat_id": chat.chat_id}
        if card is not None:
            views: dict[str, Any] = {}
            skins = {s: self._skin_html(s, card, text, views) for s in ([skin] if skin else SKINS)}
            payload["skins"] = skins  # rows queued before skins existed carry one "html" (bot/web/playground.py)
            payload["card"] = card.to_dict()
            attach(payload, views)
        if extra.get("update") and chat.meta.get("message_id"):
            payload["replaces"] = chat.meta["message_id"]
        if extra.get("toast"):
            payload["toast"] = extra["toast"]
        return payload

    def _skin_html(self, skin: str, card: Card, text: str, views: dict[str, Any]) -> str:
        return self._platform_preview(skin, card, text, views) or render_html(card, skin)

    def _platform_preview(self, skin: str, card: Card, text: str, views: dict[str, Any]) -> str | None:
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
        views.update(payload.pop("views", {}))  # its full-view links must open, so the runtime stores them
        return shown.preview(payload)
