"""The demo company: realistic volumes, fresh relative to now, deterministic, resettable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.core.clock import ManualClock
from bot.runtime import Runtime
from sales.stages import STAGES
from scheduler.core import run_job
from storage import models as m
from storage.db import Database
from storage.demo import is_empty, seed_demo
from storage.migrate import upgrade
from storage.models import CustomerEvent, LeadEvent, Order
from storage.repos import push_reports
from tests.conftest import make_settings

NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
SEEDED = ("team", "member", "identity", "customer", "contact", "lead", "opportunity", "evidence", "interaction", "task",
          "lead_event", "customer_event", "customer_order")


async def fresh_db(tmp_path, name: str = "t") -> Database:
    """Return a migrated SQLite database in tmp_path."""
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/{name}.db")
    await upgrade(db)
    return db


@pytest.fixture
async def db(tmp_path):
    database = await fresh_db(tmp_path)
    yield database
    await database.close()


async def count(db: Database, model, *where) -> int:
    """Count rows of a model matching the conditions."""
    async with db.session() as s:
        return await s.scalar(select(func.count()).select_from(model).where(*where))


async def table_counts(db: Database) -> dict[str, int]:
    """Count the rows of every seeded table."""
    models = {t.__tablename__: t for t in (m.Team, m.Member, m.Identity, m.Customer, m.Contact, m.Lead,
                                           m.Opportunity, m.Evidence, m.Interaction, m.Task, LeadEvent,
                                           CustomerEvent, Order)}
    return {name: await count(db, models[name]) for name in SEEDED}


async def test_volumes_match_a_mid_sized_sales_org(migrated_db):
    assert await is_empty(migrated_db)
    counts = await seed_demo(migrated_db, NOW)
    assert not await is_empty(migrated_db)
    assert counts == await table_counts(migrated_db)
    assert counts["team"] == 3
    assert 18 <= await count(migrated_db, m.Member, m.Member.role == "rep") <= 22
    assert await count(migrated_db, m.Member, m.Member.role == "manager") == 3
    assert await count(migrated_db, m.Member, m.Member.role == "admin") == 1
    assert 3 <= await count(migrated_db, m.Member, m.Member.is_new) <= 4
    assert 1800 <= counts["lead"] <= 2200
    assert 350 <= counts["opportunity"] <= 450
    assert 4000 <= counts["interaction"] <= 6000


async def test_every_member_has_a_playground_identity_by_id(db):
    await seed_demo(db, NOW)
    async with db.session() as s:
        rows = (await s.execute(select(m.Member.id, m.Identity.platform_user_id).outerjoin(
            m.Identity, (m.Identity.member_id == m.Member.id) & (m.Identity.platform == "playground")))).all()
        platforms = set((await s.scalars(select(m.Identity.platform).distinct())).all())
    assert rows and all(uid == str(mid) for mid, uid in rows)
    assert platforms == {"playground", "wecom", "dingtalk", "feishu"}


async def test_reps_report_to_their_team_manager(db):
    await seed_demo(db, NOW)
    async with db.session() as s:
        reps = (await s.scalars(select(m.Member).where(m.Member.role == "rep"))).all()
        managers = {x.id: x for x in await s.scalars(select(m.Member).where(m.Member.role == "manager"))}
    assert all(managers[r.manager_id].team_id == r.team_id for r in reps)
    assert all(r.industries and r.mobile[:2] in {f"1{d}" for d in "3456789"} and len(r.mobile) == 11 for r in reps)


async def test_data_is_fresh_and_has_work_to_do(db):
    await seed_demo(db, NOW)
    lead = m.Lead
    assert await count(db, lead, lead.received_at < NOW - timedelta(days=91)) == 0
    assert await count(db, lead, lead.received_at > NOW) == 0
    assert await count(db, lead, lead.received_at > NOW - timedelta(hours=6)) > 10
    # a calm start: nothing the first scan would reassign or flag at once, but clocks still running
    assert await count(db, lead, lead.status == "assigned", lead.first_response_due_at < NOW) == 0
    assert await count(db, lead, lead.status == "assigned", lead.assigned_at < NOW - timedelta(minutes=30)) == 0
    assert await count(db, lead, lead.first_response_at.is_(None), lead.breached_at.is_(None),
                       lead.first_response_due_at > NOW) > 0
    breached = await count(db, lead, lead.breached_at.is_not(None))
    assert 0.05 < breached / await count(db, lead) < 0.2
    assert await count(db, lead, lead.status == "breached") > 0
    opp = m.Opportunity
    assert await count(db, opp, opp.status == "open", opp.stage_entered_at < NOW - timedelta(days=14)) > 0
    assert await count(db, opp, opp.status == "lost", opp.lost_reason == "") == 0
    assert await count(db, m.Task, m.Task.done_at.is_(None), m.Task.due_at < NOW) > 0
    assert await count(db, m.Task, m.Task.kind == "attack_action") > 0


async def test_evidence_kinds_are_the_stage_gates(db):
    await seed_demo(db, NOW)
    async with db.session() as s:
        pairs = set((await s.execute(select(m.Evidence.stage, m.Evidence.kind).distinct())).all())
    assert pairs == {(st.key, st.evidence[0]) for st in STAGES}


async def test_same_seed_and_now_give_the_same_company(tmp_path):
    dbs = [await fresh_db(tmp_path, "a"), await fresh_db(tmp_path, "b"), await fresh_db(tmp_path, "c")]
    for db, seed in zip(dbs, (7, 7, 8), strict=True):
        await seed_demo(db, NOW, seed=seed)
    snapshots = []
    for db in dbs:
        async with db.session() as s:
            by_status = (await s.execute(select(m.Lead.status, func.count()).group_by(m.Lead.status))).all()
            names = (await s.scalars(select(m.Customer.name).order_by(m.Customer.id).limit(50))).all()
            snapshots.append((sorted(by_status), names))
        await db.close()
    assert snapshots[0] == snapshots[1]
    assert snapshots[0] != snapshots[2]


async def test_second_seed_is_a_no_op_and_reset_starts_over(migrated_db):
    first = await seed_demo(migrated_db, NOW)
    assert await seed_demo(migrated_db, NOW) == {}
    assert await table_counts(migrated_db) == first
    again = await seed_demo(migrated_db, NOW + timedelta(days=1), reset=True)
    assert again == first
    assert await table_counts(migrated_db) == first
    assert await count(migrated_db, m.Lead, m.Lead.received_at > NOW) > 0


async def test_naive_now_is_refused(db):
    with pytest.raises(ValueError, match="aware"):
        await seed_demo(db, datetime(2026, 11, 27, 6, 0))


async def test_the_demo_starts_calm_and_its_conversion_is_real(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path}/calm.db"
    db = await fresh_db(tmp_path, "calm")
    await seed_demo(db, NOW, seed=11)
    rt = Runtime(make_settings(url), clock=ManualClock(NOW), db=db, apis={})
    scan = (await run_job(rt, "sla_scan")).summary
    assert "超时 0 条，收回 0 条" in scan, scan  # due reminders only: no burst
    pool = (await run_job(rt, "pool_reclaim")).summary
    assert pool.startswith("收回公海 0 个"), pool
    async with db.session() as s:
        week = await push_reports.week_numbers(s, NOW - timedelta(days=30), NOW)
    assert sum(w.converted for w in week.values()) > 0
    await db.close()


async def test_won_deals_leave_orders_some_accepted_some_waiting(migrated_db):
    await seed_demo(migrated_db, NOW)
    won = await count(migrated_db, m.Opportunity, m.Opportunity.status == "won")
    firsts = await count(migrated_db, Order, Order.opportunity_id.is_not(None))
    assert 0 < firsts <= won
    assert await count(migrated_db, Order, Order.accepted_at.is_not(None)) > 0
    assert await count(migrated_db, Order, Order.accepted_at.is_(None)) > 0  # deferred shares still waiting
