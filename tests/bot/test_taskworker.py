"""The task queue and its worker on SQLite and PostgreSQL: keyed adds, fenced claims, crash recovery, retries with
backoff, dead letters, rate caps, and two workers (replicas) that never run one task twice."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.config import OutboxConfig
from bot.core.errors import DeliveryError, Throttled, TransientDeliveryError
from bot.core.events import Event
from bot.core.ports import TaskRun
from bot.metrics import Metrics
from bot.platforms.tasks import TaskSpec
from bot.taskworker import TaskWorker
from storage.db import Database
from storage.repos import inbox, task_queue
from storage.repos.send_slots import Limit

LEASE = timedelta(seconds=30)


class Recorder:
    """A task handler that records each run by key, optionally failing or pausing first."""

    def __init__(self, fail: list[Exception] | None = None, pause: bool = False) -> None:
        self.runs: list[str] = []
        self.fail = fail or []
        self.pause = pause

    async def __call__(self, task: TaskRun) -> None:
        if self.pause:
            await asyncio.sleep(0)  # let another worker's claim interleave with this run
        self.runs.append(task.key)
        if self.fail:
            raise self.fail.pop(0)


async def _no_send(*_args) -> bool:
    return False


async def _no_ingest(*_args) -> None:
    return None


def worker(db: Database, clock, handler, *, limits=None, ingest=_no_ingest, **cfg) -> TaskWorker:
    specs = {("wecom", "fetch_media"): TaskSpec(handler, limits)}
    config = OutboxConfig(**{"max_attempts": 3, "base_backoff_seconds": 2.0, **cfg})
    return TaskWorker(db, clock, specs, config, Metrics(), _no_send, ingest, rate_clock=clock)


async def add(db: Database, clock, *keys: str, platform: str = "wecom") -> set[str]:
    async with db.session() as s:
        return await task_queue.add_many(s, [("fetch_media", platform, k, {"n": k}) for k in keys],
                                         clock.now())


async def test_a_key_is_queued_once(migrated_db, clock):
    assert await add(migrated_db, clock, "media_fetch:1", "media_fetch:2", "media_fetch:1") == {"media_fetch:1",
                                                                                                "media_fetch:2"}
    assert await add(migrated_db, clock, "media_fetch:1") == set()
    handler = Recorder()
    assert await worker(migrated_db, clock, handler).run_once() == 2
    assert sorted(handler.runs) == ["media_fetch:1", "media_fetch:2"]
    assert (await task_queue.get(migrated_db, "media_fetch:1")).status == "done"
    assert await add(migrated_db, clock, "media_fetch:1") == set()  # done is done: the key is never run again


async def test_a_crash_after_the_claim_is_recovered_after_the_lease(migrated_db, clock):
    await add(migrated_db, clock, "media_fetch:7")
    [lost] = await task_queue.claim(migrated_db, clock.now(), [("wecom", "fetch_media")], 10, LEASE)  # then dies
    handler = Recorder()
    w = worker(migrated_db, clock, handler)
    assert await w.run_once() == 0 and handler.runs == []  # still leased to the dead worker
    clock.advance(LEASE + timedelta(seconds=1))
    assert await w.run_once() == 1 and handler.runs == ["media_fetch:7"]
    row = await task_queue.get(migrated_db, "media_fetch:7")
    assert (row.status, row.attempts) == ("done", 2)  # the crashed run counted: a poison task still dies
    assert not await task_queue.mark_done(migrated_db, lost.id, lost.claim_token, clock.now())  # fenced


async def test_transient_failures_back_off_then_dead_letter(migrated_db, clock):
    await add(migrated_db, clock, "media_fetch:1")
    handler = Recorder(fail=[TransientDeliveryError("WeCom busy")] * 3)
    w = worker(migrated_db, clock, handler)
    start = clock.now()
    await w.run_once()
    row = await task_queue.get(migrated_db, "media_fetch:1")
    assert (row.status, row.attempts, row.next_attempt_at) == ("pending", 1, start + timedelta(seconds=2))
    assert await w.run_once() == 0  # not due yet
    clock.advance(timedelta(seconds=2))
    await w.run_once()
    assert (await task_queue.get(migrated_db, "media_fetch:1")).next_attempt_at == clock.now() + timedelta(seconds=4)
    clock.advance(timedelta(seconds=4))
    await w.run_once()
    row = await task_queue.get(migrated_db, "media_fetch:1")
    assert row.status == "dead" and row.last_error.startswith("gave up after 3 attempts: WeCom busy")
    assert len(handler.runs) == 3
    assert await task_queue.retry(migrated_db, None, clock.now()) == 1  # the operator's retry
    await w.run_once()
    assert (await task_queue.get(migrated_db, "media_fetch:1")).status == "done"


async def test_a_permanent_failure_dead_letters_at_once_and_a_throttle_costs_no_attempt(migrated_db, clock):
    await add(migrated_db, clock, "media_fetch:1", "media_fetch:2")
    handler = Recorder(fail=[DeliveryError("40007 invalid media_id"), Throttled("45009 too fast", 30)])
    w = worker(migrated_db, clock, handler, concurrency=1)
    await w.run_once()
    await w.run_once()
    dead, held = [await task_queue.get(migrated_db, k) for k in ("media_fetch:1", "media_fetch:2")]
    assert dead.status == "dead" and dead.last_error == "permanent: 40007 invalid media_id"
    assert (held.status, held.attempts) == ("pending", 0)
    assert held.next_attempt_at == clock.now() + timedelta(seconds=30)


async def test_a_full_rate_window_waits_without_an_attempt(migrated_db, clock):
    await add(migrated_db, clock, "media_fetch:1", "media_fetch:2")
    handler = Recorder()
    w = worker(migrated_db, clock, handler, limits=lambda _p: [Limit("test:approvals", 1, 60.0)], concurrency=1)
    await w.run_once()
    await w.run_once()
    assert handler.runs == ["media_fetch:1"]
    row = await task_queue.get(migrated_db, "media_fetch:2")
    assert (row.status, row.attempts) == ("pending", 0) and "throttled" in row.last_error
    clock.advance(timedelta(seconds=61))
    await w.run_once()
    assert handler.runs == ["media_fetch:1", "media_fetch:2"]


async def test_two_workers_never_run_one_task_twice(migrated_db, db_url, clock):
    """Two replicas (two engines on one database) claim concurrently: SKIP LOCKED / one atomic UPDATE."""
    other = Database(db_url)
    try:
        await add(migrated_db, clock, *(f"media_fetch:{i}" for i in range(60)))
        a, b = Recorder(pause=True), Recorder(pause=True)
        workers = (worker(migrated_db, clock, a, concurrency=7), worker(other, clock, b, concurrency=5))
        for _ in range(20):
            claimed = await asyncio.gather(*(w.run_once() for w in workers))
            if not sum(claimed):
                break
        runs = a.runs + b.runs
        assert sorted(runs) == sorted(f"media_fetch:{i}" for i in range(60)) and a.runs and b.runs
        assert (await task_queue.counts(migrated_db)) == {"done": 60}
    finally:
        await other.close()


async def test_a_retry_after_the_effect_does_not_double_it(rt_any):
    """The effect is a new inbox fact keyed by the platform's id: a run repeated after a lost mark adds nothing."""
    rt = rt_any
    seen = Recorder(fail=[TransientDeliveryError("the mark was lost")])

    async def decide(task: TaskRun) -> None:
        await task.ingest(Event("wecom", "platform", f"approval:{task.payload['n']}", raw={"n": task.payload["n"]}))
        await seen(task)

    rt.worker.specs[("wecom", "fetch_media")] = TaskSpec(decide)
    await add(rt.db, rt.clock, "media_fetch:9")
    await rt.worker.run_once()
    rt.clock.advance(timedelta(seconds=2))
    await rt.worker.run_once()
    await rt.dispatcher.drain()
    assert seen.runs == ["media_fetch:9", "media_fetch:9"]
    assert (await task_queue.get(rt.db, "media_fetch:9")).status == "done"
    assert sum((await inbox.counts(rt.db)).values()) == 1  # one fact, however often the task ran


async def test_tasks_of_a_platform_without_handlers_are_dead_lettered_with_the_fix(migrated_db, clock):
    await add(migrated_db, clock, "media_fetch:1", platform="dingtalk")
    assert await worker(migrated_db, clock, Recorder()).run_once() == 0
    row = await task_queue.get(migrated_db, "media_fetch:1")
    assert row.status == "dead" and "enable it in config.toml" in row.last_error and "retry-tasks" in row.last_error
