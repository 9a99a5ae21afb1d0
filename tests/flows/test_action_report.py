"""The monthly action-completion report function (the monthly_dashboard job calls it): last month, new reps
apart, held for the first working day 09:00, once per month."""

from __future__ import annotations

from datetime import date, datetime

from flows.action_report import first_working_day, queue_monthly_action_report
from storage.models import Member
from storage.repos import outbox
from tests.bot.web.test_attack_dash import _seed


def test_first_working_day_skips_weekends_and_holidays():
    assert first_working_day(2026, 11, [1, 2, 3, 4, 5], []) == date(2026, 11, 2)
    assert first_working_day(2026, 11, [1, 2, 3, 4, 5], ["2026-11-02"]) == date(2026, 11, 3)
    assert first_working_day(2026, 12, [1, 2, 3, 4, 5], []) == date(2026, 12, 1)


async def _run(rt, at: datetime) -> str:
    async with rt.db.session() as s:
        ctx = await rt.context(s)
        return await queue_monthly_action_report(ctx, at)


async def test_last_month_report_is_queued_for_the_first_working_day_once(client, rt):
    boss = await _seed(client, rt)  # 李娜 opened and finished an attack card in November
    async with rt.db.session() as s:
        (await s.get(Member, boss - 1)).is_new = True  # 李娜 is a new rep
    summary = await _run(rt, datetime(2026, 12, 1, 0, 5, tzinfo=rt.settings.tz))
    assert "2026-11" in summary and "12-01 09:00" in summary
    rows = [r for r in await outbox.recent(rt.db, "playground", limit=50)
            if r.idempotency_key.startswith("monthly_action_report:2026-11:")]
    (row,) = [r for r in rows if r.idempotency_key.endswith(f":{boss}")]
    text = str(row.payload["card"])
    groups = {sec["title"]: sec["items"] for sec in row.payload["card"]["sections"]}
    assert any("算清账" in line for line in groups["新人 · 按策略（完成率 · 成单率）"])  # 李娜 is a new rep
    assert groups["老销售 · 按策略（完成率 · 成单率）"] == ["本月没有攻坚卡"] and "发送行业ROI测算模板" in text
    assert row.next_attempt_at.astimezone(rt.settings.tz) == datetime(2026, 12, 1, 9, 0, tzinfo=rt.settings.tz)
    again = await _run(rt, datetime(2026, 12, 3, 10, 0, tzinfo=rt.settings.tz))
    assert "排队 0 份" in again
