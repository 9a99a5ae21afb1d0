"""Lead queries on SQLite and PostgreSQL: dedupe lookups, first response, SLA flags, rotation, numbers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from sales.distribution import Rotation
from storage.models import Contact, Customer, Lead, Member, Team
from storage.repos import lead_admin, lead_sla
from storage.repos import leads as repo

T0 = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)


async def seed(db) -> tuple[int, int]:
    async with db.session() as s:
        team = Team(name="华东")
        s.add(team)
        await s.flush()
        rep = Member(name="李娜", team_id=team.id, capacity=5)
        s.add(rep)
        customer = Customer(name="华东医疗", normalized_name="华东医疗", owner_id=None)
        s.add(customer)
        await s.flush()
        s.add(Contact(customer_id=customer.id, mobile="13800138000", wecom_external_userid="wmX"))
        s.add_all([Lead(channel="web", customer_id=customer.id, owner_id=rep.id, status="assigned", received_at=T0,
                        assigned_at=T0, first_response_due_at=T0 + timedelta(hours=4)),
                   Lead(channel="web", customer_id=customer.id, owner_id=rep.id, status="lost", received_at=T0)])
        return rep.id, customer.id


async def test_customer_lookup_by_mobile_external_id_and_company(migrated_db):
    _, cid = await seed(migrated_db)
    async with migrated_db.session() as s:
        assert (await repo.find_customer(s, "13800138000", "", "")).id == cid
        assert (await repo.find_customer(s, None, "wmX", "")).id == cid
        assert (await repo.find_customer(s, "13900000000", "", "华东医疗")).id == cid
        assert await repo.find_customer(s, "13900000000", "", "别家") is None
        assert (await repo.recent_lead_of(s, cid, T0 - timedelta(days=1))) is not None
        assert await repo.recent_lead_of(s, cid, T0 + timedelta(minutes=1)) is None


async def test_reps_snapshot_counts_open_and_today(migrated_db):
    rep, _ = await seed(migrated_db)
    async with migrated_db.session() as s:
        [snap] = await repo.reps(s, T0 - timedelta(hours=1))
    assert (snap.id, snap.team, snap.open_leads, snap.new_today, snap.capacity) == (rep, "华东", 1, 1, 5)


async def test_first_response_breach_and_reminder_flags_apply_once(migrated_db):
    rep, cid = await seed(migrated_db)
    async with migrated_db.session() as s:
        [row] = await lead_sla.sla_due(s, T0 + timedelta(hours=5))
        assert await lead_sla.set_reminded(s, row.id, 60) and not await lead_sla.set_reminded(s, row.id, 60)
        assert await lead_sla.set_reminded(s, row.id, 30)
        assert await lead_sla.set_breached(s, row.id, T0 + timedelta(hours=4))
        assert not await lead_sla.set_breached(s, row.id, T0 + timedelta(hours=5))
        assert await lead_sla.sla_due(s, T0 + timedelta(hours=5)) == []
        assert await repo.stamp_first_response(s, cid, "followup", rep, T0 + timedelta(hours=6)) == [row.id]
        assert await repo.stamp_first_response(s, cid, "followup", rep, T0 + timedelta(hours=7)) == []
        kinds = [k for k, *_ in await repo.timeline(s, row.id)]
    assert kinds == ["first_response"]
    numbers = await lead_admin.numbers(migrated_db, T0 + timedelta(days=1))
    assert numbers["median_first_response_minutes"] == 360 and numbers["breaches_per_team"] == {"华东": 1}
    assert numbers["auto_distribution_rate"] == 0.5


async def test_rotation_upsert(migrated_db):
    async with migrated_db.session() as s:
        await repo.save_rotation(s, "default:everyone", Rotation(3, 1))
        await repo.save_rotation(s, "default:everyone", Rotation(4, 2))
        assert await repo.rotations(s) == {"default:everyone": Rotation(4, 2)}


async def test_the_sla_scan_query_uses_the_partial_index(migrated_db):
    explain = "EXPLAIN QUERY PLAN " if migrated_db.dialect == "sqlite" else "EXPLAIN "
    sql = ("SELECT id FROM lead WHERE first_response_at IS NULL AND breached_at IS NULL "
           "AND first_response_due_at <= '2026-11-27 06:00:00'")
    async with migrated_db.session() as s:
        if migrated_db.dialect == "postgresql":
            await s.execute(text("SET LOCAL enable_seqscan = off"))
        plan = " ".join(str(r) for r in (await s.execute(text(explain + sql))).all())
    assert "ix_lead_sla_open" in plan
