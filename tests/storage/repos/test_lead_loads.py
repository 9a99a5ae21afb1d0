"""Load counters, customer keys and batched outbox rows on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from sales.distribution import Rotation
from sales.lead_loads import LoadMove
from storage.models import Customer, Lead, LeadLoad, Member
from storage.repos import lead_batch, lead_loads, outbox
from storage.repos import leads as repo
from tests.helpers import schema_drift

T0 = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
DAY = T0 - timedelta(hours=1)


async def seed(db) -> int:
    async with db.session() as s:
        rep = Member(name="李娜", capacity=3)
        s.add(rep)
        await s.flush()
        s.add_all([Lead(channel="web", owner_id=rep.id, status="accepted", received_at=T0, assigned_at=T0),
                   Lead(channel="web", owner_id=rep.id, status="assigned", received_at=T0 - timedelta(days=1),
                        assigned_at=T0 - timedelta(days=1)),
                   Lead(channel="web", owner_id=rep.id, status="lost", received_at=T0, assigned_at=T0)])
        return rep.id


async def load_row(db, member_id: int) -> tuple[int, int, datetime]:
    async with db.session() as s:
        row = await s.get(LeadLoad, member_id)
        return row.open_leads, row.new_today, row.today_since


async def test_a_missing_counter_is_rebuilt_from_the_lead_table_once(migrated_db):
    rep = await seed(migrated_db)
    async with migrated_db.session() as s:
        [(snap, is_rep)] = await lead_loads.snapshot(s, DAY)
    assert is_rep and (snap.open_leads, snap.new_today) == (2, 2)
    assert await load_row(migrated_db, rep) == (2, 2, DAY)
    async with migrated_db.session() as s:  # a later day reads today's count as 0 without touching the row
        [(later, _)] = await lead_loads.snapshot(s, DAY + timedelta(days=1))
    assert (later.open_leads, later.new_today) == (2, 0)


async def test_apply_adds_deltas_only_where_the_room_is_still_there(migrated_db):
    rep = await seed(migrated_db)
    async with migrated_db.session() as s:
        await lead_loads.snapshot(s, DAY)
        assert await lead_loads.apply(s, [LoadMove(rep, 1, 1, need_open=0, need_today=0, open_limit=3,
                                                   today_limit=30)], DAY)
    assert await load_row(migrated_db, rep) == (3, 3, DAY)
    async with migrated_db.session() as s:  # a transaction that read 2 open: at capacity now, refused
        assert not await lead_loads.apply(s, [LoadMove(rep, 1, 1, open_limit=3, today_limit=30)], DAY)
        assert await lead_loads.apply(s, [LoadMove(rep, 1, 1)], DAY + timedelta(days=1))  # unbounded, new day
    assert await load_row(migrated_db, rep) == (4, 1, DAY + timedelta(days=1))
    async with migrated_db.session() as s:
        s.add(Member(name="王强"))
        await s.flush()
        other = (await s.execute(select(Member.id).where(Member.name == "王强"))).scalar_one()
        await lead_loads.snapshot(s, DAY)
        both = [LoadMove(other, 1, 1, open_limit=50, today_limit=30), LoadMove(rep, 1, 1, open_limit=4,
                                                                                 today_limit=30)]
        assert not await lead_loads.apply(s, both, DAY)  # one of two without room: the caller rolls back
        assert await lead_loads.apply(s, both[:1], DAY)


async def test_rotations_are_upserted_together(migrated_db):
    async with migrated_db.session() as s:
        await lead_loads.save_rotations(s, {"a": Rotation(1, 1), "b": Rotation(2, 1)})
        await lead_loads.save_rotations(s, {"a": Rotation(3, 2)})
        assert await repo.rotations(s) == {"a": Rotation(3, 2), "b": Rotation(2, 1)}


async def test_customer_keys_belong_to_one_customer(migrated_db):
    async with migrated_db.session() as s:
        s.add_all([Customer(name="甲", normalized_name="甲"), Customer(name="乙", normalized_name="乙")])
        await s.flush()
        a, b = (await s.execute(select(Customer.id).order_by(Customer.id))).scalars().all()
        assert await lead_batch.claim_keys(s, {"m:13800138000": a, "x:wm1": a})
        assert await lead_batch.claim_keys(s, {"m:13800138000": a})  # the same owner again: fine
        assert not await lead_batch.claim_keys(s, {"m:13800138000": b, "m:13900000000": b})


async def test_enqueue_many_inserts_new_keys_in_one_statement(migrated_db):
    rows = [(f"k{i}", "playground", "dm:1", {"n": i}) for i in range(3)]
    async with migrated_db.session() as s:
        assert await outbox.enqueue(s, "k1", "playground", "dm:1", {"n": 1}, T0)
        assert await outbox.enqueue_many(s, [*rows, rows[0]], T0) == {"k0", "k2"}
        assert await outbox.enqueue_many(s, rows, T0) == set()
    assert [r.payload for r in await outbox.recent(migrated_db)] == [{"n": 1}, {"n": 0}, {"n": 2}]


async def test_migration_matches_the_models(migrated_db):
    assert await schema_drift(migrated_db, {"lead_load", "customer_key"}) == []
