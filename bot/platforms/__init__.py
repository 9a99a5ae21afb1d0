"""Platform adapters. Each platform has adapter.py (inbound), api.py (outbound) and render.py (cards).

The registries below are the only place that knows which platforms exist, so the rest of the
code never branches on a platform name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from bot.events import ChatRef
from bot.platforms.dingtalk import render as dingtalk_render
from bot.platforms.feishu import preview as feishu_preview
from bot.platforms.feishu import render as feishu_render
from bot.platforms.playground import render as playground_render
from bot.platforms.wecom import preview as wecom_preview
from bot.platforms.wecom import render as wecom_render
from cards.model import Card

Renderer = Callable[[ChatRef, "Card | None", str, dict[str, Any]], dict[str, Any]]


class PlatformAPI(Protocol):
    """Outbound side of a platform: deliver one rendered payload to a target."""

    name: str
    per_minute: int | None

    async def send(self, target: str, payload: dict[str, Any]) -> None:
        """Deliver; raise TransientDeliveryError to retry, DeliveryError to dead-letter."""


RENDERERS: dict[str, Renderer] = {"playground": playground_render.render}
RENDERERS["dingtalk"] = dingtalk_render.render
RENDERERS["feishu"] = feishu_render.render
# Platform JSON -> HTML, so the playground's skins show exactly what each adapter would send.
PREVIEWS: dict[str, Callable[[dict[str, Any]], str]] = {}
RENDERERS["wecom"] = wecom_render.render
PREVIEWS["wecom"] = wecom_preview.preview_html
PREVIEWS["feishu"] = feishu_preview.preview_html


def render(chat: ChatRef, card: Card | None, text: str, extra: dict[str, Any]) -> dict[str, Any]:
    """Render a card or text for the chat's platform."""
    try:
        renderer = RENDERERS[chat.platform]
    except KeyError:
        raise ValueError(f"no renderer for platform {chat.platform!r}; enable its adapter") from None
    return renderer(chat, card, text, extra)
