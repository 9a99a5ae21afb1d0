"""线索拒收日报: yesterday's refused intake payloads to every admin, once a day, nothing on a clean day."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.config.checks import check_all
from cards.views import ChannelRejects, intake_rejects_card
from scheduler.core import run_job
from scheduler.intake_rejects import rank, short_problem, yesterday
from storage.repos import lead_admin
from tests.helpers import add_member, sent_cards
from tests.scheduler.push_helpers import drop_identities, outbox_keys

SH = ZoneInfo("Asia/Shanghai")
FIRE = datetime(2026, 11, 28, 8, 45, tzinfo=SH)  # the ManualClock starts Friday 2026-11-27 09:00
NO_MOBILE = {"mobile_phone": "missing: no field maps to mobile_phone (unmapped fields: 联系电话, 姓名); add one to "
                             "[intake.channels.web] field_map and run `salesbot intake replay --channel web`"}
BAD_MOBILE = {"mobile_phone": "手机号不对：请填 11 位大陆手机号（可带 +86）"}


async def _reject(rt, channel: str, fields: dict, at: datetime) -> int:
    return await lead_admin.add_reject(rt.db, channel, "application/json", b'{"x": 1}', "see fields", fields, at)


async def _seed(rt) -> None:
    """Yesterday: 3 refused on web (one later replayed), 1 on expo; plus one the day before and one today."""
    for minute in (1, 2):
        await _reject(rt, "web", NO_MOBILE, datetime(2026, 11, 27, 10, minute, tzinfo=SH))
    replayed = await _reject(rt, "web", BAD_MOBILE, datetime(2026, 11, 27, 23, 59, tzinfo=SH))
    await _reject(rt, "expo", BAD_MOBILE, datetime(2026, 11, 27, 0, 0, tzinfo=SH))
    await _reject(rt, "web", NO_MOBILE, datetime(2026, 11, 26, 23, 59, tzinfo=SH))
    await _reject(rt, "douyin", {"body": "send a JSON object"}, datetime(2026, 11, 28, 0, 0, tzinfo=SH))
    async with rt.db.session() as s:
        await lead_admin.mark_replayed(s, replayed, 1, FIRE)


def test_yesterday_is_the_org_local_day_before_the_fire():
    assert yesterday(FIRE, SH) == (datetime(2026, 11, 27, tzinfo=SH), datetime(2026, 11, 28, tzinfo=SH))
    assert yesterday(datetime(2026, 11, 28, 0, 0, tzinfo=SH), SH)[0] == datetime(2026, 11, 27, tzinfo=SH)


async def test_admins_get_yesterdays_rejects_once_a_day(rt_any):
    rt = rt_any
    admin, other_admin = await add_member(rt, "王总", role="admin"), await add_member(rt, "赵总", role="admin")
    manager = await add_member(rt, "周主管", role="manager")
    await drop_identities(rt, other_admin)
    await _seed(rt)
    result = await run_job(rt, "intake_rejects", FIRE)
    assert result.summary == ("线索拒收日报：已推送 1 人，1 人无绑定账号（赵总），2026-11-27 拒收 4 条（2 个渠道）")
    [card] = [c["card"] for c in await sent_cards(rt, f"dm:{admin}")]
    assert card["title"] == "线索拒收日报" and card["subtitle"] == "2026-11-27"
    assert [f[1] for f in card["sections"][0]["fields"]] == ["4 条", "2 个", "3 条"]
    web, expo = card["sections"][1], card["sections"][2]
    assert web["title"] == "网页：拒收 3 条，待重放 2 条"
    assert web["text"] == "改字段映射后执行 salesbot intake replay --channel web"
    assert web["items"] == ["2 条 · 手机号 → 没有字段映射到它（来源字段：联系电话, 姓名）",
                            "1 条 · 手机号 → 手机号不对：请填 11 位大陆手机号（可带 +86）"]
    assert expo["title"] == "展会：拒收 1 条，待重放 1 条"
    assert await sent_cards(rt, f"dm:{manager}") == []
    again = await run_job(rt, "intake_rejects", FIRE + timedelta(hours=6))  # a manual run later that day
    assert "已推送 0 人，1 人此前已推送（不重复发送）" in again.summary
    assert await outbox_keys(rt, "intake_rejects:") == [f"intake_rejects:2026-11-28:{admin}"]


async def test_a_day_without_rejects_sends_nothing(rt):
    await add_member(rt, "王总", role="admin")
    await _reject(rt, "web", NO_MOBILE, datetime(2026, 11, 28, 0, 1, tzinfo=SH))  # today's: tomorrow's card
    result = await run_job(rt, "intake_rejects", FIRE)
    assert result.summary == "线索拒收日报：2026-11-27 没有被拒收的线索，未推送"
    assert await outbox_keys(rt, "intake_rejects:") == []


async def test_rejects_without_an_admin_are_said_in_the_summary(rt):
    await _reject(rt, "web", NO_MOBILE, datetime(2026, 11, 27, 12, 0, tzinfo=SH))
    result = await run_job(rt, "intake_rejects", FIRE)
    assert result.summary == "线索拒收日报：2026-11-27 拒收 1 条，但没有在职的管理员（role = admin），未推送"


def test_rank_orders_channels_by_count_and_keeps_the_top_three_reasons():
    rows = [("a", {"mobile_phone": f"problem {i % 5}"}) for i in range(10)] + [("b", {"body": "x" * 200})]
    ranked = rank({"b": (1, 0), "a": (10, 10)}, rows)
    assert [c.channel for c in ranked] == ["a", "b"]
    assert [n for _, _, n in ranked[0].reasons] == [2, 2, 2] and len(ranked[0].reasons) == 3
    assert ranked[1].reasons[0][1] == short_problem("x" * 200) and len(ranked[1].reasons[0][1]) == 80


def test_a_channel_fully_replayed_needs_no_fix_and_long_lists_are_cut():
    channels = [ChannelRejects(f"ch{i}", 1, 0, [("body", "send a JSON object", 1)]) for i in range(10)]
    card = intake_rejects_card("2026-11-27", channels)
    assert len(card.sections) == 9 and card.sections[1].text == "已全部重放成线索，无需处理"
    assert card.level == "info" and card.footer.startswith("还有 2 个渠道没列出")


def test_the_schedule_must_be_a_daily_time():
    settings = Settings()
    settings.schedule.intake_rejects = "8:45"
    [problem] = [p for p in check_all(settings) if p.key == "schedule.intake_rejects"]
    assert "HH:MM" in problem.problem and "09:00" in problem.fix
