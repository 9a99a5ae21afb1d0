"""Which platforms exist, and what the app shell builds from them: renderers, APIs, routes, lifespans.

This is the one module that lists every platform (their `Platform` objects, bot/platforms/<p>/platform.py);
the rest of the code asks it, or a Platform, instead of branching on a platform's name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.config import Settings
from bot.core.cards import Card
from bot.core.clock import Clock
from bot.core.events import ChatRef
from bot.platforms.base import Platform, PlatformAPI, Renderer, Skin
from bot.platforms.dingtalk.platform import PLATFORM as DINGTALK
from bot.platforms.feishu.platform import PLATFORM as FEISHU
from bot.platforms.intake.platform import PLATFORM as INTAKE
from bot.platforms.playground.platform import PLATFORM as PLAYGROUND
from bot.platforms.playground.render import PlaygroundRenderer
from bot.platforms.wecom.platform import PLATFORM as WECOM

if TYPE_CHECKING:
    from bot.runtime import Runtime

PLATFORMS: tuple[Platform[Any], ...] = (WECOM, DINGTALK, FEISHU, PLAYGROUND, INTAKE)
BY_NAME: dict[str, Platform[Any]] = {p.name: p for p in PLATFORMS}


def enabled(settings: Settings) -> list[Platform[Any]]:
    """The platforms switched on in the config, in the registry's order."""
    return [p for p in PLATFORMS if p.enabled(settings)]


class Renderers:
    """Every platform's renderer for one runtime, enabled or not (the playground previews them all).

    Platforms with a preview are built first; their renderers and previews are the skins the others (the
    playground) are built with.
    """

    def __init__(self, settings: Settings, clock: Clock) -> None:
        built: dict[str, Renderer] = {}
        skins: dict[str, Skin] = {}
        for p in PLATFORMS:
            if p.renderer is not None and p.preview is not None:
                built[p.name] = p.renderer(settings, clock, {})
                skins[p.name] = Skin(built[p.name], p.preview)
        for p in PLATFORMS:
            if p.renderer is not None and p.name not in built:
                built[p.name] = p.renderer(settings, clock, skins)
        self.by_name = built

    def __getitem__(self, platform: str) -> Renderer:
        """The renderer of one platform."""
        return self.by_name[platform]

    @property
    def playground(self) -> PlaygroundRenderer:
        """The playground's renderer, which draws queued cards in the other platforms' skins when read."""
        renderer = self.by_name[PLAYGROUND.name]
        assert isinstance(renderer, PlaygroundRenderer)  # built above, from bot/platforms/playground/platform.py
        return renderer

    def render(self, chat: ChatRef, card: Card | None, text: str, extra: dict[str, Any]) -> dict[str, Any]:
        """Render a card or text for the chat's platform."""
        try:
            renderer = self.by_name[chat.platform]
        except KeyError:
            raise ValueError(f"no renderer for platform {chat.platform!r}; enable its adapter") from None
        return renderer.render(chat, card, text, extra)


def build_apis(rt: Runtime, renderers: Renderers) -> dict[str, PlatformAPI]:
    """Create the outbound client of every enabled platform that sends (each with its renderer)."""
    return {p.name: p.api(rt, renderers[p.name]) for p in enabled(rt.settings) if p.api is not None}


def setup_routes(app: web.Application, settings: Settings) -> None:
    """Add the HTTP routes of every enabled platform."""
    for platform in enabled(settings):
        platform.routes(app)


def runs_approvals(settings: Settings, platform: str) -> bool:
    """Whether a platform takes quote approvals in its own approval app (its Platform says when it is set up)."""
    found = BY_NAME.get(platform)
    return found is not None and found.enabled(settings) and found.approvals(settings)
