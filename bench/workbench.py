"""Workbench benchmark: the `wecom_workbench` job for 11,000 members over bench.pushes' synthetic org
(1,000,000 leads, 300,000 deals), first run (everyone changed) and a second run (nobody changed), SQLite.

    .venv/bin/python -m bench.workbench [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import timedelta

from sqlalchemy import text

from bench.pushes import NOW, fill
from bot.config import load_settings
from bot.core.clock import ManualClock
from bot.runtime import Runtime
from scheduler.core import run_job
from storage.db import Database
from storage.migrate import upgrade


async def run(url: str, scale: int) -> None:
    """Fill the org, link everyone to WeCom, time two runs of the job."""
    m, r, leads, opps = 1000 // scale, 10_000 // scale, 1_000_000 // scale, 300_000 // scale
    db = Database(url)
    await upgrade(db)
    print(f"generated {m + r:,} members, {leads:,} leads, {opps:,} deals in {await fill(db, m, r, leads, opps):.1f} s")
    async with db.engine.begin() as conn:
        await conn.execute(text("INSERT INTO identity (platform, platform_user_id, member_id) "
                                "SELECT 'wecom', 'u' || id, id FROM member WHERE id % 50 <> 0"))
    settings = load_settings(env={})
    settings.database.url, settings.wecom.enabled = url, True
    rt = Runtime(settings, clock=ManualClock(NOW), db=db, apis={})
    runs = (("first run (all changed)", NOW), ("second run (none changed)", NOW + timedelta(minutes=15)))
    for label, at in runs:
        started = time.perf_counter()
        result = await run_job(rt, "wecom_workbench", at)
        print(f"{label}: {time.perf_counter() - started:.1f} s — {result.summary or result.error}")
    await db.close()


async def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="divide every count by 10")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        await run(f"sqlite+aiosqlite:///{tmp}/bench.db", 10 if args.quick else 1)


if __name__ == "__main__":
    asyncio.run(main())
