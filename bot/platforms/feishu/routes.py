"""POST /feishu/events: verify, decrypt, store, ack; card clicks are answered inside the response."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.core.errors import TransientDeliveryError
from bot.core.events import Event
from bot.core.payloads import text
from bot.core.stopping import within
from bot.platforms.feishu import adapter
from bot.platforms.feishu.extras import approvals
from bot.platforms.http import mark_authenticated, read_body, runtime

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger("salesbot.feishu")
CARD_WAIT = 2.0  # seconds from arrival within which a click is answered inline (Feishu gives up at 3 s)
BOT_ID_WAIT = 1.0  # seconds to wait for /bot/v3/info before matching @mentions by name
ACK = b'{"msg": "success"}'  # the answer to every stored event, serialized once


def setup(app: web.Application) -> None:
    """Add the webhook route (the long connection of ws mode is platform.py's lifespan)."""
    app.router.add_post("/feishu/events", events)


async def events(request: web.Request) -> web.Response:
    """Answer url_verification, turn events into Events, and always 200 a valid request."""
    rt = runtime(request)
    body = await read_body(request)
    payload = adapter.open_request(rt.settings.feishu, request.headers, body, rt.clock.now().timestamp(),
                                   lambda: mark_authenticated(request))
    if payload.get("type") == "url_verification":  # before any I/O: Feishu allows 1 s
        return web.json_response({"challenge": text(payload, "challenge", "url_verification")})
    bot_id = await bot_open_id(rt) if adapter.needs_bot_id(payload) else None
    event = adapter.to_event(payload, bot_id, rt.settings.org.bot_name)
    if event.kind == "card_action":
        return web.json_response(await answer_click(rt, event))
    if event.kind == "approval":
        try:
            event = await approvals.with_decider(rt, event)
        except TransientDeliveryError as exc:  # not acked, so Feishu pushes it again (15 s, 5 min, …)
            log.warning("Feishu approval result deferred", extra={"error": str(exc)[:300]})
            return web.json_response({"error": f"{exc}; push it again later"}, status=503)
    await rt.dispatcher.ingest(event)
    return web.Response(body=ACK, content_type="application/json")


async def answer_click(rt: Runtime, event: Event) -> dict[str, Any]:
    """Store the click and wait briefly for its first reply: {toast, card} when ready in time, else {}.

    Any other reply, or one not ready in time, is delivered by the sender (with its retries).
    """
    _, payloads = await rt.dispatcher.ingest_and_wait(event, CARD_WAIT)
    if not payloads:
        return {}
    first = payloads[0]
    answer: dict[str, Any] = {"toast": first.get("toast") or {"type": "info", "content": "已处理"}}
    if first.get("inline") == "card" and first.get("card"):
        answer["card"] = {"type": "raw", "data": first["card"]}
    return answer


async def bot_open_id(rt: Runtime) -> str | None:
    """Return the bot's open_id within BOT_ID_WAIT, else None (mentions are then matched by name)."""
    api = rt.apis.get("feishu")
    if api is None:
        return None
    if known := getattr(api, "known_bot_open_id", None):  # cached: no lookup task per message
        return str(known)
    try:  # shielded: a slow lookup still fills the cache for the next message
        return await within(asyncio.shield(api.bot_open_id()), BOT_ID_WAIT)
    except TimeoutError:
        return None
