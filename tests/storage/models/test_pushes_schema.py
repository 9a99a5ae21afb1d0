"""The 0600 migration creates exactly what storage/models/pushes.py declares."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from storage.models import metadata

TABLES = {"push_item", "daily_report", "nudge"}


def _mine(diff) -> bool:
    op = diff[0] if isinstance(diff, list) else diff
    for part in op[1:]:
        table = getattr(part, "table", None)
        name = getattr(part, "name", None) if table is None else table.name
        if name in TABLES or part in TABLES:
            return True
    return False


async def test_migration_matches_the_models(migrated_db):
    async with migrated_db.engine.connect() as conn:
        diffs = await conn.run_sync(lambda c: compare_metadata(MigrationContext.configure(c), metadata))
    assert [d for d in diffs if _mine(d)] == []
