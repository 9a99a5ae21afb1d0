"""Round trips per handler (issue 20 item 3): statements and transactions one event costs, end to end.

    .venv/bin/python -m bench.roundtrips [--pg URL]

Counts every statement the database driver executes (SQLAlchemy's `before_cursor_execute`) while one event is
stored, handled and marked done, for `新建商机`, `推进`, a card click (查看商机) and `跟进`, plus group chatter.
The inbox write runs on its own connection and is counted apart. Deterministic: no timing.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile

from sqlalchemy import event

from bench.pgschema import throwaway_schema
from bot.core.actions import ShowOpportunity
from bot.core.clock import ManualClock
from bot.core.events import ChatRef, Event
from bot.platforms.playground.api import PlaygroundAPI
from bot.runtime import Runtime
from storage.db import Database
from storage.migrate import upgrade
from storage.repos import members
from tests.conftest import make_settings

STEPS = [("新建商机 华东医疗 预算 30-50万", "message"), ("凭证 https://docs.example.com/minutes-1", "message"),
         ("推进", "message"), ("查看商机 (card click)", "click"), ("跟进 客户说下周二看方案", "message"),
         ("group chatter nobody handles", "chatter")]


class Counter:
    """Counts statements and BEGINs on an engine."""

    def __init__(self, db: Database) -> None:
        self.statements = self.begins = 0
        event.listen(db.engine.sync_engine, "before_cursor_execute", self._stmt)
        event.listen(db.engine.sync_engine, "begin", self._begin)

    def _stmt(self, *_args) -> None:
        self.statements += 1

    def _begin(self, *_args) -> None:
        self.begins += 1


def _event(kind: str, text_: str, i: int, rep: int, opp_id: int) -> Event:
    chat = ChatRef("playground", "group:rt", True)
    if kind == "click":
        return Event("playground", "card_action", f"c{i}", str(rep), chat,
                     action=ShowOpportunity(opportunity_id=opp_id))
    if kind == "chatter":
        return Event("playground", "platform", f"p{i}", str(rep), chat, raw={"text": "午饭吃什么"})
    return Event("playground", "message", f"m{i}", str(rep), chat, text_)


async def run(url: str) -> None:
    """Store and handle each step once; print statements and transactions per event."""
    db = Database(url)
    await upgrade(db)
    rt = Runtime(make_settings(url), clock=ManualClock(), db=db, apis={"playground": PlaygroundAPI()})
    async with db.session() as s:
        await members.upsert(s, "唐宁", {"role": "rep"}, "华东大客户部", {})
    rep = 1
    await rt.dispatcher.ingest(_event("message", "帮助", 0, rep, 0))  # warm the member cache and the statements
    await rt.dispatcher.drain()
    counter = Counter(db)
    print(f"\n[{db.dialect}] statements per event (handler + done mark; the inbox write is on its own connection)")
    print("| event | statements | transactions |\n|---|---:|---:|")
    for i, (label, kind) in enumerate(STEPS, start=1):
        before = (counter.statements, counter.begins)
        await rt.dispatcher.ingest(_event(kind, label.split(" (")[0], i, rep, 1))
        await rt.dispatcher.drain()
        print(f"| {label} | {counter.statements - before[0]} | {counter.begins - before[1]} |")
    await rt.stop()


async def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--pg", help="also count on this PostgreSQL (a throwaway schema)")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        await run(f"sqlite+aiosqlite:///{tmp}/rt.db")
    if args.pg:
        async with throwaway_schema(args.pg, "rt_") as url:
            await run(url)


if __name__ == "__main__":
    asyncio.run(main())
