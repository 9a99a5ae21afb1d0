"""Live orders: a won deal writes its order; the owner records when the customer accepted the first delivery."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.core.context import Context
from bot.core.errors import NotAllowed
from sales.opportunity_access import Person, may_change
from sales.orders import accepted_at, order_amount
from storage.models import Customer, Member, Opportunity
from storage.repos import members as members_repo
from storage.repos import orders as repo

NOT_YOUR_CUSTOMER = "这不是你的客户。只有负责人、负责人的主管或管理员能记客户验收。"


@dataclass(frozen=True)
class Accepted:
    """What recording an acceptance did: ok, the customer's name, and what to say."""

    ok: bool
    name: str
    text: str


async def record_won(ctx: Context, opp: Opportunity) -> None:
    """Write the won deal's order in the closing transaction (a retry finds it and writes none)."""
    amount = order_amount(opp.amount, opp.budget_low, opp.budget_high)
    await repo.add_for_deal(ctx.session, opp.customer_id, opp.owner_id, opp.id, amount, ctx.now())


def _person(member: Member | None) -> Person | None:
    return Person(member.id, member.role, member.team_id, member.manager_id) if member else None


async def check_may_accept(ctx: Context, owner_id: int | None) -> Member | None:
    """Refuse unless the actor is the owner, their manager or an admin; return the owner."""
    owner = await members_repo.get(ctx.session, owner_id) if owner_id else None
    actor = _person(ctx.member)
    assert actor is not None  # a member's command or click: dispatch found the member
    if not may_change(actor, _person(owner)):
        raise NotAllowed(NOT_YOUR_CUSTOMER)
    return owner


async def accept(ctx: Context, customer: Customer, day: date | None) -> Accepted:
    """Stamp accepted_at on the customer's oldest order still waiting for its delivery to be accepted."""
    order = await repo.oldest_unaccepted(ctx.session, customer.id)
    owner = await check_may_accept(ctx, order.owner_id if order and order.owner_id else customer.owner_id)
    if order is None:
        return Accepted(False, customer.name, "这个客户没有等待验收的订单：赢单后才会有订单，已验收的不用再记。")
    first = not await repo.any_accepted(ctx.session, customer.id)
    order.accepted_at = accepted_at(day, ctx.now(), ctx.settings.tz)
    await ctx.session.flush()
    when = order.accepted_at.astimezone(ctx.settings.tz).strftime("%Y-%m-%d")
    return Accepted(True, customer.name, f"已记下{customer.name}在 {when} 验收了交付。" + _what_follows(first, owner))


def _what_follows(first: bool, owner: Member | None) -> str:
    if not first:
        return "这个客户之前已经验收过首次交付，递延奖金和满意度调查不会重复。"
    who = owner.name if owner else "负责人"
    return (f"接下来：每天的“验收后跟进”任务会释放这个新客户奖金的递延部分，"
            f"并把满意度调查链接发给{who}，请转给客户。")
