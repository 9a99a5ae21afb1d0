"""Load the configured industry-benchmark pack, and derive one from the team's own history (calibrate)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from sales.benchmarks import Benchmarks, parse_pack
from storage.repos import scorecard_facts as facts

PACK = Path(__file__).resolve().parent.parent / "packs" / "benchmarks" / "industries.toml"
MIN_SAMPLES = 20  # fewer observations than this keep the pack's number: a handful of deals is not a benchmark
_cache: dict[tuple[str, float], Benchmarks] = {}


def pack_path(settings: Settings) -> Path:
    """Return the pack file in use: `[scorecard] benchmark_pack`, else the built-in starting defaults."""
    return Path(settings.scorecard.benchmark_pack) if settings.scorecard.benchmark_pack else PACK


def load(settings: Settings) -> Benchmarks:
    """Return the parsed pack (re-read when the file changes); check-config has already validated it."""
    path = pack_path(settings)
    key = (str(path), path.stat().st_mtime)
    if key not in _cache:
        _cache[key] = parse_pack(path.read_text("utf-8"), str(path))
    return _cache[key]


async def calibrate(session: AsyncSession, base: Benchmarks, now: datetime, days: int) -> tuple[Benchmarks, list[str]]:
    """Return the pack with each industry's numbers replaced by the team's own where the history is big enough,
    and one line per industry saying what changed and from how many observations."""
    start = now - timedelta(days=days)
    conv = _org(await facts.conversions(session, start, now))
    dwell = _org(await facts.dwell(session, start, now))
    nps = _org(await facts.nps(session, start, now))
    industries, lines = {}, []
    for key, ind in base.industries.items():
        leads = _sum({k: (*v, 0) for k, v in conv.items()}, base, key)
        stage = {s: _sum({k[0]: (*v, 0) for k, v in dwell.items() if k[1] == s}, base, key) for s in ind.stage_days}
        answers = _sum(nps, base, key)
        new = replace(
            ind, conversion=leads[1] / leads[0] if leads[0] >= MIN_SAMPLES and leads[1] else ind.conversion,
            nps=100 * (answers[1] - answers[2]) / answers[0] if answers[0] >= MIN_SAMPLES else ind.nps,
            stage_days={s: (stage[s][1] / stage[s][0] if stage[s][0] >= MIN_SAMPLES and stage[s][1] > 0 else d)
                        for s, d in ind.stage_days.items()})
        industries[key] = new
        lines.append(f"{ind.label}: 线索 {leads[0]} 条, 阶段移动 {sum(v[0] for v in stage.values())} 次, "
                     f"NPS 答卷 {answers[0]} 份 → 转化率 {new.conversion:.3f}, NPS {new.nps:.0f}, "
                     + ", ".join(f"{s} {d:.1f} 天" for s, d in new.stage_days.items()))
    note = f"由本团队 {now:%Y-%m-%d} 前 {days} 天的历史校准；样本少于 {MIN_SAMPLES} 的数字保留原值"
    return Benchmarks(f"行业基准（本团队校准 {now:%Y-%m-%d}）", industries, note), lines


def _org(per_member: dict[int, dict]) -> dict:
    """Add the members' per-industry tuples up into the whole team's."""
    out: dict = {}
    for rows in per_member.values():
        for k, v in rows.items():
            out[k] = tuple(a + b for a, b in zip(out.get(k, (0,) * len(v)), v, strict=True))
    return out


def _sum(rows: dict[str, tuple], base: Benchmarks, key: str) -> tuple:
    """Add up the rows whose industry word the pack maps to this industry."""
    picked = [v for word, v in rows.items() if base.of(word).key == key]
    return tuple(sum(v[i] for v in picked) for i in range(3))
