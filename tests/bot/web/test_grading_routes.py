"""The grading pages and routes: tracked material links, the board (manager yes, other team's rep no), the API."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import select

from bot.core.links import grading_board_link, material_link
from bot.core.vocab import Grade, InteractionKind
from flows.grading import run_daily
from storage.models import GradeProposal, Interaction, Member
from tests.flows.grading_helpers import seed_case
from tests.helpers import add_member

AUTH = {"Authorization": "Bearer test-admin-token"}


def _path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


async def _graded(rt) -> tuple[int, list[int], list[int]]:
    rep = await add_member(rt, "李娜")
    big, growing = await seed_case(rt, rep)
    async with rt.db.session() as s:
        await run_daily(s, rt.settings.grading, rt.clock.now())
    return rep, big, growing


async def test_material_link_logs_the_open_and_redirects(client, rt):
    rep, big, _ = await _graded(rt)
    url = material_link(rt.settings, big[0], rep, "https://example.com/w.pdf", "行业白皮书", rt.clock.now())
    resp = await client.get(_path(url), allow_redirects=False)
    assert resp.status == 302 and resp.headers["Location"] == "https://example.com/w.pdf"
    async with rt.db.session() as s:
        row = (await s.execute(select(Interaction).where(Interaction.kind == InteractionKind.DOWNLOAD))).scalar_one()
    assert (row.customer_id, row.member_id, row.note) == (big[0], rep, "打开资料：行业白皮书")
    token = urlsplit(url).path.removeprefix("/m/")
    tampered = url.replace(token, token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))
    bad = await client.get(_path(tampered), allow_redirects=False)
    assert bad.status == 403 and "链接不完整" in await bad.text()
    rt.clock.advance(timedelta(days=91))
    old = await client.get(_path(url), allow_redirects=False)
    assert old.status == 410 and "已过期" in await old.text()


async def test_board_for_a_manager_and_refused_for_another_teams_rep(client, rt):
    await _graded(rt)
    boss = await add_member(rt, "周主管", role="manager")
    stranger = await add_member(rt, "赵六", team="华南渠道部")
    async with rt.db.session() as s:
        team = (await s.get(Member, boss)).team_id
    resp = await client.get(_path(grading_board_link(rt.settings, boss, team, rt.clock.now())))
    html = await resp.text()
    assert resp.status == 200 and 'name="viewport"' in html and "<svg" in html and "max-width:340px" in html
    assert html.count("<circle") == 30 and "/dash/customer/" in html
    assert "休眠唤醒" in html and "本季度调整过级别的客户（30）" in html
    refused = await client.get(_path(grading_board_link(rt.settings, stranger, team, rt.clock.now())))
    assert refused.status == 403 and "没有权限" in await refused.text()
    link = _path(grading_board_link(rt.settings, boss, team, rt.clock.now()))
    forged = await client.get(link.replace(f"viewer={boss}", f"viewer={stranger}"))
    assert forged.status == 403 and "链接无效" in await forged.text() and "<circle" not in await forged.text()
    rt.clock.advance(timedelta(days=8))
    expired = await client.get(link)
    assert expired.status == 410 and "链接已过期" in await expired.text() and "分级" in await expired.text()


async def test_api_lists_customers_by_grade_and_the_proposals(client, rt):
    _, big, _ = await _graded(rt)
    resp = await client.get("/api/v1/customers", params={"grade": Grade.DORMANT.value}, headers=AUTH)
    items = (await resp.json())["items"]
    assert resp.status == 200 and {i["id"] for i in items} >= set(big)
    assert all(i["grade"] == Grade.DORMANT and i["ltv"] > 0 and i["activity_score"] > 0 for i in items)
    assert (await client.get("/api/v1/customers", params={"grade": "A"}, headers=AUTH)).status == 400
    async with rt.db.session() as s:
        s.add(GradeProposal(quarter="2026Q3", customer_id=big[0], from_grade="休眠唤醒", to_grade="稳定续费",
                            reason="价值上来了", status="pending"))
    page = await (await client.get("/api/v1/grade_proposals", params={"status": "pending"}, headers=AUTH)).json()
    assert [(p["customer"], p["from_grade"], p["to_grade"], p["status"]) for p in page["items"]] == [
        ("项目客户0", "休眠唤醒", "稳定续费", "pending")]
    assert (await client.get("/api/v1/grade_proposals")).status == 401


async def test_the_customer_page_explains_the_grade(client, rt):
    _, _, growing = await _graded(rt)
    resp = await client.get(f"/dash/customer/{growing[0]}", headers=AUTH)
    html = await resp.text()
    assert resp.status == 200 and "为什么是这个级别" in html
    assert "活跃度" in html and "预计价值" in html and "这个级别要你做什么" in html
