"""Migration 1400 creates exactly what storage/models/grading.py declares, on each backend."""

from __future__ import annotations

from tests.helpers import schema_drift

TABLES = ("customer_score", "grade_history", "grade_proposal", "grading_run")


async def test_migration_1400_matches_the_models(migrated_db):
    assert await schema_drift(migrated_db, TABLES, compare_type=False) == []
