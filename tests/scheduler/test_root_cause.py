"""根因分析: a planted cause (one source's leads turned bad) is named; no fall → no push; never twice."""

from __future__ import annotations

from datetime import timedelta

from sales.pushtime import day_bounds
from scheduler.core import run_job
from storage.repos import members, outbox
from tests.helpers import add_member
from tests.report_seed import Seed

SOURCES = ("官网", "抖音", "展会")


async def _plant(rt, team: str, bad_rates: tuple[float, float, float]) -> int:
    """Three weeks of 60 leads (20 per source); 抖音 converts at bad_rates[w], the others at 40 % every week."""
    boss = await add_member(rt, f"{team}主管", role="manager", team=team)
    reps = [await add_member(rt, f"{team}{i}", team=team) for i in range(3)]
    async with rt.db.session() as s:
        for r in reps:
            (await members.get(s, r)).region = "华东" if team == "华东一部" else "华南"
    seed, (end, _) = Seed(rt), day_bounds(rt.clock.now(), rt.settings.tz)
    start = end - timedelta(days=21)
    for week in range(3):
        for j, source in enumerate(SOURCES):
            rate = bad_rates[week] if source == "抖音" else 0.4
            for k in range(20):
                at = start + timedelta(days=7 * week + k % 5, hours=j)
                cust = await seed.customer(reps[k % 3], "制造业", created=at)
                lead = await seed.lead(reps[k % 3], cust, at, source=source, status="accepted")
                if k < round(20 * rate):
                    await seed.lead_event(lead, "converted", at + timedelta(days=1))
    return boss


async def _cards_to(rt, member: int) -> list[dict]:
    rows = await outbox.recent(rt.db, "playground", target=f"dm:{member}", limit=50)
    return [r.payload["card"] for r in rows if "root_cause" in r.idempotency_key]


async def test_planted_source_is_named_as_the_main_cause(rt):
    boss = await _plant(rt, "华东一部", (0.4, 0.2, 0.0))
    steady = await _plant(rt, "华南二部", (0.4, 0.4, 0.4))
    result = await run_job(rt, "root_cause")
    assert result.status == "done", result.error
    (card,) = await _cards_to(rt, boss)
    text = str(card)
    assert "转化率连降两周：华东一部" in text and "40% → 33% → 27%" in text
    cause = next(s for s in card["sections"] if s["title"] == "主要原因")
    assert "来自“抖音”的线索转化率从 40% 降到 0%" in cause["text"]
    assert "线索来源·抖音" in cause["items"][0]
    action = next(s for s in card["sections"] if s["title"] == "建议本周这样做")
    assert "抖音" in action["text"]
    assert await _cards_to(rt, steady) == []  # no fall, no push


async def test_no_fall_no_push_and_a_refire_sends_nothing_new(rt):
    steady = await _plant(rt, "华南二部", (0.4, 0.4, 0.4))
    result = await run_job(rt, "root_cause")
    assert "没有连续两周下降" in result.summary and await _cards_to(rt, steady) == []


async def test_region_fall_goes_to_admins(rt):
    await _plant(rt, "华东一部", (0.4, 0.2, 0.0))
    admin = await add_member(rt, "老板", role="admin", team="总部")
    await run_job(rt, "root_cause")
    (card,) = await _cards_to(rt, admin)
    assert "华东大区" in card["title"] and "抖音" in str(card)
