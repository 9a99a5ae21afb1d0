"""Backend-specific statement helpers shared by the repositories."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite


def insert_ignore(table: Table, dialect: str, conflict: list[str]) -> Any:
    """Return INSERT … ON CONFLICT (conflict) DO NOTHING for the given backend."""
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(table).on_conflict_do_nothing(index_elements=conflict)
