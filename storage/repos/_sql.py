"""Backend-specific statement helpers shared by the repositories, and typed doors into SQLAlchemy."""

from __future__ import annotations

import importlib
from typing import Any, Protocol, cast

from sqlalchemy import CursorResult, Result, Table, inspect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped
from sqlmodel import SQLModel, col


def insert_of(table: Table, dialect: str) -> Any:
    """Return the backend's INSERT, the one with ON CONFLICT: only the dialect in use is ever imported (SQLAlchemy's
    PostgreSQL dialect costs a SQLite process start-up time and memory; the engine has loaded its own already)."""
    name = "postgresql" if dialect == "postgresql" else "sqlite"
    return importlib.import_module(f"sqlalchemy.dialects.{name}").insert(table)


def insert_ignore(table: Table, dialect: str, conflict: list[str]) -> Any:
    """Return INSERT … ON CONFLICT (conflict) DO NOTHING for the given backend; no columns: any unique key."""
    return insert_of(table, dialect).on_conflict_do_nothing(index_elements=conflict or None)


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


def dialect_of(session: AsyncSession) -> str:
    """Return "sqlite" or "postgresql" for the engine the session is bound to."""
    return session.get_bind().dialect.name


class _Stored(Protocol):
    @property
    def id(self) -> int | None: ...


def id_of(row: _Stored) -> int:
    """Return a stored row's primary key (sqlmodel types it `int | None`: it is unset until the row is flushed)."""
    if row.id is None:
        raise ValueError(f"{type(row).__name__} has no id yet: flush it first")
    return row.id


def pk_col(column: int | None) -> Mapped[int]:
    """`col()` for a primary key: stored rows always have one (sqlmodel types it `int | None` for unsaved rows)."""
    return cast("Mapped[int]", col(column))
