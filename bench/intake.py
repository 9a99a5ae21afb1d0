"""Intake benchmark: N distinct leads through the lead flow (map, dedupe, distribute, timeline, owner card).

Each lead runs the route's work without the HTTP layer — parse, map, dedupe lookups, customer + contact +
lead rows, distribution over 200 reps (capacity and daily caps checked, rotation persisted), timeline
events, and the owner's rendered card in the outbox — in its own transaction, on SQLite. Target: >= 1,000
leads/s. A second figure posts through the aiohttp route (token check, body archive) for comparison.

    .venv/bin/python -m bench.intake [--leads N] [--http N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from datetime import UTC, datetime, timedelta

from aiohttp.test_utils import TestClient, TestServer

from bot import leadflow
from bot.clock import ManualClock
from bot.config import load_settings
from bot.runtime import Runtime
from bot.web.app import create_app
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
    """Run n leads through leadflow.receive, one transaction each; return leads/s."""
    started = time.perf_counter()
    for i in range(offset, offset + n):
        rt.clock.advance(timedelta(milliseconds=500))
        async with rt.db.session() as s:
            result = await leadflow.receive(await rt.context(s), "web_form", body(i), "application/json")
        assert result.status == "assigned", result
    return n / (time.perf_counter() - started)


async def over_http(rt: Runtime, n: int, offset: int) -> float:
    """Post n leads through the aiohttp route (sequentially); return leads/s."""
    client = TestClient(TestServer(create_app(rt, start_services=False)))
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
    p.add_argument("--leads", type=int, default=100_000)
    p.add_argument("--http", type=int, default=2_000)
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rt = await setup(f"sqlite+aiosqlite:///{tmp}/bench.db")
        rate = await direct(rt, args.leads)
        print(f"[sqlite] lead flow: {args.leads:,} leads at {rate:,.0f} leads/s "
              f"-> {'OK' if rate >= 1000 else 'UNDER'} the 1,000 leads/s target")
        if args.http:
            http = await over_http(rt, args.http, args.leads)
            print(f"[sqlite] through POST /intake (sequential client): {http:,.0f} leads/s")
        await rt.db.close()


if __name__ == "__main__":
    asyncio.run(main())
