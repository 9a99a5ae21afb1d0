"""Lead lifecycle use cases: convert, lose, put in the pool — each a lead_event row, capacity freed at once."""

from __future__ import annotations

from typing import Any

from bot.core.context import Context
from bot.core.vocab import LeadStatus
from sales import lead_life as rules
from storage.models import Lead
from storage.repos import lead_life as repo
from storage.repos import leads as leads_repo


async def move(ctx: Context, lead: Lead, status: LeadStatus, actor: int | None, note: str = "",
               data: dict[str, Any] | None = None) -> bool:
    """Close an open lead as converted / lost / pool; False when it was closed already.

    Converting stops the first-response clock (entering the customer is the golden-4-hours answer); the pool
    clears the owner. The previous owner's slot is released in the same transaction.
    """
    if not rules.may_close(lead.status):
        return False
    now, old, owner = ctx.now(), lead.status, lead.owner_id
    lead.status = status
    if status == LeadStatus.CONVERTED and lead.first_response_at is None:
        lead.first_response_at = now
    if status == LeadStatus.POOL:
        lead.owner_id = None
    await ctx.session.flush()
    if rules.frees_capacity(old, status) and owner:
        await repo.release_loads(ctx.session, {owner: 1})
    detail = {"from": old, "owner": owner, **(data or {})}
    await leads_repo.add_event(ctx.session, lead.id, status.value, now, actor, note, detail)
    return True


async def convert_customer(ctx: Context, customer_id: int, opportunity_id: int) -> list[int]:
    """`新建商机` for a lead's customer: every open lead of that customer becomes `converted`; return their ids."""
    leads = await repo.open_of_customer(ctx.session, customer_id)
    actor = ctx.member.id if ctx.member else None
    for lead in leads:
        await move(ctx, lead, LeadStatus.CONVERTED, actor, f"转为商机 #{opportunity_id}",
                   {"opportunity_id": opportunity_id})
    return [lead.id for lead in leads]
