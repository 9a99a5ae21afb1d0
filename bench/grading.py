"""Grading benchmark: the `grading` job over 200,000 customers with 2,000,000 orders and 5,000,000 interactions
(target ≤ 30 s) and `regrade_quarterly` (≤ 60 s), on SQLite and PostgreSQL.

The data is generated set-based (bench/pushes.py's INSERT … SELECT helpers), with bad rows mixed in: zero and
negative amounts, orders in the future, interactions before the customer existed. Printed: fill time, the first
run (every customer graded for the first time: 200,000 grade changes written), a steady-state run the next day,
the quarterly re-grade, peak RSS and the ratio of each time to its target. `--quick` divides the counts by 10.

    .venv/bin/python -m bench.grading [--quick] [--pg URL] [--no-sqlite]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import text

from bench.pgschema import throwaway_schema
from bench.pushes import NOW, T0, _fill, _ts
from bot.config import load_settings
from bot.core.clock import ManualClock
from bot.platforms.playground.api import PlaygroundAPI
from bot.runtime import Runtime
from scheduler.core import run_job
from storage.db import Database
from storage.migrate import upgrade

DAY = 86400
TARGETS = {"grading": 30.0, "regrade_quarterly": 60.0}


def statements(d: str, managers: int, reps: int, customers: int, orders: int, inter: int) -> list[tuple[str, int]]:
    """The fill statements and their row counts."""
    t, yes, no = (lambda s: _ts(d, s)), ("true" if d == "postgresql" else "1"), ("false" if d == "postgresql" else "0")
    member = ("id, name, role, team_id, manager_id, region, industries, capacity, mobile, is_new, active, "
              "work_start, work_end, on_leave, created_at")
    cust = f"(1 + (CAST(i AS BIGINT) * 7919) % {customers})"
    return [
        (_fill(d, "team", "id, name", "i, 'team' || i"), managers),
        (_fill(d, "member", member, f"i, 'mgr' || i, 'manager', i, NULL, '', '[]', 50, '', {no}, {yes}, '09:00', "
                                    f"'18:00', {no}, {t('0')}"), managers),
        (_fill(d, "member", member, f"{managers} + i, 'rep' || i, 'rep', 1 + (i - 1) % {managers}, "
                                    f"1 + (i - 1) % {managers}, '', '[]', 50, '', {no}, {yes}, '09:00', '18:00', "
                                    f"{no}, {t('0')}"), reps),
        (_fill(d, "identity", "platform, platform_user_id, member_id", "'playground', CAST(i AS TEXT), i"),
         managers + reps),
        (_fill(d, "customer", "id, name, normalized_name, industry, region, owner_id, grade, created_at",
               f"i, 'cust' || i, 'cust' || i, CASE i % 3 WHEN 0 THEN '制造' WHEN 1 THEN '医疗' ELSE '教育' END, '', "
               f"{managers} + 1 + i % {reps}, '', {t(f'-(400 + i % 400) * {DAY}')}"), customers),
        (_fill(d, "customer_order", "customer_id, owner_id, amount, product, ordered_at, source",
               f"{cust}, NULL, CASE WHEN i % 1000 = 0 THEN -500 ELSE 1000 + (i % 97) * 1000 END, '', "
               f"CASE WHEN i % 5000 = 1 THEN {t(f'10 * {DAY}')} ELSE "
               f"{t(f'-((CAST(i AS BIGINT) * 104729) % (730 * {DAY}))')} END, 'import'"), orders),
        (_fill(d, "interaction", "customer_id, member_id, kind, note, at",
               f"1 + (CAST(i AS BIGINT) * 4099) % {customers}, NULL, CASE i % 6 WHEN 0 THEN 'visit' WHEN 1 THEN "
               f"'demo' WHEN 2 THEN 'call' WHEN 3 THEN 'followup' WHEN 4 THEN 'message' ELSE 'download' END, '', "
               f"{t(f'-((CAST(i AS BIGINT) * 15485863) % (900 * {DAY}))')}"), inter),
        (_fill(d, "opportunity", "customer_id, owner_id, stage, stage_entered_at, budget_text, need, amount, status, "
                                 "created_at, lost_reason, won_reason",
               f"{cust}, NULL, 'needs', {t(str(-5 * DAY))}, '', '', 50000 + (i % 20) * 10000, 'open', "
               f"{t(str(-5 * DAY))}, '', ''"), customers // 4),
    ]


async def fill(db: Database, scale: int) -> float:
    """Generate the data; return seconds taken."""
    started = time.perf_counter()
    counts = (50 // scale or 5, 2000 // scale, 200_000 // scale, 2_000_000 // scale, 5_000_000 // scale)
    async with db.engine.begin() as conn:
        for sql, rows in statements(db.dialect, *counts):
            await conn.execute(text(sql), {"rows": rows, "t0": T0})
        await conn.execute(text("ANALYZE"))
    return time.perf_counter() - started


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _server_cpu(rt: Runtime) -> dict[int, float]:
    """CPU seconds of each PostgreSQL backend serving this database (read from /proc; {} on SQLite or elsewhere)."""
    if rt.db.dialect != "postgresql":
        return {}
    async with rt.db.sessions() as s:
        pids = (await s.execute(text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()"))).scalars()
        out = {}
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            out[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return out


async def timed(rt: Runtime, job: str, at) -> float:
    """Run one job at `at`; print its summary, wall time, this process's CPU time and the machine's load.

    The CPU time (the SQLite engine runs in this process's threads) is what the wall time would be on an idle
    core; on a shared machine the wall time grows with the load average.
    """
    server = await _server_cpu(rt)
    started, cpu = time.perf_counter(), _cpu()
    result = await run_job(rt, job, at)
    took, used = time.perf_counter() - started, _cpu() - cpu
    after = await _server_cpu(rt)
    served = sum(t - server.get(pid, 0.0) for pid, t in after.items())
    ratio = took / TARGETS[job]
    print(f"  {job} @ {at:%Y-%m-%d}: wall {took:6.1f} s (target {TARGETS[job]:.0f} s, ratio {ratio:.2f}), "
          f"process CPU {used:5.1f} s" + (f", PostgreSQL backends CPU {served:5.1f} s" if after else "") +
          f", load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
          f"  — {result.summary or result.error}")
    return took


async def run(url: str, scale: int) -> None:
    """Fill one database and time the jobs on it."""
    db = Database(url)
    await upgrade(db)
    print(f"{db.dialect}: fill {await fill(db, scale):.1f} s")
    settings = load_settings(env={})
    settings.database.url = url
    rt = Runtime(settings, clock=ManualClock(NOW), db=db, apis={"playground": PlaygroundAPI()})
    await timed(rt, "grading", NOW)
    await timed(rt, "grading", NOW + timedelta(days=1))
    await timed(rt, "regrade_quarterly", NOW + timedelta(days=2))
    print(f"  peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    await rt.stop()


async def main() -> None:
    """Parse the arguments and run on each backend asked for."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="a tenth of the data")
    p.add_argument("--pg", help="PostgreSQL URL (a throwaway schema is created and dropped)")
    p.add_argument("--no-sqlite", action="store_true")
    args = p.parse_args()
    scale = 10 if args.quick else 1
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            await run(f"sqlite+aiosqlite:///{tmp}/bench.db", scale)
    if args.pg:
        async with throwaway_schema(args.pg) as url:
            await run(url, scale)


if __name__ == "__main__":
    asyncio.run(main())
