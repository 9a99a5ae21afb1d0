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

from bot.core.checks import as_id
from bot.core.links import grading_board_link
from bot.platforms.http import runtime
from bot.web.access import check_member, open_page
from bot.web.me_actions import action_url
from bot.web.pages import Refusal, refusal_page, render, stamp
from handlers.opp_view import view_of
from sales.lead_life import status_label
from sales.pushtime import local_day
from sales.stages import pipeline_from_config
from storage import media_store
from storage.repos import media, members, workbench
from storage.repos import opportunities as opp_repo

INLINE = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".gif": "image/gif",
          ".webp": "image/webp", ".pdf": "application/pdf"}
DEALS_SHOWN = 10
PLATFORMS = {"wecom": "企业微信", "dingtalk": "钉钉", "feishu": "飞书", "playground": "演练场"}


def setup(app: web.Application) -> None:
    """Register the personal page and the evidence route."""
    app.router.add_get("/dash/me", me_page)
    app.router.add_get("/dash/evidence/{evidence_id:\\d+}", evidence_page)


async def me_page(request: web.Request) -> web.Response:
    """Render the member's must-do items, overdue items and leads to follow up (their own, or a team member's)."""
    rt = runtime(request)
    now = rt.clock.now()
    try:
        async with rt.db.sessions() as s:
            access = await open_page(request, s, rt.settings, now)
            member_id = access.params.get("member", "") or (str(access.viewer.id) if access.viewer else "")
            if as_id(member_id) is None:
                raise Refusal(403, "链接无效", "链接里没有指明是谁的页面。", "请从企业微信工作台或聊天卡片打开。")
            await check_member(s, access, int(member_id))
            member = await members.get(s, int(member_id))
            if member is None:
                raise Refusal(403, "找不到这个人", "这个链接比成员名单旧，对应的成员已不在。")
            items, leads, late = await workbench.page(s, now, local_day(now, rt.settings.tz),
                                                      pipeline_from_config(rt.settings.opportunities.stages), member.id)
            total = (await workbench.lead_counts(s, [member.id])).get(member.id, 0)
            deals = await _deals(rt, s, member)
    except Refusal as exc:
        return refusal_page(exc)
    tz = rt.settings.tz
    rows = [(x.subject, status_label(x.status),
             x.due_at.astimezone(tz).strftime("%m-%d %H:%M") if x.due_at else "—", x.answered) for x in leads]
    actions = [(action_url(rt.settings, member.id, it.key, "done", now),
                action_url(rt.settings, member.id, it.key, "snooze", now)) for it in items]
    deal_rows = [(v, action_url(rt.settings, member.id, str(v.id), "advance", now),
                  action_url(rt.settings, member.id, str(v.id), "evidence", now)) for v in deals]
    alarm = f"有 {len(late)} 件事已超时，先处理它们。" if late else ""
    board = (grading_board_link(rt.settings, member.id, member.team_id, now)
             if member.role in ("manager", "admin") and member.team_id and rt.settings.features.grading else "")
    return render("me.html", title=f"{member.name} 的作战指令", alarm=alarm, items=items, late=late, leads=rows,
                  lead_total=total, updated=stamp(now, tz), actions=actions, deals=deal_rows, board=board)


async def _deals(rt, session, member) -> list:
    """The member's open deals as their cards see them (stage, what is missing, the next step)."""
    ctx = await rt.context(session)
    ctx.member = member
    return [await view_of(ctx, o) for o in await opp_repo.open_of_owner(session, member.id, DEALS_SHOWN)]


async def evidence_page(request: web.Request) -> web.StreamResponse:
    """Serve the stored file of an evidence item, or a page saying where it is and why."""
    rt = runtime(request)
    try:
        async with rt.db.sessions() as s:
            await open_page(request, s, rt.settings, rt.clock.now())  # the signature covers the evidence id
            found = await media.of_evidence(s, int(request.match_info["evidence_id"]))
        if found is None:
            raise Refusal(404, "找不到这条凭证", "这条凭证可能已被删除。", "在商机卡片里重新打开凭证。")
    except Refusal as exc:
        return refusal_page(exc)
    evidence, row, who = found
    path = media_store.locate(rt.settings.storage.media_dir, row.path) if row and row.status == "stored" else None
    if path is not None:
        return _file(path, evidence.media_name)
    where = PLATFORMS.get(row.platform, row.platform) if row else ""
    status = "lost" if row and row.status == "stored" else (row.status if row else "text")
    return render("evidence.html", 404 if status == "lost" else 200, title=f"凭证 #{evidence.id}", evidence=evidence,
                  who=who, status=status, where=where, error=row.error if row else "", ref=row.ref if row else "",
                  alarm="原件找不到了，请重新发一次。" if status in ("lost", "failed") else "")


def _file(path: Path, name: str) -> web.FileResponse:
    """The file, inline only for images and PDFs; every other type downloads and is never sniffed."""
    kind = INLINE.get(path.suffix)
    filename = (name or path.name).replace('"', "")
    disposition = "inline" if kind else f"attachment; filename*=UTF-8''{quote(filename, safe='')}"
    return web.FileResponse(path, headers={
        "Content-Type": kind or "application/octet-stream", "Content-Disposition": disposition,
        "X-Content-Type-Options": "nosniff", "Content-Security-Policy": "sandbox", "Cache-Control": "private"})
