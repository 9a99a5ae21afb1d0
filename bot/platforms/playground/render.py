"""Playground payloads: the card as HTML in each platform's skin, plus its data.

A reply to a message carries the skin it was sent from (ChatRef.meta["skin"]). A push (a scheduled
card to a member or a group) has no skin: it is rendered in every skin, and the timeline shows the one
the viewer has chosen — a DingTalk viewer sees DingTalk's push, never WeCom's.
"""

from __future__ import annotations

import json
import logging
from html import escape
from typing import Any

from bot.core.cards import Card
from bot.core.events import ChatRef
from bot.core.viewlinks import attach
from cards.render import render_html

log = logging.getLogger("salesbot.playground")
SKINS = ("wecom", "dingtalk", "feishu")


def render(chat: ChatRef, card: Card | None, text: str, extra: dict[str, Any]) -> dict[str, Any]:
    """Return the outbox payload the playground page shows."""
    skin = chat.meta.get("skin")
    payload: dict[str, Any] = {"skin": skin or "", "text": text, "chat_id": chat.chat_id}
    if card is not None:
        views: dict[str, Any] = {}
        skins = {s: _skin_html(s, card, text, views) for s in ([skin] if skin else SKINS)}
        payload["skins"] = skins
        payload["html"] = skins[skin or SKINS[0]]  # older pages read "html"
        payload["card"] = card.to_dict()
        attach(payload, views)
    if extra.get("update") and chat.meta.get("message_id"):
        payload["replaces"] = chat.meta["message_id"]
    if extra.get("toast"):
        payload["toast"] = extra["toast"]
    return payload


def _skin_html(skin: str, card: Card, text: str, views: dict[str, Any]) -> str:
    return _platform_preview(skin, card, text, views) or render_html(card, skin)


def _platform_preview(skin: str, card: Card, text: str, views: dict[str, Any]) -> str | None:
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
    views.update(payload.pop("views", {}))  # its full-view links must open, so the runtime stores them
    preview = platforms.PREVIEWS.get(skin)
    if preview is not None:
        return preview(payload)
    shown = json.dumps(payload, ensure_ascii=False, indent=2)
    return (render_html(card, skin) + f'<details class="platform-json"><summary>{escape(skin)} 实际发送的 JSON'
            f"</summary><pre>{escape(shown)}</pre></details>")
