"""What the signed customer page shows: the customer, its owner, contacts, open deals and latest interactions."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Contact, Customer, Interaction, Member, Opportunity

RECENT = 20  # interactions shown; the page is a glance before approving, not the full history


@dataclass
class CustomerPage:
    """Rows for one customer page (the page formats them)."""

    customer: Customer
    owner: Member | None = None
    contacts: list[Contact] = field(default_factory=list)
    open_opps: list[tuple[Opportunity, str]] = field(default_factory=list)  # (deal, owner name)
    interactions: list[tuple[Interaction, str]] = field(default_factory=list)  # (interaction, member name)


async def load(session: AsyncSession, customer_id: int) -> CustomerPage | None:
    """Load a customer's page in four statements, or None when there is no such customer."""
    customer = await session.get(Customer, customer_id)
    if customer is None:
        return None
    page = CustomerPage(customer, await session.get(Member, customer.owner_id) if customer.owner_id else None)
    contacts = select(Contact).where(Contact.customer_id == customer_id).order_by(Contact.id)
    page.contacts = list((await session.execute(contacts)).scalars())
    opps = (select(Opportunity, Member.name).outerjoin(Member, Member.id == Opportunity.owner_id)
            .where(Opportunity.customer_id == customer_id, Opportunity.status == "open").order_by(Opportunity.id))
    page.open_opps = [(o, name or "") for o, name in (await session.execute(opps)).all()]
    recent = (select(Interaction, Member.name).outerjoin(Member, Member.id == Interaction.member_id)
              .where(Interaction.customer_id == customer_id)
              .order_by(Interaction.at.desc(), Interaction.id.desc()).limit(RECENT))
    page.interactions = [(i, name or "") for i, name in (await session.execute(recent)).all()]
    return page
