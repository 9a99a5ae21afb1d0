"""The every-minute lead scan: SLA reminders, breach warnings, reclaiming unaccepted leads, the pool.

Exactly once across restarts and replicas: the minute's fire is claimed in job_run, every message has
an outbox key (`sla_remind:<lead>:<minutes>`, `sla_breach:<lead>:<manager>`), and every flag is a
conditional UPDATE, so a second scan of the same moment changes and sends nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot import leadflow
from bot.context import Context
from bot.targets import personal_chats
from cards.views import sla_breach_card, sla_reminder_card
from sales import sla
from storage.repos import leads as repo
from storage.repos import members as members_repo


async def scan(ctx: Context, now: datetime) -> str:
    """Run one scan at `now`; return a one-line summary."""
    reminded, breached, unreachable = await _sla(ctx, now)
    reclaimed = await _reclaim(ctx, now)
    placed = await _pool(ctx)
    parts = [f"{reminded} reminders", f"{breached} breaches", f"{reclaimed} reclaimed", f"{placed} placed from pool"]
    if unreachable:
        names = [m.name for m in [await members_repo.get(ctx.session, i) for i in unreachable] if m]
        parts.append(f"unreachable (no identity on an enabled platform): {', '.join(names)}")
    return ", ".join(parts)


async def _sla(ctx: Context, now: datetime) -> tuple[int, int, set[int]]:
    """Send due reminders and flag breaches for unanswered leads near or past their deadline."""
    offsets = sorted(ctx.settings.sla.remind_before_minutes)
    rows = await repo.sla_due(ctx.session, now + timedelta(minutes=max(offsets, default=0)))
    actions = [(r, a) for r in rows if (a := sla.next_action(now, r.first_response_due_at, r.reminded_minutes,
                                                              offsets))]
    owners = sorted({r.owner_id for r, _ in actions if r.owner_id})
    managers = await repo.team_managers(ctx.session, owners) if owners else {}
    admins = await repo.admins(ctx.session)
    people = owners + [m for ms in managers.values() for m in ms] + admins
    chats = await personal_chats(ctx.session, ctx.settings, people)
    names = await _names(ctx, owners)
    reminded = breached = 0
    for row, act in actions:
        customer = _customer_name(row)
        if act.kind == "remind":
            if row.owner_id and await repo.set_reminded(ctx.session, row.id, act.minutes):
                card = sla_reminder_card(row.id, customer, sla.countdown(now, row.first_response_due_at))
                reminded += await _send(ctx, chats.chats.get(row.owner_id), card, f"sla_remind:{row.id}:{act.minutes}")
                await repo.add_event(ctx.session, row.id, "reminded", now, row.owner_id, f"提前 {act.minutes} 分钟")
        elif await repo.set_breached(ctx.session, row.id, now):
            breached += 1
            elapsed = sla.countdown(row.received_at or row.first_response_due_at, now).removeprefix("还剩 ")
            card = sla_breach_card(row.id, customer, names.get(row.owner_id, "未分配"), elapsed)
            for boss in managers.get(row.owner_id, []) or admins:
                await _send(ctx, chats.chats.get(boss), card, f"sla_breach:{row.id}:{boss}")
            await repo.add_event(ctx.session, row.id, "breached", now, row.owner_id, f"收到后 {elapsed} 未响应")
    return reminded, breached, set(chats.unreachable)


async def _send(ctx: Context, chat, card, key: str) -> int:
    """Queue a card if the person is reachable; 1 when it was queued now."""
    return int(chat is not None and await ctx.send(chat, card, key))


async def _names(ctx: Context, ids: list[int]) -> dict[int, str]:
    return {i: m.name for i in ids if (m := await members_repo.get(ctx.session, i))}


def _customer_name(row) -> str:
    return row.customer or row.contact_name or f"线索 #{row.id}"


async def _reclaim(ctx: Context, now: datetime) -> int:
    """Take back leads nobody accepted within the window and hand them to someone else."""
    cutoff = now - timedelta(minutes=ctx.settings.leads.accept_minutes)
    count = 0
    for lead in await repo.unaccepted(ctx.session, cutoff):
        previous = lead.owner_id
        lead.owner_id, lead.status = None, "new"
        await ctx.session.flush()
        await repo.add_event(ctx.session, lead.id, "reclaimed", now, previous,
                             f"{ctx.settings.leads.accept_minutes} 分钟未接单，收回公海")
        await leadflow.distribute(ctx, lead)
        count += 1
    return count


async def _pool(ctx: Context) -> int:
    """Offer leads waiting in the pool again (reps come back on shift, capacity frees up)."""
    placed = 0
    for lead in await repo.pooled(ctx.session):
        choice = await leadflow.distribute(ctx, lead, quiet=True)
        placed += choice.member_id is not None
    return placed
