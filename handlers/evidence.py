"""Evidence from chat: `凭证 <链接或说明>`, and images or files sent to the bot (see bot/core/events.py)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, TypedDict

from bot.core.actions import AskEvidence
from bot.core.cards import Level, Section
from bot.core.context import Context
from bot.core.events import Event, Reply
from bot.core.links import evidence_link
from bot.core.routing import Router
from cards.views import evidence_prompt_card, notice_card, opportunity_card
from handlers.opp_common import check_may_change, find, not_found, pipeline, view_of
from storage.models import Evidence, Opportunity
from storage.repos import media as media_repo
from storage.repos import opportunities as repo

router = Router("evidence", feature="opportunities")
MEDIA = {"image": "图片", "file": "文件"}
EXTRA = "补充材料"
_URL = re.compile(r"https?://\S+")
USAGE = "凭证 <链接或说明>"


class _Stamp(TypedDict):
    """What every evidence row of one message shares."""

    opportunity_id: int
    stage: str
    kind: str
    member_id: int | None
    created_at: datetime


def parse_attachments(raw: dict[str, Any]) -> tuple[list[dict], list[str]]:
    """Read raw["attachments"]; return the valid ones and a problem per invalid one (never dropped silently)."""
    items = raw.get("attachments") or []
    if not isinstance(items, list):
        return [], ["附件格式不对（平台适配器应给出列表），请重发一次"]
    valid, problems = [], []
    for i, item in enumerate(items, start=1):
        kind = item.get("kind") if isinstance(item, dict) else None
        ref = item.get("platform_id") if isinstance(item, dict) else None
        if kind not in MEDIA or not isinstance(ref, str) or not ref or len(ref) > 256:
            problems.append(f"第{i}个附件不是图片或文件，没有收下；请换成图片、文件或链接再发")
            continue
        valid.append({"kind": kind, "platform_id": ref, "name": str(item.get("name") or "")[:200]})
    return valid, problems


def pick_kind(text: str, required: tuple[str, ...], missing: list[str]) -> tuple[str, str]:
    """Which required item this evidence is: named at the start of the text, else the first missing one."""
    for item in required:
        if text.startswith(item):
            return item, text[len(item):].strip(" ：:")
    return (missing[0] if missing else EXTRA), text


@router.command("凭证", "evidence", summary="给当前阶段补凭证（链接、说明、图片或文件）", usage=USAGE)
async def add_evidence(event: Event, ctx: Context) -> Reply:
    """Attach a link, note, image or file to the current stage of this chat's opportunity."""
    attachments, problems = parse_attachments(event.raw)
    if not event.text and not attachments:
        return _usage(problems)
    opp = await find(event, ctx)
    return await attach(event, ctx, opp, attachments, problems) if opp else not_found()


@router.on("platform", takes=lambda event: bool(event.raw.get("attachments")))
@router.on("attachment")
async def attachments_sent(event: Event, ctx: Context) -> None:
    """An image or file sent to the bot without words becomes evidence of the current stage."""
    attachments, problems = parse_attachments(event.raw)
    if not attachments and not problems:
        return None  # not an attachment: other platform events are someone else's
    if ctx.member is None:
        await ctx.reply(Reply(card=notice_card("还不认识你", "管理员还没把你的账号加进销售团队，附件没有记下。",
                                               Level.WARNING)))
        return None
    opp = await find(event, ctx)
    reply = await attach(event, ctx, opp, attachments, problems) if opp and attachments else None
    await ctx.reply(reply or (not_found() if opp is None else _usage(problems)))
    return None


async def attach(event: Event, ctx: Context, opp: Opportunity, attachments: list[dict],
                 problems: list[str]) -> Reply:
    """Store the evidence items (who, when, what) and answer with the updated card."""
    await check_may_change(ctx, opp)
    if opp.status != "open":
        return Reply(card=notice_card("这单已经结束了", "已结束的商机不再收凭证。", Level.WARNING))
    assert ctx.member is not None  # every caller has checked the member
    pipe = pipeline(ctx)
    have = [e.kind for e in await repo.evidence_of(ctx.session, opp.id, opp.stage)]
    kind, note = pick_kind(event.text, pipe.stage(opp.stage).evidence, pipe.missing_evidence(opp.stage, have))
    if not note and not attachments:
        return _usage(problems)
    refusal = _not_enough(pipe.stage(opp.stage), kind, note, attachments)
    if refusal is not None:
        return refusal
    common: _Stamp = {"opportunity_id": opp.id, "stage": opp.stage, "kind": kind, "member_id": ctx.member.id,
              "created_at": ctx.now()}
    links = []
    for a in attachments:
        row = await repo.add(ctx.session, Evidence(**common, content=note or f"{MEDIA[a['kind']]} {a['name']}".strip(),
                                                   media_kind=a["kind"], media_platform=event.platform,
                                                   media_ref=a["platform_id"], media_name=a["name"]))
        # the download runs later (scheduler/media.py), after this transaction has committed
        await media_repo.add_pending(ctx.session, row.id, event.platform, a["platform_id"], ctx.now())
        links.append(f"{a['name'] or MEDIA[a['kind']]}：{evidence_link(ctx.settings, row.id, ctx.now())}")
    if not attachments:
        media = "link" if _URL.search(note) else "note"
        await repo.add(ctx.session, Evidence(**common, content=note, media_kind=media))
    card = opportunity_card(await view_of(ctx, opp), f"已记下{kind}：")
    if problems:
        card.sections.insert(1, Section(title="没收下的附件", items=problems))
    if links:
        card.sections.insert(1, Section(title="附件原件（点开查看）", items=links))
    return Reply(card=card)


def _not_enough(stage, kind: str, note: str, attachments: list[dict]) -> Reply | None:
    """Refuse a piece that does not satisfy the item's rule (e.g. "凭证 好"), saying what is needed."""
    if kind == EXTRA:
        return None
    rule = stage.rule(kind)
    if any(rule.accepts(a["kind"], note) for a in attachments) or (not attachments and rule.accepts("note", note)):
        return None
    sent = f"你发的：{note}" if note else "你发的是图片或文件"
    return Reply(card=notice_card(f"这还不算“{kind}”", f"“{kind}”需要：{rule.describe()}。补齐后再发一次“凭证 …”。",
                                  Level.WARNING, items=[sent[:100]]))


def _usage(problems: list[str]) -> Reply:
    return Reply(card=notice_card("凭证写什么？", "这样说：凭证 会议纪要 https://…，或一句说明；也可以直接发图片或文件。",
                                  Level.WARNING if problems else Level.INFO, items=problems))


@router.action(AskEvidence)
async def click_evidence(event: Event, ctx: Context) -> Reply:
    """The 补凭证 button: say exactly what to send; text typed into the card's form is attached like `凭证 …`."""
    assert isinstance(event.action, AskEvidence)  # the router sends only this action here
    opp = await repo.get(ctx.session, event.action.opportunity_id)
    if opp is None:
        return not_found()
    if event.text:
        return await attach(event, ctx, opp, [], [])
    view = await view_of(ctx, opp)
    return Reply(card=evidence_prompt_card(opp.id, view.missing))
