"""The DingTalk workbench entry: in-app login code → the member's page, where today's items can be done."""

from __future__ import annotations

from tests.bot.platforms.dingtalk import conftest as dingtalk
from tests.bot.platforms.dingtalk.conftest import add_dingtalk_member

fake, drt, dclient = dingtalk.fake, dingtalk.drt, dingtalk.dclient  # DingTalk's fixtures (its conftest stops there)


async def test_the_entry_logs_in_and_opens_the_members_page(dclient, drt, fake):
    assert (await dclient.get("/dingtalk/workbench")).status == 404  # no corp_id yet: says which key to set
    drt.settings.dingtalk.corp_id = "dingcorp1"
    page = await (await dclient.get("/dingtalk/workbench")).text()
    assert "requestAuthCode" in page and '"dingcorp1"' in page
    await add_dingtalk_member(drt, "李娜", "u001")
    fake.auth_codes["c1"] = "u001"
    opened = await dclient.get("/dingtalk/workbench/login?code=c1")
    assert opened.status == 200 and opened.url.path == "/dash/me" and "李娜" in await opened.text()
    spent = await dclient.get("/dingtalk/workbench/login?code=c1")  # a code works once
    assert spent.status == 403 and "重新打开" in await spent.text()
