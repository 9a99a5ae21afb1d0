"""`salesbot sync members --platform wecom` against the fake user list."""

from __future__ import annotations

from bot.cli import main
from bot.platforms.wecom.extras.sync import sync_members
from storage.repos import members
from tests.helpers import add_member


async def test_users_are_linked_by_mobile_then_name(wrt, fake):
    lina, wang = await add_member(wrt, "李娜"), await add_member(wrt, "王强")
    async with wrt.db.session() as s:
        (await members.get(s, lina)).mobile = "13800001111"
    fake.users = [{"userid": "LiNa01", "name": "李娜（华东）", "mobile": "+86 138-0000-1111"},
                  {"userid": "wangq", "name": "王强", "mobile": ""},
                  {"userid": "stranger", "name": "路人", "mobile": "13900000000"}]
    report = await sync_members(wrt.settings, wrt.db, wrt.clock)
    assert (report.linked, report.unchanged, report.unmatched) == (2, 0, ["stranger"])
    async with wrt.db.session() as s:
        assert (await members.by_identity(s, "wecom", "LiNa01")).id == lina
        assert (await members.by_identity(s, "wecom", "wangq")).id == wang
    again = await sync_members(wrt.settings, wrt.db, wrt.clock)
    assert (again.linked, again.unchanged) == (0, 2)
    assert "add wecom_userid to the members CSV" in "\n".join(report.lines())


def test_sync_for_a_platform_without_it_says_what_to_do(tmp_path, capsys):
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path}/x.db"\n', encoding="utf-8")
    assert main(["--config", str(config), "db", "upgrade"]) == 0
    assert main(["--config", str(config), "sync", "members", "--platform", "wecom"]) == 2
    assert "enabled is false" in capsys.readouterr().err
