"""Signature claims on the inbox writer's own connection (SQLite) agree with the pooled claim and with a second
replica: distinct bodies take distinct slots up to the bound, a body seen before is a retry, expired rows prune."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bot.core.clock import ManualClock
from storage.db import Database
from storage.models import SignatureSeen
from storage.repos import signatures
from storage.repos.inbox_writer import InboxWriter
from storage.repos.signatures import Claim

NOW = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
LATER = NOW + timedelta(minutes=5)


async def _writers(db: Database, url: str, n: int) -> tuple[list[InboxWriter], list[Database]]:
    dbs = [db] + [Database(url) for _ in range(n - 1)]  # each writer a replica with its own connections
    return [InboxWriter(d, ManualClock(NOW)) for d in dbs], dbs


async def _close(writers: list[InboxWriter], dbs: list[Database]) -> None:
    for w in writers:
        await w.stop()
    for d in dbs[1:]:
        await d.close()


async def test_bodies_under_one_signature_fill_the_bound_across_replicas_then_are_refused(migrated_db, db_url):
    writers, dbs = await _writers(migrated_db, db_url, 2)
    try:
        results = await asyncio.gather(*(writers[i % 2].claim_signature("dingtalk.robot", "sig", f"body-{i}", LATER,
                                                                        NOW, 8) for i in range(12)))
        assert sorted(r.slot for r in results if r.slot is not None) == list(range(8))
        assert [r for r in results if r.slot is None] == [Claim(None, False)] * 4
        again = await writers[1].claim_signature("dingtalk.robot", "sig", "body-0", LATER, NOW, 8)
        assert again == results[0]._replace(retry=True)  # the platform retrying: let through, counted once
    finally:
        await _close(writers, dbs)


async def test_the_writer_claim_and_the_pooled_claim_share_the_slots(migrated_db):
    writer = InboxWriter(migrated_db, ManualClock(NOW))
    try:
        got = await asyncio.gather(writer.claim_signature("dingtalk.card", "sig", "a", LATER, NOW, 8),
                                   signatures.claim(migrated_db, "dingtalk.card", "sig", "b", LATER, NOW, 8),
                                   writer.claim_signature("dingtalk.card", "sig", "b", LATER, NOW, 8))
        assert got[1].slot == got[2].slot != got[0].slot  # body b once, whichever claim came first
        assert {g.slot for g in got} == {0, 1} and sum(g.retry for g in got) == 1
        async with migrated_db.session() as s:
            assert await s.scalar(select(func.count()).select_from(SignatureSeen)) == 2
        assert await signatures.prune(migrated_db, LATER + timedelta(seconds=1)) == 2
    finally:
        await writer.stop()
