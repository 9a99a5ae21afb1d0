"""The live-order queries on both backends: one order per won deal, the oldest unaccepted order first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage.models import Customer, Opportunity, Order
from storage.repos import members
from storage.repos import orders as repo

NOW = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)


async def _customer(s, name: str) -> int:
    customer = Customer(name=name, normalized_name=name)
    s.add(customer)
    await s.flush()
    return customer.id


async def test_the_oldest_unaccepted_order_is_found_until_it_is_accepted(migrated_db):
    async with migrated_db.session() as s:
        await members.upsert(s, "李娜", {"role": "rep"}, "华东大客户部", {})
        rep = (await members.by_name(s, "李娜")).id
        cid = await _customer(s, "华东医疗")
        old = Order(customer_id=cid, owner_id=rep, amount=1, ordered_at=NOW - timedelta(days=30), source="import",
                    import_key="k1")
        new = Order(customer_id=cid, owner_id=rep, amount=2, ordered_at=NOW, source="import", import_key="k2")
        s.add_all([new, old])
        await s.flush()
        assert not await repo.any_accepted(s, cid) and (await repo.oldest_unaccepted(s, cid)).id == old.id
        old.accepted_at = NOW - timedelta(days=1)
        await s.flush()
        assert await repo.any_accepted(s, cid) and (await repo.oldest_unaccepted(s, cid)).id == new.id
        await s.commit()


async def test_add_for_deal_is_idempotent_by_opportunity(migrated_db):
    async with migrated_db.session() as s:
        cid = await _customer(s, "宏达制造")
        opp = Opportunity(customer_id=cid, stage="quote", status="won", stage_entered_at=NOW)
        s.add(opp)
        await s.flush()
        a = await repo.add_for_deal(s, cid, None, opp.id, 300_000, NOW)
        b = await repo.add_for_deal(s, cid, None, opp.id, 999, NOW + timedelta(minutes=1))
        assert a.id == b.id and b.amount == 300_000
        assert (await repo.of_opportunity(s, opp.id)).id == a.id
        await s.commit()
    async with migrated_db.session() as s:
        assert (await repo.oldest_unaccepted(s, cid)).source == "deal"
