"""Customer-contact and customer-group changes reported by the IM platform feed the customer's history.

Adapters put a platform-neutral summary in `raw` (see bot/platforms/wecom/adapter.py):
``customer_contact = {"change", "external_id", "member", "at"}`` — a rep added, edited or lost a customer's
contact; ``customer_group = {"chat_id", "change", "detail", "members", "at"}`` — a customer group changed.
Adding a customer's contact counts as the first response on that customer's open leads.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from bot.core.context import Context
from bot.core.events import Event
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


def _at(info: dict[str, Any], ctx: Context) -> datetime:
    at = info.get("at")
    return datetime.fromtimestamp(at, UTC) if isinstance(at, int) and at > 0 else ctx.now()


@router.on("platform", takes=lambda event: isinstance(event.raw.get("customer_contact"), dict))
async def contact_changed(event: Event, ctx: Context) -> None:
    """Record the change on the customer; an added contact stamps the first response of their open leads."""
    info = event.raw.get("customer_contact")
    if not isinstance(info, dict) or not info.get("external_id"):
        return None
    change = str(info.get("change") or "")
    customer = await leads_repo.find_customer(ctx.session, None, str(info["external_id"]), "")
    if customer is None:
        log.info("customer contact change for an unknown customer; nothing recorded",
                 extra={"change": change, "member": info.get("member")})
        return None
    member_id = ctx.member.id if ctx.member else None
    at = _at(info, ctx)
    await opp_repo.log_interaction(ctx.session, customer.id, member_id, CONTACT_KINDS.get(change, "im_contact"),
                                   f"{event.platform}: {change}", at)
    if change in ADDED:
        await leads_repo.stamp_first_response(ctx.session, customer.id, f"{event.platform}_contact", member_id, at)
    return None


@router.on("platform", takes=lambda event: isinstance(event.raw.get("customer_group"), dict))
async def group_changed(event: Event, ctx: Context) -> None:
    """Record customers joining or leaving a customer group (those whose contact we know)."""
    info = event.raw.get("customer_group")
    if not isinstance(info, dict):
        return None
    kind = GROUP_KINDS.get(str(info.get("detail") or ""), "im_group_changed")
    note = f"{event.platform}: {info.get('change')} {info.get('detail') or ''} {info.get('chat_id')}".strip()
    at = _at(info, ctx)
    for user in info.get("members") or []:
        customer = await leads_repo.find_customer(ctx.session, None, str(user), "")
        if customer is not None:
            await opp_repo.log_interaction(ctx.session, customer.id, None, kind, note[:500], at)
    return None
