"""Intake benchmark: N distinct leads through the lead flow (map, dedupe, distribute, timeline, owner card).

Every lead does the route's work without the HTTP layer — parse, map, dedupe lookups, customer + contact +
customer keys + lead rows, distribution over 200 reps (capacity and daily caps checked on the load counters,
rotation persisted), timeline events, and the owner's rendered card in the outbox — on SQLite.

The target figure (>= 1,000 leads/s for 100k leads) is bulk intake: `flows.lead_intake.receive_many`,
group-committed in batches of --batch leads per transaction. Two more figures show the per-request paths: one lead
per transaction (`flows.lead_intake.receive`, measured on the empty table and again after the bulk run — equal
rates mean the per-lead cost does not grow with the table), and POST /intake through the aiohttp route on the
one event path (token check, body checked into a lead event, inbox, the leads handler, the answer read back).

    .venv/bin/python -m bench.intake [--leads N] [--batch N] [--single N] [--http N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from datetime import UTC, datetime, timedelta

from aiohttp.test_utils import TestClient, TestServer

from bot.config import load_settings
from bot.core.clock import ManualClock
from bot.runtime import Runtime
from bot.web.app import create_app
from flows import lead_intake
from storage.db import Database
from storage.migrate import upgrade
from storage.repos import members

START = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
REGIONS = ("上海", "北京", "广州", "杭州")
TRADES = ("医疗", "教育", "制造", "零售")


def body(i: int) -> bytes:
    """A distinct, realistic web-form submission."""
    return json.dumps({"姓名": f"客户{i}", "手机号": f"13{i:09d}", "公司": f"测试企业{i}有限公司",
                       "需求": "想了解报价", "地区": REGIONS[i % 4], "行业": TRADES[i % 4],
                       "utm_source": "bench"}, ensure_ascii=False).encode()


async def setup(url: str, reps: int = 200) -> Runtime:
    """A migrated database with `reps` reps (playground identities) and a token channel."""
    db = Database(url)
    await upgrade(db)
    settings = load_settings(env={})
    settings.database.url = url
    settings.intake.channels = {"web_form": {"token": "t" * 20}}
    settings.leads.strategy, settings.leads.max_new_per_day = "rule_based", 10**6
    settings.leads.skip_outside_hours = False
    async with db.session() as s:
        for i in range(reps):
            await members.upsert(s, f"rep{i}", {"region": REGIONS[i % 4], "industries": [TRADES[i % 4]],
                                                "capacity": 10**6}, f"team{i % 10}", {})
    return Runtime(settings, clock=ManualClock(START), db=db, apis={})


async def direct(rt: Runtime, n: int, offset: int = 0) -> float:
    """Run n leads through lead_intake.receive, one transaction each; return leads/s."""
    started = time.perf_counter()
    for i in range(offset, offset + n):
        rt.clock.advance(timedelta(milliseconds=500))
        async with rt.db.session() as s:
            result = await lead_intake.receive(await rt.context(s), "web_form", body(i), "application/json")
        assert result.status == "assigned", result
    return n / (time.perf_counter() - started)


async def bulk(rt: Runtime, n: int, size: int, offset: int = 0) -> tuple[float, list[float]]:
    """Run n leads through lead_intake.receive_many, `size` per transaction; return leads/s and the rate per 10%."""
    started = last = time.perf_counter()
    tenths, step = [], max(size, n // 10)
    for start in range(offset, offset + n, size):
        chunk = [(body(i), "application/json") for i in range(start, min(start + size, offset + n))]
        rt.clock.advance(timedelta(milliseconds=500 * len(chunk)))
        results = await lead_intake.transact(
            rt, lambda ctx, chunk=chunk: lead_intake.receive_many(ctx, "web_form", chunk))
        assert all(r.status == "assigned" for r in results), results[:3]
        if (start - offset + len(chunk)) % step < size:
            now = time.perf_counter()
            tenths.append(step / (now - last))
            last = now
    return n / (time.perf_counter() - started), tenths


async def over_http(rt: Runtime, n: int, offset: int) -> float:
    """Post n leads through the aiohttp route (sequentially); return leads/s."""
    client = TestClient(TestServer(create_app(rt)))
    await client.start_server()
    try:
        started = time.perf_counter()
        for i in range(offset, offset + n):
            resp = await client.post("/intake/web_form", data=body(i),
                                     headers={"X-Intake-Token": "t" * 20, "Content-Type": "application/json"})
            assert resp.status == 201, await resp.text()
        return n / (time.perf_counter() - started)
    finally:
        await client.close()


async def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--leads", type=int, default=100_000, help="leads in the bulk run (the target figure)")
    p.add_argument("--batch", type=int, default=500, help="leads per transaction in the bulk run")
    p.add_argument("--single", type=int, default=1_000, help="leads one per transaction, before and after")
    p.add_argument("--http", type=int, default=1_000, help="leads posted through the route afterwards")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rt = await setup(f"sqlite+aiosqlite:///{tmp}/bench.db")
        first = await direct(rt, args.single, 10**8) if args.single else 0
        rate, tenths = await bulk(rt, args.leads, args.batch)
        print(f"[sqlite] bulk lead flow: {args.leads:,} leads in batches of {args.batch} at {rate:,.0f} leads/s "
              f"-> {'OK' if rate >= 1000 else 'UNDER'} the 1,000 leads/s target "
              f"(per 10%: {', '.join(f'{t:,.0f}' for t in tenths)})")
        if args.single:
            after = await direct(rt, args.single, 2 * 10**8)
            print(f"[sqlite] one lead per transaction: {first:,.0f} leads/s on the empty table, "
                  f"{after:,.0f} leads/s after {args.leads:,} leads")
        if args.http:
            http = await over_http(rt, args.http, 3 * 10**8)
            print(f"[sqlite] through POST /intake (sequential client): {http:,.0f} leads/s")
        await rt.db.close()


if __name__ == "__main__":
    asyncio.run(main())
