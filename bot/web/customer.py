"""The customer page `GET /dash/customer/{id}`: what an approver needs before deciding a quote.

Approval forms (DingTalk OA) link here so the approver sees the customer's file — owner, grade,
contacts (mobiles masked), open deals with their stage and days in it, and one timeline of orders,
interactions, leads, deals and pool moves (the newest 30).
The link is signed like every dashboard link (bot/web/dash.py); bot/core/links.py builds it.
"""

from __future__ import annotations

from aiohttp import web

from bot.platforms.http import runtime
from bot.web import customer_timeline
from bot.web.access import check_member, open_page, require_manager
from bot.web.pages import Refusal, refusal_page, render, stamp
from cards.views import grade_card
from flows.grading_view import grade_view
from sales.names import mask_mobile
from sales.stages import pipeline_from_config
from storage.repos import customer_page

KINDS = {"opportunity": "新建商机", "followup": "跟进", "im_contact_added": "加了企业微信",
         "im_contact_edited": "改了联系人备注", "im_contact_deleted": "删了联系人", "im_contact_lost": "客户删了好友",
         "im_contact_transfer_fail": "联系人转交失败", "im_group_joined": "进群", "im_group_left": "退群"}


def setup(app: web.Application) -> None:
    """Register the customer page."""
    app.router.add_get("/dash/customer/{customer_id:\\d+}", customer_view)


async def customer_view(request: web.Request) -> web.Response:
    """Render one customer's file for a signed link, a logged-in member who may see it, or the admin token."""
    rt = runtime(request)
    now = rt.clock.now()
    try:
        async with rt.db.sessions() as s:
            access = await open_page(request, s, rt.settings, now)
            page = await customer_page.load(s, int(request.match_info["customer_id"]))
            if page is None:
                raise Refusal(404, "找不到这个客户", "这个客户可能已合并或删除。", "在聊天里发“客户 名称”查一下。")
            if access.viewer is not None and not access.is_admin:
                await _check_owner(s, access, page.customer.owner_id)
            graded = await grade_view(s, rt.settings.grading, page.customer.id, rt.settings.tz, now)
    except Refusal as exc:
        return refusal_page(exc)
    tz, pipe = rt.settings.tz, pipeline_from_config(rt.settings.opportunities.stages)
    opps = []
    for o, who in page.open_opps:
        days = (now - o.stage_entered_at).days if o.stage_entered_at else 0
        late = bool(pipe.find(o.stage)) and days > pipe.stage(o.stage).benchmark_days
        opps.append((o.id, pipe.stage_name(o.stage), days, who, late))
    contacts = [(c.name or "—", c.title, mask_mobile(c.mobile) if c.mobile else "") for c in page.contacts]
    recent = customer_timeline.rows(page, pipe, tz, KINDS)
    owner = page.owner.name if page.owner else "未分配"
    alarm = f"{sum(o[4] for o in opps)} 个商机停留超过标准天数。" if any(o[4] for o in opps) else ""
    grading = grade_card(graded[1]).sections if graded else []
    return render("customer.html", title=f"{page.customer.name} · 客户档案", customer=page.customer, owner=owner,
                  contacts=contacts, opps=opps, recent=recent, alarm=alarm, updated=stamp(now, tz), grading=grading)


async def _check_owner(session, access, owner_id: int | None) -> None:
    """Reps see their own customers, managers their team's; a customer in the pool only managers."""
    if owner_id is None:
        require_manager(access)
    else:
        await check_member(session, access, owner_id)
