"""History benchmarks: import 100k customers + 500k orders (target <= 60 s), export 1M leads (target: peak RSS
growth <= 100 MB, i.e. streamed, not loaded).

    .venv/bin/python -m bench.history import [--customers N] [--orders N] [--format csv|xlsx] [--again] [--pg URL]
    .venv/bin/python -m bench.history export [--leads N] [--format csv|xlsx]

The import writes the files first (CSV, or XLSX through openpyxl's write-only mode), then times
`flows.history_import` exactly as `salesbot import` runs it. The export fills the lead table set-based, then
times `salesbot export leads` in a fresh process that reports its own peak RSS over its starting RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import text

from bot.config import load_settings
from flows import exports
from flows.history_import import Importer
from storage.db import Database
from storage.migrate import upgrade

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
REPS = 100
MEMBER = ("INSERT INTO member (name, role, region, industries, capacity, mobile, is_new, active, work_start, "
          "work_end, on_leave, leave_from, leave_until) VALUES (:n, 'rep', '', '[]', 50, '', false, true, '09:00', "
          "'18:00', false, '', '')")


def _rows(kind: str, n: int, customers: int):
    """The rows of a generated history file (header first)."""
    if kind == "customers":
        yield ["customer", "industry", "region", "owner", "mobile", "contact", "source", "created_at"]
        for i in range(n):
            yield [f"客户{i}", "医疗", "上海", f"rep{i % REPS}", f"13{i:09d}", f"联系人{i}", "导入", "2024-01-01"]
    else:
        yield ["customer", "amount", "ordered_at", "product", "accepted_at"]
        for i in range(n):
            day = f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}"
            yield [f"客户{i % customers}", str(1000 + i % 90_000), day, f"产品{i % 7}", day if i % 3 else ""]


def write_file(path: Path, kind: str, n: int, customers: int) -> None:
    """Write a generated history file as CSV or XLSX."""
    if path.suffix == ".xlsx":
        book = Workbook(write_only=True)
        sheet = book.create_sheet()
        for row in _rows(kind, n, customers):
            sheet.append(row)
        book.save(path)
        return
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(_rows(kind, n, customers))


async def bench_import(url: str, files: dict[str, Path], again: bool = False) -> float:
    """Import the customers then the orders file; print and return the total seconds (then re-import if asked)."""
    db = Database(url)
    await upgrade(db)
    async with db.engine.begin() as conn:
        for i in range(REPS):
            await conn.execute(text(MEMBER), {"n": f"rep{i}"})
    settings = load_settings(env={})
    total = 0.0
    for kind, path in files.items():
        started = time.perf_counter()
        async with db.session() as session:
            report = await Importer(session, settings, kind, NOW).run(path)
        took = time.perf_counter() - started
        total += took
        print(f"[{db.dialect}] import {kind} ({path.suffix}): {took:.1f} s — {report.lines()[0]}")
    print(f"[{db.dialect}] import total {total:.1f} s -> {'OK' if total <= 60 else 'OVER'} the 60 s target "
          f"(ratio {total / 60:.2f}); peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    if again:  # idempotence at full size: every row is found imported before, nothing is written
        started = time.perf_counter()
        async with db.session() as session:
            report = await Importer(session, settings, "orders", NOW).run(files["orders"])
        print(f"[{db.dialect}] re-import orders: {time.perf_counter() - started:.1f} s — {report.lines()[0]}")
    await db.close()
    return total


LEADS_FILL = """
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :rows)
INSERT INTO lead (channel, source, contact_name, mobile, need, owner_id, status, received_at, assign_reason, extra,
                  reassigned)
SELECT 'web', '官网', '联系人' || i, '138' || printf('%08d', i), '想了解影像设备的价格和交付周期', 1, 'accepted',
       '2026-11-01 09:00:00', '', '{}', 0 FROM n"""


def _rss_kb() -> int:
    """The current resident set size in KiB (Linux)."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() // 1024


async def export_child(url: str, fmt: str, out: Path) -> None:
    """In a fresh process: export the leads and print rows, seconds and peak RSS growth."""
    start_rss = _rss_kb()
    db = Database(url)
    started = time.perf_counter()
    async with db.sessions() as session:
        n = await exports.export(session, load_settings(env={}), "leads", fmt, out)
    took = time.perf_counter() - started
    growth = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - start_rss) / 1024
    print(f"export leads ({fmt}): {n:,} rows in {took:.1f} s, {out.stat().st_size / 1e6:.0f} MB written, peak RSS "
          f"growth {growth:.0f} MB -> {'OK' if growth <= 100 else 'OVER'} the 100 MB target (ratio {growth / 100:.2f})")
    await db.close()


async def bench_export(leads: int, fmt: str) -> None:
    """Fill the leads (SQLite), then export them in a child process."""
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/bench.db"
        db = Database(url)
        await upgrade(db)
        async with db.engine.begin() as conn:
            await conn.execute(text(MEMBER), {"n": "rep0"})
            await conn.execute(text(LEADS_FILL), {"rows": leads})
        await db.close()
        print(f"[sqlite] filled {leads:,} leads")
        subprocess.run([sys.executable, "-m", "bench.history", "export-child", url, fmt, f"{tmp}/leads.{fmt}"],
                       check=True)


async def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("what", choices=["import", "export", "export-child"])
    p.add_argument("args", nargs="*")
    p.add_argument("--customers", type=int, default=100_000)
    p.add_argument("--orders", type=int, default=500_000)
    p.add_argument("--leads", type=int, default=1_000_000)
    p.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    p.add_argument("--again", action="store_true", help="import: then re-import the orders (all skipped) and time it")
    p.add_argument("--pg", help="PostgreSQL URL (a throwaway schema is created and dropped)")
    a = p.parse_args()
    if a.what == "export-child":
        await export_child(a.args[0], a.args[1], Path(a.args[2]))
    elif a.what == "export":
        await bench_export(a.leads, a.format)
    else:
        await _imports(a)


async def _imports(a: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        files = {"customers": Path(tmp) / f"customers.{a.format}", "orders": Path(tmp) / f"orders.{a.format}"}
        started = time.perf_counter()
        write_file(files["customers"], "customers", a.customers, a.customers)
        write_file(files["orders"], "orders", a.orders, a.customers)
        print(f"wrote {a.customers:,} customers + {a.orders:,} orders as {a.format} in "
              f"{time.perf_counter() - started:.1f} s")
        await bench_import(f"sqlite+aiosqlite:///{tmp}/bench.db", files, a.again)
        if a.pg:
            schema = "bench_" + uuid.uuid4().hex[:8]
            admin = Database(a.pg)
            async with admin.engine.begin() as conn:
                await conn.execute(text(f"CREATE SCHEMA {schema}"))
            try:
                await bench_import(f"{a.pg}?options=-csearch_path%3D{schema}", files, a.again)
            finally:
                async with admin.engine.begin() as conn:
                    await conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
                await admin.close()


if __name__ == "__main__":
    asyncio.run(main())
