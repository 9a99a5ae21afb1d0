"""What the signed customer page shows: the customer, owner, contacts, open deals and one timeline of its life."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import Contact, Customer, CustomerEvent, Interaction, Lead, Member, Opportunity, Order

RECENT = 30  # timeline entries shown; the page is a glance before approving, not the full history


@dataclass
class CustomerPage:
    """Rows for one customer page (the page formats them)."""

    customer: Customer
    owner: Member | None = None
    contacts: list[Contact] = field(default_factory=list)
    open_opps: list[tuple[Opportunity, str]] = field(default_factory=list)  # (deal, owner name)
    interactions: list[tuple[Interaction, str]] = field(default_factory=list)  # (interaction, member name)
    orders: list[tuple[Order, str]] = field(default_factory=list)  # (order, credited owner)
    leads: list[tuple[Lead, str]] = field(default_factory=list)  # (lead, owner)
    deals: list[tuple[Opportunity, str]] = field(default_factory=list)  # every deal, open or closed
    events: list[tuple[CustomerEvent, str]] = field(default_factory=list)  # pool moves, handovers, updates


async def load(session: AsyncSession, customer_id: int) -> CustomerPage | None:
    """Load a customer's page in four statements, or None when there is no such customer."""
    customer = await session.get(Customer, customer_id)
    if customer is None:
        return None
    page = CustomerPage(customer, await session.get(Member, customer.owner_id) if customer.owner_id else None)
    contacts = select(Contact).where(col(Contact.customer_id) == customer_id).order_by(col(Contact.id))
    page.contacts = list((await session.execute(contacts)).scalars())
    opps = (select(Opportunity, col(Member.name)).outerjoin(Member, col(Member.id) == Opportunity.owner_id)
            .where(col(Opportunity.customer_id) == customer_id, col(Opportunity.status) == "open")
            .order_by(col(Opportunity.id)))
    page.open_opps = [(o, name or "") for o, name in (await session.execute(opps)).all()]
    recent = (select(Interaction, col(Member.name)).outerjoin(Member, col(Member.id) == Interaction.member_id)
              .where(col(Interaction.customer_id) == customer_id)
              .order_by(col(Interaction.at).desc(), col(Interaction.id).desc()).limit(RECENT))
    page.interactions = [(i, name or "") for i, name in (await session.execute(recent)).all()]
    page.orders = await _newest(session, Order, Order.owner_id, Order.customer_id, Order.ordered_at, customer_id)
    page.leads = await _newest(session, Lead, Lead.owner_id, Lead.customer_id, Lead.received_at, customer_id)
    page.deals = await _newest(session, Opportunity, Opportunity.owner_id, Opportunity.customer_id,
                               Opportunity.created_at, customer_id)
    page.events = await _newest(session, CustomerEvent, CustomerEvent.owner_to, CustomerEvent.customer_id,
                                CustomerEvent.at, customer_id)
    return page


async def _newest(session: AsyncSession, model, who, customer_col, at_col, customer_id: int) -> list:
    """The customer's newest RECENT rows of one kind with a member's name (one statement)."""
    stmt = (select(model, col(Member.name)).outerjoin(Member, col(Member.id) == who).where(customer_col == customer_id)
            .order_by(at_col.desc(), model.id.desc()).limit(RECENT))
    return [(row, name or "") for row, name in (await session.execute(stmt)).all()]
