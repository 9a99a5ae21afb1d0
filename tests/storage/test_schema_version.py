"""The start-up schema check that skips Alembic agrees with Alembic."""

from __future__ import annotations

from storage import migrate, schema_version
from storage.db import Database


async def test_the_schema_check_without_alembic_agrees_with_alembic(migrated_db):
    assert schema_version.head_revision() == migrate.head_revision()
    assert await schema_version.current_revision(migrated_db) == await migrate.current_revision(migrated_db)
    assert await schema_version.is_current(migrated_db)


async def test_an_empty_database_is_not_current(sqlite_url):
    db = Database(sqlite_url)
    assert await schema_version.current_revision(db) is None
    assert not await schema_version.is_current(db)
    await db.close()
