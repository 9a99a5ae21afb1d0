"""Playground payloads: the card as HTML in the chosen platform's skin, plus its data."""

from __future__ import annotations

from typing import Any

from bot.events import ChatRef
from cards.model import Card
from cards.render import render_html


def render(chat: ChatRef, card: Card | None, text: str, extra: dict[str, Any]) -> dict[str, Any]:
    """Return the outbox payload the playground page shows."""
    skin = chat.meta.get("skin", "wecom")
    payload: dict[str, Any] = {"skin": skin, "text": text, "chat_id": chat.chat_id}
    if card is not None:
        payload["html"] = _platform_preview(skin, card, text) or render_html(card, skin)
        payload["card"] = card.to_dict()
    if extra.get("update") and chat.meta.get("message_id"):
        payload["replaces"] = chat.meta["message_id"]
    if extra.get("toast"):
        payload["toast"] = extra["toast"]
    return payload


def _platform_preview(skin: str, card: Card, text: str) -> str | None:
    """Show exactly what that platform's adapter would send, when the adapter provides a preview."""
    from bot import platforms  # late: the registry imports this module

    preview, renderer = platforms.PREVIEWS.get(skin), platforms.RENDERERS.get(skin)
    if preview is None or renderer is None:
        return None
    return preview(renderer(ChatRef(skin, "preview", True, {}), card, text, {}))
