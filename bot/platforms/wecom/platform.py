"""WeCom (企业微信) as one Platform: its routes, API, renderer and lifespan (the HTTP session, closed at the end)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from bot.config import Settings
from bot.core.clock import Clock
from bot.platforms.base import Platform, Skins
from bot.platforms.wecom import routes
from bot.platforms.wecom.api import WecomAPI
from bot.platforms.wecom.extras.preview import preview_html
from bot.platforms.wecom.extras.sync import cli_sync
from bot.platforms.wecom.render import WecomRenderer

if TYPE_CHECKING:
    from bot.runtime import Runtime


def build_renderer(settings: Settings, clock: Clock, skins: Skins) -> WecomRenderer:
    """WeCom's renderer (it shows no other platform)."""
    return WecomRenderer(settings, clock)


def build_api(rt: Runtime, renderer: WecomRenderer) -> WecomAPI:
    """Create the app/robot/webhook client (built when [wecom] is enabled)."""
    return WecomAPI(rt.settings.wecom, rt.db, rt.clock, renderer=renderer)


@contextlib.asynccontextmanager
async def lifespan(rt: Runtime) -> AsyncIterator[None]:
    """WeCom holds no long connection: close the API's HTTP session when the server stops."""
    try:
        yield
    finally:
        api = rt.apis.get("wecom")
        if api is not None and hasattr(api, "close"):
            await api.close()


PLATFORM = Platform(
    name="wecom", enabled=lambda settings: settings.wecom.enabled, routes=routes.setup,
    renderer=build_renderer, api=build_api, lifespan=lifespan, preview=preview_html,
    sync=cli_sync)
