"""The pool (公海) use cases: the daily reclaim with its warnings, claiming and releasing — every move recorded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.context import Context
from bot.core.ports import Outgoing
from bot.core.vocab import CustomerEventKind
from cards.views.pool import pool_reclaimed_card, pool_warning_card
from flows.targets import personal_chats
from sales import pool as rules
from sales.pushtime import day_bounds, local_day
from storage.models import Customer
from storage.repos import bulk, lead_life
from storage.repos import pool as repo


def windows(ctx: Context) -> rules.Windows:
    """The [pool] countdowns."""
    p = ctx.settings.pool
    return rules.Windows(p.reclaim_days_without_follow_up, p.reclaim_days_without_deal, p.warn_days_before,
                         dict(p.reclaim_days_by_grade))


async def reclaim(ctx: Context, now: datetime) -> str:
    """Move overdue customers (and their open leads) to the pool; warn owners whose customers are close."""
    async with bulk.big_cache(ctx.session):
        return await _reclaim(ctx, now)


async def _reclaim(ctx: Context, now: datetime) -> str:
    w, cfg = windows(ctx), ctx.settings.pool
    owned = await repo.candidates(ctx.session, now, w, cfg.exempt_order_days)
    moves: dict[int, tuple[int | None, str]] = {}
    lost: dict[int, list[tuple[str, str]]] = {}
    warns: dict[int, list[tuple[str, str, int]]] = {}
    warned: list[int] = []
    for c in owned:
        verdict = rules.judge(c, w, now)
        if verdict is not None and verdict.kind == "reclaim":
            moves[c.id] = (c.owner_id, verdict.reason)
            lost.setdefault(c.owner_id, []).append((c.name, verdict.reason))
        elif verdict is not None:
            warns.setdefault(c.owner_id, []).append((c.name, verdict.reason, verdict.days_left))
            warned.append(c.id)
    freed = await repo.to_pool(ctx.session, moves, CustomerEventKind.RECLAIMED, None, now)
    await lead_life.release_loads(ctx.session, freed)
    await repo.mark_warned(ctx.session, warned, now)
    sent = await _notify(ctx, now, lost, warns)
    return f"收回公海 {len(moves)} 个，预警 {len(warned)} 个，发出卡片 {sent} 张"


async def _notify(ctx: Context, now: datetime, lost: dict[int, list[tuple[str, str]]],
                  warns: dict[int, list[tuple[str, str, int]]]) -> int:
    """One card per owner for their reclaimed customers, one for their warnings (keyed by day: never twice)."""
    owners = sorted({*lost, *warns})
    chats = await personal_chats(ctx.session, ctx.settings, owners)
    day = local_day(now, ctx.settings.tz)
    items: list[Outgoing] = []
    for owner in owners:
        chat = chats.chats.get(owner)
        if chat is None:
            continue
        if owner in lost:
            items.append(Outgoing(f"pool_reclaimed:{day}:{owner}", chat, pool_reclaimed_card(lost[owner])))
        if owner in warns:
            items.append(Outgoing(f"pool_warn:{day}:{owner}", chat, pool_warning_card(warns[owner])))
    return len(await ctx.outbox.send_many(items))


@dataclass(frozen=True)
class Outcome:
    """What a claim or release did: ok, the customer's name, and what to say."""

    ok: bool
    name: str
    text: str


async def claim(ctx: Context, customer: Customer) -> Outcome:
    """Take a pooled customer within the limits; its pooled leads come along, accepted."""
    assert ctx.member is not None  # a member's command or click: dispatch found the member
    me, now, cfg = ctx.member.id, ctx.now(), ctx.settings.pool
    if customer.owner_id is not None:
        return Outcome(False, customer.name, "这个客户已经有负责人了，不在公海里。")
    day_start, _ = day_bounds(now, ctx.settings.tz)
    today, owned, last = await repo.claim_facts(ctx.session, me, customer.id, day_start,
                                                now - timedelta(days=cfg.claim_cooldown_days))
    until = last + timedelta(days=cfg.claim_cooldown_days) if last else None
    refusal = rules.refuse_claim(rules.ClaimFacts(today, owned, until), cfg.max_claims_per_day,
                                 cfg.max_owned_per_rep, now)
    if refusal:
        return Outcome(False, customer.name, refusal)
    if not await repo.take(ctx.session, customer.id, me, now):
        return Outcome(False, customer.name, "刚被同事领走了。发“公海”看看别的。")
    await ctx.session.refresh(customer)
    await repo.add_event(ctx.session, customer.id, CustomerEventKind.CLAIMED, me, None, me, "从公海领取", now)
    leads = await repo.take_leads(ctx.session, customer.id, me, now)
    await lead_life.add_loads(ctx.session, {me: len(leads)})
    await lead_life.add_events(ctx.session, leads, "claimed", me, "从公海领取", now)
    left = cfg.max_claims_per_day - today - 1
    return Outcome(True, customer.name, f"已归你负责（今天还能领 {left} 个）。记得尽快跟进。")


async def release(ctx: Context, customer: Customer, reason: str, has_open_deal: bool) -> Outcome:
    """The owner gives the customer back to the pool with a reason; its open leads go too."""
    assert ctx.member is not None  # a member's command: dispatch found the member
    if customer.owner_id != ctx.member.id:
        return Outcome(False, customer.name, "这个客户不是你的，只有负责人自己能放弃。需要调整请找主管。")
    if has_open_deal:
        return Outcome(False, customer.name, "这个客户还有进行中的商机；先赢单或输单，再放弃。")
    now = ctx.now()
    freed = await repo.to_pool(ctx.session, {customer.id: (customer.owner_id, reason)},
                               CustomerEventKind.RELEASED, ctx.member.id, now)
    await lead_life.release_loads(ctx.session, freed)
    await ctx.session.refresh(customer)
    days = ctx.settings.pool.claim_cooldown_days
    return Outcome(True, customer.name, f"已放回公海（原因：{reason}）。{days} 天内你不能再领它。")
