"""Playground payloads: the card as HTML in the chosen platform's skin, plus its data."""

from __future__ import annotations

import json
import logging
from html import escape
from typing import Any

from bot.events import ChatRef
from cards.model import Card
from cards.render import render_html

log = logging.getLogger("salesbot.playground")


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
    """Exactly what that platform's adapter would send (its preview, or our card plus the JSON), when built."""
    from bot import platforms  # late: the registry imports this module

    renderer = platforms.RENDERERS.get(skin)
    if renderer is None:
        return None
    try:
        payload = renderer(ChatRef(skin, "preview", True, {}), card, text, {"idempotency_key": "preview"})
    except Exception:  # a preview must never break the playground
        log.exception("platform preview failed", extra={"skin": skin})
        return None
    preview = platforms.PREVIEWS.get(skin)
    if preview is not None:
        return preview(payload)
    shown = json.dumps(payload, ensure_ascii=False, indent=2)
    return (render_html(card, skin) + f'<details class="platform-json"><summary>{escape(skin)} 实际发送的 JSON'
            f"</summary><pre>{escape(shown)}</pre></details>")
