"""Platform login from the workbench: an OAuth code becomes the member's session, then role checks apply."""

from __future__ import annotations

import pytest

from bot.platforms.dingtalk.api import DingTalkAPI
from bot.platforms.feishu.api import FeishuAPI
from bot.platforms.wecom.api import WecomAPI
from bot.web.access import COOKIE
from bot.web.app import create_app
from storage.repos import members
from tests.fakes.oauth import FakeOAuth


@pytest.fixture
async def fake(aiohttp_server):
    fake = FakeOAuth({"wecom": {"wx-code": "lina"}, "dingtalk": {"dd-code": "ding-wang"},
                      "feishu": {"fs-code": "ou_boss"}})
    server = await aiohttp_server(fake.app)
    fake.url = str(server.make_url("")).rstrip("/")
    return fake


@pytest.fixture
async def app_client(aiohttp_client, rt, fake, world):
    s = rt.settings
    s.wecom.corp_id, s.wecom.secret, s.wecom.api_base = "corp", "secret", fake.url
    s.dingtalk.client_id, s.dingtalk.client_secret = "key", "secret"
    s.dingtalk.api_base = s.dingtalk.oapi_base = fake.url
    s.feishu.app_id, s.feishu.app_secret, s.feishu.api_base = "cli_x", "secret", fake.url
    rt.apis.update(wecom=WecomAPI(s.wecom, rt.db, rt.clock), dingtalk=DingTalkAPI(s.dingtalk, rt.clock),
                   feishu=FeishuAPI(s.feishu))
    async with rt.db.session() as session:
        await members.link_identity(session, world.li, "wecom", "lina")
        await members.link_identity(session, world.wang, "dingtalk", "ding-wang")
        await members.link_identity(session, world.mgr_a, "feishu", "ou_boss")
    client = await aiohttp_client(create_app(rt))
    yield client
    for name in ("wecom", "dingtalk", "feishu"):
        await rt.apis[name].close()


async def test_wecom_code_logs_the_rep_into_their_own_page_only(app_client, world, fake):
    resp = await app_client.get("/dash/login/wecom?code=wx-code&state=/dash/me", allow_redirects=False)
    assert resp.status == 302 and resp.headers["Location"] == "/dash/me" and COOKIE in resp.cookies
    cookie = resp.cookies[COOKIE]
    assert cookie["httponly"] and cookie["path"] == "/dash"
    page = await app_client.get("/dash/me")
    assert page.status == 200 and "李娜 的作战指令" in await page.text()
    other = await app_client.get(f"/dash/me?member={world.wang}")
    assert other.status == 403  # a rep sees only their own
    assert (await app_client.get("/dash/map")).status == 403
    assert (await app_client.get(f"/dash/customer/{world.stalled_customer}")).status == 200  # her own customer
    leak = await app_client.get(f"/dash/customer/{world.secret_customer}")  # another team's customer
    assert leak.status == 403 and "秘密零售" not in await leak.text()
    assert fake.calls == [("wecom", "/cgi-bin/auth/getuserinfo")]


async def test_feishu_manager_logs_in_and_sees_the_team_map(app_client, world):
    resp = await app_client.get("/dash/login/feishu?code=fs-code&state=/dash/map")
    html = await resp.text()
    assert resp.status == 200 and "最大风险在" in html and "秘密零售" not in html
    assert (await app_client.get(f"/dash/me?member={world.li}")).status == 200  # a rep of the team
    assert (await app_client.get(f"/dash/me?member={world.zhao}")).status == 403  # another team's rep


async def test_dingtalk_code_works_once_and_bad_input_gets_friendly_pages(app_client, fake):
    ok = await app_client.get("/dash/login/dingtalk?code=dd-code&state=https://evil.example/x", allow_redirects=False)
    assert ok.status == 302 and ok.headers["Location"] == "/dash/me"  # never an open redirect
    fake.codes["dingtalk"]["dd-2"] = "ding-wang"
    injected = "/dash/login/dingtalk?code=dd-2&state=/dash/me%0D%0ASet-Cookie:x=1"
    crlf = await app_client.get(injected, allow_redirects=False)
    assert crlf.status == 302 and crlf.headers["Location"] == "/dash/me"
    again = await app_client.get("/dash/login/dingtalk?code=dd-code")
    assert again.status == 403 and "登录失败" in await again.text()
    assert (await app_client.get("/dash/login/dingtalk")).status == 403
    unknown = await app_client.get("/dash/login/telegram?code=x")
    assert unknown.status == 403 and "没有开启" in await unknown.text()
