"""Shared access tokens: one refresher per app across replicas, refreshed before expiry, retried once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.platforms.tokens import SharedTokens


class Platform:
    """Hands out a new token per fetch (like a refresh that invalidates the old one), slowly."""

    def __init__(self) -> None:
        self.fetches = 0

    async def fetch(self) -> tuple[str, float]:
        self.fetches += 1
        await asyncio.sleep(0.05)
        return f"tok-{self.fetches}", 7200.0


def _replicas(db, clock, n: int = 2) -> list[SharedTokens]:
    async def tick(_s: float) -> None:
        await asyncio.sleep(0.01)

    return [SharedTokens(db, lambda: clock.now().timestamp(), tick, holder=f"r{i}") for i in range(n)]


async def test_replicas_share_one_token_and_one_fetch(migrated_db, clock):
    platform, (a, b) = Platform(), _replicas(migrated_db, clock)
    tokens = await asyncio.gather(*(r.get("wecom:corp:1", platform.fetch, 300) for r in (a, b, a, b)))
    assert platform.fetches == 1 and set(tokens) == {"tok-1"}


async def test_a_token_is_replaced_before_it_expires(migrated_db, clock):
    platform, (a, b) = Platform(), _replicas(migrated_db, clock)
    assert await a.get("feishu:cli", platform.fetch, 600) == "tok-1"
    clock.advance(timedelta(seconds=7200 - 601))
    assert await b.get("feishu:cli", platform.fetch, 600) == "tok-1"
    clock.advance(timedelta(seconds=2))  # inside the margin: one replica refreshes, the other reads it
    assert {await b.get("feishu:cli", platform.fetch, 600), await a.get("feishu:cli", platform.fetch, 600)} == {
        "tok-2"}
    assert platform.fetches == 2


async def test_a_rejected_token_is_refetched_once_and_shared(migrated_db, clock):
    platform, (a, b) = Platform(), _replicas(migrated_db, clock)
    first = await a.get("dingtalk:app", platform.fetch, 300)
    await b.get("dingtalk:app", platform.fetch, 300)
    # both replicas see the platform refuse tok-1 at once: only one fetch, both get tok-2
    again = await asyncio.gather(a.get("dingtalk:app", platform.fetch, 300, rejected=first),
                                 b.get("dingtalk:app", platform.fetch, 300, rejected=first))
    assert set(again) == {"tok-2"} and platform.fetches == 2


async def test_without_a_database_the_token_is_cached_in_the_process(clock):
    platform = Platform()
    tokens = SharedTokens(None, lambda: clock.now().timestamp())
    assert [await tokens.get("k", platform.fetch, 300) for _ in range(3)] == ["tok-1"] * 3
