"""Send slots taken in batches: all or none per send, in order, never over a cap, re-stamped to the real start."""

from __future__ import annotations

from datetime import timedelta

import pytest

from storage.repos.send_slots import Limit, SlotStore

APP = Limit("feishu:app:app", 5, 1.03)


def chat(i: int) -> Limit:
    """A per-chat cap of 2 a second."""
    return Limit(f"feishu:app:chat:{i}", 2, 1.03)


async def test_a_batch_grants_in_order_all_or_none_and_says_how_long_the_rest_wait(migrated_db, clock):
    slots = SlotStore(migrated_db)
    asks = [[APP, chat(0)], [APP, chat(0)], [APP, chat(0)], [APP, chat(1)], [APP, chat(2)], [APP, chat(3)],
            [APP, chat(4)]]
    taken = await slots.acquire_many(asks, clock.now)
    assert taken.waits[:2] == [0.0, 0.0] and taken.waits[2] > 0  # chat 0 holds two a second
    assert taken.waits[3:6] == [0.0] * 3 and 1.0 <= taken.waits[6] <= 1.03  # the app's five are gone
    assert [len(keys) for keys in taken.slots] == [2, 2, 0, 2, 2, 2, 0]
    assert await slots.used(APP.scope, clock.now(), 1.03) == 5
    clock.advance(timedelta(seconds=0.5))
    assert 0.5 <= (await slots.acquire_many([[APP, chat(5)]], clock.now)).waits[0] <= 0.53
    clock.advance(timedelta(seconds=0.53))
    assert (await slots.acquire_many([[APP, chat(i)] for i in range(6, 12)], clock.now)).waits == [0.0] * 5 + [
        pytest.approx(1.03)]


async def test_slots_taken_ahead_free_when_re_stamped_to_the_real_start(migrated_db, clock):
    slots = SlotStore(migrated_db)
    taken = await slots.acquire_many([[APP]] * 5, clock.now, hold=0.3)
    assert taken.stamp == clock.now() + timedelta(seconds=0.3)
    clock.advance(timedelta(seconds=1.1))  # past the real sends' window, not past the stamps'
    assert await slots.acquire([APP], clock.now) > 0
    started = clock.now() - timedelta(seconds=1.1)
    await slots.restamp([(keys, taken.stamp, started) for keys in taken.slots])
    assert (await slots.acquire_many([[APP]] * 5, clock.now)).waits == [0.0] * 5
