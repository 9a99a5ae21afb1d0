"""DingTalk (钉钉): Stream and HTTP robot, interactive cards, custom-robot pushes, OA quote approvals.

`build_api(rt)` wires the API client and renderer (tasks.py registers the OA approval, room and download
tasks); `start(rt)`/`stop(rt)` run the Stream client when `[dingtalk] mode = "stream"` (and register HTTP
card callbacks when mode = "http"); `approvals_enabled(settings)` says quotes are approved in DingTalk OA.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.platforms.connections import Held
from bot.platforms.dingtalk import render
from bot.platforms.dingtalk.api import DingTalkAPI
from bot.platforms.tokens import SharedTokens

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.runtime import Runtime

log = logging.getLogger("salesbot.dingtalk")


def build_api(rt: Runtime) -> DingTalkAPI:
    """Create the API client and bind the renderer to this runtime's settings and clock."""
    render.configure(rt.settings, rt.clock)
    api = DingTalkAPI(rt.settings.dingtalk, rt.clock)
    api.db = rt.db  # evidence downloads record the stored file
    api.tokens = SharedTokens(rt.db, lambda: rt.clock.now().timestamp())  # one refresher across replicas
    return api


def approvals_enabled(settings: Settings) -> bool:
    """Quote approvals run in DingTalk OA when the platform is on and the form's processCode is set."""
    return settings.dingtalk.enabled and bool(settings.dingtalk.approval_process_code)


async def start(rt: Runtime) -> None:
    """Start the Stream client (stream mode) or register HTTP card callbacks (http mode)."""
    cfg = rt.settings.dingtalk
    if cfg.mode == "stream":
        from bot.platforms.dingtalk.stream import StreamClient

        def open_stream() -> None:
            rt.dingtalk_stream = StreamClient(rt)
            rt.dingtalk_stream.start_background()

        async def close_stream() -> None:
            if getattr(rt, "dingtalk_stream", None) is not None:
                await rt.dingtalk_stream.stop()

        rt.dingtalk_lease = Held(rt.db, rt.clock, rt.connections, f"dingtalk-stream:{cfg.client_id}",
                                 rt.settings.connections.lease_seconds, open_stream, close_stream)
        await rt.dingtalk_lease.step()  # a free lease is taken at once, so the first replica connects now
        rt.dingtalk_lease.start()
    elif cfg.card_template_id and cfg.card_callback_secret and "dingtalk" in rt.apis:
        url = f"{rt.settings.server.public_url.rstrip('/')}/dingtalk/card"
        try:
            await rt.apis["dingtalk"].register_card_callback(url)
        except Exception as exc:  # the bot still works; clicks fail until the callback is registered
            log.error("could not register the DingTalk card callback URL", extra={"error": str(exc)[:300]})


async def stop(rt: Runtime) -> None:
    """Stop the Stream client and close the HTTP session."""
    lease, client = getattr(rt, "dingtalk_lease", None), getattr(rt, "dingtalk_stream", None)
    if lease is not None:
        await lease.stop()
    elif client is not None:
        await client.stop()
    api = rt.apis.get("dingtalk")
    if api is not None:
        await api.close()
