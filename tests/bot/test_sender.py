"""Outbox and sender: exactly-once keys, retries with backoff, dead letters, rate limits, claims."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.config import OutboxConfig
from bot.core.errors import DeliveryError, TransientDeliveryError
from bot.metrics import Metrics
from bot.platforms import quotas
from bot.sender import Sender
from storage.repos import outbox, outbox_claims
from storage.repos.send_slots import Limit


class FakeAPI:
    """Records deliveries; fails the first `fail` sends with the given error."""

    name = "fake"

    def __init__(self, fail: int = 0, error: Exception | None = None, per_minute: int | None = None) -> None:
        self.fail, self.error, self.per_minute = fail, error, per_minute
        self.sent: list[tuple[str, dict]] = []
        self.calls = 0

    async def send(self, target: str, payload: dict) -> None:
        self.calls += 1
        if self.calls <= self.fail:
            raise self.error
        self.sent.append((target, payload))


async def _enqueue(db, clock, key: str, target: str = "chat1") -> bool:
    async with db.session() as s:
        return await outbox.enqueue(s, key, "fake", target, {"text": key}, clock.now())


def _sender(db, clock, api, **cfg) -> Sender:
    return Sender(db, clock, {"fake": api}, OutboxConfig(**cfg), Metrics(), rate_clock=clock)


async def test_a_key_is_queued_and_sent_once(migrated_db, clock):
    api = FakeAPI()
    assert await _enqueue(migrated_db, clock, "must_do:2026-11-27:member42")
    assert not await _enqueue(migrated_db, clock, "must_do:2026-11-27:member42")
    sender = _sender(migrated_db, clock, api)
    assert await sender.run_once() == 1
    assert await sender.run_once() == 0
    assert len(api.sent) == 1
    assert (await outbox.counts(migrated_db)) == {"sent": 1}


async def test_transient_failures_retry_with_backoff(migrated_db, clock):
    api = FakeAPI(fail=2, error=TransientDeliveryError("503"))
    await _enqueue(migrated_db, clock, "k")
    sender = _sender(migrated_db, clock, api, base_backoff_seconds=2.0)
    await sender.run_once()
    assert await sender.run_once() == 0  # not due yet: backoff 2 s
    clock.advance(timedelta(seconds=2))
    await sender.run_once()  # second failure, backoff 4 s
    clock.advance(timedelta(seconds=3))
    assert await sender.run_once() == 0
    clock.advance(timedelta(seconds=1))
    await sender.run_once()
    assert len(api.sent) == 1
    row = (await outbox.recent(migrated_db))[0]
    assert row.status == "sent" and row.attempts == 3


async def test_dead_letter_after_max_attempts_keeps_the_reason(migrated_db, clock):
    api = FakeAPI(fail=99, error=TransientDeliveryError("timeout talking to platform"))
    await _enqueue(migrated_db, clock, "k")
    sender = _sender(migrated_db, clock, api, max_attempts=3)
    for _ in range(5):
        await sender.run_once()
        clock.advance(timedelta(minutes=10))
    row = (await outbox.recent(migrated_db))[0]
    assert row.status == "dead" and row.attempts == 3
    assert "gave up after 3 attempts" in row.last_error and "timeout" in row.last_error


async def test_permanent_failures_dead_letter_at_once(migrated_db, clock):
    api = FakeAPI(fail=1, error=DeliveryError("chat not found"))
    await _enqueue(migrated_db, clock, "k")
    await _sender(migrated_db, clock, api).run_once()
    row = (await outbox.recent(migrated_db))[0]
    assert row.status == "dead" and "chat not found" in row.last_error


async def test_rate_limit_postpones_without_losing(migrated_db, clock):
    api = FakeAPI(per_minute=2)
    for i in range(5):
        await _enqueue(migrated_db, clock, f"k{i}")
    sender = _sender(migrated_db, clock, api)
    await sender.run_once()
    assert len(api.sent) == 2
    clock.advance(timedelta(seconds=62))
    await sender.run_once()
    clock.advance(timedelta(seconds=62))
    await sender.run_once()
    assert [p["text"] for _, p in api.sent] == [f"k{i}" for i in range(5)]
    row = (await outbox.recent(migrated_db))[-1]
    assert row.attempts == 1  # postponements are not attempts


async def test_a_crashed_sender_claim_is_taken_over_after_the_lease(migrated_db, clock):
    await _enqueue(migrated_db, clock, "k")
    assert len(await outbox_claims.claim_due(migrated_db, clock.now())) == 1  # a sender claims, then dies
    api = FakeAPI()
    sender = _sender(migrated_db, clock, api)
    assert await sender.run_once() == 0
    clock.advance(timedelta(minutes=2))
    assert await sender.run_once() == 1 and len(api.sent) == 1


async def test_concurrent_claimers_never_share_a_row(migrated_db, clock):
    for i in range(60):
        await _enqueue(migrated_db, clock, f"k{i}", target=f"chat{i}")
    claims = await asyncio.gather(*[outbox_claims.claim_due(migrated_db, clock.now(), limit=10) for _ in range(8)])
    ids = [row.id for rows in claims for row in rows]
    assert len(ids) == len(set(ids)) == 60


async def test_unknown_platform_is_dead_lettered_with_the_fix(migrated_db, clock):
    async with migrated_db.session() as s:
        await outbox.enqueue(s, "x", "wecom", "u1", {}, clock.now())
    await _sender(migrated_db, clock, FakeAPI()).run_once()
    row = (await outbox.recent(migrated_db))[0]
    assert row.status == "dead" and "not enabled" in row.last_error


async def test_a_full_app_wide_cap_pauses_the_lane_instead_of_postponing_every_row(migrated_db, clock, monkeypatch):
    # Feishu's 1000/min per app, in small: once it is full, every row claimed would only be postponed (two writes)
    monkeypatch.setitem(quotas.QUOTAS, "fake", lambda app, target, payload: [Limit("fake:app", 2, 60.0, lane=True)])
    api = FakeAPI()
    for i in range(3):
        await _enqueue(migrated_db, clock, f"k{i}", target=f"chat{i}")
    sender = _sender(migrated_db, clock, api)
    await sender.run_once()
    assert len(api.sent) == 2  # the third was refused for a minute: the lane pauses
    for i in range(3, 6):
        await _enqueue(migrated_db, clock, f"k{i}", target=f"chat{i}")
    assert await sender.run_once() == 0  # due rows wait in the outbox, untouched
    assert (await outbox.counts(migrated_db)) == {"sent": 2, "pending": 4}
    clock.advance(timedelta(seconds=61))
    assert await sender.run_once() > 0
    assert len(api.sent) == 4


async def test_a_send_finishing_during_a_pass_wakes_the_lane_at_once(migrated_db, clock, monkeypatch):
    # a target's send that finished while the lane was still marking the last ones had its wake-up cleared after
    # it, and the lane slept its flush interval: a 50/s cap lost a fifth of a second at a time (bench/README.md)
    lane = _sender(migrated_db, clock, FakeAPI(), flush_seconds=60, poll_seconds=60).lane("fake")
    passes: list[int] = []
    flushes: list[int] = []

    async def pump() -> int:
        passes.append(len(passes))
        if len(passes) == 2:
            lane.wake.set()  # another send done: a third pass, still no second flush within flush_seconds
        return 0

    async def flush() -> None:
        flushes.append(len(passes))
        lane.wake.set()  # what a target's done callback does (Lane._target_done)

    monkeypatch.setattr(lane, "pump", pump)
    monkeypatch.setattr(lane, "flush", flush)
    running = asyncio.get_running_loop().create_task(lane.run())
    try:
        for _ in range(100):
            await asyncio.sleep(0.01)
            if len(passes) >= 3:
                break
        assert len(passes) >= 3 and flushes == [1]  # a pass per wake-up, marks and settles once per interval
    finally:
        lane.halt()
        await asyncio.wait_for(running, 5)
