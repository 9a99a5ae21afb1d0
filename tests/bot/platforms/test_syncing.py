"""The matching every `salesbot sync members` shares: mobile first, then a name only one user carries."""

from __future__ import annotations

from bot.platforms.syncing import PlatformUser, SyncReport, link_members
from storage.repos import members
from tests.helpers import add_member


def _report() -> SyncReport:
    return SyncReport("feishu", "Feishu", "feishu_open_id")


async def _linked(rt, user_id: str) -> int | None:
    async with rt.db.session() as s:
        member = await members.by_identity(s, "feishu", user_id)
        return member.id if member else None


async def test_mobile_wins_over_name_and_a_unique_name_links(rt):
    lina, wang = await add_member(rt, "李娜"), await add_member(rt, "王强")
    async with rt.db.session() as s:
        (await members.get(s, lina)).mobile = "138 0000 1111"
    users = [PlatformUser("ou_1", "王强", "+86 13800001111"),  # the mobile is 李娜's: the mobile decides
             PlatformUser("ou_2", "路人"), PlatformUser("ou_3", "")]
    report = await link_members(rt.db, _report(), users)
    assert (report.linked, report.unchanged, report.unmatched, report.ambiguous) == (1, 0, ["ou_2", "ou_3"], [])
    assert await _linked(rt, "ou_1") == lina and await _linked(rt, "ou_2") is None
    async with rt.db.session() as s:
        assert "feishu" not in (await members.identities_of(s, [wang])).get(wang, {})


async def test_a_name_two_users_share_links_neither(rt):
    await add_member(rt, "张伟")
    report = await link_members(rt.db, _report(), [PlatformUser("ou_a", "张伟"), PlatformUser("ou_b", "张伟")])
    assert (report.linked, report.unmatched, report.ambiguous) == (0, ["ou_a", "ou_b"], ["ou_a", "ou_b"])
    assert "ou_a: another user matches the same member" in "\n".join(report.lines())


async def test_two_users_with_one_members_mobile_link_only_the_first(rt):
    lina = await add_member(rt, "李娜")
    async with rt.db.session() as s:
        (await members.get(s, lina)).mobile = "13800001111"
    users = [PlatformUser("ou_1", "李娜", "13800001111"), PlatformUser("ou_2", "娜娜", "+8613800001111")]
    report = await link_members(rt.db, _report(), users)
    assert (report.linked, report.unmatched, report.ambiguous) == (1, ["ou_2"], ["ou_2"])
    assert await _linked(rt, "ou_1") == lina and await _linked(rt, "ou_2") is None


async def test_a_second_run_changes_nothing_and_a_moved_id_follows_its_member(rt):
    lina, wang = await add_member(rt, "李娜"), await add_member(rt, "王强")
    async with rt.db.session() as s:
        await members.link_identity(s, wang, "feishu", "ou_1")  # linked by hand to the wrong person
    report = await link_members(rt.db, _report(), [PlatformUser("ou_1", "李娜")])
    assert (report.linked, report.unchanged) == (1, 0) and await _linked(rt, "ou_1") == lina
    again = await link_members(rt.db, _report(), [PlatformUser("ou_1", "李娜")])
    assert (again.linked, again.unchanged, again.unmatched) == (0, 1, [])


def test_the_report_lists_at_most_a_hundred_users_and_counts_the_rest():
    report = SyncReport("wecom", "WeCom", "wecom_userid", unmatched=[f"u{i}" for i in range(130)])
    lines = report.lines()
    assert lines[0] == "wecom: linked 0, already linked 0, unmatched 130"
    assert lines[1] == "  WeCom user u0: no member has the same mobile or name; add wecom_userid to the members CSV"
    assert len(lines) == 102 and lines[-1] == "  … and 30 more"
