"""The playground: try the bot as any demo member in a WeCom/DingTalk/Feishu skin, no credentials."""

from __future__ import annotations

from datetime import timedelta

from aiohttp import web

from bot.core.errors import BadRequest, UserError
from bot.core.payloads import whole_number
from bot.platforms.http import read_json, runtime
from bot.web.pages import ENV
from scheduler import jobs  # noqa: F401  (registers every job)
from scheduler.core import run_job
from scheduler.registry import names
from storage.repos import card_views, deal_rooms, inbox, lead_admin, members, outbox

SKINS = [("wecom", "企业微信"), ("dingtalk", "钉钉"), ("feishu", "飞书")]


def setup(app: web.Application) -> None:
    """Add the page and its console's JSON API (its messages and clicks are the playground platform's routes)."""
    r = app.router
    r.add_get("/playground", page)
    r.add_get("/", home)
    r.add_get("/playground/api/state", state)
    r.add_get("/playground/api/timeline", timeline)
    r.add_get("/playground/api/outbox", outbox_view)
    r.add_get("/playground/api/admin", admin_view)
    r.add_post("/playground/api/clock", clock)
    r.add_post("/playground/api/jobs/{name}", fire_job)


async def home(request: web.Request) -> web.Response:
    """Send visitors of / to the playground."""
    raise web.HTTPFound("/playground")


async def page(request: web.Request) -> web.Response:
    """Serve the single-page playground."""
    html = ENV.get_template("playground.html").render(bot_name=runtime(request).settings.org.bot_name, skins=SKINS)
    return web.Response(text=html, content_type="text/html", charset="utf-8")


async def state(request: web.Request) -> web.Response:
    """People, groups, jobs and the simulated time."""
    rt = runtime(request)
    async with rt.db.sessions() as s:
        people, teams = await members.all_members(s), await members.all_teams(s)
        rooms = await deal_rooms.playground_rooms(s)
    team_names = {t.id: t.name for t in teams}
    return web.json_response({
        "bot_name": rt.settings.org.bot_name, "now": rt.clock.now().isoformat(), "jobs": names(),
        "timezone": rt.settings.org.timezone,
        "members": [{"id": m.id, "name": m.name, "role": m.role, "team": team_names.get(m.team_id or 0, "")}
                    for m in people],
        "groups": [{"id": f"group:{t.id}", "name": f"{t.name} 销售群"} for t in teams]
        + [{"id": chat, "name": f"商机群·{name}"} for chat, name in rooms]})


def _cursor(raw: str) -> tuple[int, int]:
    try:
        a, b = (raw or "0:0").split(":")
        return whole_number(a, "after"), whole_number(b, "after")
    except (ValueError, BadRequest):
        raise BadRequest("after must look like '<inbox id>:<outbox id>'", {"after": raw}) from None


async def timeline(request: web.Request) -> web.Response:
    """Messages of one chat after a cursor: user lines from the inbox, bot cards from the outbox."""
    rt = runtime(request)
    chat_id = request.query.get("chat_id", "")
    if not chat_id:
        raise BadRequest("chat_id is required", {"chat_id": "missing"})
    after_in, after_out = _cursor(request.query.get("after", ""))
    ins = await inbox.recent(rt.db, "playground", chat_id, after_in, limit=500)
    outs = await outbox.recent(rt.db, "playground", after_out, limit=200, target=chat_id, status="sent")
    names = await _names(rt)
    items = [_user_item(r, names) for r in ins if r.kind in ("message", "platform")]
    draw = rt.renderers.playground.draw
    drawings = [(r, *draw(r.payload, request.query.get("skin", ""))) for r in outs]
    views = {d: c for _row, _html, v in drawings for d, c in v.items()}
    if views:  # bot cards are drawn when read: the full-view links of these drawings must open
        async with rt.db.session() as s:
            await card_views.save(s, views, rt.clock.now())
    items += [_bot_item(r, html) for r, html, _views in drawings]
    items.sort(key=lambda i: i["at"])
    cursor = f"{max([r.id for r in ins], default=after_in)}:{max([r.id for r in outs], default=after_out)}"
    return web.json_response({"items": items, "cursor": cursor})


async def _names(rt) -> dict[str, str]:
    async with rt.db.sessions() as s:
        return {str(m.id): m.name for m in await members.all_members(s)}


def _user_item(row, names: dict[str, str]) -> dict:
    ev = row.event
    return {"id": f"in:{row.id}", "from": "user", "member": names.get(ev.get("actor") or "", "?"),
            "text": (ev.get("raw") or {}).get("text", ev.get("text", "")), "html": "",
            "at": row.received_at.isoformat(), "replaces": None}


def _bot_item(row, html: str) -> dict:
    """A bot row as the timeline shows it, its card drawn by the playground's renderer."""
    p = row.payload
    return {"id": f"out:{row.id}", "from": "bot", "member": "", "text": p.get("text", ""), "html": html,
            "at": row.created_at.isoformat(), "replaces": p.get("replaces")}


async def outbox_view(request: web.Request) -> web.Response:
    """The live view of the outbox, newest first."""
    rt = runtime(request)
    after = whole_number(request.query.get("after", "0") or "0", "after")
    rows = await outbox.recent(rt.db, None, after, limit=50)
    iso = lambda v: v.isoformat() if v else None  # noqa: E731
    items = [{"id": r.id, "key": r.idempotency_key, "platform": r.platform, "target": r.target,
              "status": r.status, "attempts": r.attempts, "last_error": r.last_error,
              "created_at": iso(r.created_at), "sent_at": iso(r.sent_at)} for r in reversed(rows)]
    return web.json_response({"items": items})


async def admin_view(request: web.Request) -> web.Response:
    """The admin view: lead numbers (last 30 days), open intake rejects and dead-lettered outbox messages."""
    rt = runtime(request)
    numbers = await lead_admin.numbers(rt.db, rt.clock.now())
    async with rt.db.sessions() as s:
        rejects = await lead_admin.open_reject_count(s)
    dead = (await outbox.counts(rt.db)).get("dead", 0)
    return web.json_response({**numbers, "intake_rejects_open": rejects, "outbox_dead": dead})


async def clock(request: web.Request) -> web.Response:
    """Move the simulated clock forward (the playground's time travel)."""
    rt = runtime(request)
    data = await read_json(request)
    minutes = data.get("advance_minutes")
    if not isinstance(minutes, int) or not 0 < minutes <= 60 * 24 * 30:
        raise BadRequest("advance_minutes must be 1..43200", {"advance_minutes": str(minutes)})
    if not hasattr(rt.clock, "advance"):
        raise BadRequest("this clock cannot move")
    rt.clock.advance(timedelta(minutes=minutes))
    rt.sender_wake()
    return web.json_response({"now": rt.clock.now().isoformat()})


async def fire_job(request: web.Request) -> web.Response:
    """Fire a scheduled job now, with the same exactly-once rule as the scheduler."""
    rt = runtime(request)
    try:
        result = await run_job(rt, request.match_info["name"])
    except UserError as exc:
        raise BadRequest(exc.user_message) from exc
    rt.sender_wake()
    return web.json_response({"ran": result.ran, "fire_key": result.fire_key, "status": result.status,
                              "summary": result.summary or result.error or ""})
