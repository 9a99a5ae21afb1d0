"""Actions from pages opened inside a platform (the WeCom chat-toolbar sidebar): open a deal for a customer."""

from __future__ import annotations

from bot.core.actions import CreateDeal
from bot.core.cards import Level
from bot.core.context import Context
from bot.core.errors import NotAllowed
from bot.core.events import Reply
from bot.core.inbound import CardClick
from bot.core.routing import Router
from cards.views import notice_card, opportunity_card
from handlers.opp_common import person, pipeline
from handlers.opp_view import view_of
from sales.opportunity_access import may_change
from storage.models import Opportunity
from storage.repos import members as members_repo
from storage.repos import opportunities as repo

router = Router("sidebar", feature="opportunities")


@router.action(CreateDeal)
async def create_for_customer(click: CardClick[CreateDeal], ctx: Context) -> Reply:
    """新建商机 from the sidebar: the customer is known from the chat it was opened in."""
    assert ctx.member is not None  # a command or click: dispatch found the member
    customer = await repo.get_customer(ctx.session, click.action.customer_id)
    if customer is None:
        return Reply(card=notice_card("没找到这个客户", "客户可能已被合并，回到聊天里发“新建商机 客户名”。",
                                      Level.WARNING))
    existing = await repo.open_for_customer(ctx.session, customer.id)
    if existing:
        return Reply(card=opportunity_card(await view_of(ctx, existing), "已有商机："))
    owner_id = customer.owner_id or ctx.member.id
    actor = person(ctx.member)
    assert actor is not None  # asserted above
    if not may_change(actor, person(await members_repo.get(ctx.session, owner_id))):
        raise NotAllowed("这不是你的客户：只有客户的负责人、负责人的主管或管理员能给它开商机；需要协作请找你的主管。")
    now = ctx.now()
    opp = await repo.add(ctx.session, Opportunity(customer_id=customer.id, owner_id=owner_id,
                                                  stage=pipeline(ctx).stages[0].key, stage_entered_at=now,
                                                  created_at=now))
    await repo.log_interaction(ctx.session, customer.id, ctx.member.id, "opportunity", "", now)
    return Reply(card=opportunity_card(await view_of(ctx, opp), "新商机："))
