"""A new test database at the newest schema: on SQLite a copy of one migrated once per test run.

Running every migration costs ~0.3 s on SQLite, and most of the suite's tests start from an empty database: the
migrations ran some thousand times a run, more than half of `make test` on a slow box. A fresh SQLite database
is instead a byte copy of a template migrated by the same `upgrade` at first use (the migrations themselves are
still run by that, by the PostgreSQL variants and by the tests of individual revisions). A database that already
has a file, and every PostgreSQL schema, is migrated as before.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

from storage.db import Database
from storage.migrate import upgrade

_template: Path | None = None


async def migrate(db: Database) -> None:
    """Bring the test database `db` (no connection opened yet) to the newest schema."""
    target = _sqlite_file(db)
    if target is None or target.exists():
        await upgrade(db)
        return
    shutil.copyfile(await _migrated_template(), target)


def _sqlite_file(db: Database) -> Path | None:
    """The file of a file-backed SQLite database, else None."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


async def _migrated_template() -> Path:
    """The template database, migrated on first use (closed, so its WAL is folded into the file)."""
    global _template
    if _template is None:
        folder = Path(tempfile.mkdtemp(prefix="salesbot-schema-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        template = Database(f"sqlite+aiosqlite:///{folder}/template.db")
        try:
            await upgrade(template)
        finally:
            await template.close()
        _template = folder / "template.db"
    return _template
