"""The Feishu workbench entry: web-app login code → open_id (against the fake) → the member's page."""

from __future__ import annotations

from storage.repos import members
from tests.bot.platforms.feishu import conftest as feishu
from tests.helpers import add_member

fake, feishu_settings = feishu.fake, feishu.feishu_settings  # Feishu's fixtures (its conftest stops at its folder)
frt, fclient = feishu.frt, feishu.fclient


async def test_the_entry_logs_in_and_opens_the_members_page(fclient, frt, fake):
    page = await (await fclient.get("/feishu/workbench")).text()
    assert "requestAccess" in page and "cli_test_app" in page
    member = await add_member(frt, "李娜")
    async with frt.db.session() as s:
        await members.link_identity(s, member, "feishu", "ou_rep")
    fake.login_codes["c1"] = "ou_rep"
    opened = await fclient.get("/feishu/workbench/login?code=c1")
    assert opened.status == 200 and opened.url.path == "/dash/me" and "李娜" in await opened.text()
    spent = await fclient.get("/feishu/workbench/login?code=c1")  # a code works once
    assert spent.status == 403 and "重新打开" in await spent.text()
