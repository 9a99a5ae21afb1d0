"""A lane's slot takes: the sends of one pass share one transaction; a failed take fails each of its sends."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.config import OutboxConfig
from bot.sendslots import LaneSlots
from storage.repos.send_slots import Limit, SlotStore

APP = Limit("feishu:cli:app", 50, 1.0, lane=True)


class Counting(SlotStore):
    """The real store, counting transactions."""

    def __init__(self, db) -> None:
        super().__init__(db)
        self.batches: list[int] = []

    async def acquire_many(self, requests, clock, hold=0.0, settles=()):
        self.batches.append(len(requests))
        return await super().acquire_many(requests, clock, hold, settles)


async def _no_sleep(_seconds: float) -> None:
    await asyncio.sleep(0)


async def test_concurrent_sends_take_their_slots_in_one_transaction(migrated_db, clock):
    store = Counting(migrated_db)
    slots = LaneSlots(store, clock.now, OutboxConfig(), _no_sleep)
    grants = await asyncio.gather(*(slots.take([APP, Limit(f"feishu:cli:chat:c{i}", 5, 1.0)]) for i in range(16)))
    assert store.batches == [16] and all(g.slots for g in grants)
    assert len({g.slots[0] for g in grants}) == 16
    assert await slots.take([Limit("uncapped", 0, 1.0)]) == type(grants[0])()  # nothing to take: no transaction
    assert store.batches == [16]


async def test_a_take_that_fails_fails_every_send_waiting_on_it_and_the_next_take_runs(migrated_db, clock):
    store = Counting(migrated_db)
    calls = 0

    async def broken(requests, now, hold=0.0, settles=()):
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ConnectionError("server closed the connection unexpectedly")
        return await SlotStore.acquire_many(store, requests, now, hold, settles)

    store.acquire_many = broken
    slots = LaneSlots(store, clock.now, OutboxConfig(), _no_sleep)
    results = await asyncio.gather(*(slots.take([APP]) for _ in range(3)), return_exceptions=True)
    assert all(isinstance(r, ConnectionError) for r in results)
    assert (await slots.take([APP])).slots
    await slots.idle()


async def test_a_cancelled_send_does_not_break_the_take_of_the_others(migrated_db, clock):
    slots = LaneSlots(SlotStore(migrated_db), clock.now, OutboxConfig(), _no_sleep)
    first = asyncio.ensure_future(slots.take([APP]))
    second = asyncio.ensure_future(slots.take([APP]))
    await asyncio.sleep(0)
    first.cancel()
    assert (await second).slots
    with pytest.raises(asyncio.CancelledError):
        await first


async def test_a_scope_is_known_full_until_its_first_slot_frees_not_its_last(migrated_db, clock):
    """Refused sends of one take hear different waits; the lane remembers the soonest, so none oversleeps."""
    store = SlotStore(migrated_db)
    small = Limit("feishu:cli:app", 2, 1.0, lane=True)
    for _ in range(small.count):
        assert (await store.acquire([small], clock.now)).slots
        clock.advance(timedelta(seconds=0.2))
    slots = LaneSlots(store, clock.now, OutboxConfig(max_wait_seconds=0.0), _no_sleep)
    grants = await asyncio.gather(*(slots.take([small]) for _ in range(2)))
    assert sorted(round(g.wait, 3) for g in grants) == [0.6, 0.8]
    assert slots._known_full([small]).wait == pytest.approx(0.6)
