"""DingTalk (钉钉) as one Platform: its routes, API, renderer and the lifespan of its Stream client.

`build_api` wires the API client with the runtime-bound OA approvals and the shared token store; `lifespan`
holds the Stream client while the server runs when `[dingtalk] mode = "stream"` (only on the replica holding
the app's lease), registers the HTTP card callback when mode = "http", and closes the HTTP session at the end.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from bot.config import Settings
from bot.core.clock import Clock
from bot.core.lazy import library
from bot.platforms.base import Platform, Skins
from bot.platforms.connections import HeldClient
from bot.platforms.dingtalk import routes
from bot.platforms.dingtalk.api import DingTalkAPI
from bot.platforms.dingtalk.extras.preview import preview_html
from bot.platforms.dingtalk.extras.sync import cli_sync
from bot.platforms.dingtalk.render import DingTalkRenderer
from bot.platforms.tokens import SharedTokens

if TYPE_CHECKING:
    from bot.platforms.dingtalk.extras import stream as stream_mode
    from bot.runtime import Runtime
else:
    # The Stream SDK (dingtalk-stream, requests, websockets) costs start-up time and memory: http mode never loads it.
    stream_mode = library("bot.platforms.dingtalk.extras.stream")

log = logging.getLogger("salesbot.dingtalk")


def build_renderer(settings: Settings, clock: Clock, skins: Skins) -> DingTalkRenderer:
    """DingTalk's renderer (it shows no other platform)."""
    return DingTalkRenderer(settings, clock)


def build_api(rt: Runtime, renderer: DingTalkRenderer) -> DingTalkAPI:
    """Create the API client with the database (evidence downloads) and the replicas' token store."""
    api = DingTalkAPI(rt.settings.dingtalk, rt.clock, renderer=renderer)
    api.db = rt.db  # evidence downloads record the stored file
    api.tokens = SharedTokens(rt.db, lambda: rt.clock.now().timestamp())  # one refresher across replicas
    return api


def approvals_enabled(settings: Settings) -> bool:
    """Quote approvals run in DingTalk OA when the platform is on and the form's processCode is set."""
    return settings.dingtalk.enabled and bool(settings.dingtalk.approval_process_code)


def stream(rt: Runtime) -> HeldClient[stream_mode.StreamClient]:
    """The Stream client under the app's lease: only the replica holding it connects."""
    def open_stream() -> stream_mode.StreamClient:
        client = stream_mode.StreamClient(rt)
        client.start_background()
        return client

    return HeldClient(rt.db, rt.clock, rt.connections, f"dingtalk-stream:{rt.settings.dingtalk.client_id}",
                      rt.settings.connections.lease_seconds, open_stream)


async def register_card_callback(rt: Runtime) -> None:
    """In http mode, point interactive-card clicks at our /dingtalk/card (when a template and secret are set)."""
    cfg = rt.settings.dingtalk
    if not (cfg.card_template_id and cfg.card_callback_secret and "dingtalk" in rt.apis):
        return
    try:
        await rt.apis["dingtalk"].register_card_callback(f"{rt.settings.server.public_url.rstrip('/')}/dingtalk/card")
    except Exception as exc:  # the bot still works; clicks fail until the callback is registered
        log.error("could not register the DingTalk card callback URL", extra={"error": str(exc)[:300]})


@contextlib.asynccontextmanager
async def lifespan(rt: Runtime) -> AsyncIterator[HeldClient[stream_mode.StreamClient] | None]:
    """Hold the Stream client (stream mode) or register the card callback (http mode); close the API after."""
    try:
        if rt.settings.dingtalk.mode == "stream":
            async with stream(rt).running() as held:
                yield held
        else:
            await register_card_callback(rt)
            yield None
    finally:
        api = rt.apis.get("dingtalk")
        if api is not None:
            await api.close()


PLATFORM = Platform(
    name="dingtalk", enabled=lambda settings: settings.dingtalk.enabled, routes=routes.setup,
    renderer=build_renderer, api=build_api, lifespan=lifespan, preview=preview_html,
    approvals=approvals_enabled, sync=cli_sync)
