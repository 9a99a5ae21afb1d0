"""A member's personal page `GET /dash/me` (the WeCom workbench's numbers open it) and evidence files
`GET /dash/evidence/{id}` (links on the evidence card). Both take signed links from bot/web/dash.py.

The personal page lists the member's must-do items, overdue ones and leads to follow up — the same
numbers as the workbench. The evidence route serves the stored copy of an image or file (images and
PDFs inline, anything else as a download, never sniffed), or says where the original still is.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, select_autoescape

from bot.errors import BadRequest
from bot.web.common import runtime
from bot.web.dash import verify
from bot.web.me_actions import action_url
from handlers.opp_common import view_of
from sales.pushtime import local_day
from sales.stages import pipeline_from_config
from storage import media_store
from storage.repos import media, members, workbench
from storage.repos import opportunities as opp_repo

INLINE = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".gif": "image/gif",
          ".webp": "image/webp", ".pdf": "application/pdf"}
LEAD_STATUS = {"assigned": "待接单", "accepted": "跟进中", "breached": "已超时"}
DEALS_SHOWN = 10
PLATFORMS = {"wecom": "企业微信", "dingtalk": "钉钉", "feishu": "飞书", "playground": "演练场"}
_PAGES = Environment(loader=FileSystemLoader(Path(__file__).with_name("templates")),
                     autoescape=select_autoescape(["html"]))


def setup(app: web.Application) -> None:
    """Register the personal page and the evidence route."""
    app.router.add_get("/dash/me", me_page)
    app.router.add_get("/dash/evidence/{evidence_id:\\d+}", evidence_page)


def _html(template: str, http_status: int = 200, **values) -> web.Response:
    text = _PAGES.get_template(template).render(**values)
    return web.Response(text=text, status=http_status, content_type="text/html", charset="utf-8")


async def me_page(request: web.Request) -> web.Response:
    """Render the member's must-do items, overdue items and leads to follow up."""
    rt = runtime(request)
    now = rt.clock.now()
    member_id = verify(request, rt.settings, now).get("member", "")
    if not member_id.isdigit():
        raise BadRequest("the link names no member; open it from the WeCom workbench", {"member": member_id})
    tz = rt.settings.tz
    async with rt.db.sessions() as s:
        member = await members.get(s, int(member_id))
        if member is None:
            return web.json_response({"error": "no such member; the link is older than the member list"}, status=404)
        items, leads, late = await workbench.page(s, now, local_day(now, tz),
                                                  pipeline_from_config(rt.settings.opportunities.stages), member.id)
        total = (await workbench.lead_counts(s, [member.id])).get(member.id, 0)
        deals = await _deals(rt, s, member)
    rows = [(x.subject, LEAD_STATUS.get(x.status, x.status),
             x.due_at.astimezone(tz).strftime("%m-%d %H:%M") if x.due_at else "—", x.answered) for x in leads]
    actions = [(action_url(rt.settings, member.id, it.key, "done", now),
                action_url(rt.settings, member.id, it.key, "snooze", now)) for it in items]
    deal_rows = [(v, action_url(rt.settings, member.id, str(v.id), "advance", now),
                  action_url(rt.settings, member.id, str(v.id), "evidence", now)) for v in deals]
    return _html("me.html", name=member.name, items=items, late=late, leads=rows, lead_total=total,
                 updated=now.astimezone(tz).strftime("%m-%d %H:%M"), actions=actions, deals=deal_rows)


async def _deals(rt, session, member) -> list:
    """The member's open deals as their cards see them (stage, what is missing, the next step)."""
    ctx = await rt.context(session)
    ctx.member = member
    return [await view_of(ctx, o) for o in await opp_repo.open_of_owner(session, member.id, DEALS_SHOWN)]


async def evidence_page(request: web.Request) -> web.StreamResponse:
    """Serve the stored file of an evidence item, or a page saying where it is and why."""
    rt = runtime(request)
    verify(request, rt.settings, rt.clock.now())
    async with rt.db.sessions() as s:
        found = await media.of_evidence(s, int(request.match_info["evidence_id"]))
    if found is None:
        return web.json_response({"error": "no such evidence; it may have been removed"}, status=404)
    evidence, row, who = found
    path = media_store.locate(rt.settings.storage.media_dir, row.path) if row and row.status == "stored" else None
    if path is not None:
        return _file(path, evidence.media_name)
    where = PLATFORMS.get(row.platform, row.platform) if row else ""
    status = "lost" if row and row.status == "stored" else (row.status if row else "text")
    return _html("evidence.html", 404 if status == "lost" else 200, evidence=evidence, who=who, status=status,
                 where=where, error=row.error if row else "", ref=row.ref if row else "")


def _file(path: Path, name: str) -> web.FileResponse:
    """The file, inline only for images and PDFs; every other type downloads and is never sniffed."""
    kind = INLINE.get(path.suffix)
    filename = (name or path.name).replace('"', "")
    disposition = "inline" if kind else f"attachment; filename*=UTF-8''{quote(filename, safe='')}"
    return web.FileResponse(path, headers={
        "Content-Type": kind or "application/octet-stream", "Content-Disposition": disposition,
        "X-Content-Type-Options": "nosniff", "Content-Security-Policy": "sandbox", "Cache-Control": "private"})
