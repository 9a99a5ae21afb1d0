"""Customer-contact and customer-group changes reported by the IM platform feed the customer's history.

The WeCom adapter reports them (bot/platforms/wecom/adapter.py); handlers get them typed as `ContactChanged` — a
rep added, edited or lost a customer's contact — and `GroupChanged` — a customer group changed
(bot/core/inbound.py).
Adding a customer's contact counts as the first response on that customer's open leads.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from bot.core.context import Context
from bot.core.inbound import ContactChanged, GroupChanged
from bot.core.routing import Router
from storage.repos import leads as leads_repo
from storage.repos import opportunities as opp_repo

log = logging.getLogger("salesbot.handlers.customer_contacts")
router = Router("customer_contacts")
ADDED = ("add_external_contact", "add_half_external_contact")
CONTACT_KINDS = {"add_external_contact": "im_contact_added", "add_half_external_contact": "im_contact_added",
                 "edit_external_contact": "im_contact_edited", "del_external_contact": "im_contact_deleted",
                 "del_follow_user": "im_contact_lost", "transfer_fail": "im_contact_transfer_fail"}
GROUP_KINDS = {"add_member": "im_group_joined", "del_member": "im_group_left"}


def _at(at: int | None, ctx: Context) -> datetime:
    return datetime.fromtimestamp(at, UTC) if at is not None else ctx.now()


@router.on(ContactChanged)
async def contact_changed(change: ContactChanged, ctx: Context) -> None:
    """Record the change on the customer; an added contact stamps the first response of their open leads."""
    customer = await leads_repo.find_customer(ctx.session, None, change.external_id, "")
    if customer is None:
        log.info("customer contact change for an unknown customer; nothing recorded",
                 extra={"change": change.change, "member": change.member})
        return None
    member_id = ctx.member.id if ctx.member else None
    at = _at(change.at, ctx)
    await opp_repo.log_interaction(ctx.session, customer.id, member_id, CONTACT_KINDS.get(change.change, "im_contact"),
                                   f"{change.platform}: {change.change}", at)
    if change.change in ADDED:
        await leads_repo.stamp_first_response(ctx.session, customer.id, f"{change.platform}_contact", member_id, at)
    return None


@router.on(GroupChanged)
async def group_changed(change: GroupChanged, ctx: Context) -> None:
    """Record customers joining or leaving a customer group (those whose contact we know)."""
    kind = GROUP_KINDS.get(change.detail, "im_group_changed")
    note = f"{change.platform}: {change.change} {change.detail} {change.group}".strip()
    at = _at(change.at, ctx)
    for user in change.members:
        customer = await leads_repo.find_customer(ctx.session, None, user, "")
        if customer is not None:
            await opp_repo.log_interaction(ctx.session, customer.id, None, kind, note[:500], at)
    return None
