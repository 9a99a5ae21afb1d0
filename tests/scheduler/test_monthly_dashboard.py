"""monthly_dashboard and accepted_deliveries: the deviation sentence, the deferred new-customer share, its
automatic release at the first accepted delivery, the NPS survey link, the statement on the page and in the export."""

from __future__ import annotations

import csv
from datetime import UTC, datetime

from openpyxl import load_workbook
from sqlalchemy import select, update

from flows.scorecard_export import export_scorecards
from scheduler.core import run_job
from storage.models import BonusDeferral, Customer, NpsSurvey, Order
from tests.helpers import sent_cards
from tests.scorecard_story import build_story

DEC_1 = datetime(2026, 12, 1, 0, 15, tzinfo=UTC)  # 08:15 in Shanghai on the 1st


async def _deferrals(rt) -> list[BonusDeferral]:
    async with rt.db.session() as s:
        return (await s.execute(select(BonusDeferral).order_by(BonusDeferral.customer_id))).scalars().all()


async def test_dashboard_names_the_deviations_and_defers_the_new_customer_share(rt_any):
    rt = rt_any
    story = await build_story(rt)
    rt.clock.set(datetime(2026, 11, 30, 0, 15, tzinfo=UTC))
    skipped = await run_job(rt, "monthly_dashboard")
    assert "每月 1 日推送" in skipped.summary and await _deferrals(rt) == []
    rt.clock.set(DEC_1)
    result = await run_job(rt, "monthly_dashboard")
    assert result.summary.startswith("个人健康度月报：已推送 3 人")
    top = (await sent_cards(rt, f"dm:{story.top}"))[-1]["card"]
    assert top["title"] == "2026-11 个人健康度月报：王冠"
    text = top["sections"][1]["text"]
    assert text == "您的签单额高于团队均值40%，但新客户开发量低于均值100%。", text
    assert top["sections"][1]["items"] == ["最大偏差：新客户开发量低于团队均值100%"]
    idle = (await sent_cards(rt, f"dm:{story.idle}"))[-1]["card"]
    assert "暂无数据" in idle["sections"][1]["text"]
    assert dict(idle["sections"][0]["fields"])["应发奖金"] == "暂无数据"
    deferred = await _deferrals(rt)
    assert [d.member_id for d in deferred] == [story.balanced] * 3 and {d.month for d in deferred} == {"2026-11"}
    assert {d.amount for d in deferred} == {480} and all(d.released_at is None for d in deferred)  # 20% × 2000 × 1.2
    assert "今天不推送" in (await run_job(rt, "monthly_dashboard", DEC_1.replace(day=2))).summary
    again = await run_job(rt, "monthly_dashboard", DEC_1.replace(minute=20))
    assert "此前已推送" in again.summary or "已推送 0 人" in again.summary
    assert len(await _deferrals(rt)) == 3


async def test_a_dashboard_day_on_a_holiday_moves_to_the_next_working_day(rt):
    rt.settings.schedule.holidays = ["2026-10-01", "2026-10-02"]
    await build_story(rt)
    assert "节假日" in (await run_job(rt, "monthly_dashboard", datetime(2026, 10, 1, 0, 15, tzinfo=UTC))).summary
    assert "节假日" in (await run_job(rt, "monthly_dashboard", datetime(2026, 10, 2, 0, 15, tzinfo=UTC))).summary
    sent = await run_job(rt, "monthly_dashboard", datetime(2026, 10, 3, 0, 15, tzinfo=UTC))
    assert sent.summary.startswith("个人健康度月报：已推送 3 人")
    later = await run_job(rt, "monthly_dashboard", datetime(2026, 10, 4, 0, 15, tzinfo=UTC))
    assert "今天不推送" in later.summary


async def test_first_accepted_delivery_releases_the_share_and_sends_the_survey_once(rt_any, tmp_path):
    rt = rt_any
    story = await build_story(rt)
    rt.clock.set(DEC_1)
    await run_job(rt, "monthly_dashboard")
    async with rt.db.session() as s:
        cid = (await s.execute(select(Customer.id).where(Customer.name == "李平新客0"))).scalar_one()
        await s.execute(update(Order).where(Order.customer_id == cid).values(
            accepted_at=datetime(2026, 12, 3, 2, 0, tzinfo=UTC)))
    rt.clock.set(datetime(2026, 12, 4, 2, 0, tzinfo=UTC))
    result = await run_job(rt, "accepted_deliveries")
    assert result.summary == "验收后跟进：释放递延奖金 1 笔，新发满意度调查 1 份（送达负责人 1 份）"
    released = [d for d in await _deferrals(rt) if d.released_at is not None]
    assert [d.customer_id for d in released] == [cid]
    assert released[0].released_at == datetime(2026, 12, 3, 2, 0, tzinfo=UTC)
    card = (await sent_cards(rt, f"dm:{story.balanced}"))[-1]["card"]
    assert card["title"] == "请李平新客0做个满意度评价" and "/nps/" in card["sections"][0]["items"][0]
    again = await run_job(rt, "accepted_deliveries", datetime(2026, 12, 5, 2, 0, tzinfo=UTC))
    assert "释放递延奖金 0 笔，新发满意度调查 0 份" in again.summary
    async with rt.db.session() as s:
        assert len((await s.execute(select(NpsSurvey).where(NpsSurvey.customer_id == cid))).scalars().all()) == 1

    out = await export_scorecards(rt.db, rt.settings, tmp_path / "dec.csv", "csv", month="2026-12")
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    mine = next(r for r in rows if r[0] == "李平")
    assert rows[0][0] == "成员" and mine[14] == "480" and mine[15] == "李平新客0"
    nov = await export_scorecards(rt.db, rt.settings, tmp_path / "nov.xlsx", "xlsx", month="2026-11")
    sheet = load_workbook(nov).active
    header = [c.value for c in sheet[1]]
    li = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == "李平")
    assert li[header.index("递延金额")] == 1440 and li[header.index("新客户数")] == 3
    wang = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == "王冠")
    assert wang[header.index("签单额")] == 600_000 and wang[header.index("递延金额")] == 0
