"""`POST /dash/me/do`: act from the member's own page (workbench entries open it): finish or snooze a must-do
item, advance a deal or attach evidence to it.

Each button on the page is a signed link naming the member, the item and what to do, so the page can
only act for the person it was made for; a tampered or expired one gets a friendly 403/410 page.
The action runs through the same handler as the card's 完成 / 明天再做 buttons (as the member's own identity),
then the page is shown again with the item gone.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from aiohttp import web

from bot.config import Settings
from bot.core.actions import AdvanceStage, AskEvidence, MustDoDone, MustDoSnooze
from bot.core.checks import as_id
from bot.core.events import Event
from bot.core.links import LINK_TTL, me_link
from bot.core.packing import Action
from bot.core.signing import signed_url
from bot.platforms.http import runtime
from bot.web.access import signed_link
from bot.web.pages import Refusal, message, refusal_page

ACTIONS = {"done": MustDoDone, "snooze": MustDoSnooze}
DEAL_ACTIONS = {"advance": AdvanceStage, "evidence": AskEvidence}  # on the page's 我的商机 (the workbench H5 app)
WAIT_SECONDS = 3.0  # the handler usually answers in milliseconds; the page is redrawn after it


def setup(app: web.Application) -> None:
    """Register the page's action route."""
    app.router.add_post("/dash/me/do", do)


def action_url(settings: Settings, member_id: int, key: str, what: str, now: datetime) -> str:
    """The signed URL a page button posts to (`key`: a must-do item's key, or a deal's id for DEAL_ACTIONS)."""
    return signed_url(settings, "/dash/me/do", {"member": str(member_id), "key": key, "do": what}, now, LINK_TTL)


def _action(what: str, key: str, text: str) -> Action | None:
    if what in ACTIONS:
        return ACTIONS[what](key=key)
    if what in DEAL_ACTIONS and as_id(key) is not None and (what != "evidence" or text):
        return DEAL_ACTIONS[what](opportunity_id=int(key))
    return None


async def do(request: web.Request) -> web.StreamResponse:
    """Do the signed action as the member, wait for it, then show the page again."""
    rt = runtime(request)
    now = rt.clock.now()
    try:
        params = signed_link(request, rt.settings, now)
    except Refusal as exc:
        return refusal_page(exc)
    member_id, key, what = params.get("member", ""), params.get("key", ""), params.get("do", "")
    text = str((await request.post()).get("text", "")).strip()[:500]  # the evidence box
    action = _action(what, key, text) if as_id(member_id) is not None and key else None
    if action is None:
        return message("没有做成", "这个按钮不完整：补凭证要先写上内容；或从工作台重新打开页面再点。", 400)
    # every member has the ("playground", <id>) identity: the page acts as that person on no chat at all
    seed = f"{member_id}|{key}|{what}|{text}|{request.query.get('sig', '')}"
    dedupe = "me:" + hashlib.sha256(seed.encode()).hexdigest()
    event = Event("playground", "card_action", dedupe[:60], member_id, None, text=text, action=action,
                  raw={"via": "member_page"})
    await rt.dispatcher.ingest_and_wait(event, WAIT_SECONDS)
    page = me_link(rt.settings, int(member_id), now)
    raise web.HTTPSeeOther("/" + page.split("://", 1)[-1].partition("/")[2])  # same host the person is on
