"""`salesbot sync members --platform feishu` against the fake contact v3 directory."""

from __future__ import annotations

import asyncio

from bot.cli import main
from bot.platforms.feishu.extras.sync import sync_members
from storage.repos import members
from tests.fakes.feishu import APP_ID, APP_SECRET
from tests.fakes.feishu_contact import user
from tests.helpers import add_member


def _tree(fake) -> None:
    """Root → 华东 → 华东一组, plus 55 empty departments so the tree itself takes two pages."""
    fake.contact.departments = {"od-east": "0", "od-east1": "od-east", **{f"od-x{i}": "0" for i in range(55)}}
    fake.contact.users = {
        "0": [user("ou_boss", "老板")],
        "od-east": [user("ou_lina", "李娜（华东）", "+86 138-0000-1111"),
                    *(user(f"ou_f{i}", f"同事{i}") for i in range(120))],
        "od-east1": [user("ou_wang", "王强"), user("ou_lina", "李娜（华东）", "+86 138-0000-1111"),
                     user("ou_zw1", "张伟"), user("ou_zw2", "张伟"), user("ou_gone", "赵六", resigned=True)]}


async def test_the_whole_tree_is_read_page_by_page_and_open_ids_linked(frt, fake):
    lina, wang = await add_member(frt, "李娜"), await add_member(frt, "王强")
    await add_member(frt, "张伟")
    await add_member(frt, "赵六")
    async with frt.db.session() as s:
        (await members.get(s, lina)).mobile = "13800001111"
    _tree(fake)
    report = await sync_members(frt.settings, frt.db)
    assert (report.linked, report.unchanged) == (2, 0)
    assert set(report.unmatched) == {"ou_boss", "ou_zw1", "ou_zw2", *(f"ou_f{i}" for i in range(120))}
    assert report.ambiguous == ["ou_zw1", "ou_zw2"]  # two 张伟: neither is guessed; the leaver is not listed
    pages = fake.contact.pages
    tree = [p for p in pages if p[0] == "children"]
    assert tree[0] == ("children", "0", "") and len(tree) == 2  # 57 departments, 50 a page
    east = [token for listing, dept, token in pages if listing == "users" and dept == "od-east"]
    assert len(east) == 3 and east[0] == "" and all(east[1:])  # 121 users: 50 + 50 + 21, by page_token
    assert {dept for listing, dept, _ in pages if listing == "users"} == {"0", "od-east", "od-east1",
                                                                         *(f"od-x{i}" for i in range(55))}
    async with frt.db.session() as s:
        assert (await members.by_identity(s, "feishu", "ou_lina")).id == lina
        assert (await members.by_identity(s, "feishu", "ou_wang")).id == wang
        assert await members.by_identity(s, "feishu", "ou_gone") is None
    again = await sync_members(frt.settings, frt.db)
    assert (again.linked, again.unchanged) == (0, 2)


async def test_without_the_phone_scope_an_unambiguous_name_still_links(frt, fake):
    lina = await add_member(frt, "李娜")
    fake.contact.phone_scope = False
    fake.contact.users = {"0": [user("ou_lina", "李娜", "+8613800001111"),
                                user("ou_x", "李娜（华东）", "+8613800001111")]}
    report = await sync_members(frt.settings, frt.db)
    assert (report.linked, report.unmatched) == (1, ["ou_x"])
    async with frt.db.session() as s:
        assert (await members.by_identity(s, "feishu", "ou_lina")).id == lina


def _config(tmp_path, fake) -> str:
    path = tmp_path / "config.toml"
    path.write_text(f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path}/cli.db"\n[feishu]\nenabled = true\n'
                    f'app_id = "{APP_ID}"\napp_secret = "{APP_SECRET}"\nverification_token = "v"\n'
                    f'api_base = "{fake.url}"\n', encoding="utf-8")
    return str(path)


async def test_the_command_prints_the_report_and_says_what_to_fix(tmp_path, fake, capsys):
    config = _config(tmp_path, fake)  # main() runs its own event loop: a worker thread keeps the fake serving
    assert await asyncio.to_thread(main, ["--config", config, "db", "upgrade"]) == 0
    fake.contact.users = {"0": [user("ou_1", "路人")]}
    capsys.readouterr()
    assert await asyncio.to_thread(main, ["--config", config, "sync", "members", "--platform", "feishu"]) == 0
    out = capsys.readouterr().out
    assert "feishu: linked 0, already linked 0, unmatched 1" in out
    assert "Feishu user ou_1: no member has the same mobile or name; add feishu_open_id to the members CSV" in out
    fake.contact.denied = True
    assert await asyncio.to_thread(main, ["--config", config, "sync", "members", "--platform", "feishu"]) == 2
    err = capsys.readouterr().err
    assert "code 40004" in err and "通讯录权限范围" in err and APP_SECRET not in err
