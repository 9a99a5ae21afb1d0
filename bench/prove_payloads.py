"""Replay the recorded platform payloads (tests/payloads/<platform>/*.json) through every adapter.

Each file names the route it arrives on, the Event kind it must produce ("none": answered without one,
"lead": a lead event, answered 201), the typed payload a handler gets from that event ("gets", see
bot/core/inbound.py; "none": stored done, nobody's) and where its shape comes from. Each is signed and
encrypted as its platform does (bench/harness.py), posted to a real app on
loopback, and the newest inbox row is compared.
`run()` returns [(platform, tried, passed, failed)]; `python -m bench.prove_payloads` prints them.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient
from sqlalchemy import func, select

from bench import harness
from bot.core.events import Event
from bot.core.routing import RouteTable
from storage.models import InboxEvent
from storage.repos import members

ROOT = Path(__file__).resolve().parent.parent / "tests" / "payloads"


def cases() -> list[tuple[str, str, dict[str, Any]]]:
    """(platform, name, recorded case) for every file, sorted."""
    return [(p.parent.name, p.stem, json.loads(p.read_text("utf-8"))) for p in sorted(ROOT.glob("*/*.json"))]


def request(platform: str, case: dict[str, Any], now: int) -> harness.Req:
    """Build the signed request that carries a recorded case."""
    route, payload = case["route"], case.get("payload")
    if platform == "feishu":
        payload = json.loads(json.dumps(payload))
        target = payload.get("header", payload)
        target["token"] = harness.FS_TOKEN
        if payload.get("type") == "url_verification":  # Feishu never signs the URL check
            return harness.Req("/feishu/events", json.dumps(payload).encode(), {"Content-Type": "application/json"})
    data = json.dumps(payload, ensure_ascii=False).encode()
    build = {("wecom", "app"): lambda: harness.wecom_app(case["xml"], now),
             ("wecom", "bot"): lambda: harness.wecom_bot(payload, now),
             ("dingtalk", "robot"): lambda: harness.dingtalk_robot(data, now * 1000 + _ms()),
             ("dingtalk", "card"): lambda: harness.dingtalk_card(data, now * 1000 + _ms()),
             ("dingtalk", "events"): lambda: harness.dingtalk_event(data, now * 1000),
             ("feishu", "events"): lambda: harness.feishu(data, now),
             ("playground", "message"): lambda: harness.playground("message", data),
             ("playground", "click"): lambda: harness.playground("click", data),
             ("intake", "intake"): lambda: harness.intake(data)}
    return build[(platform, route)]()


_tick = iter(range(1, 10**9))


def _ms() -> int:
    return -next(_tick)  # a distinct millisecond per DingTalk request: their signatures are single-use


async def _newest(rt) -> tuple[int, InboxEvent | None]:
    async with rt.db.sessions() as s:
        count = (await s.execute(select(func.count()).select_from(InboxEvent))).scalar_one()
        row = (await s.execute(select(InboxEvent).order_by(InboxEvent.id.desc()).limit(1))).scalar_one_or_none()
    return count, row


async def replay_one(client: TestClient, rt, platform: str, case: dict[str, Any]) -> str:
    """Post one case; return "" when it produced what its tag says, else what went wrong."""
    before, _ = await _newest(rt)
    req = request(platform, case, int(rt.clock.now().timestamp()))
    resp = await client.request(req.method, req.path, data=req.body, headers=req.headers)
    text = await resp.text()
    after, row = await _newest(rt)
    want = case["kind"]
    if resp.status >= 300 or (want == "lead" and resp.status != 201):  # a lead is answered 201 once handled
        return f"HTTP {resp.status}: {text[:200]}"
    if want == "none":
        return "" if after == before else "stored an event"
    if after != before + 1 or row is None:
        return f"no new inbox row (HTTP {resp.status})"
    if row.kind != want or (case.get("dedupe_key") and row.dedupe_key != case["dedupe_key"]):
        return f"made {row.kind} {row.dedupe_key!r}, want {want} {case.get('dedupe_key', '')!r}"
    got = payload_of(rt.routes, Event.from_dict(row.event))
    return "" if got == case["gets"] else f"handlers get {got}, want {case['gets']}"


def payload_of(table: RouteTable, event: Event) -> str:
    """The name of the typed payload the app's handlers are given for this event ("none": no handler's)."""
    if event.kind == "message":
        return "Message"
    if event.kind == "card_action":
        return "CardClick"
    found = [t.__name__ for t, _ in table.for_kind(event.kind) if t.of(event) is not None]
    return found[0] if found else "none"


async def replay_all() -> dict[str, list[tuple[str, str]]]:
    """Replay every case through a fresh app; return {platform: [(name, problem or "")]}."""
    async with harness.served() as (rt, client):
        async with rt.db.session() as s:
            await members.upsert(s, "测试代表", {"role": "rep"}, "华东大客户部", {})
        out: dict[str, list[tuple[str, str]]] = {}
        for platform, name, case in cases():
            out.setdefault(platform, []).append((name, await replay_one(client, rt, platform, case)))
        return out


def run(cases_wanted: int = 0) -> list[tuple[str, int, int, int]]:
    """[(platform, tried, passed, failed)] over every recorded payload (the argument is ignored: all run)."""
    results = asyncio.run(replay_all())
    return [(f"payloads/{p}", len(r), sum(1 for _, e in r if not e), sum(1 for _, e in r if e))
            for p, r in results.items()]


if __name__ == "__main__":
    for name, tried, passed, failed in run():
        print(f"{name}: tried {tried}, passed {passed}, failed {failed}")
