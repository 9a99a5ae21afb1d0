"""The read API: /api/v1/{members,leads,opportunities,tasks}, intake_rejects and lead_numbers; bearer admin token."""

from __future__ import annotations

from aiohttp import web

from bot.core.checks import same_secret
from bot.core.errors import BadSignature
from bot.core.payloads import whole_number
from bot.platforms.http import runtime
from storage.repos import lead_admin
from storage.repos.readapi import LISTINGS

MAX_LIMIT = 200


def setup(app: web.Application) -> None:
    """Add the read API routes."""
    for name in LISTINGS:
        app.router.add_get(f"/api/v1/{name}", listing)
    app.router.add_get("/api/v1/intake_rejects", intake_rejects)
    app.router.add_get("/api/v1/lead_numbers", lead_numbers)


def _authorize(request: web.Request) -> None:
    """Check the admin bearer token in constant time."""
    expected = runtime(request).settings.server.admin_token
    if not expected:
        raise BadSignature("the read API is off: set server.admin_token (SALESBOT__SERVER__ADMIN_TOKEN)")
    given = request.headers.get("Authorization", "")
    if not given.startswith("Bearer ") or not same_secret(given[7:], expected):
        raise BadSignature("missing or wrong bearer token: send 'Authorization: Bearer <admin_token>'")


def _int_param(request: web.Request, name: str, default: int, low: int, high: int) -> int:
    return whole_number(request.query.get(name, str(default)), name, low, high)


async def listing(request: web.Request) -> web.Response:
    """Return one page: {"items": [...], "next": url or null}."""
    _authorize(request)
    name = request.path.rsplit("/", 1)[-1]
    after = _int_param(request, "after", 0, 0, 2**62)
    limit = _int_param(request, "limit", 50, 1, MAX_LIMIT)
    items = await LISTINGS[name](runtime(request).db, after, limit)
    nxt = None
    if len(items) == limit:
        nxt = str(request.url.with_query({"after": items[-1]["id"], "limit": limit}).relative())
    return web.json_response({"items": items, "next": nxt})


async def intake_rejects(request: web.Request) -> web.Response:
    """Refused intake payloads with field-level reasons, {"items", "next"} like the other listings."""
    _authorize(request)
    after = _int_param(request, "after", 0, 0, 2**62)
    limit = _int_param(request, "limit", 50, 1, MAX_LIMIT)
    items = await lead_admin.reject_listing(runtime(request).db, after, limit)
    nxt = str(request.url.with_query({"after": items[-1]["id"], "limit": limit}).relative()) \
        if len(items) == limit else None
    return web.json_response({"items": items, "next": nxt})


async def lead_numbers(request: web.Request) -> web.Response:
    """Auto-distribution rate, median time to first response, breaches per team (last 30 days)."""
    _authorize(request)
    rt = runtime(request)
    return web.json_response(await lead_admin.numbers(rt.db, rt.clock.now()))
