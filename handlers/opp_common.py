"""What the opportunity handlers share: the pipeline, finding a deal, permissions, moving it (the card's content:
handlers/opp_view.py)."""

from __future__ import annotations

from datetime import datetime

from bot.core.cards import Level
from bot.core.context import Context
from bot.core.errors import Ambiguous, NotAllowed
from bot.core.events import Reply
from bot.core.inbound import Inbound
from cards.views import notice_card
from sales.names import normalize_company
from sales.opportunity_access import NOT_YOURS, Person, may_change
from sales.stages import Pipeline, pipeline_from_config
from storage.models import Member, Opportunity
from storage.repos import leads as leads_repo
from storage.repos import members as members_repo
from storage.repos import opportunities as repo


def pipeline(ctx: Context) -> Pipeline:
    """The configured stages."""
    return pipeline_from_config(ctx.settings.opportunities.stages)


def person(member: Member | None) -> Person | None:
    """The plain facts the permission rules need."""
    return Person(member.id, member.role, member.team_id, member.manager_id) if member else None


async def owner_of(ctx: Context, opp: Opportunity) -> Member | None:
    """Load the opportunity's owner (no query when the actor is the owner, the usual case)."""
    if ctx.member is not None and ctx.member.id == opp.owner_id:
        return ctx.member
    return await members_repo.get(ctx.session, opp.owner_id) if opp.owner_id else None


async def check_may_change(ctx: Context, opp: Opportunity) -> None:
    """Refuse with "这不是你的商机" unless the actor is the owner, their manager or an admin."""
    actor = person(ctx.member)
    assert actor is not None  # only commands and clicks change a deal: dispatch found the member
    if not may_change(actor, person(await owner_of(ctx, opp))):
        raise NotAllowed(NOT_YOURS)


async def find(said: Inbound, ctx: Context, customer_name: str = "") -> Opportunity | None:
    """Pick the opportunity a message means: named customer, else my newest in this chat, else this chat's
    newest (a deal room has one), else my only open one — with several, ask which (Ambiguous)."""
    if customer_name:
        customer = await repo.customer_by_normalized(ctx.session, normalize_company(customer_name))
        return await repo.open_for_customer(ctx.session, customer.id) if customer else None
    if said.chat:
        platform, chat_id = said.chat.platform, said.chat.chat_id
        mine = await repo.latest_in_chat(ctx.session, platform, chat_id, ctx.member.id) if ctx.member else None
        opp = mine or await repo.latest_in_chat(ctx.session, platform, chat_id)
        if opp:
            return opp
    if ctx.member is None:
        return None
    names = await repo.open_customer_names(ctx.session, ctx.member.id)
    if len(names) > 1:  # a 1:1 chat (or an unbound group) and several deals: never act on a guess
        raise Ambiguous(f"你有 {len(names)}{'+' if len(names) == 6 else ''} 个进行中的商机：{'、'.join(names)}。"
                        f"请带上客户名再发（例：推进 {names[0]}），或到这个商机的群里发。")
    return await repo.latest_of_owner(ctx.session, ctx.member.id)


def not_found(name: str = "") -> Reply:
    """Say there is no opportunity here, and how to create one."""
    what = f"没找到“{name}”的进行中商机。" if name else "这个群还没有绑定商机。"
    return Reply(card=notice_card("没找到商机", what + "先发：新建商机 客户名", Level.WARNING))


def local(ctx: Context, at: datetime | None) -> str:
    """Show a time in the org's timezone, short."""
    return at.astimezone(ctx.settings.tz).strftime("%m-%d %H:%M") if at else ""


async def move(ctx: Context, opp: Opportunity, to_stage: str, via: str, reason: str = "") -> None:
    """Move the deal to a stage and record who, when, how and why."""
    await repo.record_stage_change(ctx.session, opp.id, opp.stage, to_stage, via,
                                   ctx.member.id if ctx.member else None, reason, ctx.now())
    opp.stage, opp.stage_entered_at = to_stage, ctx.now()
    await ctx.session.flush()
    # moving a deal is a response to the customer, so it also stops the lead's first-response clock
    await leads_repo.stamp_first_response(ctx.session, opp.customer_id, "stage", opp.owner_id, ctx.now())
