"""Two replicas on one outbox: fenced leases (no double send), shared caps, throttling, lanes."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.config import OutboxConfig
from bot.core.clock import ManualClock
from bot.core.errors import Throttled, TransientDeliveryError
from bot.metrics import Metrics
from bot.platforms import quotas
from bot.sender import Sender
from storage.repos import outbox, outbox_claims
from storage.repos.send_slots import Limit, SlotStore


class SlowAPI:
    """A platform answering in `seconds` of (manual) time; records every delivery by idempotency key."""

    per_minute = None

    def __init__(self, clock, seconds: float = 1.5, hang: bool = False) -> None:
        self.clock, self.seconds, self.hang = clock, seconds, hang
        self.keys: list[str] = []

    async def send(self, target: str, payload: dict) -> None:
        done = self.clock.now() + timedelta(seconds=self.seconds)  # sends in parallel overlap in time
        await asyncio.sleep(0)
        if self.hang:
            await asyncio.sleep(3600)
        if self.clock.now() < done:
            self.clock.set(done)
        self.keys.append(payload["key"])
        await asyncio.sleep(0)


async def _queue(db, clock, platform: str, rows: list[tuple[str, str, dict]]) -> None:
    async with db.session() as s:
        for key, target, payload in rows:
            await outbox.enqueue(s, key, platform, target, {"key": key, **payload}, clock.now())


def _sender(db, clock, apis, **cfg) -> Sender:
    async def no_sleep(_seconds: float) -> None:
        await asyncio.sleep(0)

    return Sender(db, clock, apis, OutboxConfig(**{"per_target_per_minute": 0, **cfg}), Metrics(), sleep=no_sleep,
                  rate_clock=clock)


async def _drain(clock, *senders, rounds: int = 200) -> None:
    for _ in range(rounds):
        claimed = await asyncio.gather(*(s.run_once() for s in senders))
        left = (await outbox.counts(senders[0].db))
        if not sum(claimed) and not left.get("pending") and not left.get("sending"):
            return
        clock.advance(timedelta(seconds=5))


async def test_two_replicas_and_a_slow_platform_send_every_reply_exactly_once(migrated_db, clock):
    """Issue 19 defect 4: 100 replies, 1.5 s per send, two senders — 39 went out twice before the fence."""
    await _queue(migrated_db, clock, "slow", [(f"reply:{i}", f"chat{i % 40}", {}) for i in range(100)])
    api = SlowAPI(clock)
    a, b = _sender(migrated_db, clock, {"slow": api}), _sender(migrated_db, clock, {"slow": api})
    await _drain(clock, a, b)
    assert len(api.keys) == 100 and len(set(api.keys)) == 100
    assert await outbox.counts(migrated_db) == {"sent": 100}


async def test_a_replica_whose_lease_lapsed_neither_sends_nor_marks(migrated_db, clock):
    await _queue(migrated_db, clock, "slow", [("k", "chat", {})])
    old = (await outbox_claims.claim_due(migrated_db, clock.now(), lease=timedelta(seconds=30)))[0]
    clock.advance(timedelta(seconds=31))
    new = (await outbox_claims.claim_due(migrated_db, clock.now()))[0]
    assert new.id == old.id and new.claim_token != old.claim_token
    assert not await outbox_claims.mark_sent(migrated_db, old.id, old.claim_token, clock.now(), 1)
    assert not await outbox_claims.mark_dead(migrated_db, old.id, old.claim_token, 1, "late")
    assert await outbox_claims.mark_sent(migrated_db, new.id, new.claim_token, clock.now(), 1)


async def test_renewal_keeps_a_long_send_ours(migrated_db, clock):
    class Gate(SlowAPI):
        gate = asyncio.Event()

        async def send(self, target: str, payload: dict) -> None:
            await self.gate.wait()
            await super().send(target, payload)

    await _queue(migrated_db, clock, "slow", [("k", "chat", {})])
    api = Gate(clock)
    sender = _sender(migrated_db, clock, {"slow": api}, lease_seconds=30)
    lane = sender.lane("slow")
    await lane.pump()
    await asyncio.sleep(0.01)  # the send has started and waits on the platform
    for _ in range(5):  # 100 s of renewing every 20 s: nobody else can claim it
        clock.advance(timedelta(seconds=20))
        await lane.renew()
        assert await outbox_claims.claim_due(migrated_db, clock.now()) == []
    api.gate.set()
    await asyncio.gather(*lane.inflight.values())
    await lane.flush()
    assert await outbox.counts(migrated_db) == {"sent": 1}


async def test_member_cap_holds_across_replicas_and_restarts(migrated_db, clock):
    """WeCom drops a member's 31st message in a minute silently; two senders and a restart stay at 30."""
    rows = [(f"m:{i}", f"dm:zhang{i % 3}", {"kind": "app", "touser": "zhangsan", "body": {}}) for i in range(45)]
    await _queue(migrated_db, clock, "wecom", rows)
    api = SlowAPI(clock, seconds=0.01)
    a, b = _sender(migrated_db, clock, {"wecom": api}), _sender(migrated_db, clock, {"wecom": api})
    for _ in range(10):
        await asyncio.gather(a.run_once(), b.run_once())
    restarted = _sender(migrated_db, clock, {"wecom": api})
    for _ in range(5):
        await restarted.run_once()
    assert len(api.keys) == 30
    slots = SlotStore(migrated_db)
    assert await slots.used("wecom:app:member:zhangsan", clock.now(), 61.5) == 30
    clock.advance(timedelta(seconds=62))
    await _drain(clock, restarted)
    assert len(api.keys) == 45 == len(set(api.keys))


async def test_throttling_is_retried_with_the_platform_backoff_not_dead_lettered(migrated_db, clock):
    class ThrottledOnce(SlowAPI):
        async def send(self, target: str, payload: dict) -> None:
            if not getattr(self, "said", False):
                self.said = True
                raise Throttled("DingTalk errcode 90002: over the rate limit", retry_after=30)
            await super().send(target, payload)

    await _queue(migrated_db, clock, "slow", [("k", "chat", {})])
    api = ThrottledOnce(clock)
    sender = _sender(migrated_db, clock, {"slow": api}, max_attempts=1)
    await sender.run_once()
    row = (await outbox.recent(migrated_db))[0]
    assert row.status == "pending" and row.attempts == 0 and "throttled" in row.last_error
    clock.advance(timedelta(seconds=29))
    await sender.run_once()
    assert api.keys == []
    clock.advance(timedelta(seconds=2))
    await sender.run_once()
    assert api.keys == ["k"] and (await outbox.counts(migrated_db)) == {"sent": 1}


async def test_a_hanging_platform_does_not_hold_up_another(migrated_db, clock):
    await _queue(migrated_db, clock, "hang", [("h", "chat", {})])
    await _queue(migrated_db, clock, "fast", [(f"f{i}", f"c{i}", {}) for i in range(5)])
    hang, fast = SlowAPI(clock, hang=True), SlowAPI(clock, seconds=0)
    sender = _sender(migrated_db, clock, {"hang": hang, "fast": fast})
    sender.start()
    try:
        for _ in range(200):
            await asyncio.sleep(0.01)
            if len(fast.keys) == 5:
                break
        assert len(fast.keys) == 5 and hang.keys == []
    finally:
        await asyncio.wait_for(sender.stop(), 30)


async def test_rows_of_a_disabled_platform_are_dead_lettered_with_the_fix(migrated_db, clock):
    await _queue(migrated_db, clock, "gone", [("g", "chat", {})])
    await _sender(migrated_db, clock, {"slow": SlowAPI(clock)}).run_once()
    row = (await outbox.recent(migrated_db))[0]
    assert row.status == "dead" and "enable it" in row.last_error


async def test_a_row_whose_bookkeeping_failed_is_released_and_sent_after_its_lease(migrated_db, clock):
    """PostgreSQL restarting mid-send: the lane must not keep renewing a row it will never finish."""
    await _queue(migrated_db, clock, "slow", [("k", "chat", {})])
    api = SlowAPI(clock, seconds=0)
    sender = _sender(migrated_db, clock, {"slow": api}, per_target_per_minute=20)  # a cap: its slot is taken first
    real, calls = sender.slots.acquire_many, 0

    async def flaky(requests, now, hold=0.0, settles=()):
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ConnectionError("server closed the connection unexpectedly")
        return await real(requests, now, hold, settles)

    sender.slots.acquire_many = flaky
    await sender.run_once()
    lane = sender.lane("slow")
    assert api.keys == [] and lane.rows == {}  # not held any more: the renewal leaves it to lapse
    await lane.renew()
    clock.advance(timedelta(seconds=31))
    await sender.run_once()
    assert api.keys == ["k"] and await outbox.counts(migrated_db) == {"sent": 1}


class LateAPI(SlowAPI):
    """The first `late` sends reach the platform 0.9 s after their slots were taken (a local pause, a token
    refresh); the platform counts each send when it arrives."""

    def __init__(self, clock, late: int) -> None:
        super().__init__(clock, seconds=0)
        self.late, self.arrivals = late, []

    async def send(self, target: str, payload: dict) -> None:
        if self.late:
            self.late -= 1
            await asyncio.sleep(0)  # the other late send has taken its slot too
            self.clock.set(max(self.clock.now(), START + timedelta(seconds=0.9)))
        self.arrivals.append(self.clock.now())
        await super().send(target, payload)


START = ManualClock().now()


def _busiest(times: list, window: float) -> int:
    return max(sum(1 for t in times if timedelta(0) <= t - first < timedelta(seconds=window)) for first in times)


async def test_a_send_that_reaches_the_platform_late_still_counts_from_its_arrival(migrated_db, clock, monkeypatch):
    """Issue 19 / make prove: Feishu's 50 a second per app was overrun by 2–4 when sends went out late.

    A slot stamped when it was taken frees a window later even if its send only went out at the end of
    that window: the next sends then land in the same second at the platform."""
    monkeypatch.setitem(quotas.QUOTAS, "tiny", lambda app, target, payload: [Limit("tiny:app", 2, 1.03)])
    await _queue(migrated_db, clock, "tiny", [(f"r{i}", f"chat{i}", {}) for i in range(4)])
    api = LateAPI(clock, late=2)
    sender = _sender(migrated_db, clock, {"tiny": api})
    for _ in range(400):
        await sender.run_once()
        if len(api.keys) == 4:
            break
        clock.advance(timedelta(milliseconds=10))
    assert len(api.keys) == 4
    assert _busiest(api.arrivals, 1.0) <= 2, [str(t - START) for t in api.arrivals]


async def test_a_send_that_timed_out_keeps_its_slot_held_as_it_may_still_arrive(migrated_db, clock, monkeypatch):
    """A platform may still take a request whose answer we gave up on (make prove's hanging Feishu did, 20 s
    later): its slots stay held for another send timeout, so the retry cannot crowd the same second."""
    monkeypatch.setitem(quotas.QUOTAS, "tiny", lambda app, target, payload: [Limit("tiny:app", 1, 1.03)])
    await _queue(migrated_db, clock, "tiny", [("r0", "chat0", {})])

    class TimesOutOnce(SlowAPI):
        async def send(self, target: str, payload: dict) -> None:
            if not self.keys and not getattr(self, "gave_up", False):
                self.gave_up = True
                raise TransientDeliveryError("Feishu unreachable: TimeoutError()") from TimeoutError()
            await super().send(target, payload)

    api = TimesOutOnce(clock, seconds=0)
    sender = _sender(migrated_db, clock, {"tiny": api}, send_timeout_seconds=15, base_backoff_seconds=2)
    await sender.run_once()
    clock.advance(timedelta(seconds=5))  # the retry is due, but the lost request may still land now
    await sender.run_once()
    assert api.keys == []
    clock.advance(timedelta(seconds=12))
    await _drain(clock, sender)
    assert api.keys == ["r0"]


async def test_stopping_the_sender_lets_a_lane_finish_its_database_call(migrated_db, clock, monkeypatch):
    """The full suite once hung 30 s in Sender.stop: a lane cancelled inside a statement left SQLite's write
    lock held, and the final mark of delivered rows waited for it. A lane now stops between passes."""
    await _queue(migrated_db, clock, "fast", [("f0", "c0", {})])
    sender = _sender(migrated_db, clock, {"fast": SlowAPI(clock, seconds=0)})
    real, entered, release, cancelled = outbox_claims.claim_due, asyncio.Event(), asyncio.Event(), []

    async def slow_claim(*args, **kwargs):
        entered.set()
        try:
            await release.wait()  # a statement the database is still running
        except asyncio.CancelledError:
            cancelled.append(True)
            raise
        return await real(*args, **kwargs)

    monkeypatch.setattr(outbox_claims, "claim_due", slow_claim)
    sender.start()
    await asyncio.wait_for(entered.wait(), 5)
    stopping = asyncio.create_task(sender.stop())
    await asyncio.sleep(0)
    release.set()
    await asyncio.wait_for(stopping, 10)
    assert cancelled == []
    assert await outbox.counts(migrated_db) == {"sent": 1}  # the pass it finished sent and marked the row
