"""Backend-specific statement helpers shared by the repositories, and typed doors into SQLAlchemy."""

from __future__ import annotations

from typing import Any

from sqlalchemy import CursorResult, Result, Table, inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import SQLModel


def insert_ignore(table: Table, dialect: str, conflict: list[str]) -> Any:
    """Return INSERT … ON CONFLICT (conflict) DO NOTHING for the given backend."""
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(table).on_conflict_do_nothing(index_elements=conflict)


def table_of(model: type[SQLModel]) -> Table:
    """Return the model's Table (sqlmodel does not declare `__table__`, so `Model.__table__.c.x` is untyped)."""
    table = inspect(model).local_table
    if not isinstance(table, Table):
        raise TypeError(f"{model.__name__} is not mapped to a table")
    return table


def rowcount(result: Result[*tuple[Any, ...]]) -> int:
    """Return how many rows an UPDATE/DELETE matched (AsyncSession.execute is typed as a plain Result)."""
    if not isinstance(result, CursorResult):
        raise TypeError(f"{type(result).__name__} has no rowcount; pass the result of an UPDATE or DELETE")
    return result.rowcount
