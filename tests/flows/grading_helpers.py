"""Constructed customer histories for the grading tests: customers, orders and interactions inserted directly."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.runtime import Runtime
from storage.models import Customer, Interaction, Opportunity, Order

D = timedelta(days=1)


async def add_customer(rt: Runtime, name: str, owner: int | None, industry: str = "制造", grade: str = "",
                       created: datetime | None = None) -> int:
    """Insert a customer and return its id."""
    async with rt.db.session() as s:
        c = Customer(name=name, normalized_name=name, owner_id=owner, industry=industry, grade=grade,
                     created_at=created or rt.clock.now() - 800 * D)
        s.add(c)
        await s.flush()
        return c.id


async def add_orders(rt: Runtime, customer: int, orders: list[tuple[datetime, int]]) -> None:
    """Insert orders (when, amount in yuan)."""
    async with rt.db.session() as s:
        s.add_all([Order(customer_id=customer, amount=amount, ordered_at=at, source="import") for at, amount in orders])


async def add_interactions(rt: Runtime, customer: int, member: int | None,
                           kinds_at: list[tuple[str, datetime]]) -> None:
    """Insert interactions (kind, when)."""
    async with rt.db.session() as s:
        s.add_all([Interaction(customer_id=customer, member_id=member, kind=k, at=at) for k, at in kinds_at])


async def add_open_deal(rt: Runtime, customer: int, owner: int, amount: int) -> None:
    """Insert an open opportunity worth `amount`."""
    async with rt.db.session() as s:
        s.add(Opportunity(customer_id=customer, owner_id=owner, stage="needs", amount=amount,
                          stage_entered_at=rt.clock.now() - 5 * D, created_at=rt.clock.now() - 5 * D))


async def seed_case(rt: Runtime, owner: int) -> tuple[list[int], list[int]]:
    """The seed's case: 3 "A" customers ordering 1,000,000 once, ~20 months ago, vs 27 "B" growing 34 %/year.

    B customers order every quarter for two years; order k is 50,000 × 1.34^(k/4). Every customer had two calls
    in the last 60 days, so activity does not separate them.
    """
    now = rt.clock.now()
    big, growing = [], []
    for k in range(3):
        cid = await add_customer(rt, f"项目客户{k}", owner, grade="A")
        await add_orders(rt, cid, [(now - (600 + 10 * k) * D, 1_000_000)])
        big.append(cid)
    for k in range(27):
        cid = await add_customer(rt, f"成长客户{k}", owner, grade="B")
        start = now - (730 - k) * D
        await add_orders(rt, cid, [(start + q * 91 * D, round(50_000 * 1.34 ** (q / 4))) for q in range(8)])
        growing.append(cid)
    for cid in big + growing:
        await add_interactions(rt, cid, owner, [("call", now - 20 * D), ("call", now - 50 * D)])
    return big, growing
