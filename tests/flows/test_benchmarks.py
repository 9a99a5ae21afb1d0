"""`salesbot benchmarks calibrate`: industry numbers derived from the team's own history."""

from __future__ import annotations

import asyncio

from bot.cli import main
from flows import benchmarks
from sales.benchmarks import parse_pack
from storage.db import Database
from tests.schema import migrate
from tests.scorecard_story import build_story


async def test_calibrate_uses_own_history_where_it_is_big_enough(rt_any, monkeypatch):
    rt = rt_any
    await build_story(rt)
    base = benchmarks.load(rt.settings)
    async with rt.db.session() as s:
        kept, _ = await benchmarks.calibrate(s, base, rt.clock.now(), 365)
        monkeypatch.setattr(benchmarks, "MIN_SAMPLES", 1)
        bench, lines = await benchmarks.calibrate(s, base, rt.clock.now(), 365)
    assert kept.industries["制造业"] == base.industries["制造业"]  # 8 answers and 5 moves are not a benchmark
    made = bench.industries["制造业"]
    assert made.nps == 12.5 and made.stage_days["needs"] == 20.0 and made.stage_days["demo"] == 14
    assert bench.industries["default"].conversion == 10 / 40  # the story's leads have no customer yet
    assert any(line.startswith("制造业: 线索 0 条, 阶段移动 5 次, NPS 答卷 8 份") for line in lines)


def test_calibrate_command_writes_a_pack_the_config_can_use(tmp_path, capsys):
    url = f"sqlite+aiosqlite:///{tmp_path}/cli.db"

    async def prepare() -> None:
        db = Database(url)
        await migrate(db)
        await db.close()

    asyncio.run(prepare())
    config = tmp_path / "c.toml"
    config.write_text(f'[database]\nurl = "{url}"\n', "utf-8")
    out = tmp_path / "mine.toml"
    assert main(["benchmarks", "calibrate", "--config", str(config), "--out", str(out), "--days", "90"]) == 0
    assert "benchmark_pack" in capsys.readouterr().out
    pack = parse_pack(out.read_text("utf-8"))
    assert len(pack.industries) == 13 and pack.name.startswith("行业基准（本团队校准")
    config.write_text(f'[database]\nurl = "{url}"\n[scorecard]\nbenchmark_pack = "{out}"\n', "utf-8")
    assert main(["check-config", "--config", str(config)]) == 0
