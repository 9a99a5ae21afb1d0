"""Stream mode keeps delivering: a silent connection is replaced, and only the lease holder connects."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.platforms.dingtalk.platform import lifespan
from tests.bot.platforms.dingtalk.conftest import dingtalk_settings, make_runtime
from tests.bot.platforms.dingtalk.extras.test_stream import until


async def test_a_silent_connection_is_replaced_by_the_watchdog(sqlite_url, fake, clock):
    settings = dingtalk_settings(sqlite_url, fake, mode="stream")
    settings.connections.watchdog_seconds = 0.3  # the fake gateway sends no pings: silence after connecting
    rt = await make_runtime(settings, clock)
    try:
        async with lifespan(rt) as held:
            await until(lambda: held.client is not None and held.client.watchdog_trips >= 1
                        and held.client.connections >= 2 and fake.connected())
            assert len(fake.opens) >= 2  # a fresh ticket each time
            assert rt.connections.links[held.client.name].state == "up"
    finally:
        await rt.stop()


async def _takes_over(held, tries: int = 50) -> bool:
    """Step the standby's lease until it takes over; a busy SQLite file may refuse a write, as a replica retries."""
    for _ in range(tries):
        if await held.lease.step():
            return True
        await asyncio.sleep(0.05)
    return False


async def test_a_second_replica_stays_in_standby_until_the_holder_dies(sqlite_url, fake, clock):
    first = await make_runtime(dingtalk_settings(sqlite_url, fake, mode="stream"), clock)
    second = await make_runtime(dingtalk_settings(sqlite_url, fake, mode="stream"), clock)
    try:
        async with lifespan(first) as one, lifespan(second) as two:
            await until(fake.connected)
            name = one.client.name
            assert two.client is None and second.connections.links[name].state == "standby"
            one.lease._task.cancel()  # the holder freezes (kill -9): it no longer renews
            clock.advance(timedelta(seconds=31))
            assert await _takes_over(two)
            await until(lambda: two.client is not None and two.client.connections >= 1)
    finally:
        await first.stop()
        await second.stop()
