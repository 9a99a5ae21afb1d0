"""`salesbot import playbook FILE.toml`: a good pack is stored and used; a bad one is refused with lines and fixes."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.cli import main
from storage.db import Database
from storage.repos import attack

pytestmark = pytest.mark.usefixtures("cli_env")  # no stray SALESBOT__ variables, no ./config.toml

DEFAULT = Path(__file__).resolve().parents[2] / "packs" / "playbooks" / "default.toml"



@pytest.fixture
def config(upgraded) -> Path:
    """A migrated config (these tests name it `config`)."""
    return upgraded


def _stored(tmp_path: Path) -> str | None:
    async def read() -> str | None:
        db = Database(f"sqlite+aiosqlite:///{tmp_path}/x.db")
        async with db.session() as s:
            row = await attack.latest_pack(s)
        await db.close()
        return row.name if row else None

    return asyncio.run(read())


def test_import_good_pack(config, tmp_path, capsys):
    pack = tmp_path / "ours.toml"
    pack.write_text(DEFAULT.read_text("utf-8").replace('name = "默认攻坚剧本"', 'name = "华东剧本"'), "utf-8")
    assert main(["--config", str(config), "import", "playbook", str(pack)]) == 0
    assert "playbook '华东剧本' imported: 5 scenarios, 15 strategies, standard checklist yes" in capsys.readouterr().out
    assert _stored(tmp_path) == "华东剧本"


def test_import_bad_pack_lists_problems_and_stores_nothing(config, tmp_path, capsys):
    pack = tmp_path / "bad.toml"
    pack.write_text('name = "x"\n[[scenario]]\nkey = "Bad Key"\nname = "某场景"\n', "utf-8")
    assert main(["--config", str(config), "import", "playbook", str(pack)]) == 3
    err = capsys.readouterr().err
    assert "2 problem(s), nothing imported" in err
    assert f"{pack} line 3: key 'Bad Key' is not a short identifier" in err and "needs 1 to 6 strategies" in err
    assert _stored(tmp_path) is None
    assert main(["--config", str(config), "import", "playbook", str(tmp_path / "missing.toml")]) == 2
