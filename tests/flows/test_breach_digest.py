"""The manager's breach digest of a day is one card: later scans with new breaches update it in place."""

from __future__ import annotations

from datetime import timedelta

from scheduler.core import run_job
from storage.repos import members, outbox
from tests.handlers.lead_helpers import new_lead
from tests.helpers import add_member, sent_cards


async def _team(rt) -> int:
    boss = await add_member(rt, "主管老周", role="manager")
    for name in ("甲", "乙"):
        await add_member(rt, name)
        async with rt.db.session() as s:
            await members.set_manager(s, name, "主管老周")
    rt.settings.leads.accept_minutes = 24 * 60  # about breaches, not about reclaiming
    return boss


async def _two_scans(rt) -> int:
    """Two leads 30 minutes apart; each breaches in its own scan."""
    boss = await _team(rt)
    await new_lead(rt, "13800138000", "客户甲")
    rt.clock.advance(timedelta(minutes=30))
    await new_lead(rt, "13800138001", "客户乙")
    rt.clock.advance(timedelta(hours=3, minutes=30))
    assert "超时 1 条" in (await run_job(rt, "sla_scan")).summary
    rt.clock.advance(timedelta(minutes=30))
    assert "超时 1 条" in (await run_job(rt, "sla_scan")).summary
    return boss


async def _rows(rt, boss: int) -> list:
    await sent_cards(rt, f"dm:{boss}")
    return await outbox.recent(rt.db, "playground", target=f"dm:{boss}", status="sent", limit=50)


async def test_two_scans_with_new_breaches_make_one_card_updated_in_place(rt_any):
    rt = rt_any
    boss = await _two_scans(rt)
    first, second = await _rows(rt, boss)
    assert first.payload["card"]["title"] == "超时未跟进：客户甲" and "replaces" not in first.payload
    assert second.payload["replaces"] == f"out:{first.id}"
    assert second.payload["card"]["title"] == "超时未跟进：2 条线索"
    listed = " ".join(second.payload["card"]["sections"][0]["items"])
    assert "客户甲" in listed and "客户乙" in listed
    assert [first.idempotency_key, second.idempotency_key[:-5]] == [f"sla_breach:20261127:{boss}"] * 2


async def test_a_scan_without_new_breaches_and_a_repeat_send_nothing(rt_any):
    rt = rt_any
    boss = await _two_scans(rt)
    rt.clock.advance(timedelta(minutes=1))
    assert "超时 0 条" in (await run_job(rt, "sla_scan")).summary
    await run_job(rt, "sla_scan", rt.clock.now() - timedelta(minutes=1))  # the same minute again: claimed
    assert len(await _rows(rt, boss)) == 2


async def test_the_next_day_starts_a_new_card(rt):
    boss = await _two_scans(rt)
    rt.clock.advance(timedelta(days=1))
    await new_lead(rt, "13800138002", "客户丙")
    rt.clock.advance(timedelta(hours=4))
    assert "超时 1 条" in (await run_job(rt, "sla_scan")).summary
    *_, third = await _rows(rt, boss)
    assert third.payload["card"]["title"] == "超时未跟进：客户丙" and "replaces" not in third.payload
    assert third.idempotency_key == f"sla_breach:20261128:{boss}"


async def test_the_playground_timeline_shows_the_updated_card(client, rt):
    boss = await _two_scans(rt)
    first, second = await _rows(rt, boss)
    timeline = await (await client.get(f"/playground/api/timeline?chat_id=dm:{boss}")).json()
    items = {i["id"]: i for i in timeline["items"]}
    assert items[f"out:{second.id}"]["replaces"] == f"out:{first.id}"
    assert "客户乙" in items[f"out:{second.id}"]["html"] and "客户甲" in items[f"out:{second.id}"]["html"]


async def test_a_breach_found_late_after_downtime_is_still_listed(rt):
    boss = await _team(rt)
    await new_lead(rt, "13800138000", "客户甲")
    rt.clock.advance(timedelta(days=3))  # the scanner was down: the deadline is days before today
    assert "超时 1 条" in (await run_job(rt, "sla_scan")).summary
    (card,) = [r.payload["card"] for r in await _rows(rt, boss)]
    assert card["title"] == "超时未跟进：客户甲"
