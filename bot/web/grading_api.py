"""`GET /api/v1/grade_proposals[?status=]` and `GET /api/v1/customers[?grade=]` (bearer admin token, paged)."""

from __future__ import annotations

from aiohttp import web

from bot.core.errors import BadRequest
from bot.core.vocab import Grade
from bot.platforms.http import runtime
from bot.web.api import MAX_LIMIT, _authorize, _int_param
from storage.repos import grading_api as repo

STATUSES = ("pending", "approved", "rejected")


def setup(app: web.Application) -> None:
    """Add the grading listings to the read API."""
    app.router.add_get("/api/v1/grade_proposals", proposals)
    app.router.add_get("/api/v1/customers", customers)


def _page(request: web.Request, items: list[dict], limit: int, extra: dict[str, str]) -> web.Response:
    nxt = None
    if len(items) == limit:
        nxt = str(request.url.with_query({**extra, "after": items[-1]["id"], "limit": limit}).relative())
    return web.json_response({"items": items, "next": nxt})


async def proposals(request: web.Request) -> web.Response:
    """One page of proposals, optionally of one status."""
    _authorize(request)
    status = request.query.get("status")
    if status is not None and status not in STATUSES:
        raise BadRequest(f"status must be one of {', '.join(STATUSES)}", {"status": status})
    after, limit = _int_param(request, "after", 0, 0, 2**62), _int_param(request, "limit", 50, 1, MAX_LIMIT)
    items = await repo.grade_proposals(runtime(request).db, after, limit, status)
    return _page(request, items, limit, {"status": status} if status else {})


async def customers(request: web.Request) -> web.Response:
    """One page of customers, optionally of one grade (`?grade=战略伙伴`, or `?grade=none` for the ungraded)."""
    _authorize(request)
    grade = request.query.get("grade")
    if grade is not None and grade not in [*(g.value for g in Grade), "", "none"]:
        raise BadRequest(f"grade must be one of {', '.join(g.value for g in Grade)} or none", {"grade": grade})
    after, limit = _int_param(request, "after", 0, 0, 2**62), _int_param(request, "limit", 50, 1, MAX_LIMIT)
    items = await repo.customers(runtime(request).db, after, limit, grade)
    return _page(request, items, limit, {"grade": grade} if grade is not None else {})
