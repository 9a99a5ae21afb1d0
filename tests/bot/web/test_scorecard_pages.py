"""/nps/<token> (one answer per customer; tampered, expired and reused links get a friendly page), the member's
scorecard page (charts, formula, statement; 375 px), /api/v1/scorecards, and the 健康度 command."""

from __future__ import annotations

import re
from datetime import timedelta

from flows.scorecard_links import scorecard_link, survey_link
from scheduler.core import run_job
from storage.models import Customer, NpsSurvey
from tests.handlers.opp_helpers import Chat
from tests.helpers import add_member
from tests.scorecard_story import build_story


async def _survey(rt) -> tuple[int, str]:
    now = rt.clock.now()
    async with rt.db.session() as s:
        c = Customer(name="远航物流", normalized_name="远航物流")
        s.add(c)
        await s.flush()
        survey = NpsSurvey(customer_id=c.id, sent_at=now, expires_at=now + timedelta(days=30))
        s.add(survey)
        await s.flush()
        return survey.id, survey_link(rt.settings, survey.id, now + timedelta(days=30)).split("/nps/")[1]


async def test_nps_survey_takes_one_answer_and_refuses_kindly(client, rt):
    sid, token = await _survey(rt)
    page = await client.get(f"/nps/{token}")
    body = await page.text()
    assert page.status == 200 and 'name="viewport"' in body and "远航物流" in body and body.count('type="radio"') == 11
    bad = await client.post(f"/nps/{token}", data={"score": "11"})
    assert bad.status == 400 and "0 到 10" in await bad.text()
    ok = await client.post(f"/nps/{token}", data={"score": "9", "comment": "交付很准时"})
    assert ok.status == 200 and "感谢您的评价" in await ok.text()
    again = await client.post(f"/nps/{token}", data={"score": "2"})
    assert again.status == 200 and "已经收到过您的评价" in await again.text()
    assert "已经收到过您的评价" in await (await client.get(f"/nps/{token}")).text()
    async with rt.db.session() as s:
        survey = await s.get(NpsSurvey, sid)
    assert survey.score == 9 and survey.comment == "交付很准时"
    tampered = token[:-1] + ("0" if token[-1] != "0" else "1")
    for t in (tampered, f"{sid + 1}.{token.split('.')[1]}.{token.split('.')[2]}", "abc"):
        resp = await client.get(f"/nps/{t}")
        assert resp.status == 404 and "链接打不开" in await resp.text()
    rt.clock.advance(timedelta(days=31))
    expired = await client.post(f"/nps/{token}", data={"score": "5"})
    assert expired.status == 410 and "已经结束" in await expired.text()


async def test_scorecard_page_shows_charts_formula_and_statement(client, rt):
    story = await build_story(rt)
    await run_job(rt, "scorecards_weekly")
    link = scorecard_link(rt.settings, story.top, rt.clock.now(), "2026-11")
    resp = await client.get(link.split("8080", 1)[1])
    body = await resp.text()
    assert resp.status == 200 and 'width=device-width' in body and body.count("<svg") == 2
    assert "总分 = 结果分 × 0.50 + 健康分 × 0.50" in body and "本月应发" in body and "签单额高于团队均值" in body
    assert not re.search(r"width=\"(\d{4,})\"", body)  # nothing wider than a phone screen
    tampered = await client.get(link.split("8080", 1)[1].replace(f"member={story.top}", f"member={story.balanced}"))
    assert tampered.status == 403 and "链接无效" in await tampered.text() and "王冠" not in await tampered.text()


async def test_scorecard_links_are_member_bound_and_refused_kindly(client, rt):
    story = await build_story(rt)
    await run_job(rt, "scorecards_weekly")
    other_boss = await add_member(rt, "孙主管", role="manager", team="华南渠道部")
    now = rt.clock.now()

    async def opened(member: int, viewer: int) -> tuple[int, str]:
        link = scorecard_link(rt.settings, member, now, "2026-11", viewer_id=viewer)
        resp = await client.get(link.split("8080", 1)[1])
        return resp.status, await resp.text()

    status, body = await opened(story.balanced, story.boss)  # a manager sees their team's reps
    assert status == 200 and "李平 的计分卡" in body
    status, body = await opened(story.balanced, story.top)  # a rep sees only their own
    assert status == 403 and "没有权限" in body and "李平老客" not in body and 'name="viewport"' in body
    status, body = await opened(story.top, other_boss)  # another team's manager
    assert status == 403 and "王冠 的计分卡" not in body
    rt.clock.advance(timedelta(days=36))
    status, body = await opened(story.top, story.top)
    assert status == 410 and "链接已过期" in body


async def test_read_api_lists_weekly_scorecards(client, rt):
    story = await build_story(rt)
    await run_job(rt, "scorecards_weekly")
    resp = await client.get("/api/v1/scorecards", headers={"Authorization": "Bearer test-admin-token"})
    items = (await resp.json())["items"]
    top = next(i for i in items if i["member"] == "王冠")
    assert set(top) >= {"member", "period", "result_score", "health_score", "health_weight", "total", "light"}
    assert top["light"] == "green" and top["health_weight"] == 0.5 and top["total"] == 50.1
    assert next(i for i in items if i["member"] == "赵新")["light"] is None and story.idle


async def test_scorecard_command_for_rep_manager_and_no_data(client, rt):
    story = await build_story(rt)
    await run_job(rt, "scorecards_weekly")
    [mine] = await Chat(client, rt, f"dm:{story.top}").say(story.top, "健康度")
    assert mine["title"] == "计分卡：王冠"
    formula = next(s for s in mine["sections"] if s["title"] == "计算公式")["items"]
    assert formula[-1].startswith("总分 = 结果分 × 0.50 + 健康分 × 0.50 = ") and formula[-1].endswith("= 50.1")
    lines = next(s for s in mine["sections"] if s["title"] == "各项指标")["items"]
    assert any("客户留存率：40%" in line for line in lines)
    [idle] = await Chat(client, rt, f"dm:{story.idle}").say(story.idle, "计分卡")
    assert dict(idle["sections"][0]["fields"])["总分"] == "暂无数据" and "0.0" not in str(idle["sections"][0])
    boss = Chat(client, rt, f"dm:{story.boss}")
    [team] = await boss.say(story.boss, "健康度")
    assert team["title"].startswith("团队计分卡") and len(team["sections"][0]["items"]) == 3
    [other] = await boss.say(story.boss, "健康度 李平")
    assert other["title"] == "计分卡：李平"
    rep = Chat(client, rt, f"dm:{story.top}")
    rep.seen = 1
    [refused] = await rep.say(story.top, "健康度 李平")
    assert refused["title"] == "看不了这位成员"
