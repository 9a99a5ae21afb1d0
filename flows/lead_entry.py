"""A rep enters a lead of their own from chat: same dedupe and one-owner rules as intake, owned by the rep."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.core.context import Context
from bot.core.vocab import OPEN_LEAD_STATUSES, LeadStatus
from flows.lead_io import due_at
from sales.entry import NewLeadText
from sales.names import normalize_company
from storage.models import Customer, Lead
from storage.repos import lead_life
from storage.repos import leads as repo
from storage.repos import members as members_repo

CHANNEL = "chat"


@dataclass(frozen=True)
class Entered:
    """The outcome: the lead (new or the existing duplicate) and, for a refusal, whose it is."""

    lead: Lead | None
    customer: Customer | None
    refusal: str = ""


async def enter(ctx: Context, t: NewLeadText) -> Entered:
    """Create the lead (and its customer) for the rep, unless the customer is someone else's or a recent lead."""
    assert ctx.member is not None  # 新线索 is a member's command or form
    s, now, me = ctx.session, ctx.now(), ctx.member.id
    customer = await repo.find_customer(s, t.mobile, "", normalize_company(t.company) if t.company else "")
    if customer is not None and customer.owner_id not in (None, me):
        owner = await members_repo.get(s, customer.owner_id)
        who = owner.name if owner else "同事"
        return Entered(None, customer, f"这个客户已由 {who} 负责（一个客户只有一个负责人）。需要协作请找主管。")
    if customer is not None and customer.in_pool:
        return Entered(None, customer, f"这个客户在公海里：发“领取 {customer.name}”领取（受每日领取上限约束）。")
    if customer is not None:
        since = now - timedelta(days=ctx.settings.leads.dedupe_window_days)
        recent = await repo.recent_lead_of(s, customer.id, since)
        if recent is not None and recent.status in OPEN_LEAD_STATUSES:
            return Entered(recent, customer, f"已经有这条线索了（#{recent.id}），不用重复录入。")
        customer.owner_id, customer.in_pool, customer.owned_since = me, False, now
        customer.industry, customer.region = customer.industry or t.industry, customer.region or t.region
    else:
        customer = Customer(name=(t.company or t.name)[:120], owner_id=me, created_at=now, owned_since=now,
                            industry=t.industry, region=t.region,
                            normalized_name=(normalize_company(t.company) if t.company else f"~{t.mobile}")[:120])
        s.add(customer)
        await s.flush()
    await repo.ensure_contact(s, customer.id, t.name, t.mobile, "")
    lead = Lead(channel=CHANNEL, source="手动录入", customer_id=customer.id, contact_name=t.name, mobile=t.mobile,
                need=t.need, owner_id=me, status=LeadStatus.ACCEPTED, received_at=now, assigned_at=now,
                accepted_at=now, first_response_due_at=due_at(ctx, now), assign_reason="自己录入", extra={})
    s.add(lead)
    await s.flush()
    await lead_life.add_loads(s, {me: 1})
    await lead_life.add_events(s, [lead.id], "received", me, "手动录入 · 聊天", now)
    await lead_life.add_events(s, [lead.id], LeadStatus.ACCEPTED.value, me, "自己录入", now)
    return Entered(lead, customer)
