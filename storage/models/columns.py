"""Column helpers every table module shares: aware UTC timestamps and JSON objects."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field

from storage.types import UTCDateTime


def timestamp(index: bool = False, nullable: bool = True) -> Any:
    """A nullable aware-UTC timestamp column (stored naive UTC on both backends)."""
    return Field(default=None, sa_column=Column(UTCDateTime(), index=index, nullable=nullable))


def json_object() -> Any:
    """A JSON object column that defaults to {}."""
    return Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
