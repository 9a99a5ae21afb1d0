"""Column helpers every table module shares: aware UTC timestamps and JSON objects."""

from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime

# Every table module imports this one first. Rows are built through SQLAlchemy and never validated by pydantic
# (sqlmodel's table models skip it), so a table's pydantic validator and serializer are built only if something
# asks for one: `salesbot serve` starts without building 55 of them (issue 20).
SQLModel.model_config["defer_build"] = True


def timestamp(index: bool = False, nullable: bool = True) -> Any:
    """A nullable aware-UTC timestamp column (stored naive UTC on both backends)."""
    return Field(default=None, sa_column=Column(UTCDateTime(), index=index, nullable=nullable))


def json_object() -> Any:
    """A JSON object column that defaults to {}."""
    return Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
