"""The inbox on SQLite and PostgreSQL: dedupe, group commit, crash replay, released claims."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.core.events import ChatRef, Event
from storage.repos import inbox, inbox_writer
from storage.repos.inbox import InboxWriter


def _event(key: str) -> dict:
    return Event("playground", "message", key, "1", ChatRef("playground", "group:1", True), "帮助").to_dict()


async def test_duplicates_are_detected_within_and_across_batches(migrated_db, clock):
    writer = InboxWriter(migrated_db, clock)
    results = await asyncio.gather(*[writer.put("playground", f"k{i % 50}", "message", _event(f"k{i % 50}"))
                                     for i in range(200)])
    assert sum(r.new for r in results) == 50
    again = await writer.put("playground", "k1", "message", _event("k1"))
    assert not again.new
    other_platform = await writer.put("wecom", "k1", "message", _event("k1"))
    assert other_platform.new
    await writer.stop()


async def test_concurrent_puts_are_group_committed(migrated_db, clock, monkeypatch):
    writer = InboxWriter(migrated_db, clock)
    batches = []
    original = inbox_writer.insert_batch

    async def spy(w, rows, now):
        batches.append(len(rows))
        return await original(w, rows, now)

    monkeypatch.setattr(inbox_writer, "insert_batch", spy)
    try:
        await asyncio.gather(*[writer.put("playground", f"g{i}", "message", _event(f"g{i}")) for i in range(300)])
    finally:
        await writer.stop()
    assert sum(batches) == 300
    assert len(batches) < 30, batches  # concurrent arrivals share commits


async def test_unfinished_rows_are_replayed_after_their_lease(migrated_db, clock):
    writer = InboxWriter(migrated_db, clock)
    stored = await writer.put("playground", "crash", "message", _event("crash"))
    await writer.stop()
    assert await inbox.claim_unfinished(migrated_db, clock.now()) == []  # still leased to the live worker
    clock.advance(timedelta(minutes=5))
    rows = await inbox.claim_unfinished(migrated_db, clock.now())
    assert [r.id for r in rows] == [stored.id]
    assert Event.from_dict(rows[0].event).dedupe_key == "crash"
    assert await inbox.claim_unfinished(migrated_db, clock.now()) == []  # claimed once


async def test_a_failed_event_is_reclaimed_by_the_platform_retry(migrated_db, clock):
    writer = InboxWriter(migrated_db, clock)
    first = await writer.put("playground", "boom", "message", _event("boom"))
    await inbox.mark_failed(migrated_db, first.id, "RuntimeError: boom")
    retry = await writer.put("playground", "boom", "message", _event("boom"))
    assert retry.new and retry.id == first.id
    duplicate = await writer.put("playground", "boom", "message", _event("boom"))
    assert not duplicate.new
    await writer.stop()


async def test_a_database_error_reaches_every_waiter(migrated_db, clock, monkeypatch):
    writer = InboxWriter(migrated_db, clock)
    await migrated_db.close()

    async def broken(w, rows, now):
        raise ConnectionError("database down")

    monkeypatch.setattr(inbox_writer, "insert_batch", broken)
    try:
        results = await asyncio.gather(*[writer.put("playground", f"e{i}", "message", {}) for i in range(3)],
                                       return_exceptions=True)
    finally:
        await writer.stop()
    assert all(isinstance(r, ConnectionError) for r in results)


async def test_a_retry_takes_over_a_row_whose_claimant_died_but_not_a_live_one(migrated_db, clock):
    writer = InboxWriter(migrated_db, clock)
    first = await writer.put("playground", "mid", "message", _event("mid"))  # claimed, then the process dies
    assert not (await writer.put("playground", "mid", "message", _event("mid"))).new  # still inside its lease
    clock.advance(inbox.LEASE + timedelta(seconds=1))
    retry = await writer.put("playground", "mid", "message", _event("mid"))
    assert retry.new and retry.id == first.id  # the platform's retry is handled, not dropped as a duplicate
    await writer.stop()


async def test_unhandled_and_waiting_rows_are_stored_as_such_in_the_same_write(migrated_db, clock):
    writer = InboxWriter(migrated_db, clock)
    done = await writer.put("feishu", "chatter", "platform", _event("chatter"), inbox_writer.DONE)
    waiting = await writer.put("feishu", "later", "message", _event("later"), inbox_writer.PENDING)
    await writer.stop()
    rows = {r.dedupe_key: r for r in await inbox.recent(migrated_db, "feishu", None)}
    assert rows["chatter"].status == "done" and rows["chatter"].done_at == clock.now()
    assert rows["later"].status == "pending" and rows["later"].claimed_until is None
    assert await inbox.backlog(migrated_db) == (1, clock.now())
    assert [i for i, _ in await inbox.claim_batch(migrated_db, clock.now(), 10)] == [waiting.id]
    assert done.new and waiting.new

