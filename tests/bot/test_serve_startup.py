"""`salesbot serve` starts fast and small (issue 20): it imports what serving needs and nothing more.

Grading's numpy and scipy, openpyxl (reports, imports, exports), the DingTalk Stream SDK (stream mode only),
Alembic (only when the embedded database needs migrating) and the PostgreSQL driver stay out of a SQLite server
until something uses them; bot/core/lazy.py names the libraries loaded on first use. Nor do SQLAlchemy's PostgreSQL
dialect (2 MiB: no model names a `postgresql_*` option) or cryptography (7–8 MiB: bot/core/aes.py uses pycryptodomex).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.core.lazy import library

ROOT = Path(__file__).resolve().parents[2]
NOT_SERVED = {"numpy", "scipy", "openpyxl", "dingtalk_stream", "requests", "websockets", "alembic", "psycopg",
              "bot.demo", "cryptography", "sqlalchemy.dialects.postgresql"}

# What `salesbot serve` builds before it listens, with every chat platform on (DingTalk in http mode).
SERVE = """
import asyncio, json, sys
from bot.config import load_settings
import bot.cli, bot.serve
from bot.runtime import Runtime
from bot.web.app import create_app

settings = load_settings(env={{}})
settings.database.url = "sqlite+aiosqlite:///{db}"
for name in ("wecom", "dingtalk", "feishu"):
    getattr(settings, name).enabled = True
settings.dingtalk.mode = "http"

async def build():
    rt = Runtime(settings)
    create_app(rt)
    await rt.db.close()

asyncio.run(build())
print(json.dumps(sorted(sys.modules)))
"""


def test_serving_imports_no_grading_spreadsheet_stream_sdk_migration_postgresql_or_cryptography(tmp_path):
    code = SERVE.format(db=tmp_path / "serve.db")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    loaded = set(json.loads(out))
    assert {m for m in loaded if m in NOT_SERVED or m.split(".")[0] in NOT_SERVED
            or m.rsplit(".", 1)[0] in NOT_SERVED} == set()


def test_no_table_builds_its_pydantic_validator_until_asked():
    code = ("import json, storage.models as m; from sqlmodel import SQLModel; "
            "print(json.dumps([t.__name__ for t in SQLModel.__subclasses__() if t.__pydantic_complete__]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert json.loads(out) == []


def test_the_command_line_itself_loads_no_library():
    """`salesbot --help` and `check-config` load the settings and the rules they check, nothing else."""
    code = "import json, sys, bot.cli; print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    loaded = {m for m in json.loads(out) if not m.startswith("_")}  # site's own hooks (editable install, distutils)
    assert loaded - set(sys.stdlib_module_names) == {"bot", "sales"}


def test_a_library_is_imported_at_its_first_use_and_kept():
    code = ("import sys; from bot.core.lazy import library; lib = library('colorsys'); "
            "before = 'colorsys' in sys.modules; fn = lib.rgb_to_hsv; "
            "print(before, 'colorsys' in sys.modules, fn is sys.modules['colorsys'].rgb_to_hsv, "
            "'rgb_to_hsv' in vars(lib))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert out.split() == ["False", "True", "True", "True"]


def test_a_missing_name_or_library_fails_as_an_import_would():
    with pytest.raises(AttributeError):
        _ = library("json").no_such_function
    with pytest.raises(ModuleNotFoundError):
        _ = library("no_such_library_here").anything
    assert "imported on first use" in repr(library("json"))
