"""The 1910 tables on SQLite and PostgreSQL: signature memory shared by replicas, the archive's pruning,
and the migration matching the models."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from storage.db import Database
from storage.models import metadata
from storage.repos import requests as archive
from storage.repos import signatures

NOW = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
TABLES = {"signature_seen", "rejected_request"}


async def test_a_signature_belongs_to_the_first_body_across_connections(migrated_db, db_url):
    other = Database(db_url)  # a second replica: its own engine on the same database
    try:
        later = NOW + timedelta(minutes=5)
        results = await asyncio.gather(signatures.claim(migrated_db, "dingtalk.robot", "sig", "body-a", later, NOW),
                                       signatures.claim(other, "dingtalk.robot", "sig", "body-b", later, NOW))
        assert results[0] == results[1] in ("body-a", "body-b")  # one winner, both see it
        assert await signatures.claim(other, "dingtalk.card", "sig", "body-b", later, NOW) == "body-b"
        assert await signatures.prune(migrated_db, later + timedelta(seconds=1)) == 2
    finally:
        await other.close()


async def test_the_archive_prunes_by_age_rows_and_bytes(migrated_db):
    for i in range(5):
        await archive.archive(migrated_db, "/x", 401, "r", "", b"z" * 100, NOW - timedelta(days=40 if i == 0 else 0),
                              source="10.0.0.1", keep=64)
    assert await archive.prune(migrated_db, NOW, archive.Limits(max_rows=3, max_bytes=10**6)) == 2
    assert await archive.prune(migrated_db, NOW, archive.Limits(max_rows=3, max_bytes=130)) == 1
    assert await archive.totals(migrated_db) == (2, 128)


async def test_migration_1910_matches_the_models(migrated_db):
    async with migrated_db.engine.connect() as conn:
        diffs = await conn.run_sync(lambda c: compare_metadata(MigrationContext.configure(c), metadata))

    def mine(diff) -> bool:
        op = diff[0] if isinstance(diff, list) else diff
        return any(getattr(getattr(p, "table", None), "name", None) in TABLES or getattr(p, "name", None) in TABLES
                   or p in TABLES for p in op[1:])
    assert [d for d in diffs if mine(d)] == []
