"""DingTalk interactive cards: the day's breach digest is one card, updated by its outTrackId (PUT card/instances)."""

from __future__ import annotations

from datetime import timedelta

from scheduler.core import run_job
from storage.repos import members
from tests.bot.platforms.dingtalk.conftest import add_dingtalk_member, dingtalk_settings, make_runtime
from tests.handlers.lead_helpers import new_lead


async def _deliver(rt) -> None:
    while await rt.sender.run_once():
        pass


async def test_later_breaches_update_the_days_digest_card(sqlite_url, fake, clock):
    rt = await make_runtime(dingtalk_settings(sqlite_url, fake, card_template_id="tpl.sales"), clock)
    try:
        await add_dingtalk_member(rt, "主管老周", "u_boss", "manager")
        await add_dingtalk_member(rt, "甲", "u_jia")
        async with rt.db.session() as s:
            await members.set_manager(s, "甲", "主管老周")
        rt.settings.leads.accept_minutes = 24 * 60
        await new_lead(rt, "13800138000", "客户甲")
        rt.clock.advance(timedelta(minutes=30))
        await new_lead(rt, "13800138001", "客户乙")
        for minutes in (210, 30):
            rt.clock.advance(timedelta(minutes=minutes))
            assert "超时 1 条" in (await run_job(rt, "sla_scan")).summary
            await _deliver(rt)
        to_boss = [c for c in fake.cards if "u_boss" in str(c.get("openSpaceId", "")) + str(c)]
        digests = [c for c in to_boss if "超时未跟进" in str(c["cardData"])]
        assert len(digests) == 1 and "客户甲" in str(digests[0]["cardData"])
        (update,) = [u for u in fake.updates if u["outTrackId"] == digests[0]["outTrackId"]]
        assert "2 条线索" in str(update["cardData"]) and "客户乙" in str(update["cardData"])
    finally:
        await rt.stop()
