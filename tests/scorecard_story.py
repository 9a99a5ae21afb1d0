"""The seed's story as rows: a top seller who churns his customers and a balanced rep, plus a rep with no data.

王冠 sells the most in the last four weeks, almost all repeat orders, while six of his ten customers went to the
pool, his leads rarely convert, his deals crawl and his customers would not recommend us. 李平 sells less but
wins new customers, keeps all of hers, converts leads and moves deals on time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.runtime import Runtime
from storage.models import Customer, CustomerEvent, Lead, LeadEvent, NpsSurvey, Opportunity, Order, StageChange
from storage.repos import members
from tests.helpers import add_member

D = timedelta(days=1)


@dataclass
class Story:
    boss: int
    top: int
    balanced: int
    idle: int
    now: datetime


def _customers(prefix: str, n: int, owner: int) -> list[Customer]:
    return [Customer(name=f"{prefix}{i}", normalized_name=f"{prefix}{i}", industry="制造业", owner_id=owner)
            for i in range(n)]


async def build_story(rt: Runtime) -> Story:
    """Create the team and its history around the clock's now."""
    boss = await add_member(rt, "周主管", role="manager")
    top, balanced, idle = [await add_member(rt, n) for n in ("王冠", "李平", "赵新")]
    now = rt.clock.now()
    async with rt.db.session() as s:
        for name in ("王冠", "李平", "赵新"):
            await members.set_manager(s, name, "周主管")
        old, new = _customers("王冠老客", 10, top), _customers("李平老客", 5, balanced)
        fresh = _customers("李平新客", 3, balanced)
        s.add_all(old + new + fresh)
        await s.flush()
        rows: list = []
        for c in old + new:  # last period's orders: the retention base
            rows.append(Order(customer_id=c.id, owner_id=c.owner_id, amount=50_000, ordered_at=now - 120 * D,
                              accepted_at=now - 110 * D))
        for c in old[:4]:  # 王冠's big repeat orders this month
            rows.append(Order(customer_id=c.id, owner_id=top, amount=150_000, ordered_at=now - 10 * D))
        for c in old[4:]:  # the six he lost to the pool
            rows.append(CustomerEvent(customer_id=c.id, kind="reclaimed", owner_from=top, at=now - 30 * D))
        for c in new:  # 李平 keeps all of hers
            rows.append(Order(customer_id=c.id, owner_id=balanced, amount=30_000, ordered_at=now - 12 * D))
        for c in fresh:  # and wins three new ones (deliveries not yet accepted)
            rows.append(Order(customer_id=c.id, owner_id=balanced, amount=35_000, ordered_at=now - 8 * D))
        s.add_all(rows)
        await _leads(s, top, 20, 2, now)
        await _leads(s, balanced, 20, 8, now)
        await _deals(s, old[0].id, top, 30, 3, now)
        await _deals(s, new[0].id, balanced, 5, 2, now)
        s.add_all([NpsSurvey(customer_id=c.id, member_id=top, score=sc, answered_at=now - 40 * D)
                   for c, sc in zip(old[:4], (3, 5, 6, 9), strict=True)])
        s.add_all([NpsSurvey(customer_id=c.id, member_id=balanced, score=sc, answered_at=now - 40 * D)
                   for c, sc in zip(new[:4], (9, 10, 9, 8), strict=True)])
    return Story(boss, top, balanced, idle, now)


async def _leads(s, owner: int, n: int, converted: int, now: datetime) -> None:
    leads = [Lead(channel="web", owner_id=owner, status="converted" if i < converted else "accepted",
                  assigned_at=now - (20 + i) * D) for i in range(n)]
    s.add_all(leads)
    await s.flush()
    s.add_all([LeadEvent(lead_id=ld.id, kind="converted", member_id=owner, at=now - 15 * D)
               for ld in leads[:converted]])


async def _deals(s, customer_id: int, owner: int, days: int, wins: int, now: datetime) -> None:
    for i in range(wins):
        opp = Opportunity(customer_id=customer_id, owner_id=owner, stage="quote", status="won",
                          created_at=now - (days + 20) * D, closed_at=now - (5 + i) * D)
        s.add(opp)
        await s.flush()
        s.add(StageChange(opportunity_id=opp.id, from_stage="needs", to_stage="demo", via="evidence",
                          member_id=owner, at=now - 20 * D))  # `days` after the deal was created
