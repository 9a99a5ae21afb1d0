"""Is the schema current? Answered without importing Alembic, so `serve` starts fast when nothing is to migrate.

The head revisions are read from the migration files' `revision` / `down_revision` lines (a revision no other
file names as its parent is a head); the applied ones from the `alembic_version` table. `storage/migrate.py`
(Alembic itself) runs only when they differ.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from storage.db import Database

VERSIONS = Path(__file__).with_name("migrations") / "versions"
_REVISION = re.compile(r"^revision\b[^=\n]*=\s*['\"]([^'\"]+)['\"]", re.M)
_DOWN = re.compile(r"^down_revision\b[^=\n]*=\s*(.+)$", re.M)
_QUOTED = re.compile(r"['\"]([^'\"]+)['\"]")


@cache
def head_revision() -> str:
    """Return the newest migration ids, comma-joined and sorted (as storage.migrate.head_revision does)."""
    revisions, parents = set(), set()
    for path in VERSIONS.glob("*.py"):
        source = path.read_text("utf-8")
        if (rev := _REVISION.search(source)) is None:
            continue
        revisions.add(rev.group(1))
        if (down := _DOWN.search(source)) is not None:
            parents.update(_QUOTED.findall(down.group(1)))
    return ",".join(sorted(revisions - parents))


async def current_revision(db: Database) -> str | None:
    """Return the database's applied revisions, comma-joined and sorted, or None before the first migration."""
    try:
        async with db.engine.connect() as conn:
            rows = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalars().all()
    except DBAPIError:
        return None  # no alembic_version table yet
    return ",".join(sorted(rows)) or None


async def is_current(db: Database) -> bool:
    """Return True when the database is at every newest migration."""
    return await current_revision(db) == head_revision()
