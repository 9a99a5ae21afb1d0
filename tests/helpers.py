"""Small helpers for tests: seed members, post playground messages, read what the bot sent."""

from __future__ import annotations

import itertools
from collections.abc import Collection

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from bot.core.ports import TaskRun
from bot.runtime import Runtime
from storage.db import Database
from storage.models import metadata
from storage.repos import members, outbox, task_queue

_ids = itertools.count(1)


async def add_member(rt: Runtime, name: str, role: str = "rep", team: str = "华东大客户部") -> int:
    """Create a member (with its playground identity) and return its id."""
    async with rt.db.session() as s:
        await members.upsert(s, name, {"role": role}, team, {})
        return (await members.by_name(s, name)).id


def message(member_id: int, text: str, chat_id: str = "group:1", skin: str = "wecom",
            client_id: str | None = None) -> dict:
    """A playground message body."""
    return {"member_id": member_id, "chat_id": chat_id, "skin": skin, "text": text,
            "client_id": client_id or f"c{next(_ids)}"}


async def run_queues(rt: Runtime) -> None:
    """Finish handlers, then run the sender and the task worker until neither has anything due."""
    await rt.dispatcher.drain()
    while await rt.sender.run_once() + await rt.worker.run_once():
        await rt.dispatcher.drain()  # a task may have ingested a result (a new event)


async def run_task_again(rt: Runtime, key: str) -> None:
    """Run a finished task's handler once more, as a worker would after a crash between the run and its mark."""
    row = await task_queue.get(rt.db, key)
    assert row is not None, f"no task {key}"
    spec = rt.worker.specs[(row.platform, row.kind)]
    await spec.run(TaskRun(row.idempotency_key, row.kind, row.platform, dict(row.payload), row.attempts + 1,
                           rt.clock.now, rt.post, rt.dispatcher.ingest))


async def sent_cards(rt: Runtime, chat_id: str = "group:1") -> list[dict]:
    """Deliver what is queued, then return the payloads sent to a chat, oldest first."""
    await run_queues(rt)
    rows = await outbox.recent(rt.db, "playground", target=chat_id, status="sent", limit=500)
    return [r.payload for r in rows]


def drawn(rt: Runtime, payload: dict, skin: str) -> str:
    """A playground payload as the timeline draws it for a viewer of `skin`."""
    return rt.renderers.playground.draw(payload, skin)[0]


async def schema_drift(db: Database, tables: Collection[str], compare_type: bool = True) -> list:
    """What Alembic's autogenerate finds different between the migrated `db` and the models, for `tables` only
    (every migration's test looks at its own tables)."""
    def about(diff) -> bool:
        op = diff[0] if isinstance(diff, list) else diff
        names = {p if isinstance(p, str) else getattr(getattr(p, "table", p), "name", None) for p in op[1:]}
        return bool(names & set(tables))

    def compare(connection) -> list:
        ctx = MigrationContext.configure(connection, opts={"compare_type": compare_type})
        return [d for d in compare_metadata(ctx, metadata) if about(d)]

    async with db.engine.connect() as conn:
        return await conn.run_sync(compare)
