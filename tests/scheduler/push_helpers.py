"""A small constructed sales team for the push tests: one manager, two reps, leads, deals and tasks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select

from bot.runtime import Runtime
from storage.models import Customer, Identity, Lead, Opportunity, Task, Team
from storage.repos import members, outbox
from tests.helpers import add_member

H, D = timedelta(hours=1), timedelta(days=1)


@dataclass
class Org:
    boss: int
    rep: int
    other: int
    team: int
    lead: int
    old_lead: int
    quote: int
    stalled: int
    task: int


async def build_org(rt: Runtime) -> Org:
    """李娜 has a lead due in 2 h, an overdue 攻坚 action on her quote deal, a deal 15 days past its benchmark."""
    boss = await add_member(rt, "周主管", role="manager")
    rep, other = await add_member(rt, "李娜"), await add_member(rt, "王强")
    now = rt.clock.now()
    async with rt.db.session() as s:
        for name in ("李娜", "王强"):
            await members.set_manager(s, name, "周主管")
        team = (await members.by_name(s, "李娜")).team_id
        row = await s.get(Team, team)
        row.group_platform, row.group_chat_id = "playground", f"group:{team}"
        c1, c2, c3, c4 = (Customer(name=n, normalized_name=n, owner_id=rep, grade=g) for n, g in (
            ("华东医疗", "A"), ("宏达制造", "A"), ("恒信金融", "B"), ("远航物流", "")))
        s.add_all([c1, c2, c3, c4])
        await s.flush()
        lead = Lead(channel="web", customer_id=c1.id, owner_id=rep, status="assigned", assigned_at=now - 2 * H,
                    first_response_due_at=now + 2 * H)
        old = Lead(channel="web", customer_id=c4.id, owner_id=rep, status="breached", assigned_at=now - 10 * D,
                   first_response_due_at=now - 10 * D + 4 * H, breached_at=now - 10 * D + 4 * H)
        quote = Opportunity(customer_id=c2.id, owner_id=rep, stage="quote", stage_entered_at=now - 2 * D,
                            amount=500_000, created_at=now - 30 * D)
        stalled = Opportunity(customer_id=c3.id, owner_id=rep, stage="demo", stage_entered_at=now - 25 * D,
                              amount=800_000, created_at=now - 40 * D)
        s.add_all([lead, old, quote, stalled])
        await s.flush()
        task = Task(kind="attack_action", title="攻坚：宏达制造 约决策人面谈", owner_id=rep, due_at=now - H,
                    ref=f"opportunity:{quote.id}", created_at=now - 3 * D)
        s.add(task)
        await s.flush()
        return Org(boss, rep, other, team, lead.id, old.id, quote.id, stalled.id, task.id)


async def drop_identities(rt: Runtime, member_id: int) -> None:
    """Leave a member with no platform identity at all."""
    async with rt.db.session() as s:
        await s.execute(delete(Identity).where(Identity.member_id == member_id))


async def outbox_keys(rt: Runtime, prefix: str = "") -> list[str]:
    """Every queued key (any status) starting with prefix."""
    return [r.idempotency_key for r in await outbox.recent(rt.db, None, limit=10_000)
            if r.idempotency_key.startswith(prefix)]


async def outbox_row(rt: Runtime, key: str):
    """The outbox row with this key."""
    from storage.models import OutboxMessage

    async with rt.db.session() as s:
        return (await s.execute(select(OutboxMessage).where(OutboxMessage.idempotency_key == key))).scalar_one()
