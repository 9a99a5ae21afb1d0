"""The middleware every request passes: acks first, size and time limits, refusals as 4xx, never a 500.

- While a POST (a platform callback, a form, a click) is answered, the inbox workers, the sender and the task
  worker start nothing new (bot/ackgate.py): on one event loop an ack would otherwise wait behind their steps.

- Bodies over `[server] max_body_bytes` → 413; a body not received within `[security] body_timeout`
  seconds of the headers → 408 and the connection is closed (slowloris on the body).
- Request headers must arrive within `[security] header_timeout` (aiohttp's keep-alive timer, set in
  `handler_args`, which runs from the moment a connection opens and after each response).
- BadRequest and its subclasses → their status with the reason as JSON (and `fields`).
- Anything unexpected → 503 with Retry-After (the platform retries; the inbox dedupes), the body
  archived and `salesbot_unexpected_errors_total` counted: no 500, no stack trace to the caller.
"""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from bot.core.errors import BadRequest
from bot.platforms.http import RUNTIME, read_body
from bot.platforms.refusals import refuse

log = logging.getLogger("salesbot.web")
RETRY_AFTER = "30"  # seconds; every platform retries a 503 on its own ladder anyway
BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")
MAX_ID_DIGITS = 18  # a path id (`{customer_id:\\d+}`) longer than this cannot be a row


class RequestTimeout(BadRequest):
    """The client did not send its body in time."""

    status = 408


def handler_args(header_timeout: float) -> dict:
    """aiohttp server settings: drop connections that do not finish their headers in time."""
    return {"keepalive_timeout": header_timeout, "lingering_time": 2.0}


async def _read_in_time(request: web.Request, timeout: float) -> None:
    if request.method not in BODY_METHODS or not request.body_exists:
        return
    if request.content.is_eof():  # the whole body has arrived with the headers: reading cannot wait
        await read_body(request)
        return
    try:
        async with asyncio.timeout(timeout):
            await read_body(request)
    except TimeoutError:
        raise RequestTimeout(f"the body did not arrive within {timeout:g} s of the headers; send it at once") from None


def _answer(exc: BadRequest) -> web.Response:
    resp = web.json_response({"error": exc.reason, "fields": exc.fields}, status=exc.status)
    if exc.status == 408:
        resp.force_close()
    return resp


@web.middleware
async def error_middleware(request: web.Request, handler):
    """Turn refusals into 4xx JSON with the reason, archive the body, and never leak a trace."""
    rt = request.app[RUNTIME]
    if request.method != "POST":
        return await _guarded(request, handler, rt)
    with rt.acks.acking():  # acks first: see bot/ackgate.py
        return await _guarded(request, handler, rt)


async def _guarded(request: web.Request, handler, rt):
    limit = rt.settings.server.max_body_bytes
    try:
        if request.content_length and request.content_length > limit:
            raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=request.content_length)
        await _read_in_time(request, rt.settings.security.body_timeout)
        if request.match_info and any(v.isdigit() and len(v) > MAX_ID_DIGITS for v in request.match_info.values()):
            raise web.HTTPNotFound(text="no such record: ids have at most 18 digits")  # BIGINT; int() would overflow
        return await handler(request)
    except BadRequest as exc:
        await refuse(request, exc.status, exc.reason)
        return _answer(exc)
    except web.HTTPRequestEntityTooLarge:
        reason = f"body over the {limit}-byte limit"
        await refuse(request, 413, reason)
        return web.json_response({"error": reason}, status=413)
    except web.HTTPException:
        raise
    except Exception as exc:  # the one place that turns the unexpected into a declared answer
        return await _unexpected(request, exc)


async def _unexpected(request: web.Request, exc: Exception) -> web.Response:
    rt = request.app[RUNTIME]
    log.error("unexpected error in route", exc_info=exc, extra={"path": request.path})
    resource = request.match_info.route.resource
    route = resource.canonical if resource is not None else "unmatched"  # the template: labels stay few
    rt.metrics.inc("salesbot_unexpected_errors_total", "Requests answered 503 after an unexpected error", route=route)
    await refuse(request, 503, f"unexpected {type(exc).__name__}: {str(exc)[:300]}")
    return web.json_response({"error": "temporarily unavailable; the request was kept, retry later"},
                             status=503, headers={"Retry-After": RETRY_AFTER})
