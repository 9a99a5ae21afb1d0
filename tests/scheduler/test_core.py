"""Scheduler: exactly-once fires across runs, replicas and backends; timezone; the error funnel."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import select

from bot.config import load_settings
from bot.core.clock import ManualClock
from bot.core.errors import UserError
from bot.runtime import Runtime
from scheduler import registry
from scheduler.core import Scheduler, run_job
from scheduler.jobs import JOB_NAMES
from scheduler.registry import JobSpec
from storage.db import Database
from storage.models import JobRun, Lead
from tests.schema import migrate

SHANGHAI = ZoneInfo("Asia/Shanghai")
NINE = datetime(2026, 11, 27, 9, 0, tzinfo=SHANGHAI)


def make_runtime(url: str, env: dict[str, str] | None = None) -> Runtime:
    """Build another replica: its own Database and manual clock (01:00 UTC = 09:00 Shanghai)."""
    return Runtime(load_settings(env=env or {}), clock=ManualClock(), db=Database(url))


async def job_runs(rt: Runtime) -> list[JobRun]:
    async with rt.db.session() as session:
        return list((await session.execute(select(JobRun).order_by(JobRun.id))).scalars())


async def test_run_job_twice_with_same_time_fires_once(rt):
    first = await run_job(rt, "must_do", datetime(2026, 11, 27, 9, 0))  # naive = org-local
    again = await run_job(rt, "must_do", datetime(2026, 11, 27, 1, 0, tzinfo=UTC))
    assert (first.ran, first.status, first.fire_key) == (True, "done", "2026-11-27T09:00")
    assert first.summary.startswith("今日必做")
    assert (again.ran, again.status, again.fire_key) == (False, "already claimed", "2026-11-27T09:00")
    rows = await job_runs(rt)
    assert [(r.job, r.fire_key, r.status) for r in rows] == [("must_do", "2026-11-27T09:00", "done")]
    assert (await run_job(rt, "daily_report")).fire_key == "2026-11-27T09:00"  # default: rt.clock


async def test_failing_job_is_recorded_and_next_fire_still_runs(rt, monkeypatch, caplog):
    calls: list[datetime] = []

    async def flaky(ctx, fire_at):
        calls.append(fire_at)
        ctx.session.add(Lead(channel="web", contact_name="rolled back"))
        await ctx.session.flush()
        if len(calls) == 1:
            raise RuntimeError("boom on first fire")
        return "second fire fine"

    monkeypatch.setitem(registry.REGISTRY, "flaky", JobSpec("flaky", flaky, "must_do"))
    with caplog.at_level(logging.ERROR, logger="salesbot.scheduler"):
        failed = await run_job(rt, "flaky", NINE)
    assert (failed.ran, failed.status) == (True, "failed")
    assert "RuntimeError: boom on first fire" in failed.error
    assert any(r.name == "salesbot.scheduler" and r.exc_info for r in caplog.records)
    ok = await run_job(rt, "flaky", NINE + timedelta(days=1))
    assert (ok.status, ok.summary) == ("done", "second fire fine")
    rows = await job_runs(rt)
    assert [(r.fire_key, r.status) for r in rows] == [("2026-11-27T09:00", "failed"),
                                                      ("2026-11-28T09:00", "done")]
    assert "boom on first fire" in rows[0].error and rows[1].error == ""
    async with rt.db.session() as session:  # the failed fire's writes rolled back, the good one's kept
        assert len((await session.execute(select(Lead))).scalars().all()) == 1


async def test_unknown_job_names_the_known_jobs(rt):
    with pytest.raises(UserError) as err:
        await run_job(rt, "nope")
    assert JOB_NAMES == ("sla_scan", "must_do", "morning_breakpoints", "daily_report", "weekly_report",
                         "weekly_insight")
    for name in JOB_NAMES:
        assert name in err.value.user_message
    assert await job_runs(rt) == []


async def test_two_replicas_firing_the_same_run_fire_once(db_url):
    """Two Schedulers, each with its own Database on one database (SQLite file or PostgreSQL schema)."""
    replicas = [make_runtime(db_url) for _ in range(2)]
    try:
        await migrate(replicas[0].db)
        a, b = (Scheduler(r) for r in replicas)
        results = await asyncio.gather(a._fire("morning_breakpoints", datetime(2026, 11, 27, 8, 30, tzinfo=SHANGHAI)),
                                       b._fire("morning_breakpoints", datetime(2026, 11, 27, 0, 30, tzinfo=UTC)))
        assert sorted(r.ran for r in results) == [False, True]
        assert {r.fire_key for r in results} == {"2026-11-27T08:30"}
        rows = await job_runs(replicas[1])
        assert [(r.job, r.status) for r in rows] == [("morning_breakpoints", "done")]
    finally:
        for r in replicas:
            await r.db.close()


async def test_jobs_use_org_timezone_misfire_grace_and_coalesce(sqlite_url):
    env = {"SALESBOT__ORG__TIMEZONE": "Europe/Berlin", "SALESBOT__SCHEDULE__MISFIRE_GRACE_SECONDS": "120",
           "SALESBOT__SCHEDULE__SLA_SCAN_MINUTES": "15"}
    runtime = make_runtime(sqlite_url, env)
    berlin = ZoneInfo("Europe/Berlin")
    jobs = {j.id: j for j in Scheduler(runtime).get_jobs()}
    await runtime.db.close()
    assert set(jobs) == set(registry.names())
    for j in jobs.values():
        assert j.trigger.timezone == berlin
        assert (j.misfire_grace_time, j.coalesce, j.max_instances) == (120, True, 1)
    assert isinstance(jobs["must_do"].trigger, CronTrigger)
    before = datetime(2026, 11, 27, 8, 0, tzinfo=berlin)
    assert jobs["must_do"].trigger.get_next_fire_time(None, before) == datetime(2026, 11, 27, 9, 0, tzinfo=berlin)
    weekly = jobs["weekly_report"].trigger.get_next_fire_time(None, before)  # 2026-11-27 is a Friday
    assert weekly == datetime(2026, 11, 30, 9, 0, tzinfo=berlin)
    sla = jobs["sla_scan"].trigger
    assert isinstance(sla, IntervalTrigger) and sla.interval == timedelta(minutes=15)
    assert sla.get_next_fire_time(None, before + timedelta(minutes=1)) == before + timedelta(minutes=15)


async def test_apscheduler_hands_the_scheduled_time_to_the_trampoline(rt):
    sched = Scheduler(rt)
    sched.aps.start(paused=True)
    try:
        scheduled = datetime(2099, 1, 5, 9, 0, tzinfo=SHANGHAI)  # future: never counted as a misfire
        sched.aps._lookup_executor("default").submit_job(sched.aps.get_job("weekly_report"), [scheduled])
        await asyncio.sleep(0)
        await sched.drain()
    finally:
        sched.shutdown()
    assert [(r.job, r.fire_key) for r in await job_runs(rt)] == [("weekly_report", "2099-01-05T09:00")]


async def add_lead(rt: Runtime, **fields) -> int:
    async with rt.db.session() as session:
        lead = Lead(channel="web", **fields)
        session.add(lead)
        await session.flush()
        return lead.id


async def test_sla_scan_marks_overdue_leads_breached_once(rt):
    t = datetime(2026, 11, 27, 9, 3, 27, tzinfo=SHANGHAI)
    earlier = t - timedelta(hours=2)
    overdue = await add_lead(rt, first_response_due_at=t - timedelta(minutes=1))
    await add_lead(rt, first_response_due_at=earlier, first_response_at=earlier)  # answered in time
    await add_lead(rt, first_response_due_at=t + timedelta(minutes=30))  # not due yet
    old = await add_lead(rt, first_response_due_at=earlier, breached_at=earlier)  # breached before
    first = await run_job(rt, "sla_scan", t)
    assert (first.status, first.fire_key) == ("done", "2026-11-27T09:03")
    assert first.summary.startswith("提醒 0 条，超时 1 条")
    same_interval = await run_job(rt, "sla_scan", t + timedelta(seconds=20))
    assert same_interval.status == "already claimed"
    later = await run_job(rt, "sla_scan", t + timedelta(minutes=10))
    assert later.fire_key == "2026-11-27T09:13" and later.summary.startswith("提醒 0 条，超时 0 条")
    async with rt.db.session() as session:
        breached = {lead.id: lead.breached_at for lead in (await session.execute(select(Lead))).scalars()}
    assert breached[overdue] == t and breached[old] == earlier
    assert sum(1 for v in breached.values() if v is not None) == 2
