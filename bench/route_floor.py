"""The floor under bench.route's handled rate: what handling `新建商机` with its reply would cost, per event, if it
were rebuilt for speed alone on this stack — SQLAlchemy Core statements batched over 50 events (customers looked up
and inserted, opportunities, interactions, replies queued, inbox rows marked done: one transaction a batch) and the
real Feishu render of each reply. No ORM, dispatcher, member or script reads: anything real handling adds is above it.

    .venv/bin/python -m bench.route_floor [--pg URL]   # pinned to core 0, where bench.route's servers run

Prints one JSON line: {database: {"db_us", "render_us", "events"}}, CPU microseconds per event (this process's, the
SQLite driver's thread included; PostgreSQL's own server CPU is not counted, so its floor is lower than it is).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bench.pgschema import throwaway_schema
from bench.route_kit import pin
from bot.core.clock import ManualClock
from bot.core.events import ChatRef
from bot.platforms.registry import Renderers
from cards.views.opportunities import OpportunityView, opportunity_card
from sales.names import normalize_company
from sales.parsing import NewOpportunityInput, parse_new_opportunity
from sales.stages import pipeline_from_config
from storage.db import Database
from storage.migrate import upgrade
from storage.models import Customer, InboxEvent, Interaction, Opportunity, OutboxMessage
from storage.repos import members
from storage.repos._sql import insert_ignore, table_of
from tests.conftest import make_settings

EVENTS, BATCH = 3_000, 50
CUSTOMERS, OPPS, TOUCHES = table_of(Customer), table_of(Opportunity), table_of(Interaction)
OUTBOX, INBOX = table_of(OutboxMessage), table_of(InboxEvent)


def cpu() -> float:
    """This process's CPU seconds, every thread."""
    use = resource.getrusage(resource.RUSAGE_SELF)
    return use.ru_utime + use.ru_stime


@dataclass
class Floor:
    """One database's run: what it writes with, the Feishu renderer, the card's stage facts, the CPU tallies."""

    db: Database
    rep: int
    now: datetime
    renderer: Any
    stage: tuple[str, list[str], str]  # the first stage's name, its missing evidence, its days label
    db_s: float = 0.0
    render_s: float = 0.0


async def measure(url: str, events: int = EVENTS) -> dict[str, float]:
    """Handle `events` 新建商机 in batches of BATCH; return CPU µs per event for the statements and the render."""
    settings, db = make_settings(url), Database(url)
    await upgrade(db)
    async with db.session() as s:
        await members.upsert(s, "唐宁", {"role": "rep"}, "华东大客户部", {"feishu": "ou_floor"})
        member = await members.by_name(s, "唐宁")
    assert member is not None  # upserted just above
    pipe = pipeline_from_config(settings.opportunities.stages)
    first = pipe.stages[0]
    floor = Floor(db, member.id, datetime.now(UTC), Renderers(settings, ManualClock())["feishu"],
                  (first.name, pipe.missing_evidence(first.key, []), pipe.days_in_stage_label(0, first.key)))
    texts = [f"客户{i} 预算 30-50万 需求 影像设备" for i in range(events)]
    inbox_ids = await _inbox(floor, texts)
    for start in range(0, events, BATCH):
        await _batch(floor, texts[start:start + BATCH], inbox_ids[start:start + BATCH], first.key, start)
    await db.close()
    return {"db_us": 1e6 * floor.db_s / events, "render_us": 1e6 * floor.render_s / events, "events": events}


async def _inbox(floor: Floor, texts: list[str]) -> list[int]:
    """The stored events (not measured: the ack wrote them)."""
    async with floor.db.session() as s:
        return list((await s.execute(insert(INBOX).returning(INBOX.c.id), [
            {"platform": "feishu", "dedupe_key": f"floor{i}", "kind": "message", "status": "pending", "attempts": 0,
             "error": "", "event": {"text": t}, "received_at": floor.now} for i, t in enumerate(texts)])).scalars())


async def _batch(floor: Floor, texts: list[str], inbox_ids: list[int], stage: str, first: int) -> None:
    """One batch in one transaction: the statements (with the parsing) and the renders timed apart."""
    started = cpu()
    async with floor.db.session() as s:
        parsed = [p for p in map(parse_new_opportunity, texts) if p is not None]
        chats = [f"oc_{first + i}" for i in range(len(parsed))]
        customers = await _customers(s, floor, parsed)
        opps = await _matched(s, OPPS.c.chat_id, [_opportunity(floor, c, p, stage, chat) for c, p, chat
                                                   in zip(customers, parsed, chats, strict=True)])
        await s.execute(insert(TOUCHES), [{"customer_id": c, "member_id": floor.rep, "kind": "opportunity",
                                           "note": p.need, "at": floor.now}
                                          for c, p in zip(customers, parsed, strict=True)])
        rendering = cpu()
        rows = [_reply(floor, o, p, chat) for o, p, chat in zip(opps, parsed, chats, strict=True)]
        rendered = cpu() - rendering
        await s.execute(insert_ignore(OUTBOX, floor.db.dialect, ["idempotency_key"]), rows)
        await s.execute(update(INBOX).where(INBOX.c.id.in_(inbox_ids)).values(status="done", done_at=floor.now))
    floor.db_s += cpu() - started - rendered
    floor.render_s += rendered


async def _customers(s: AsyncSession, floor: Floor, parsed: list[NewOpportunityInput]) -> list[int]:
    """Look the customers up by normalized name, as handling does, and insert them (all new here)."""
    names = [normalize_company(p.customer) for p in parsed]
    await s.execute(select(CUSTOMERS.c.id, CUSTOMERS.c.normalized_name).where(CUSTOMERS.c.normalized_name.in_(names)))
    return await _matched(s, CUSTOMERS.c.normalized_name, [
        {"name": p.customer, "normalized_name": n, "industry": "", "region": "", "owner_id": floor.rep, "grade": "",
         "in_pool": False, "created_at": floor.now} for p, n in zip(parsed, names, strict=True)])


async def _matched(s: AsyncSession, key: Column, rows: list[dict[str, Any]]) -> list[int]:
    """Insert rows in one statement; return their ids in the rows' order (matched by a unique column: RETURNING
    of a many-row insert comes in no promised order)."""
    table = key.table
    ids: dict[Any, int] = dict((await s.execute(insert(table).returning(key, table.c.id), rows)).all())
    return [ids[row[key.name]] for row in rows]


def _opportunity(floor: Floor, customer: int, p: NewOpportunityInput, stage: str, chat: str) -> dict[str, Any]:
    return {"customer_id": customer, "owner_id": floor.rep, "stage": stage, "stage_entered_at": floor.now,
            "chat_platform": "feishu", "chat_id": chat, "budget_text": p.budget.text, "budget_low": p.budget.low,
            "budget_high": p.budget.high, "need": p.need, "status": "open", "created_at": floor.now}


def _reply(floor: Floor, opp: int, p: NewOpportunityInput, chat: str) -> dict[str, Any]:
    """The reply's outbox row: the opportunity card a new deal gets, rendered for Feishu."""
    name, missing, days = floor.stage
    view = OpportunityView(opp, p.customer, "唐宁", name, p.budget.text, p.need, days, missing, [],
                           "约客户开需求确认会，把会议纪要发到群里", scripts=["话术一", "话术二", "话术三"])
    payload = floor.renderer.render(ChatRef("feishu", chat, True), opportunity_card(view, "新商机："), "",
                                    {"idempotency_key": f"floor:{opp}"})
    payload.pop("views", None)
    return {"idempotency_key": f"floor:{opp}", "platform": "feishu", "target": chat, "payload": payload,
            "status": "pending", "attempts": 0, "next_attempt_at": floor.now, "last_error": "",
            "created_at": floor.now}


async def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--pg", help="also measure on this PostgreSQL (a throwaway schema)")
    args = p.parse_args()
    pin(0)
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        out["SQLite"] = await measure(f"sqlite+aiosqlite:///{tmp}/floor.db")
    if args.pg:
        async with throwaway_schema(args.pg, "floor_") as url:
            out["PostgreSQL"] = await measure(url)
    print(json.dumps(out))


if __name__ == "__main__":
    asyncio.run(main())
