"""bench.route's `mustdo` part: the whole `must_do` job (rank + render + queue every card) for bench.pushes's
synthetic org (10,000 reps, 1,000 managers, 1M leads, 300k deals; `--scale 10` divides every count by 10).

    .venv/bin/python -m bench.route_mustdo [--scale N] [--pg URL]     # prints one JSON line

bench.route runs it as a child process per database, so the org's generator and the job's peak memory stay out
of the bench's own process.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import tempfile
import time

from sqlalchemy import func, select

from bench import pushes
from bench.pgschema import throwaway_schema
from bench.route_targets import TARGET_REPS
from bot.config import load_settings
from bot.core.clock import SystemClock
from bot.runtime import Runtime
from scheduler.core import run_job
from storage.db import Database
from storage.migrate import upgrade
from storage.models import OutboxMessage


async def measure(url: str, scale: int) -> dict:
    """Fill the org, then time one `must_do` run end to end (its own transaction, as the scheduler fires it)."""
    m, r, leads, opps = 1000 // scale, TARGET_REPS // scale, 1_000_000 // scale, 300_000 // scale
    db = Database(url)
    await upgrade(db)
    fill = await pushes.fill(db, m, r, leads, opps)
    settings = load_settings(env={})
    settings.database.url = url
    rt = Runtime(settings, clock=SystemClock(), db=db, apis={})
    started = time.perf_counter()
    result = await run_job(rt, "must_do", pushes.NOW)
    took = time.perf_counter() - started
    async with db.sessions() as s:
        queued = await s.scalar(select(func.count()).select_from(OutboxMessage))
    await db.close()
    return {"dialect": db.dialect, "reps": r, "leads": leads, "fill_s": fill, "seconds": took, "queued": queued,
            "summary": result.summary or "", "error": result.error,
            "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


async def main(scale: int, pg: str | None) -> dict:
    """Run on a fresh SQLite file, or in a throwaway schema of `pg`."""
    if pg:
        async with throwaway_schema(pg, "mustdo_") as url:
            return await measure(url, scale)
    with tempfile.TemporaryDirectory() as tmp:
        return await measure(f"sqlite+aiosqlite:///{tmp}/mustdo.db", scale)


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scale", type=int, default=1, help="divide every count by this (10: 1,000 reps)")
    p.add_argument("--pg", help="PostgreSQL URL (a throwaway schema is created and dropped)")
    args = p.parse_args()
    print(json.dumps(asyncio.run(main(args.scale, args.pg)), ensure_ascii=False))
