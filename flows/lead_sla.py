"""The golden 4 hours over all open leads: reminders before the first-response deadline, breach flags and the
managers' digest at it, and handing on leads nobody accepted (then offering the pool's leads again).

Exactly once across restarts and replicas: every message has an outbox key (`sla_remind:<lead>:<minutes>`,
`sla_breach:<day>:<manager>[:<HHMM>]`) and every flag is a conditional UPDATE, so a second run at the same
moment changes and sends nothing. Set-based: the due leads come from one indexed query; their flags are one
UPDATE … RETURNING per kind, their timeline events one multi-row insert and their cards one outbox insert.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.core.cards import Card
from bot.core.context import Context
from bot.core.events import ChatRef
from bot.core.ports import Outgoing
from bot.core.vocab import LeadStatus
from cards.views import sla_reminder_card
from flows import breach_digest, reassign
from flows.lead_distribution import Contended, Distributor, distribute
from flows.targets import personal_chats
from sales import sla
from storage.models import LeadEvent
from storage.repos import lead_batch as rb
from storage.repos import lead_sla
from storage.repos import leads as repo


async def remind_and_flag(ctx: Context, now: datetime) -> tuple[int, int, set[int]]:
    """Send due reminders and flag breaches; return (reminders sent, breaches, members nobody can reach)."""
    offsets = sorted(ctx.settings.sla.remind_before_minutes)
    rows = await lead_sla.sla_due(ctx.session, now + timedelta(minutes=max(offsets, default=0)))
    actions = [(r, a) for r in rows if (a := sla.next_action(now, r.first_response_due_at, r.reminded_minutes,
                                                              offsets))]
    owners = sorted({r.owner_id for r, _ in actions if r.owner_id})
    managers = await repo.team_managers(ctx.session, owners) if owners else {}
    admins = await repo.admins(ctx.session)
    chats = (await personal_chats(ctx.session, ctx.settings,
                                  owners + [m for ms in managers.values() for m in ms] + admins))
    reminders = [(r, a.minutes) for r, a in actions if a.kind == "remind" and r.owner_id]
    reminded = await lead_sla.set_reminded_many(ctx.session, [(r.id, m) for r, m in reminders])
    breaches = [r for r, a in actions if a.kind == "breach"]
    breached = await lead_sla.set_breached_many(ctx.session, [r.id for r in breaches], now)
    out, events = [], []
    for row, minutes in reminders:
        if row.id in reminded:
            card = sla_reminder_card(row.id, _customer_name(row), sla.countdown(now, row.first_response_due_at))
            out += _to(chats.chats.get(row.owner_id), card, f"sla_remind:{row.id}:{minutes}")
            events.append(_event(row.id, "reminded", now, row.owner_id, f"提前 {minutes} 分钟"))
    for row in breaches:
        if row.id in breached:
            elapsed = sla.countdown(row.received_at or row.first_response_due_at, now).removeprefix("还剩 ")
            events.append(_event(row.id, LeadStatus.BREACHED, now, row.owner_id, f"收到后 {elapsed} 未响应"))
    if breached:  # one card per manager per day, updated in place by later scans (flows/breach_digest.py)
        out += await breach_digest.outgoing(ctx, now, breached, chats.chats)
    queued = await ctx.outbox.send_many(out)
    await rb.insert_many(ctx.session, LeadEvent, events)
    sent_reminders = sum(o.key in queued for o in out if o.key.startswith("sla_remind:"))
    return sent_reminders, len(breached), set(chats.unreachable)


def _to(chat: ChatRef | None, card: Card, key: str) -> list[Outgoing]:
    """The card for a person if they are reachable."""
    return [Outgoing(key, chat, card)] if chat is not None else []


def _event(lead_id: int, kind: str, at: datetime, member_id: int | None, note: str) -> dict:
    return {"lead_id": lead_id, "kind": kind, "member_id": member_id, "note": note[:300], "data": {}, "at": at}


def _customer_name(row) -> str:
    return row.customer or row.contact_name or f"线索 #{row.id}"


async def redistribute(ctx: Context, now: datetime) -> tuple[int, int]:
    """Reclaim unaccepted leads and place pooled ones; retry when a concurrent intake filled a rep meanwhile."""
    cutoff = now - timedelta(minutes=ctx.settings.leads.accept_minutes)
    if not await repo.unaccepted(ctx.session, cutoff, limit=1) and not await repo.pooled(ctx.session, limit=1):
        return 0, 0
    await rb.begin_write(ctx.session)  # SQLite: inside a transaction, so the savepoint below nests in it
    for attempt in range(3):
        try:
            async with ctx.session.begin_nested():
                return await _reclaim_and_place(ctx, now, cutoff)
        except Contended:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


async def _reclaim_and_place(ctx: Context, now: datetime, cutoff: datetime) -> tuple[int, int]:
    """Take back leads nobody accepted in time and hand them on; then offer the pool's leads again."""
    s, cfg = ctx.session, ctx.settings.leads
    since = now - timedelta(hours=cfg.cooldown_hours)
    distributor = await Distributor.load(ctx)
    unaccepted = reassign.due(ctx, await repo.unaccepted(s, cutoff), now)
    await distributor.know(lead.owner_id for lead in unaccepted)
    for lead in unaccepted:
        if reassign.exhausted(ctx, lead):
            await reassign.give_up(ctx, distributor, lead, now)
            continue
        previous = lead.owner_id
        lead.reassigned += 1
        distributor.release(previous, lead.assigned_at)
        lead.owner_id, lead.status = None, LeadStatus.NEW
        await s.flush()
        await repo.add_event(s, lead.id, "reclaimed", now, previous, f"{cfg.accept_minutes} 分钟未接单，收回公海")
        await distribute(ctx, distributor, lead, await repo.cooled(s, lead.id, since))
    pooled = await repo.pooled(s)  # after the reclaims: a lead nobody could take yet is offered again quietly
    cooled = await repo.cooled_many(s, [lead.id for lead in pooled], since)
    placed = 0
    for lead in pooled:
        choice = await distribute(ctx, distributor, lead, cooled.get(lead.id, set()), quiet=True)
        placed += choice.member_id is not None
    await distributor.flush()
    return len(unaccepted), placed
