"""`salesbot import scripts FILE`: TOML and CSV packs, idempotent by key, every reject explained."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cli import main
from storage.db import Database
from storage.models import Script

pytestmark = pytest.mark.usefixtures("cli_env")  # no stray SALESBOT__ variables, no ./config.toml

STARTER = Path(__file__).resolve().parents[3] / "packs" / "scripts" / "starter.toml"



@pytest.fixture
def config(upgraded) -> Path:
    """A migrated config (these tests name it `config`)."""
    return upgraded


def _scripts(tmp_path: Path) -> dict[str, Script]:
    async def read() -> dict[str, Script]:
        db = Database(f"sqlite+aiosqlite:///{tmp_path}/x.db")
        async with db.session() as s:
            rows = {r.key: r for r in (await s.execute(select(Script))).scalars()}
        await db.close()
        return rows
    return asyncio.run(read())


def test_starter_pack_imports_and_reimports_as_updates(config, tmp_path, capsys):
    assert main(["--config", str(config), "import", "scripts", str(STARTER)]) == 0
    first = capsys.readouterr().out
    assert first.startswith("created 36, updated 0, rejected 0")
    assert main(["--config", str(config), "import", "scripts", str(STARTER)]) == 0
    assert capsys.readouterr().out.startswith("created 0, updated 36, rejected 0")
    row = _scripts(tmp_path)["med-needs-workflow"]
    assert (row.stage, row.industry, row.band, row.pack) == ("needs", "医疗", "中单", "starter")


def test_csv_pack_with_rejects_exits_3_and_says_why(config, tmp_path, capsys):
    pack = tmp_path / "mine.csv"
    pack.write_text("key,title,text,stage,industry,budget,scenario,keywords\n"
                    "c1,开场,您好,方案演示,零售,small,演示,门店;库存\n"
                    "c2,坏阶段,您好,谈判,,,,\n"
                    ",没key,您好,,,,,\n", "utf-8")
    assert main(["--config", str(config), "import", "scripts", str(pack)]) == 3
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "created 1, updated 0, rejected 2"
    assert out[1].startswith("  line 3: stage '谈判' is not a stage") and out[2] == "  line 4: key is required"
    row = _scripts(tmp_path)["c1"]
    assert (row.stage, row.band, row.keywords, row.pack) == ("demo", "小单", ["门店", "库存"], "mine")


@pytest.mark.parametrize(("name", "body", "message"), [
    ("bad.toml", "[[script]\n", "not valid TOML"),
    ("empty.toml", 'pack = "x"\n', "no [[script]] tables"),
    ("pack.json", "{}", "use a .toml file"),
    ("cols.csv", "title,text\nx,y\n", "missing columns key"),
])
def test_unreadable_packs_exit_2_with_the_fix(config, tmp_path, capsys, name, body, message):
    path = tmp_path / name
    path.write_text(body, "utf-8")
    assert main(["--config", str(config), "import", "scripts", str(path)]) == 2
    assert message in capsys.readouterr().err


def test_missing_file(config, tmp_path, capsys):
    assert main(["--config", str(config), "import", "scripts", str(tmp_path / "nope.toml")]) == 2
    assert "file not found" in capsys.readouterr().err
