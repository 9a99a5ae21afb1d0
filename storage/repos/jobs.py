"""Exactly-once claims for scheduled job fires."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update

from storage.db import Database
from storage.models import JobRun
from storage.repos._sql import insert_ignore

T = JobRun.__table__


async def claim(db: Database, job: str, fire_key: str, now: datetime) -> bool:
    """Claim one fire of a job; only the first claimant across replicas and restarts gets True."""
    stmt = insert_ignore(T, db.dialect, ["job", "fire_key"]).values(
        job=job, fire_key=fire_key, status="running", started_at=now, error="").returning(T.c.id)
    async with db.engine.begin() as conn:
        return (await conn.execute(stmt)).scalar() is not None


async def finish(db: Database, job: str, fire_key: str, now: datetime, error: str = "") -> None:
    """Record how a claimed fire ended."""
    status = "failed" if error else "done"
    async with db.engine.begin() as conn:
        await conn.execute(update(T).where(T.c.job == job, T.c.fire_key == fire_key)
                           .values(status=status, finished_at=now, error=error[:2000]))
