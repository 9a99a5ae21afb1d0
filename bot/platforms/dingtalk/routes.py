"""DingTalk HTTP mode: POST /dingtalk/robot, /dingtalk/card and /dingtalk/events.

Each route verifies, stores the event in the inbox and answers; handlers run in the background.
Card clicks wait up to 1.5 s for the handler so the new card rides in the 2 s callback answer.
"""

from __future__ import annotations

import json
import logging
import secrets
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.core.errors import BadRequest, Forbidden
from bot.core.events import Event
from bot.core.payloads import json_object, text
from bot.platforms import replay
from bot.platforms.dingtalk import adapter
from bot.platforms.dingtalk.extras import approval_results, crypto, template_cards
from bot.platforms.http import mark_authenticated, read_body, read_json, runtime

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger("salesbot.dingtalk")
INLINE_WAIT = 1.5  # DingTalk drops a card-callback answer after 2 s


def now_ms(rt: Runtime) -> int:
    """Return the injected clock in epoch milliseconds (DingTalk's timestamp unit)."""
    return int(rt.clock.now().timestamp() * 1000)


def window_ms(rt: Runtime) -> int:
    """The accepted timestamp skew, tighter than DingTalk's hour (docs/security.md says why)."""
    return rt.settings.security.replay_window_seconds * 1000


async def _once(rt: Runtime, request: web.Request, scheme: str, signature: str, timestamp: str) -> None:
    """Refuse a signature already used for too many other bodies (replicas share the memory), then mark it."""
    await replay.admit(rt.inbox, scheme, signature, int(timestamp), await read_body(request), rt.clock.now(),
                       rt.settings.security.replay_window_seconds)
    mark_authenticated(request)


async def robot(request: web.Request) -> web.Response:
    """A robot message in HTTP mode: check sign (fresh, first use), store, answer with no immediate message."""
    rt = runtime(request)
    await read_body(request)
    ts, sign = request.headers.get("timestamp", ""), request.headers.get("sign", "")
    crypto.verify_robot(rt.settings.dingtalk.client_secret, ts, sign, now_ms(rt), window_ms(rt))
    await _once(rt, request, "dingtalk.robot", sign, ts)
    await rt.dispatcher.ingest(adapter.robot_event(await read_json(request), rt.settings.org.bot_name))
    return web.json_response({"msgtype": "empty"})


def last_card_update(payloads: list[dict]) -> list[int]:
    """A card callback can carry one card update: the newest one; other replies go by the sender."""
    updates = [i for i, p in enumerate(payloads) if p.get("kind") == "card_update"]
    return updates[-1:]


async def answer_card(rt: Runtime, event: Event) -> dict[str, Any]:
    """Ingest a click and return the card-update answer if the handler is done in time, else {}."""
    _, payloads = await rt.dispatcher.ingest_and_wait(event, INLINE_WAIT, last_card_update)
    return template_cards.inline_answer(payloads[0]) if payloads else {}


async def card(request: web.Request) -> web.Response:
    """An interactive-card click with callbackType HTTP: check x-ddpaas-signature, answer within 2 s."""
    rt = runtime(request)
    await read_body(request)
    secret = rt.settings.dingtalk.card_callback_secret
    if not secret:
        raise Forbidden("card callbacks are refused until [dingtalk] card_callback_secret is set")
    ts, sign = request.headers.get("x-ddpaas-signature-timestamp", ""), request.headers.get("x-ddpaas-signature", "")
    crypto.verify_card(secret, ts, sign, now_ms(rt), window_ms(rt))
    await _once(rt, request, "dingtalk.card", sign, ts)
    data = await read_json(request)
    dedupe = f"{text(data, 'outTrackId', adapter.CARD)}:{text(data, 'userId', adapter.CARD)}:{ts}"
    event = adapter.card_event(data, dedupe)
    return web.json_response(await answer_card(rt, event))


def _event_crypto(rt: Runtime) -> crypto.EventCrypto:
    cfg = rt.settings.dingtalk
    if not (cfg.event_token and cfg.event_aes_key):
        raise Forbidden("event subscription is not configured; set [dingtalk] event_token and event_aes_key")
    return crypto.EventCrypto(cfg.event_token, cfg.event_aes_key, cfg.client_id)


async def events(request: web.Request) -> web.Response:
    """The encrypted event subscription (approvals, check_url); answers the encrypted "success"."""
    rt = runtime(request)
    body = await read_json(request)
    q = request.query
    ts, nonce = q.get("timestamp") or q.get("timeStamp") or "", q.get("nonce", "")
    encrypt = body.get("encrypt")
    if not isinstance(encrypt, str) or not encrypt:
        raise BadRequest("event body has no encrypt", {"encrypt": "required"})
    box = _event_crypto(rt)
    box.verify(q.get("msg_signature") or q.get("signature") or "", ts, nonce, encrypt)
    crypto.check_fresh(ts, now_ms(rt), "event")
    mark_authenticated(request)
    plain = json_object(box.decrypt(encrypt), "decrypted DingTalk event")
    kind = text(plain, "EventType", "decrypted DingTalk event")
    if not kind:
        raise BadRequest("decrypted event has no EventType", {"EventType": "required"})
    if kind != "check_url":
        event_id = text(plain, "eventId", "decrypted DingTalk event") or \
            adapter.body_digest(json.dumps(plain, sort_keys=True).encode())
        await rt.dispatcher.ingest(adapter.subscription_event(kind, plain, event_id))
        await approval_results.queue_result(rt, kind, plain)  # after the store: a failure here gets a retry
    return web.json_response(box.reply(b"success", str(now_ms(rt)), secrets.token_hex(4)))


def setup(app: web.Application) -> None:
    """Add the DingTalk HTTP-mode routes."""
    app.router.add_post("/dingtalk/robot", robot)
    app.router.add_post("/dingtalk/card", card)
    app.router.add_post("/dingtalk/events", events)
