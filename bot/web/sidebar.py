"""The WeCom chat-toolbar sidebar (聊天工具栏): the customer's deal inside a customer group or 1:1 customer chat.

GET /wecom/sidebar logs the person in with OAuth2 (code → userid → member) and serves the page; the page
signs wx.config / wx.agentConfig with GET /wecom/sidebar/config, asks WeCom which customer chat it is in
(getCurExternalChat, else getCurExternalContact), reads that customer's deal card from
GET /wecom/sidebar/deal and acts with POST /wecom/sidebar/act — create, advance, evidence and attack are
one tap away. Results arrive in the person's app chat, like any card click. Everything after login carries
`t`, a member-bound token signed with server.secret_key (8 hours).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import cast

from aiohttp import web

from bot.core.actions import AdvanceStage, AskEvidence, CreateDeal, ShowScripts, StartAttack
from bot.core.checks import as_id, same_secret
from bot.core.errors import BadRequest, BadSignature, DeliveryError
from bot.core.events import ChatRef, Event
from bot.core.packing import unpack
from bot.core.signing import sign
from bot.platforms.http import RUNTIME, read_json, runtime
from bot.platforms.wecom.extras import jssdk
from bot.platforms.wecom.extras.client import WecomClient
from bot.web.pages import Refusal, refusal_page, render
from cards.render import render_html
from cards.views import opportunity_card
from handlers.attack_common import playbook_in
from handlers.opp_view import view_of
from storage.repos import members
from storage.repos import opportunities as opp_repo
from storage.repos import sidebar as lookup

TICKETS = web.AppKey("wecom_js_tickets", jssdk.JsTickets)
SESSION_SECONDS = 8 * 3600
ALLOWED = (AdvanceStage, AskEvidence, CreateDeal, ShowScripts, StartAttack)
_SPENT = Refusal(403, "登录已失效", "企业微信的登录码无效或已经用过。", "关掉侧边栏再打开一次。")
_UNKNOWN = Refusal(403, "还没有关联成员", "这个企业微信账号还没有关联到销售成员。",
                   "请管理员运行 salesbot sync members --platform wecom 后再打开。")


def _wecom(apis: Mapping[str, object]) -> WecomClient:
    """The WeCom client (the sidebar is mounted only when WeCom is enabled, so it is there)."""
    return cast(WecomClient, apis["wecom"])


def setup(app: web.Application) -> None:
    """Mount the sidebar (WeCom enabled)."""
    app[TICKETS] = jssdk.JsTickets(_wecom(app[RUNTIME].apis))
    app.router.add_get("/wecom/sidebar", page)
    app.router.add_get("/wecom/sidebar/config", config)
    app.router.add_get("/wecom/sidebar/deal", deal)
    app.router.add_post("/wecom/sidebar/act", act)


def session_token(secret: str, member_id: int, userid: str, now: float) -> str:
    """A member-bound token for the sidebar's calls."""
    exp = str(int(now) + SESSION_SECONDS)
    mac = sign(secret, "/wecom/sidebar", {"m": str(member_id), "u": userid, "exp": exp})
    return f"{member_id}.{userid}.{exp}.{mac}"


def read_session(secret: str, token: str, now: float) -> tuple[int, str]:
    """Return (member id, userid) of a valid token; raise BadSignature otherwise."""
    try:
        member_id, userid, exp, mac = token.split(".")
        expected = sign(secret, "/wecom/sidebar", {"m": member_id, "u": userid, "exp": exp})
        ok = same_secret(mac, expected) and now <= (as_id(exp) or 0)
    except ValueError:
        ok = False
    if not ok:
        raise BadSignature("侧边栏登录已失效：关掉侧边栏再打开一次")
    return int(member_id), userid


async def page(request: web.Request) -> web.StreamResponse:
    """Log in with OAuth2 (redirect without a code), then serve the sidebar page."""
    rt = runtime(request)
    code = request.query.get("code", "")
    if not code:
        back = f"{rt.settings.server.public_url.rstrip('/')}/wecom/sidebar"
        raise web.HTTPFound(jssdk.authorize_url(rt.settings.wecom.corp_id, rt.settings.wecom.agent_id, back, "sb"))
    try:
        userid = await jssdk.user_by_code(_wecom(rt.apis), code)
    except DeliveryError:  # a spent or forged code: WeCom says 40029
        return refusal_page(_SPENT)
    async with rt.db.sessions() as s:
        member = await members.by_identity(s, "wecom", userid) if userid else None
    if member is None:
        return refusal_page(_UNKNOWN)
    token = session_token(rt.settings.server.secret_key, member.id, userid, rt.clock.now().timestamp())
    return render("sidebar.html", title="客户商机", token=token, name=member.name)


async def config(request: web.Request) -> web.Response:
    """wx.config and wx.agentConfig values for the page URL (tickets cached and refreshed)."""
    rt = runtime(request)
    read_session(rt.settings.server.secret_key, request.query.get("t", ""), rt.clock.now().timestamp())
    url = request.query.get("url", "")
    if not url.startswith(("http://", "https://")):
        raise BadRequest("url must be the page's full URL (without #…)", {"url": "missing"})
    return web.json_response(await request.app[TICKETS].config(url, int(rt.clock.now().timestamp())))


async def deal(request: web.Request) -> web.Response:
    """The customer of this chat, its deal card and the actions one tap away."""
    rt = runtime(request)
    member_id, _ = read_session(rt.settings.server.secret_key, request.query.get("t", ""), rt.clock.now().timestamp())
    chat, contact = request.query.get("chat", ""), request.query.get("contact", "")
    externals = [contact] if contact else await jssdk.group_externals(_wecom(rt.apis), chat) if chat else []
    async with rt.db.sessions() as s:
        customer = await lookup.customer_of_externals(s, externals)
        if customer is None:
            return web.json_response({"customer": None, "text": "还没认出这个客户：先在聊天里把客户加为联系人，"
                                                                  "或在群里发“新建商机 客户名”。"})
        ctx = await rt.context(s)
        ctx.member = await members.get(s, member_id)
        opp = await opp_repo.open_for_customer(s, customer.id)
        if opp is None:
            return web.json_response({"customer": customer.name, "html": "",
                                      "actions": [{"label": f"为{customer.name}新建商机",
                                                   "value": CreateDeal(customer_id=customer.id).pack()}]})
        card = opportunity_card(await view_of(ctx, opp))
        book = await playbook_in(s)
    actions = [{"label": b.label, "value": b.action.pack()} for b in card.buttons if isinstance(b.action, ALLOWED)]
    actions += [{"label": f"攻坚：{sc.name}", "value": StartAttack(opportunity_id=opp.id, scenario=sc.key).pack()}
                for sc in book.scenarios[:4]]
    return web.json_response({"customer": customer.name, "html": render_html(card, "wecom"), "actions": actions})


async def act(request: web.Request) -> web.Response:
    """Do one action as the signed-in member; the answer goes to their app chat (a double tap acts once)."""
    rt = runtime(request)
    body = await read_json(request)
    member_id, userid = read_session(rt.settings.server.secret_key, str(body.get("t", "")),
                                     rt.clock.now().timestamp())
    action = unpack(str(body.get("value", "")))
    if not isinstance(action, ALLOWED):
        raise BadRequest("this action cannot be done from the sidebar", {"value": "not allowed"})
    tap = str(body.get("tap", ""))[:40] or "0"
    key = "sidebar:" + hashlib.sha256(json.dumps([userid, action.pack(), tap]).encode()).hexdigest()[:40]
    chat = ChatRef("wecom", f"dm:{userid}", False, {"sender": userid, "via": "sidebar"})
    stored = await rt.dispatcher.ingest(Event("wecom", "card_action", key, userid, chat, action=action,
                                              raw={"via": "sidebar"}))
    rt.sender_wake()
    return web.json_response({"done": True, "repeat": not stored.new, "member": member_id})
