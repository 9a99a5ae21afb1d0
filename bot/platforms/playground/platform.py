"""The playground as one Platform: the page's messages and clicks in, the outbox rows its page reads out.

Its renderer draws every card in each chat platform's skin, with the renderers and previews the registry
hands it; its API only counts deliveries; it holds no client, so its lifespan is empty.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.config import Settings
from bot.core.clock import Clock
from bot.platforms.base import Platform, Skins
from bot.platforms.playground import routes
from bot.platforms.playground.api import PlaygroundAPI
from bot.platforms.playground.render import PlaygroundRenderer

if TYPE_CHECKING:
    from bot.runtime import Runtime


def build_renderer(settings: Settings, clock: Clock, skins: Skins) -> PlaygroundRenderer:
    """The renderer that shows the other platforms' skins (they sign their own links)."""
    return PlaygroundRenderer(skins)


def build_api(rt: Runtime, renderer: PlaygroundRenderer) -> PlaygroundAPI:
    """The API the sender "delivers" through: the page reads sent rows from the outbox."""
    return PlaygroundAPI()


PLATFORM = Platform(name="playground", enabled=lambda settings: settings.playground.enabled, routes=routes.setup,
                    renderer=build_renderer, api=build_api)
