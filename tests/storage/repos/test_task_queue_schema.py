"""Migration 2150: the task_queue table matches its model, and queued non-message outbox rows move into it."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from storage.db import Database
from storage.migrate import upgrade
from storage.models import metadata
from storage.repos import outbox, task_queue

NOW = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)


async def test_migration_2150_matches_the_model(migrated_db):
    async with migrated_db.engine.connect() as conn:
        diffs = await conn.run_sync(lambda c: compare_metadata(MigrationContext.configure(c), metadata))

    def mine(diff) -> bool:
        op = diff[0] if isinstance(diff, list) else diff
        return "task_queue" in repr(op)
    assert [d for d in diffs if mine(d)] == []


async def test_queued_downloads_approvals_rooms_and_workbench_rows_move_to_the_task_queue(db_url):
    db = Database(db_url)
    try:
        await upgrade(db, "2100")
        rows = [("media_fetch:3", "wecom", "media:3", {"kind": "media_fetch", "evidence_id": 3, "ref": "M3"}),
                ("approval_create:1", "dingtalk", "approval", {"kind": "approval_create", "approval_id": 1}),
                ("dingtalk:approval_result:pi-1", "dingtalk", "approval:pi-1",
                 {"kind": "approval_result", "instance_id": "pi-1"}),
                ("room:feishu:4", "feishu", "room:4", {"kind": "room_create", "opportunity_id": 4}),
                ("workbench:2:abc", "wecom", "workbench:lina", {"kind": "workbench", "userid": "lina", "items": []}),
                ("must_do:2026-11-27:2", "wecom", "lina", {"kind": "app", "touser": "lina"})]
        async with db.session() as s:
            await outbox.enqueue_many(s, rows, NOW)
        await upgrade(db)
        moved = {k: await task_queue.get(db, k) for k, *_ in rows}
        assert {k: (t.kind, t.platform, t.status) for k, t in moved.items() if t} == {
            "media_fetch:3": ("fetch_media", "wecom", "pending"),
            "approval_create:1": ("create_approval", "dingtalk", "pending"),
            "dingtalk:approval_result:pi-1": ("read_approval", "dingtalk", "pending"),
            "room:feishu:4": ("create_room", "feishu", "pending"),
            "workbench:2:abc": ("set_workbench", "wecom", "pending")}
        assert moved["media_fetch:3"].payload["ref"] == "M3" and moved["media_fetch:3"].next_attempt_at == NOW
        assert [r.idempotency_key for r in await outbox.recent(db)] == ["must_do:2026-11-27:2"]  # messages stay
    finally:
        await db.close()
