"""The scheduler: one trampoline fires every named job, exactly once per scheduled run.

APScheduler only says *when*. Every fire goes through `fire()`: the fire key (the scheduled time in
the org timezone, to the minute) is claimed in job_run by a unique insert, so a second replica or a
restart firing the same run gets "already claimed"; the job then runs in the same Context and error
funnel as a handler, so its writes and outbox rows commit together.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from apscheduler.executors.asyncio import AsyncIOExecutor
from apscheduler.job import Job
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from scheduler import jobs as _builtin_jobs  # noqa: F401  (registers the built-in jobs)
from scheduler import registry
from scheduler.registry import JobSpec
from scheduler.timing import as_local, build_trigger, describe, fire_key
from storage.repos import jobs

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.runtime import Runtime

log = logging.getLogger("salesbot.scheduler")

# APScheduler 3 does not pass the scheduled run time to the job; the executor below hands it to
# the trampoline's task through this context variable (tasks copy the context they start in).
_SCHEDULED: contextvars.ContextVar[datetime | None] = contextvars.ContextVar("scheduled_at", default=None)


@dataclass(frozen=True)
class RunResult:
    """How one fire went; `ran` is False when this run was already claimed (elsewhere or earlier)."""

    job: str
    fire_key: str
    ran: bool
    summary: str | None = None
    error: str = ""

    @property
    def status(self) -> str:
        """Return "done", "failed" or "already claimed"."""
        if not self.ran:
            return "already claimed"
        return "failed" if self.error else "done"


async def run_job(rt: Runtime, name: str, at: datetime | None = None) -> RunResult:
    """Fire a job as if at `at` (default now; naive means org-local), with the exactly-once claim."""
    spec = registry.lookup(name)
    return await fire(rt, spec, at or rt.clock.now())


def job_table(settings: Settings) -> list[tuple[str, str, str]]:
    """Return (name, when, what) for every job, for the CLI and the playground."""
    return [(s.name, describe(s, settings), s.doc) for s in registry.REGISTRY.values()]


async def fire(rt: Runtime, spec: JobSpec, at: datetime) -> RunResult:
    """Claim the run of `spec` at `at`, run it, record how it ended, then wake the sender."""
    fire_at = as_local(at, rt.settings.tz)
    key = fire_key(spec, fire_at, rt.settings)
    if not await jobs.claim(rt.db, spec.name, key, rt.clock.now()):
        log.info("job run already claimed", extra={"job": spec.name, "fire_key": key})
        _count(rt, spec.name, "already_claimed")
        return RunResult(spec.name, key, ran=False)
    summary, error = await _execute(rt, spec, fire_at, key)
    await jobs.finish(rt.db, spec.name, key, rt.clock.now(), error)
    _count(rt, spec.name, "failed" if error else "done")
    rt.sender_wake()
    return RunResult(spec.name, key, True, summary, error)


async def _execute(rt: Runtime, spec: JobSpec, fire_at: datetime, key: str) -> tuple[str | None, str]:
    """Run the job in one transaction; on error log first, roll back, and return the error text."""
    try:
        async with rt.db.session() as session:
            ctx = await rt.context(session)
            summary = await spec.func(ctx, fire_at)
    except Exception as exc:
        log.error("job failed", exc_info=exc, extra={"job": spec.name, "fire_key": key})
        return None, f"{type(exc).__name__}: {exc}"
    log.info("job done", extra={"job": spec.name, "fire_key": key, "summary": summary or ""})
    return summary, ""


def _count(rt: Runtime, job: str, outcome: str) -> None:
    rt.metrics.inc("salesbot_job_runs_total", "Scheduled job fires by outcome", job=job, outcome=outcome)


class _ScheduledAtExecutor(AsyncIOExecutor):
    """The asyncio executor, telling each run's task the time it was scheduled for."""

    def submit_job(self, job: Job, run_times: list[datetime]) -> None:
        """Submit as usual with the (coalesced) scheduled time set in the task's context."""
        token = _SCHEDULED.set(run_times[-1])
        try:
            super().submit_job(job, run_times)
        finally:
            _SCHEDULED.reset(token)


class Scheduler:
    """APScheduler in the org timezone, one trigger per registered job, one trampoline for all."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.tasks: set[asyncio.Task] = set()
        self.aps = AsyncIOScheduler(timezone=rt.settings.tz, executors={"default": _ScheduledAtExecutor()})
        grace = rt.settings.schedule.misfire_grace_seconds
        for spec in registry.REGISTRY.values():
            # Options are set per job (not as defaults) so get_jobs() shows them before start().
            self.aps.add_job(self._fire, build_trigger(spec, rt.settings), args=[spec.name], id=spec.name,
                             name=spec.name, misfire_grace_time=grace, coalesce=True, max_instances=1,
                             replace_existing=True)

    def get_jobs(self) -> list[Job]:
        """Return the APScheduler jobs (one per registered job)."""
        return self.aps.get_jobs()

    def start(self) -> None:
        """Start firing; call from inside the running event loop."""
        self.aps.start()

    def shutdown(self) -> None:
        """Stop firing without waiting; a job already running still finishes (see `drain`)."""
        if self.aps.running:
            self.aps.shutdown(wait=False)

    async def drain(self) -> None:
        """Wait for jobs that are still running (before closing the database)."""
        while self.tasks:
            await asyncio.gather(*list(self.tasks), return_exceptions=True)

    async def _fire(self, name: str, scheduled_at: datetime | None = None) -> RunResult | None:
        """The trampoline APScheduler calls for every job; it never raises."""
        at = scheduled_at or _SCHEDULED.get() or self.rt.clock.now()
        task = asyncio.get_running_loop().create_task(self._guarded(name, at), name=f"job:{name}")
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        # APScheduler's shutdown cancels its futures; the shield lets a claimed run finish and record itself.
        return await asyncio.shield(task)

    async def _guarded(self, name: str, at: datetime) -> RunResult | None:
        """Fire one job, logging (never raising) what went wrong outside the job itself."""
        try:
            return await fire(self.rt, registry.lookup(name), at)
        except Exception:
            log.exception("scheduler could not fire job", extra={"job": name})
            return None


def attach(rt: Runtime) -> Scheduler:
    """Create the scheduler for a serving Runtime, keep it on `rt.scheduler`, and start it."""
    sched = Scheduler(rt)
    rt.scheduler = sched
    sched.start()
    return sched
