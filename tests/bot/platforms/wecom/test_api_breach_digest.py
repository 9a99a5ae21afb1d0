"""WeCom app cards: the day's breach digest is updated once with the response_code of its send, then re-sent."""

from __future__ import annotations

from datetime import timedelta

from scheduler.core import run_job
from storage.repos import members
from tests.bot.platforms.wecom.conftest import deliver, rep
from tests.handlers.lead_helpers import new_lead


async def test_the_digest_is_updated_in_place_once_then_arrives_new(wrt, fake):
    rt = wrt
    boss = await rep(rt, "主管老周", "zhou")
    async with rt.db.session() as s:
        (await members.get(s, boss)).role = "manager"
    await rep(rt, "甲", "jia")
    async with rt.db.session() as s:
        await members.set_manager(s, "甲", "主管老周")
    rt.settings.leads.accept_minutes = 24 * 60
    for i, minutes in enumerate((30, 30, 0)):
        await new_lead(rt, f"1380013800{i}", f"客户{i}")
        rt.clock.advance(timedelta(minutes=minutes))
    rt.clock.advance(timedelta(hours=3))
    for _ in range(3):  # the leads breach 30 minutes apart: three scans with a new breach each
        rt.clock.advance(timedelta(minutes=30 if _ else 0))
        assert "超时 1 条" in (await run_job(rt, "sla_scan")).summary, _
        await deliver(rt)
    to_boss = [m["template_card"] for m in fake.messages if m["touser"] == "zhou"]
    assert [c["main_title"]["title"] for c in to_boss] == ["超时未跟进：客户0", "超时未跟进：3 条线索"]
    (updated,) = fake.updates
    assert updated["userids"] == ["zhou"] and updated["template_card"]["task_id"] == to_boss[0]["task_id"]
    assert updated["template_card"]["main_title"]["title"] == "超时未跟进：2 条线索"
