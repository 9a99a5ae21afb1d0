"""Evidence from chat: `凭证 <链接或说明>`, and images or files sent to the bot (see bot/core/events.py)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import TypedDict

from bot.core.actions import AskEvidence
from bot.core.cards import Level, Section
from bot.core.context import Context
from bot.core.events import Reply
from bot.core.inbound import Attachment, CardClick, MediaReceived, Message
from bot.core.links import evidence_link
from bot.core.routing import Router
from cards.views import evidence_prompt_card, notice_card, opportunity_card
from handlers.opp_common import check_may_change, find, not_found, pipeline
from handlers.opp_view import view_of
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


def pick_kind(text: str, required: tuple[str, ...], missing: list[str]) -> tuple[str, str]:
    """Which required item this evidence is: named at the start of the text, else the first missing one."""
    for item in required:
        if text.startswith(item):
            return item, text[len(item):].strip(" ：:")
    return (missing[0] if missing else EXTRA), text


@router.command("凭证", "evidence", summary="给当前阶段补凭证（链接、说明、图片或文件）", usage=USAGE)
async def add_evidence(msg: Message, ctx: Context) -> Reply:
    """Attach a link, note, image or file to the current stage of this chat's opportunity."""
    if not msg.text and not msg.attachments:
        return _usage(msg.problems)
    opp = await find(msg, ctx)
    return await attach(msg, ctx, opp, msg.attachments, msg.problems) if opp else not_found()


@router.on(MediaReceived)
async def attachments_sent(media: MediaReceived, ctx: Context) -> None:
    """An image or file sent to the bot with no command (alone or with a few words) becomes evidence."""
    attachments, problems = media.attachments, media.problems
    if ctx.member is None:
        await ctx.reply(Reply(card=notice_card("还不认识你", "管理员还没把你的账号加进销售团队，附件没有记下。",
                                               Level.WARNING)))
        return None
    opp = await find(media, ctx)
    reply = await attach(media, ctx, opp, attachments, problems) if opp and attachments else None
    await ctx.reply(reply or (not_found() if opp is None else _usage(problems)))
    return None


async def attach(said: Message | MediaReceived | CardClick[AskEvidence], ctx: Context, opp: Opportunity,
                 attachments: tuple[Attachment, ...], problems: tuple[str, ...]) -> Reply:
    """Store the evidence items (who, when, what) and answer with the updated card."""
    await check_may_change(ctx, opp)
    if opp.status != "open":
        return Reply(card=notice_card("这单已经结束了", "已结束的商机不再收凭证。", Level.WARNING))
    assert ctx.member is not None  # every caller has checked the member
    pipe = pipeline(ctx)
    have = [e.kind for e in await repo.evidence_of(ctx.session, opp.id, opp.stage)]
    kind, note = pick_kind(said.text, pipe.stage(opp.stage).evidence, pipe.missing_evidence(opp.stage, have))
    if not note and not attachments:
        return _usage(problems)
    refusal = _not_enough(pipe.stage(opp.stage), kind, note, attachments)
    if refusal is not None:
        return refusal
    common: _Stamp = {"opportunity_id": opp.id, "stage": opp.stage, "kind": kind, "member_id": ctx.member.id,
              "created_at": ctx.now()}
    links = []
    for a in attachments:
        row = await repo.add(ctx.session, Evidence(**common, content=note or f"{MEDIA[a.kind]} {a.name}".strip(),
                                                   media_kind=a.kind, media_platform=said.platform,
                                                   media_ref=a.platform_id, media_name=a.name))
        # the download runs later (scheduler/media.py), after this transaction has committed
        await media_repo.add_pending(ctx.session, row.id, said.platform, a.platform_id, ctx.now())
        links.append(f"{a.name or MEDIA[a.kind]}：{evidence_link(ctx.settings, row.id, ctx.now())}")
    if not attachments:
        media = "link" if _URL.search(note) else "note"
        await repo.add(ctx.session, Evidence(**common, content=note, media_kind=media))
    card = opportunity_card(await view_of(ctx, opp), f"已记下{kind}：")
    if problems:
        card.sections.insert(1, Section(title="没收下的附件", items=list(problems)))
    if links:
        card.sections.insert(1, Section(title="附件原件（点开查看）", items=links))
    return Reply(card=card)


def _not_enough(stage, kind: str, note: str, attachments: tuple[Attachment, ...]) -> Reply | None:
    """Refuse a piece that does not satisfy the item's rule (e.g. "凭证 好"), saying what is needed."""
    if kind == EXTRA:
        return None
    rule = stage.rule(kind)
    if any(rule.accepts(a.kind, note) for a in attachments) or (not attachments and rule.accepts("note", note)):
        return None
    sent = f"你发的：{note}" if note else "你发的是图片或文件"
    return Reply(card=notice_card(f"这还不算“{kind}”", f"“{kind}”需要：{rule.describe()}。补齐后再发一次“凭证 …”。",
                                  Level.WARNING, items=[sent[:100]]))


def _usage(problems: tuple[str, ...]) -> Reply:
    return Reply(card=notice_card("凭证写什么？", "这样说：凭证 会议纪要 https://…，或一句说明；也可以直接发图片或文件。",
                                  Level.WARNING if problems else Level.INFO, items=list(problems)))


@router.action(AskEvidence)
async def click_evidence(click: CardClick[AskEvidence], ctx: Context) -> Reply:
    """The 补凭证 button: say exactly what to send; text typed into the card's form is attached like `凭证 …`."""
    opp = await repo.get(ctx.session, click.action.opportunity_id)
    if opp is None:
        return not_found()
    if click.text:
        return await attach(click, ctx, opp, (), ())
    view = await view_of(ctx, opp)
    return Reply(card=evidence_prompt_card(opp.id, view.missing))
