"""Attack dashboards: signed links (edited, expired, doubled parameters refused), admin token, SVG, report."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from bot.core.signing import member_link, signed_url
from bot.web.attack import _colour
from tests.handlers.opp_helpers import Chat, button
from tests.helpers import add_member

ROI = "算清账：让财务看到回报"


async def _seed(client, rt) -> int:
    rep = await add_member(rt, "李娜")
    boss = await add_member(rt, "韩总", role="manager")
    chat = Chat(client, rt)
    await chat.say(rep, "新建商机 华东医疗")
    (choice,) = await chat.say(rep, "攻坚 预算")
    (card,) = await chat.click(rep, button(choice, ROI))
    await chat.click(rep, card["buttons"][0]["value"])
    return boss


def _path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


async def test_signed_heatmap_link_shows_the_svg(client, rt):
    boss = await _seed(client, rt)
    url = signed_url(rt.settings, "/dash/attack/heatmap", {"scope": f"mgr:{boss}", "days": "30"}, rt.clock.now())
    resp = await client.get(_path(url))
    html = await resp.text()
    assert resp.status == 200 and "<svg" in html and "李娜" in html and "发送行业ROI测算模板" in html
    assert ">100%</text>" in html and "李娜 × 发送行业ROI测算模板：100%（1/1） 样本少" in html
    assert 'href="#a-' in html and 'class="cell" id="a-' in html and "<title>" not in html.split("<svg", 1)[1]


async def test_edited_expired_or_doubled_links_are_refused(client, rt):
    boss = await _seed(client, rt)
    url = _path(signed_url(rt.settings, "/dash/attack/heatmap", {"scope": f"mgr:{boss}", "days": "30"},
                           rt.clock.now()))
    edited = await client.get(url.replace(f"mgr%3A{boss}", "all"))
    assert edited.status == 403 and "链接无效" in await edited.text()
    doubled = await client.get(url.replace("?", "?scope=all&", 1))
    assert doubled.status == 403 and "链接无效" in await doubled.text()
    rt.clock.advance(timedelta(days=8))
    expired = await client.get(url)
    assert expired.status == 410 and "过期" in await expired.text()


async def test_member_bound_links_keep_a_manager_to_their_own_team(client, rt):
    boss = await _seed(client, rt)
    rep = boss - 1
    mine = await client.get(_path(member_link(rt.settings, "/dash/attack/heatmap", {}, boss, rt.clock.now())))
    assert mine.status == 200 and "李娜" in await mine.text()  # no scope: the viewer's own team
    other = _path(member_link(rt.settings, "/dash/attack/heatmap", {"scope": "all"}, boss, rt.clock.now()))
    assert (await client.get(other)).status == 403
    rep_link = _path(member_link(rt.settings, "/dash/attack/report", {}, rep, rt.clock.now()))
    assert (await client.get(rep_link)).status == 403


async def test_admin_token_opens_any_scope_and_bad_parameters_say_why(client, rt):
    await _seed(client, rt)
    auth = {"Authorization": f"Bearer {rt.settings.server.admin_token}"}
    ok = await client.get("/dash/attack/heatmap?scope=all&days=7", headers=auth)
    assert ok.status == 200 and "<svg" in await ok.text()
    bad = await client.get("/dash/attack/heatmap?scope=all&days=0", headers=auth)
    assert bad.status == 400 and "days must be" in (await bad.json())["error"]
    nobody = await client.get("/dash/attack/heatmap?scope=mgr:999&days=7", headers=auth)
    assert nobody.status == 400 and "unknown scope" in (await nobody.json())["error"]
    wrong = await client.get("/dash/attack/heatmap?scope=all&days=7", headers={"Authorization": "Bearer nope"})
    assert wrong.status == 403


async def test_monthly_report_page(client, rt):
    boss = await _seed(client, rt)
    month = rt.clock.now().astimezone(rt.settings.tz).strftime("%Y-%m")
    url = signed_url(rt.settings, "/dash/attack/report", {"scope": f"mgr:{boss}", "month": month}, rt.clock.now())
    resp = await client.get(_path(url))
    html = await resp.text()
    assert resp.status == 200 and f"攻坚月报 {month}" in html
    assert f"客户说预算不足·{ROI}：动作完成 100%（1/1） 样本少 · 赢单 — · 1 张卡" in html
    assert f"发送行业ROI测算模板（{ROI}）：完成 100%（1/1） 样本少；做了的赢单 —，跳过的赢单 —" in html


def test_colours_run_from_red_through_yellow_to_green():
    assert [_colour(0, 4), _colour(2, 4), _colour(4, 4), _colour(0, 0)] == ["#d73027", "#fee08b", "#1a9850", "#eeeeee"]
