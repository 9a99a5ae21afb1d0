"""`客户 <客户> [行业 …] [地区 …] [联系人 …] [手机 …]`: update a customer's fields, recorded as `updated`."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.vocab import CustomerEventKind
from storage.models import Customer
from storage.repos import leads as leads_repo
from storage.repos import pool as pool_repo


async def update(ctx: Context, customer: Customer, fields: dict[str, str]) -> list[str]:
    """Apply the fields; return the names of those that changed (a customer_event `updated` lists them)."""
    assert ctx.member is not None  # a member's command: dispatch found the member
    changed: list[str] = [k for k in ("industry", "region") if k in fields and getattr(customer, k) != fields[k][:40]]
    for key in changed:
        setattr(customer, key, fields[key][:40])
    if "contact" in fields or "mobile" in fields:
        before = len(await leads_repo.contacts_of(ctx.session, customer.id))
        await leads_repo.ensure_contact(ctx.session, customer.id, fields.get("contact", ""), fields.get("mobile"), "")
        await ctx.session.flush()
        if len(await leads_repo.contacts_of(ctx.session, customer.id)) > before:
            changed.append("contact")
    if changed:
        await pool_repo.add_event(ctx.session, customer.id, CustomerEventKind.UPDATED, ctx.member.id,
                                  customer.owner_id, customer.owner_id, "聊天里更新客户资料", ctx.now(),
                                  {"fields": changed})
    return changed
