"""Who the customer of a platform chat is: its external contacts matched to our contacts."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlmodel import col

from storage.models import Contact, Customer


async def customer_of_externals(session, externals: Sequence[str]) -> Customer | None:
    """The customer one of these WeCom external userids belongs to (the most recently added contact wins)."""
    if not externals:
        return None
    stmt = (select(Customer).join(Contact, col(Contact.customer_id) == Customer.id)
            .where(col(Contact.wecom_external_userid).in_(list(externals))).order_by(col(Contact.id).desc()).limit(1))
    return (await session.execute(stmt)).scalar_one_or_none()
