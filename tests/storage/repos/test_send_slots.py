"""Send slots taken for many sends in one transaction: first come first served, never past a cap, nothing leaked."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from storage.repos.send_slots import Grant, Limit, SlotStore

APP = Limit("feishu:cli:app", 3, 1.0, lane=True)


def _chat(name: str, count: int = 5) -> Limit:
    return Limit(f"feishu:cli:chat:{name}", count, 1.0)


async def test_one_transaction_grants_in_order_up_to_the_cap_and_says_how_long_for_the_rest(migrated_db, clock):
    store = SlotStore(migrated_db)
    grants = await store.acquire_many([[APP, _chat(f"c{i}")] for i in range(5)], clock.now, hold=16.0)
    assert [bool(g.slots) for g in grants] == [True, True, True, False, False]
    assert {g.full for g in grants[3:]} == {APP.scope} and all(g.wait > 0 for g in grants[3:])
    assert len({slot for g in grants for slot in g.slots}) == 6  # three app slots and three chat slots, all distinct
    later = clock.now() + timedelta(seconds=0.5)
    assert await store.used(APP.scope, later, 1.0) == 3  # held ahead while the sends are in flight
    for i in (3, 4):  # the refused sends took nothing in their own chats
        assert await store.used(_chat(f"c{i}").scope, later, 1.0) == 0


async def test_a_send_refused_by_its_chat_gives_back_the_app_slot_it_took(migrated_db, clock):
    store = SlotStore(migrated_db)
    busy = _chat("busy", count=1)
    assert (await store.acquire([APP, busy], clock.now)).slots
    grants = await store.acquire_many([[APP, busy], [APP, _chat("quiet")]], clock.now)
    assert grants[0].full == busy.scope and grants[1].slots
    assert await store.used(APP.scope, clock.now(), 1.0) == 2  # not 3: the refused send's slot is free again
    clock.advance(timedelta(seconds=1.5))
    assert all(g.slots for g in await store.acquire_many([[APP, busy], [APP], [APP]], clock.now))


async def test_two_replicas_taking_at_once_never_pass_the_cap(migrated_db, clock):
    a, b = SlotStore(migrated_db), SlotStore(migrated_db)
    wanted = [[APP, _chat(f"r{i}")] for i in range(4)]
    got = await asyncio.gather(a.acquire_many(wanted, clock.now), b.acquire_many(wanted, clock.now))
    granted = [g for grants in got for g in grants if g.slots]
    assert len(granted) == APP.count
    assert len({slot for g in granted for slot in g.slots if slot[0] == APP.scope}) == APP.count


async def test_sends_without_caps_take_nothing(migrated_db, clock):
    grants = await SlotStore(migrated_db).acquire_many([[], [Limit("x", 0, 1.0)]], clock.now)
    assert grants == [Grant(), Grant()]


async def test_a_held_stamp_is_redone_only_when_the_take_ran_past_the_holds_margin(migrated_db, clock):
    """Held ahead by the send timeout plus a second, a stamp a few milliseconds early is still ahead of the send."""
    store = SlotStore(migrated_db)
    for late, restamped in ((0.1, False), (0.6, True)):
        start = clock.now()
        reads = iter([start, start + timedelta(seconds=late)])
        grant = await store.acquire([Limit(f"scope{late}", 1, 1.0)], reads.__next__, hold=16.0)
        assert grant.held == start + timedelta(seconds=16.0 + (late if restamped else 0.0))
        assert await store.used(f"scope{late}", start + timedelta(seconds=16.5), 1.0) == 1  # the row holds it


async def test_sends_refused_together_wait_each_for_its_own_slot_in_line(migrated_db, clock):
    """The k-th refused waits for the k-th oldest slot: not all for the first, to collide again when it frees."""
    store = SlotStore(migrated_db)
    for _ in range(APP.count):  # the app's three slots taken 0.1 s apart
        assert (await store.acquire([APP], clock.now)).slots
        clock.advance(timedelta(seconds=0.1))
    grants = await store.acquire_many([[APP] for _ in range(5)], clock.now)
    assert [round(g.wait, 3) for g in grants] == [0.7, 0.8, 0.9, 0.9, 0.9]  # two more than slots: the last one's
    assert {g.full for g in grants} == {APP.scope}


async def test_sends_answered_since_the_last_flush_settle_in_the_next_take(migrated_db, clock):
    """Settled in the take's own transaction, an answered send's slot frees a window after its answer, not after
    the hold: left to the lane's next flush, a take meanwhile saw it held 16 s ahead and waited past it."""
    store = SlotStore(migrated_db)
    held = await store.acquire_many([[APP] for _ in range(APP.count)], clock.now, hold=16.0)
    answered = clock.now()
    clock.advance(timedelta(seconds=1.5))
    assert not (await store.acquire([APP], clock.now, hold=16.0)).slots  # still held ahead: nothing settled
    grants = await store.acquire_many([[APP], [APP]], clock.now, 16.0, [(g, answered) for g in held])
    assert all(g.slots for g in grants)
