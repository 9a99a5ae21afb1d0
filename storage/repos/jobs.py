"""Exactly-once claims for scheduled job fires."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, update

from storage.db import Database
from storage.models import JobRun
from storage.repos._sql import insert_ignore, table_of

T = table_of(JobRun)
STALE = timedelta(hours=1)  # a "running" claim older than this was left by a crashed process


async def claim(db: Database, job: str, fire_key: str, now: datetime) -> bool:
    """Claim one fire of a job; only the first claimant across replicas and restarts gets True.

    A fire that failed, or whose runner crashed long ago, can be claimed again, so a re-run succeeds.
    """
    stmt = insert_ignore(T, db.dialect, ["job", "fire_key"]).values(
        job=job, fire_key=fire_key, status="running", started_at=now, error="").returning(T.c.id)
    retry = (update(T).where(T.c.job == job, T.c.fire_key == fire_key,
                             or_(T.c.status == "failed", (T.c.status == "running") & (T.c.started_at < now - STALE)))
             .values(status="running", started_at=now, finished_at=None, error="").returning(T.c.id))
    async with db.engine.begin() as conn:
        if (await conn.execute(stmt)).scalar() is not None:
            return True
        return (await conn.execute(retry)).scalar() is not None


async def finish(db: Database, job: str, fire_key: str, now: datetime, error: str = "") -> None:
    """Record how a claimed fire ended."""
    status = "failed" if error else "done"
    async with db.engine.begin() as conn:
        await conn.execute(update(T).where(T.c.job == job, T.c.fire_key == fire_key)
                           .values(status=status, finished_at=now, error=error[:2000]))
