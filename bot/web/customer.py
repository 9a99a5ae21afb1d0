"""The customer page `GET /dash/customer/{id}`: what an approver needs before deciding a quote.

Approval forms (DingTalk OA) link here so the approver sees the customer's file — owner, grade,
contacts (mobiles masked), open deals with their stage and days in it, and one timeline of orders,
interactions, leads, deals and pool moves (the newest 30).
The link is signed like every dashboard link (bot/web/dash.py); bot/web/links.py builds it.
"""

from __future__ import annotations

from pathlib import Path

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, select_autoescape

from bot.web import customer_timeline
from bot.web.common import runtime
from bot.web.dash import verify
from sales.names import mask_mobile
from sales.stages import pipeline_from_config
from storage.repos import customer_page

KINDS = {"opportunity": "新建商机", "followup": "跟进", "im_contact_added": "加了企业微信",
         "im_contact_edited": "改了联系人备注", "im_contact_deleted": "删了联系人", "im_contact_lost": "客户删了好友",
         "im_contact_transfer_fail": "联系人转交失败", "im_group_joined": "进群", "im_group_left": "退群"}
_PAGES = Environment(loader=FileSystemLoader(Path(__file__).with_name("templates")),
                     autoescape=select_autoescape(["html"]))


def setup(app: web.Application) -> None:
    """Register the customer page."""
    app.router.add_get("/dash/customer/{customer_id:\\d+}", customer_view)


async def customer_view(request: web.Request) -> web.Response:
    """Render one customer's file for a signed link (or the admin token)."""
    rt = runtime(request)
    now = rt.clock.now()
    verify(request, rt.settings, now)  # the signature covers the path, so the id cannot be edited
    async with rt.db.sessions() as s:
        page = await customer_page.load(s, int(request.match_info["customer_id"]))
    if page is None:
        return web.json_response({"error": "no such customer; it may have been merged or removed"}, status=404)
    tz, pipe = rt.settings.tz, pipeline_from_config(rt.settings.opportunities.stages)
    opps = [(o.id, pipe.stage_name(o.stage), (now - o.stage_entered_at).days if o.stage_entered_at else 0, who)
            for o, who in page.open_opps]
    contacts = [(c.name or "—", c.title, mask_mobile(c.mobile) if c.mobile else "") for c in page.contacts]
    recent = customer_timeline.rows(page, pipe, tz, KINDS)
    owner = page.owner.name if page.owner else "未分配"
    html = _PAGES.get_template("customer.html").render(customer=page.customer, owner=owner, contacts=contacts,
                                                       opps=opps, recent=recent,
                                                       updated=now.astimezone(tz).strftime("%m-%d %H:%M"))
    return web.Response(text=html, content_type="text/html", charset="utf-8", headers={"Cache-Control": "private"})
