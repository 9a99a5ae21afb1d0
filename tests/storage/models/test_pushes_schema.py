"""The 0600 migration creates exactly what storage/models/pushes.py declares."""

from __future__ import annotations

from tests.helpers import schema_drift

TABLES = {"push_item", "daily_report", "nudge"}


async def test_migration_matches_the_models(migrated_db):
    assert await schema_drift(migrated_db, TABLES) == []
