"""作战地图: each role's page (a leak fails), the biggest risk on top, taps to records, refusals, the command."""

from __future__ import annotations

from datetime import timedelta

from bot.core.clock import ManualClock
from bot.core.signing import member_link
from bot.platforms.wecom.render import WecomRenderer
from bot.web.access import COOKIE, session_value
from cards.views import battle_map_card
from tests.bot.web.conftest import path_of
from tests.conftest import make_settings
from tests.helpers import add_member, message, sent_cards


def _map(rt, viewer: int, **params) -> str:
    return path_of(member_link(rt.settings, "/dash/map", params, viewer, rt.clock.now()))


async def test_manager_sees_the_team_with_the_biggest_risk_in_a_red_frame(client, rt, world):
    resp = await client.get(_map(rt, world.mgr_a))
    html = await resp.text()
    assert resp.status == 200 and 'name="viewport"' in html
    alarm = html.split('class="alarm"', 1)[1].split("</p>", 1)[0]
    assert "最大风险在" in alarm and "华东医疗" in alarm and "商机阶段超期" in alarm
    assert "李娜" in html and "王强" in html and "<svg" in html
    assert "秘密零售" not in html and "赵六" not in html  # another team's data never shows


async def test_each_cell_opens_its_top_todos_with_links_to_the_records(client, rt, world):
    html = await (await client.get(_map(rt, world.mgr_a))).text()
    assert 'href="#c-' in html and 'class="cell" id="c-' in html
    cell = html.split('class="cell" id="c-', 1)[1].split("</section>", 1)[0]
    assert "/dash/customer/" in cell and "viewer=" in cell
    risk = await (await client.get(_map(rt, world.mgr_a, m="risk"))).text()
    assert "沉睡机械" in risk and "客户休眠" in risk


async def test_admin_sees_regions_and_drills_into_one(client, rt, world):
    html = await (await client.get(_map(rt, world.admin))).text()
    assert "大区" in html and "华东" in html and "华北" in html and "region=" in html
    north = await (await client.get(_map(rt, world.admin, region="华北", m="risk"))).text()
    assert "赵六" in north and "王强" in north and "李娜" not in north and "秘密零售" in north


async def test_reps_tampered_expired_and_foreign_links_get_friendly_refusals(client, rt, world):
    rep = await client.get(_map(rt, world.li))
    assert rep.status == 403 and "只给主管" in await rep.text()
    link = _map(rt, world.mgr_a)
    tampered = await client.get(link.replace(f"viewer={world.mgr_a}", f"viewer={world.admin}"))
    assert tampered.status == 403 and "链接无效" in await tampered.text()
    cookie = session_value(rt.settings.server.secret_key, world.mgr_b, rt.clock.now() + timedelta(hours=1))
    foreign = await client.get(link, cookies={COOKIE: cookie})
    assert foreign.status == 403 and "另一位同事" in await foreign.text()
    rt.clock.advance(timedelta(days=8))
    expired = await client.get(link)
    assert expired.status == 410 and "过期" in await expired.text()
    assert "Traceback" not in await expired.text()


async def test_login_cookie_alone_opens_the_team_but_never_another(client, rt, world):
    cookie = session_value(rt.settings.server.secret_key, world.mgr_b, rt.clock.now() + timedelta(hours=1))
    html = await (await client.get("/dash/map?m=risk", cookies={COOKIE: cookie})).text()
    assert "秘密零售" in html and "华东医疗" not in html
    nobody = await client.get("/dash/map")
    assert nobody.status == 403 and "请先登录" in await nobody.text()


async def test_empty_team_says_not_enough_data(client, rt, world):
    resp = await client.get(_map(rt, world.mgr_empty))
    assert resp.status == 200 and "数据还不够" in await resp.text()


async def test_chat_command_replies_with_a_member_bound_link_that_opens(client, rt, world):
    boss = await add_member(rt, "钱总", role="manager", team="华东一部")
    await client.post("/playground/api/message", json=message(boss, "@销售助手 作战地图"))
    (payload,) = await sent_cards(rt)
    text = str(payload["card"])
    assert "作战地图" in text and "/dash/map?" in text and f"viewer={boss}" in text
    url = text.split("/dash/map?", 1)[1].split("'", 1)[0].split('"', 1)[0].split(" ", 1)[0]
    resp = await client.get("/dash/map?" + url)
    assert resp.status == 200 and "最大风险在" in await resp.text()


def test_the_wecom_card_opens_the_map_when_tapped():
    link = "https://bot.example.com/dash/map?viewer=2&exp=1&sig=" + "a" * 32
    totals = [("卡点", 1), ("风险客户", 0), ("线索密度", 2)]
    card = battle_map_card("我的团队", "最大风险在李娜·医疗：1 个卡点", totals, link)
    rendered = WecomRenderer(make_settings("sqlite://"), ManualClock()).template_card(card, "task1")
    assert rendered["card_action"] == {"type": 1, "url": link}  # the sub-title cuts long links
