"""No ping-pong: unaccepted leads are reassigned only in working time, at most N times, then go to the pool."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.core.context import Context
from bot.core.vocab import LeadStatus
from cards.views.lead_life import pooled_after_reassign_card
from flows.lead_distribution import Distributor
from flows.targets import personal_chats
from sales import sla
from storage.models import Customer, Lead
from storage.repos import leads as repo


def work_week(ctx: Context) -> sla.WorkWeek:
    """The org's working hours from [leads] work_hours / work_days."""
    cfg = ctx.settings.leads
    return sla.WorkWeek.parse(cfg.work_hours, cfg.work_days)


def in_working_time(ctx: Context, now: datetime) -> bool:
    """True inside the org's working hours (a reassignment at 3 a.m. only wakes nobody up)."""
    week, local = work_week(ctx), now.astimezone(ctx.settings.tz)
    return local.isoweekday() in week.days and week.start <= local.time() < week.end


def due(ctx: Context, leads: Sequence[Lead], now: datetime) -> list[Lead]:
    """The leads whose accept window, counted in working time, has run out."""
    if not in_working_time(ctx, now):
        return []
    hours, week, tz = ctx.settings.leads.accept_minutes / 60, work_week(ctx), ctx.settings.tz
    return [x for x in leads if x.assigned_at is not None and sla.due_at(x.assigned_at, hours, tz, week) <= now]


def exhausted(ctx: Context, lead: Lead) -> bool:
    """True once the lead was handed on `max_reassign` times already."""
    return lead.reassigned >= ctx.settings.leads.max_reassign


async def give_up(ctx: Context, distributor: Distributor, lead: Lead, now: datetime) -> None:
    """Put the lead in the pool and tell the last owner's manager (or the admins) once."""
    previous = lead.owner_id
    distributor.release(previous, lead.assigned_at)
    lead.owner_id, lead.status = None, LeadStatus.POOL
    await ctx.session.flush()
    note = f"改派 {lead.reassigned} 次仍无人接单，进入公海"
    await repo.add_event(ctx.session, lead.id, LeadStatus.POOL, now, previous, note,
                         {"from": LeadStatus.ASSIGNED.value, "owner": previous, "reason": "unaccepted"})
    bosses = (await repo.team_managers(ctx.session, [previous])).get(previous) if previous else None
    bosses = bosses or await repo.admins(ctx.session)
    chats = await personal_chats(ctx.session, ctx.settings, bosses)
    customer = await ctx.session.get(Customer, lead.customer_id) if lead.customer_id else None
    card = pooled_after_reassign_card(lead.id, customer.name if customer else lead.contact_name, lead.reassigned)
    for boss in bosses:
        if boss in chats.chats:
            await ctx.outbox.send(chats.chats[boss], card, f"lead_pooled:{lead.id}:{boss}")
