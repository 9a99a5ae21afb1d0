"""GET,POST /wecom/app and /wecom/bot: verify, decrypt, store, ack — the robot may answer inline.

Refusals (bad signature, corp id mismatch, undecryptable or unsafe bodies) answer 403/400 with a bare
body; the reason goes to the log and, with the raw body, to rejected_request.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.core.errors import BadRequest, BadSignature
from bot.core.events import Event
from bot.platforms.http import RUNTIME, mark_authenticated, read_body, runtime
from bot.platforms.refusals import refuse
from bot.platforms.wecom import adapter
from bot.platforms.wecom.extras import robot
from bot.platforms.wecom.extras.crypto import WecomCrypto

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger("salesbot.wecom")
ROBOT_WAIT = 2.5  # seconds from arrival within which a robot message is answered passively (WeCom waits 5 s)
CRYPTO = web.AppKey("wecom_crypto", dict)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def setup(app: web.Application) -> None:
    """Mount the callbacks whose Token and EncodingAESKey are configured."""
    cfg = app[RUNTIME].settings.wecom
    app[CRYPTO] = {}
    if cfg.token and cfg.encoding_aes_key:
        app[CRYPTO]["app"] = WecomCrypto(cfg.token, cfg.encoding_aes_key, cfg.corp_id)
        app.router.add_get("/wecom/app", _guard(verify_url("app")))
        app.router.add_post("/wecom/app", _guard(app_callback))
    if cfg.bot_token and cfg.bot_encoding_aes_key:
        app[CRYPTO]["bot"] = WecomCrypto(cfg.bot_token, cfg.bot_encoding_aes_key, "")  # the robot's receiveid is ""
        app.router.add_get("/wecom/bot", _guard(verify_url("bot")))
        app.router.add_post("/wecom/bot", _guard(bot_callback))


def _guard(handler: Handler) -> Handler:
    """Answer refusals with a bare 403/400: the reason is logged and archived, never echoed to the caller."""
    async def guarded(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except BadRequest as exc:
            status = 403 if isinstance(exc, BadSignature) else exc.status
            log.warning("refused WeCom callback: %s", exc.reason, extra={"path": request.path, "status": status})
            await refuse(request, status, exc.reason)
            return web.Response(status=status, text="forbidden" if status == 403 else "bad request")
    return guarded


def _now(rt: Runtime) -> int:
    return int(rt.clock.now().timestamp())


def verify_url(which: str) -> Handler:
    """The URL check: answer the decrypted echostr only, at once (WeCom allows 1 s)."""
    async def verify(request: web.Request) -> web.Response:
        q = request.query
        sig, ts, nonce = adapter.query_args(q)
        plain = request.app[CRYPTO][which].open(sig, ts, nonce, adapter.echostr(q), _now(runtime(request)))
        return web.Response(text=plain.decode("utf-8"), content_type="text/plain")
    return verify


async def app_callback(request: web.Request) -> web.Response:
    """Self-built app: verify -> decrypt -> parse -> inbox -> empty 200; replies go out by message/send."""
    rt = runtime(request)
    fields = adapter.open_app(request.app[CRYPTO]["app"], request.query, await read_body(request), _now(rt),
                              lambda: mark_authenticated(request))
    await rt.dispatcher.ingest(adapter.to_event(fields))
    return web.Response()


async def bot_callback(request: web.Request) -> web.Response:
    """Intelligent robot: messages and clicks are answered inline when ready in time, else via response_url."""
    rt = runtime(request)
    crypto = request.app[CRYPTO]["bot"]
    payload = robot.open_robot(crypto, request.query, await read_body(request), _now(rt),
                               lambda: mark_authenticated(request))
    event = robot.to_event(payload, rt.settings.org.bot_name, _now(rt))
    if event.kind not in ("message", "card_action"):
        await rt.dispatcher.ingest(event)
        return web.Response()
    body = await answer_inline(rt, event)
    if body is None:
        return web.Response()
    return web.json_response(robot.seal(crypto, body, secrets.token_hex(8), str(_now(rt))))


async def answer_inline(rt: Runtime, event: Event) -> dict[str, Any] | None:
    """Store the event and wait briefly for its first reply as a passive body; the sender delivers the rest."""
    _, payloads = await rt.dispatcher.ingest_and_wait(event, ROBOT_WAIT)
    return passive_body(payloads[0]) if payloads else None


def passive_body(payload: dict[str, Any]) -> dict[str, Any]:
    """The robot's passive reply for a rendered payload: a card, a card update, or a finished stream."""
    if payload.get("update_card"):
        return {"response_type": "update_template_card", "template_card": payload["update_card"]}
    body = payload["body"]
    if body.get("msgtype") == "template_card":
        return body
    content = body.get("markdown", {}).get("content", "")
    return {"msgtype": "stream", "stream": {"id": secrets.token_hex(8), "finish": True, "content": content}}

