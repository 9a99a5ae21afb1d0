"""Seed rows straight into the tables for report tests: teams, members, customers, leads, deals, history."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from bot.runtime import Runtime
from storage.models import Customer, CustomerEvent, Interaction, Lead, LeadEvent, Member, Opportunity, Order, Team

_n = itertools.count(1)


class Seed:
    """A tiny company builder; every add returns the new row's id."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    async def _add(self, row):
        async with self.rt.db.session() as s:
            s.add(row)
            await s.flush()
            return row.id

    async def team(self, name: str) -> int:
        return await self._add(Team(name=name))

    async def member(self, name: str, team_id: int | None, role: str = "rep", region: str = "华东",
                     is_new: bool = False, capacity: int = 50) -> int:
        return await self._add(Member(name=name, role=role, team_id=team_id, region=region, is_new=is_new,
                                      capacity=capacity))

    async def customer(self, owner: int | None, industry: str = "制造业", region: str = "上海",
                       created: datetime | None = None, name: str = "") -> int:
        name = name or f"客户{next(_n)}"
        return await self._add(Customer(name=name, normalized_name=name, industry=industry, region=region,
                                        owner_id=owner, created_at=created))

    async def lead(self, owner: int | None, customer: int | None, received: datetime, status: str = "accepted",
                   source: str = "官网", **extra) -> int:
        return await self._add(Lead(channel="web", source=source, customer_id=customer, owner_id=owner,
                                    status=status, received_at=received, assigned_at=received, **extra))

    async def lead_event(self, lead: int, kind: str, at: datetime) -> int:
        return await self._add(LeadEvent(lead_id=lead, kind=kind, at=at))

    async def deal(self, owner: int | None, customer: int, stage: str = "needs", entered: datetime | None = None,
                   status: str = "open", closed: datetime | None = None, lost_reason: str = "") -> int:
        return await self._add(Opportunity(customer_id=customer, owner_id=owner, stage=stage,
                                           stage_entered_at=entered, created_at=entered, status=status,
                                           closed_at=closed, lost_reason=lost_reason))

    async def touch(self, customer: int, member: int | None, at: datetime, kind: str = "followup") -> int:
        return await self._add(Interaction(customer_id=customer, member_id=member, kind=kind, at=at))

    async def event(self, customer: int, kind: str, at: datetime, owner_from: int | None = None) -> int:
        return await self._add(CustomerEvent(customer_id=customer, kind=kind, at=at, owner_from=owner_from))

    async def order(self, customer: int, owner: int | None, at: datetime, amount: int = 10_000) -> int:
        return await self._add(Order(customer_id=customer, owner_id=owner, ordered_at=at, amount=amount))


def days_ago(now: datetime, days: float) -> datetime:
    """A moment `days` before now."""
    return now - timedelta(days=days)
