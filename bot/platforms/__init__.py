"""Platform adapters. Each platform has adapter.py (inbound), api.py (outbound) and render.py (cards).

The registries below are the only place that knows which platforms exist, so the rest of the
code never branches on a platform name.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING, Any, Protocol

from bot.core.cards import Card
from bot.core.events import ChatRef
from bot.platforms.dingtalk import preview as dingtalk_preview
from bot.platforms.dingtalk import render as dingtalk_render
from bot.platforms.feishu import preview as feishu_preview
from bot.platforms.feishu import render as feishu_render
from bot.platforms.playground import render as playground_render
from bot.platforms.playground.api import PlaygroundAPI
from bot.platforms.wecom import preview as wecom_preview
from bot.platforms.wecom import render as wecom_render

if TYPE_CHECKING:
    from aiohttp import web

    from bot.config import Settings
    from bot.core.clock import Clock
    from bot.runtime import Runtime

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
PREVIEWS["dingtalk"] = dingtalk_preview.preview_html


def render(chat: ChatRef, card: Card | None, text: str, extra: dict[str, Any]) -> dict[str, Any]:
    """Render a card or text for the chat's platform."""
    try:
        renderer = RENDERERS[chat.platform]
    except KeyError:
        raise ValueError(f"no renderer for platform {chat.platform!r}; enable its adapter") from None
    return renderer(chat, card, text, extra)


# Each adapter package exposes build_api(rt) and routes.setup(app), and optionally start(rt)/stop(rt).
ADAPTERS = ("wecom", "dingtalk", "feishu")


def enabled_adapters(settings: Settings) -> list[ModuleType]:
    """Return the adapter packages switched on in the config, imported lazily."""
    return [importlib.import_module(f"bot.platforms.{name}") for name in ADAPTERS
            if getattr(settings, name).enabled]


def configure_renderers(settings: Settings, clock: Clock) -> None:
    """Bind every adapter's renderer (enabled or not) to the settings and clock, so previews sign their links."""
    for name in ADAPTERS:
        module = importlib.import_module(f"bot.platforms.{name}.render")
        if hasattr(module, "configure"):
            module.configure(settings, clock)


def build_apis(rt: Runtime) -> dict[str, Any]:
    """Create the outbound client of every enabled platform (and the playground's)."""
    apis: dict[str, Any] = {"playground": PlaygroundAPI()} if rt.settings.playground.enabled else {}
    for module in enabled_adapters(rt.settings):
        apis[module.__name__.rsplit(".", 1)[-1]] = module.build_api(rt)
    return apis


def setup_routes(app: web.Application, settings: Settings) -> None:
    """Add the callback routes of every enabled platform."""
    for module in enabled_adapters(settings):
        importlib.import_module(f"{module.__name__}.routes").setup(app)


async def start_adapters(rt: Runtime) -> None:
    """Start long-lived platform clients (stream connections) of enabled platforms."""
    for module in enabled_adapters(rt.settings):
        if hasattr(module, "start"):
            await module.start(rt)


async def stop_adapters(rt: Runtime) -> None:
    """Stop them, so no new events arrive while the runtime drains."""
    for module in enabled_adapters(rt.settings):
        if hasattr(module, "stop"):
            await module.stop(rt)

