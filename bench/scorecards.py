"""Scorecards benchmark: the `scorecards_weekly` job for 10k reps over 1M leads and 300k opportunities.
Target: <= 10 s per run on SQLite and on PostgreSQL.

Rows are made set-based (INSERT … SELECT over a recursive CTE on SQLite, generate_series on PostgreSQL): 1,000
teams of 10 reps and a manager, 200k customers in 12 industries, 1M leads over the last 180 days (a quarter
converted, each with its `converted` lead_event), 300k opportunities (a third won) with two stage changes each,
300k orders over the last year, 30k customers moved to the pool and 50k answered NPS surveys. The job is timed
end to end: the seven indicator queries, scoring 10k reps, writing their weekly rows, the contribution-points
awards and the coaching tasks (it runs twice, a week apart, so the second run also lights yellow/red reps).

    .venv/bin/python -m bench.scorecards [--reps N] [--leads N] [--opps N] [--pg URL]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from bench.pgschema import throwaway_schema
from bot.config import load_settings
from bot.core.clock import ManualClock
from bot.runtime import Runtime
from scheduler import scorecards_weekly
from storage.db import Database
from storage.migrate import upgrade

NOW = datetime(2026, 11, 27, 0, 0, tzinfo=UTC)
TARGET = 10.0
INDUSTRIES = ("制造业", "软件", "金融", "零售", "医疗", "教育", "房地产", "物流", "能源", "汽车", "快消", "咨询")


def _series(dialect: str, n: str) -> tuple[str, str]:
    """Return (WITH prefix, FROM clause) producing i = 1..n."""
    if dialect == "postgresql":
        return "", f"generate_series(1, {n}) AS g(i)"
    return f"WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < {n}) ", "g"


def _ago(dialect: str, seconds: str) -> str:
    """Return the SQL of NOW minus `seconds` seconds."""
    if dialect == "postgresql":
        return f"(CAST(:t0 AS timestamp) - ({seconds}) * interval '1 second')"
    return f"strftime('%Y-%m-%d %H:%M:%f', :t0, '-' || ({seconds}) || ' seconds')"


def statements(d: str, reps: int, leads: int, opps: int) -> list[tuple[str, str]]:
    """Return (label, SQL) of every fill step for the dialect."""
    teams, customers = reps // 10, max(1000, reps * 20)
    ind = "CASE i % 12 " + " ".join(f"WHEN {k} THEN '{v}'" for k, v in enumerate(INDUSTRIES)) + " END"

    def fill(table: str, cols: str, n: int | str, select: str) -> str:
        w, f = _series(d, str(n))
        return f"{w}INSERT INTO {table} ({cols}) SELECT {select} FROM {f}"

    day = 86400

    def spread(days: int, n: int, plus: int = 0) -> str:
        """Seconds ago for row i: n rows spread evenly over `days` days (then `plus` days earlier)."""
        return f"(i * {max(1, days * day // n)}) % {days * day} + {plus * day}"

    return [
        ("teams", fill("team", "name", teams, "'团队' || i")),
        ("managers", fill("member", "name, role, team_id, industries, capacity, mobile, is_new, active, work_start, "
                          "work_end, on_leave, region", teams,
                          "'主管' || i, 'manager', i, '[]', 50, '', false, true, '09:00', '18:00', false, ''")),
        ("reps", fill("member", "name, role, team_id, manager_id, industries, capacity, mobile, is_new, active, "
                      "work_start, work_end, on_leave, region", reps,
                      "'销售' || i, 'rep', 1 + (i - 1) / 10, 1 + (i - 1) / 10, '[]', 50, '', false, true, '09:00', "
                      "'18:00', false, ''")),
        ("customers", fill("customer", "name, normalized_name, industry, region, owner_id, grade", customers,
                           f"'客户' || i, 'c' || i, {ind}, '', {teams} + 1 + i % {reps}, ''")),
        ("leads", fill("lead", "channel, source, customer_id, contact_name, mobile, need, owner_id, status, "
                       "received_at, assigned_at, assign_reason, extra", leads,
                       f"'web', 'bench', 1 + i % {customers}, '', '', '', {teams} + 1 + i % {reps}, "
                       f"CASE WHEN (i / {reps}) % 4 = 0 THEN 'converted' ELSE 'accepted' END, "
                       f"{_ago(d, spread(180, leads))}, {_ago(d, spread(180, leads))}, '', '{{}}'")),
        ("lead events", "INSERT INTO lead_event (lead_id, kind, note, data, at) SELECT id, 'converted', '', '{}', "
                        "assigned_at FROM lead WHERE status = 'converted'"),
        ("opportunities", fill("opportunity", "customer_id, owner_id, stage, stage_entered_at, budget_text, need, "
                               "status, created_at, closed_at, lost_reason, won_reason", opps,
                               f"1 + i % {customers}, {teams} + 1 + i % {reps}, 'quote', "
                               f"{_ago(d, spread(170, opps))}, '', '', CASE WHEN i % 3 = 0 THEN 'won' ELSE 'open' END,"
                               f" {_ago(d, spread(170, opps, 20))}, "
                               f"CASE WHEN i % 3 = 0 THEN {_ago(d, spread(170, opps))} END, '', ''")),
        ("stage changes", "INSERT INTO stage_change (opportunity_id, from_stage, to_stage, via, member_id, reason, "
                          "at) SELECT id, 'needs', 'demo', 'evidence', owner_id, '', stage_entered_at FROM opportunity"
                          " UNION ALL SELECT id, 'demo', 'quote', 'evidence', owner_id, '', stage_entered_at "
                          "FROM opportunity"),
        ("orders", fill("customer_order", "customer_id, owner_id, amount, product, ordered_at, accepted_at, source",
                        opps, f"1 + i % {customers}, {teams} + 1 + i % {reps}, 10000 + i % 90000, '', "
                              f"{_ago(d, spread(360, opps))}, CASE WHEN i % 2 = 0 THEN "
                              f"{_ago(d, spread(300, opps))} END, 'import'")),
        ("customer events", fill("customer_event", "customer_id, kind, reason, detail, at", customers * 3 // 20,
                                 f"1 + i * 7 % {customers}, CASE WHEN i % 2 = 0 THEN 'reclaimed' ELSE 'updated' END,"
                                 f" '', '{{}}', {_ago(d, spread(80, customers * 3 // 20))}")),
        ("nps", fill("nps_survey", "customer_id, member_id, score, comment, answered_at", customers // 4,
                     f"i * 4, {teams} + 1 + i % {reps}, i % 11, '', {_ago(d, spread(80, customers // 4))}")),
    ]


async def fill(db: Database, reps: int, leads: int, opps: int) -> float:
    """Create the org and its history; return the seconds taken."""
    started = time.perf_counter()
    t0 = NOW.replace(tzinfo=None).isoformat(sep=" ")
    for label, sql in statements(db.dialect, reps, leads, opps):
        step = time.perf_counter()
        async with db.engine.begin() as conn:
            await conn.execute(text(sql), {"t0": t0} if ":t0" in sql else {})
        print(f"[{db.dialect}]   {label}: {time.perf_counter() - step:.1f} s", flush=True)
    async with db.engine.begin() as conn:
        await conn.execute(text("ANALYZE"))
    return time.perf_counter() - started


async def weekly(rt: Runtime, at: datetime) -> tuple[float, str]:
    """Time one scorecards_weekly run in its transaction."""
    started = time.perf_counter()
    async with rt.db.session() as s:
        summary = await scorecards_weekly.run(await rt.context(s), at)
    return time.perf_counter() - started, summary


async def run(url: str, reps: int, leads: int, opps: int) -> bool:
    """Fill one database, run the job twice a week apart, print the figures; True when within the target."""
    db = Database(url)
    await upgrade(db)
    secs = await fill(db, reps, leads, opps)
    print(f"[{db.dialect}] filled {reps:,} reps, {leads:,} leads, {opps:,} opportunities in {secs:.1f} s")
    settings = load_settings(env={})
    settings.database.url = url
    rt = Runtime(settings, clock=ManualClock(NOW), db=db, apis={})
    worst = 0.0
    for week in range(2):
        took, summary = await weekly(rt, NOW + timedelta(days=7 * week))
        worst = max(worst, took)
        print(f"[{db.dialect}] scorecards_weekly run {week + 1}: {took:.2f} s — {summary}")
    ok = worst <= TARGET
    print(f"[{db.dialect}] worst {worst:.2f} s = {worst / TARGET:.2f} × the {TARGET:.0f} s target -> "
          f"{'OK' if ok else 'OVER'}")
    await db.close()
    return ok


async def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--reps", type=int, default=10_000)
    p.add_argument("--leads", type=int, default=1_000_000)
    p.add_argument("--opps", type=int, default=300_000)
    p.add_argument("--pg", help="PostgreSQL URL (a throwaway schema is created and dropped)")
    p.add_argument("--skip-sqlite", action="store_true")
    args = p.parse_args()
    ok = True
    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            ok &= await run(f"sqlite+aiosqlite:///{tmp}/bench.db", args.reps, args.leads, args.opps)
    if args.pg:
        async with throwaway_schema(args.pg) as url:
            ok &= await run(url, args.reps, args.leads, args.opps)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
