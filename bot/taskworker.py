"""The task worker: runs queued non-message work through the handlers the platforms registered.

It claims due rows of the (platform, kind) pairs it has handlers for, under a fenced lease renewed while
they run, and runs up to `concurrency` at once. The rules are the sender's ([outbox] settings): a
TransientDeliveryError or a timeout is retried with doubling backoff (capped at 10 minutes), a DeliveryError
or the `max_attempts`-th failure dead-letters the row with the reason, Throttled (or a full rate window)
waits without counting an attempt. A worker that dies mid-run leaves its rows to whoever claims them after
the lease; its late marks are refused by the claim token. Handlers are idempotent per key, so a run
repeated after such a crash changes nothing twice. Results leave a handler only as new inbox events or as
messages through the one outbox (bot/core/ports.TaskRun), never through the sender directly.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from bot.ackgate import AckGate
from bot.config import OutboxConfig
from bot.core.clock import Clock, SystemClock, as_utc
from bot.core.errors import DeliveryError, Throttled, TransientDeliveryError
from bot.core.ports import TaskRun
from bot.core.stopping import cancel_and_wait, within
from bot.metrics import Metrics
from bot.platforms.tasks import Pair, TaskSpec
from storage.db import Database
from storage.models import QueuedTask
from storage.repos import task_queue
from storage.repos.send_slots import SlotStore

log = logging.getLogger("salesbot.tasks")
MAX_BACKOFF = timedelta(minutes=10)


class TaskWorker:
    """Claim, run and mark tasks; `run` loops until stopped, `run_once` does one pass (tests, tools)."""

    def __init__(self, db: Database, clock: Clock, specs: Mapping[Pair, TaskSpec], cfg: OutboxConfig,
                 metrics: Metrics, send: Callable[..., Awaitable[bool]], ingest: Callable[..., Awaitable[Any]],
                 rate_clock: Clock | None = None, gate: AckGate | None = None) -> None:
        self.db, self.clock, self.specs, self.cfg, self.metrics = db, clock, dict(specs), cfg, metrics
        self.gate = gate or AckGate()  # claims only between callbacks (bot/ackgate.py)
        self.send, self.ingest = send, ingest
        self.rate_clock: Clock = rate_clock or SystemClock()
        self.slots = SlotStore(db)
        self.lease = timedelta(seconds=cfg.lease_seconds)
        self.running: dict[int, asyncio.Task[None]] = {}
        self.held: dict[int, str] = {}  # task id -> claim token
        self.wake_up = asyncio.Event()
        self._loop: asyncio.Task[None] | None = None

    def now(self) -> datetime:
        """The worker's clock."""
        return as_utc(self.clock.now())

    def wake(self) -> None:
        """Tell the worker new tasks are waiting."""
        self.wake_up.set()

    def start(self) -> None:
        """Run the worker loop in the background (idempotent)."""
        if self._loop is None:
            self._loop = asyncio.get_running_loop().create_task(self.run(), name="task-worker")

    async def stop(self) -> None:
        """Stop claiming, let running tasks finish briefly; a task still running is taken over after its lease."""
        if self._loop is not None:
            await cancel_and_wait([self._loop])
            self._loop = None
        if self.running:
            _done, hung = await asyncio.wait(set(self.running.values()), timeout=2.0)
            for task in hung:
                task.cancel()

    async def run_once(self) -> int:
        """Retire tasks nobody here can run, claim what is due, run it all; return how many were claimed."""
        await self.retire_orphans()
        claimed = await self.pump()
        if self.running:
            await asyncio.gather(*self.running.values(), return_exceptions=True)
        return claimed

    async def run(self) -> None:
        """Loop until cancelled: keep `concurrency` tasks running, renew their leases."""
        with contextlib.suppress(Exception):
            await self.retire_orphans()
        renewed = self.now()
        while True:
            claimed = 0
            try:
                await self.gate.wait()
                claimed = await self.pump()
                if self.held and self.now() - renewed >= self.lease / 3:
                    renewed = self.now()
                    await self.renew()
            except Exception:
                log.exception("task worker pass failed; retrying")
            if claimed and len(self.running) < self.cfg.concurrency:
                continue
            self.wake_up.clear()
            with contextlib.suppress(TimeoutError):
                await within(self.wake_up.wait(), min(self.cfg.poll_seconds, self.lease.total_seconds() / 3))

    async def pump(self) -> int:
        """Claim what free capacity allows and start each task; return how many were claimed."""
        free = self.cfg.concurrency - len(self.running)
        rows = await task_queue.claim(self.db, self.now(), list(self.specs), free, self.lease)
        for row in rows:
            self.held[row.id] = row.claim_token
            job = asyncio.get_running_loop().create_task(self._run(row), name=f"task-{row.kind}")
            self.running[row.id] = job
            job.add_done_callback(functools.partial(self._finished, row.id))
        return len(rows)

    def _finished(self, task_id: int, _job: asyncio.Task[None]) -> None:
        self.running.pop(task_id, None)
        self.held.pop(task_id, None)
        self.wake_up.set()  # room for another task

    async def renew(self) -> None:
        """Extend the leases of the tasks running here; forget the ones another worker has taken over."""
        kept = await task_queue.renew(self.db, set(self.held.values()), self.now() + self.lease)
        lost = set(self.held) - kept
        if lost:
            self._count("salesbot_tasks_fenced_total", "Task claims lost to a lapsed lease", len(lost))
        self.held = {i: t for i, t in self.held.items() if i in kept}

    async def retire_orphans(self) -> int:
        """Dead-letter due tasks no handler here runs (their platform is not enabled)."""
        dead = await task_queue.dead_unknown(self.db, list(self.specs), self.now())
        for platform, n in dead.items():
            log.warning("tasks for a platform without handlers dead-lettered", extra={"platform": platform, "rows": n})
        self._count("salesbot_tasks_dead_total", "Tasks dead-lettered", sum(dead.values()))
        return sum(dead.values())

    async def _run(self, row: QueuedTask) -> None:
        spec = self.specs[(row.platform, row.kind)]
        try:
            grant = await self.slots.acquire(spec.limits(row.payload), self.rate_clock.now) if spec.limits else None
            if grant is not None and grant.wait:  # a task is one call: its slot keeps the stamp it was taken with
                raise Throttled(f"rate window full for {grant.wait:.1f} s", grant.wait)
            await within(spec.run(self._task_run(row)), self.cfg.send_timeout_seconds)
        except Throttled as exc:
            later = self.now() + timedelta(seconds=max(exc.retry_after, 0.5))
            await task_queue.postpone(self.db, row.id, row.claim_token, later, f"throttled: {exc}")
        except (TransientDeliveryError, TimeoutError) as exc:
            await self._retry_or_die(row, str(exc) or f"no answer in {self.cfg.send_timeout_seconds:g} s")
        except DeliveryError as exc:
            await self._dead(row, f"permanent: {exc}")
        except Exception as exc:  # a handler bug must not kill the worker or lose the task
            log.exception("unexpected task failure", extra={"task_id": row.id, "kind": row.kind})
            await self._retry_or_die(row, f"{type(exc).__name__}: {exc}")
        else:
            if await task_queue.mark_done(self.db, row.id, row.claim_token, self.now()):
                self._count("salesbot_tasks_done_total", "Tasks run to completion", 1)

    def _task_run(self, row: QueuedTask) -> TaskRun:
        return TaskRun(row.idempotency_key, row.kind, row.platform, dict(row.payload), row.attempts,
                       self.clock.now, self.send, self.ingest)

    async def _retry_or_die(self, row: QueuedTask, error: str) -> None:
        if row.attempts >= self.cfg.max_attempts:
            await self._dead(row, f"gave up after {row.attempts} attempts: {error}")
            return
        delay = min(timedelta(seconds=self.cfg.base_backoff_seconds * 2 ** (row.attempts - 1)), MAX_BACKOFF)
        await task_queue.mark_retry(self.db, row.id, row.claim_token, self.now() + delay, error)
        self._count("salesbot_tasks_retries_total", "Task retries", 1)

    async def _dead(self, row: QueuedTask, reason: str) -> None:
        log.warning("task dead-lettered", extra={"task_id": row.id, "kind": row.kind, "reason": reason[:300]})
        await task_queue.mark_dead(self.db, row.id, row.claim_token, reason)
        self._count("salesbot_tasks_dead_total", "Tasks dead-lettered", 1)

    def _count(self, name: str, help_: str, value: float) -> None:
        if value:
            self.metrics.inc(name, help_, value)
