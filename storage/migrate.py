"""Run Alembic migrations through the async engine, and tell whether the schema is current."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from storage.db import Database

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config() -> Config:
    """Return an Alembic config pointing at our migrations folder (no alembic.ini needed)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


async def upgrade(db: Database, revision: str = "heads") -> None:
    """Apply migrations up to revision."""
    def run(connection) -> None:
        cfg = alembic_config()
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)

    async with db.engine.begin() as conn:
        await conn.run_sync(run)


def head_revision() -> str:
    """Return the newest migration ids (feature branches may add parallel heads), comma-joined."""
    return ",".join(sorted(ScriptDirectory.from_config(alembic_config()).get_heads()))


def describe_url(url: str) -> str:
    """Name the database for people without its password: "SQLite salesbot.db", "PostgreSQL host/db"."""
    kind, _, rest = url.partition("://")
    if kind.startswith("sqlite"):
        return "SQLite " + (rest.lstrip("/") or "内存")
    return "PostgreSQL " + rest.rpartition("@")[2].split("?")[0]


async def current_revision(db: Database) -> str | None:
    """Return the database's applied revisions, comma-joined, or None."""
    def read(connection) -> str | None:
        heads = MigrationContext.configure(connection).get_current_heads()
        return ",".join(sorted(heads)) or None

    async with db.engine.connect() as conn:
        return await conn.run_sync(read)


async def is_current(db: Database) -> bool:
    """Return True when the database is at every newest migration."""
    return await current_revision(db) == head_revision()
