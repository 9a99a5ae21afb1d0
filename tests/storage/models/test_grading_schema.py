"""Migration 1400 creates exactly what storage/models/grading.py declares, on each backend."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from storage.models import metadata

TABLES = ("customer_score", "grade_history", "grade_proposal", "grading_run")


async def test_migration_1400_matches_the_models(migrated_db):
    def diff(connection) -> list:
        ctx = MigrationContext.configure(connection, opts={"compare_type": False})
        return [d for d in compare_metadata(ctx, metadata) if any(t in repr(d) for t in TABLES)]

    async with migrated_db.engine.connect() as conn:
        assert await conn.run_sync(diff) == []
