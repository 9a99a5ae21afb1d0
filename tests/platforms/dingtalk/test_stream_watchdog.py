"""Stream mode keeps delivering: a silent connection is replaced, and only the lease holder connects."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.platforms import dingtalk
from tests.platforms.dingtalk.conftest import dingtalk_settings, make_runtime
from tests.platforms.dingtalk.test_stream import until


async def test_a_silent_connection_is_replaced_by_the_watchdog(sqlite_url, fake, clock):
    settings = dingtalk_settings(sqlite_url, fake, mode="stream")
    settings.connections.watchdog_seconds = 0.3  # the fake gateway sends no pings: silence after connecting
    rt = await make_runtime(settings, clock)
    await dingtalk.start(rt)
    try:
        await until(lambda: rt.dingtalk_stream is not None and rt.dingtalk_stream.watchdog_trips >= 1
                    and rt.dingtalk_stream.connections >= 2 and fake.connected())
        assert len(fake.opens) >= 2  # a fresh ticket each time
        assert rt.connections.links[rt.dingtalk_stream.name].state == "up"
    finally:
        await rt.stop()


async def _takes_over(rt, tries: int = 50) -> bool:
    """Step the standby's lease until it takes over; a busy SQLite file may refuse a write, as a replica retries."""
    for _ in range(tries):
        if await rt.dingtalk_lease.step():
            return True
        await asyncio.sleep(0.05)
    return False


async def test_a_second_replica_stays_in_standby_until_the_holder_dies(sqlite_url, fake, clock):
    first = await make_runtime(dingtalk_settings(sqlite_url, fake, mode="stream"), clock)
    second = await make_runtime(dingtalk_settings(sqlite_url, fake, mode="stream"), clock)
    await dingtalk.start(first)
    await dingtalk.start(second)
    try:
        await until(fake.connected)
        name = first.dingtalk_stream.name
        assert getattr(second, "dingtalk_stream", None) is None and second.connections.links[name].state == "standby"
        first.dingtalk_lease._task.cancel()  # the holder freezes (kill -9): it no longer renews
        clock.advance(timedelta(seconds=31))
        assert await _takes_over(second)
        await until(lambda: second.dingtalk_stream is not None and second.dingtalk_stream.connections >= 1)
    finally:
        await first.stop()
        await second.stop()
