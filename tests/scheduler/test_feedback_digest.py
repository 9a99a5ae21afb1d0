"""反馈周报: last week's 反馈 to every admin, exactly once per week, nothing in a quiet week."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from cards.views import feedback_digest_card
from scheduler.core import run_job
from scheduler.feedback_digest import last_week
from storage.repos import opportunities
from tests.helpers import add_member, sent_cards
from tests.scheduler.push_helpers import drop_identities, outbox_keys

SH = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 11, 30, 9, 30, tzinfo=SH)  # the ManualClock starts Friday 2026-11-27 09:00


async def _say(rt, member_id: int, text: str, at: datetime) -> None:
    async with rt.db.session() as s:
        await opportunities.add_feedback(s, member_id, text, "playground", "dm:x", at)


def test_last_week_is_monday_to_monday_in_org_time():
    start, end = last_week(MONDAY, SH)
    assert (start, end) == (datetime(2026, 11, 23, tzinfo=SH), datetime(2026, 11, 30, tzinfo=SH))
    assert last_week(datetime(2026, 12, 2, 15, 0, tzinfo=SH), SH) == (start, end)  # a manual run on Wednesday


async def test_admins_get_last_weeks_feedback_once(rt):
    admin, other_admin = await add_member(rt, "陈总", role="admin"), await add_member(rt, "赵总", role="admin")
    rep = await add_member(rt, "李娜")
    await _say(rt, rep, "新建商机时老要重复输行业", datetime(2026, 11, 24, 10, tzinfo=SH))
    await _say(rt, rep, "推进按钮太小", datetime(2026, 11, 29, 23, 59, tzinfo=SH))
    await _say(rt, rep, "上上周的", datetime(2026, 11, 22, 23, 0, tzinfo=SH))
    await _say(rt, rep, "本周的", datetime(2026, 11, 30, 0, 1, tzinfo=SH))
    await drop_identities(rt, other_admin)
    result = await run_job(rt, "feedback_digest", MONDAY)
    assert result.summary == "反馈周报：已推送 1 人，1 人无绑定账号（赵总），共 2 条反馈"
    [card] = [c["card"] for c in await sent_cards(rt, f"dm:{admin}")]
    assert card["title"] == "反馈周报" and card["subtitle"] == "2026-11-23 ~ 2026-11-29"
    assert card["sections"][1]["items"] == ["李娜（华东大客户部）：新建商机时老要重复输行业",
                                            "李娜（华东大客户部）：推进按钮太小"]
    again = await run_job(rt, "feedback_digest", MONDAY + timedelta(days=2))  # a manual run later that week
    assert "已推送 0 人，1 人此前已推送（不重复发送）" in again.summary
    assert await outbox_keys(rt, "feedback_digest:") == [f"feedback_digest:2026-11-23:{admin}"]


async def test_a_quiet_week_sends_nothing(rt):
    await add_member(rt, "陈总", role="admin")
    result = await run_job(rt, "feedback_digest", MONDAY)
    assert result.summary == "反馈周报：2026-11-23 这周没有收到反馈，未推送"
    assert await outbox_keys(rt, "feedback_digest:") == []


def test_the_card_lists_fifteen_and_counts_the_rest():
    entries = [(f"销售{i % 4}", "", "很长的反馈" * 30) for i in range(20)]
    card = feedback_digest_card("2026-11-23 ~ 2026-11-29", entries)
    assert [f.value for f in card.sections[0].fields] == ["20 条", "4 人"]
    assert len(card.sections[1].items) == 15 and card.sections[1].items[0].endswith("…")
    assert card.footer.startswith("还有 5 条没列出")
