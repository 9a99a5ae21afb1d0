"""The wecom_workbench job: counts for everyone, one set_workbench_data per changed member, never twice."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select

from bot.runtime import Runtime
from scheduler.core import run_job
from scheduler.workbench import chain
from storage.models import Lead, QueuedTask
from storage.repos import members
from storage.repos.workbench import Counts
from tests.helpers import add_member
from tests.scheduler.conftest import deliver
from tests.scheduler.push_helpers import build_org


async def _link(rt: Runtime, member_id: int, userid: str) -> None:
    async with rt.db.session() as s:
        await members.link_identity(s, member_id, "wecom", userid)


async def test_changed_members_get_their_numbers_and_a_link_to_their_page(wrt, fake):
    org = await build_org(wrt)
    await _link(wrt, org.rep, "lina")
    await _link(wrt, org.other, "wangqiang")
    result = await run_job(wrt, "wecom_workbench")
    assert result.summary == "企业微信工作台：更新 2 人，0 人没有变化，1 人没有绑定企业微信（周主管）"
    await deliver(wrt)
    bodies = {b["userid"]: b for b in fake.workbench}
    assert set(bodies) == {"lina", "wangqiang"}
    items = bodies["lina"]["keydata"]["items"]
    assert [(i["key"], i["data"]) for i in items] == [("今日必做", "3"), ("待跟进线索", "2"), ("已超时", "2")]
    assert [i["data"] for i in bodies["wangqiang"]["keydata"]["items"]] == ["0", "0", "0"]
    url = urlsplit(items[0]["jump_url"])
    assert url.path == "/dash/me" and parse_qs(url.query)["member"] == [str(org.rep)]
    assert bodies["lina"]["agentid"] == 1000002 and bodies["lina"]["type"] == "keydata"


async def test_unchanged_numbers_send_nothing_and_a_return_to_old_numbers_sends_again(wrt, fake):
    org = await build_org(wrt)
    await _link(wrt, org.rep, "lina")
    await run_job(wrt, "wecom_workbench")
    wrt.clock.advance(timedelta(minutes=15))
    assert "更新 0 人，1 人没有变化" in (await run_job(wrt, "wecom_workbench")).summary
    async with wrt.db.session() as s:  # a lead closes: 2 → 1 open leads
        (await s.get(Lead, org.old_lead)).status = "lost"
    wrt.clock.advance(timedelta(minutes=15))
    assert "更新 1 人" in (await run_job(wrt, "wecom_workbench")).summary
    async with wrt.db.session() as s:  # and reopens: back to the first numbers, under a new key
        (await s.get(Lead, org.old_lead)).status = "breached"
    wrt.clock.advance(timedelta(minutes=15))
    assert "更新 1 人" in (await run_job(wrt, "wecom_workbench")).summary
    keys = await task_keys(wrt, f"workbench:{org.rep}:")
    assert len(keys) == len(set(keys)) == 3
    await deliver(wrt)  # the two older updates were replaced before they ran: only the newest numbers go out
    assert [[i["data"] for i in b["keydata"]["items"]][1] for b in fake.workbench] == ["2"]


async def test_each_update_sent_in_its_turn_arrives(wrt, fake):
    org = await build_org(wrt)
    await _link(wrt, org.rep, "lina")
    for status in (None, "lost", "breached"):  # 2 → 1 → 2 open leads, each delivered before the next
        if status:
            async with wrt.db.session() as s:
                (await s.get(Lead, org.old_lead)).status = status
        wrt.clock.advance(timedelta(minutes=15))
        await run_job(wrt, "wecom_workbench")
        await deliver(wrt)
    assert [[i["data"] for i in b["keydata"]["items"]][1] for b in fake.workbench] == ["2", "1", "2"]


async def task_keys(rt: Runtime, prefix: str) -> list[str]:
    """The keys of the tasks queued under `prefix`."""
    async with rt.db.session() as s:
        rows = await s.execute(select(QueuedTask.idempotency_key).where(QueuedTask.idempotency_key.startswith(prefix)))
        return list(rows.scalars())


async def test_old_numbers_are_refreshed_before_their_link_expires(wrt, fake):
    org = await build_org(wrt)
    await _link(wrt, org.other, "wangqiang")
    await run_job(wrt, "wecom_workbench")
    wrt.clock.advance(timedelta(days=2))
    assert "更新 0 人" in (await run_job(wrt, "wecom_workbench")).summary
    wrt.clock.advance(timedelta(days=1, minutes=15))
    assert "更新 1 人" in (await run_job(wrt, "wecom_workbench")).summary


async def test_nothing_runs_without_wecom(rt):
    await add_member(rt, "李娜")
    result = await run_job(rt, "wecom_workbench")
    assert result.summary == "企业微信工作台：未开启企业微信（[wecom] enabled = false），未更新"
    assert await task_keys(rt, "workbench:") == []


def test_the_chained_key_differs_for_the_same_numbers_after_a_change():
    first = chain("", Counts(3, 2, 1), 7)
    again = chain(chain(first, Counts(3, 1, 1), 7), Counts(3, 2, 1), 7)
    assert len(first) == 16 and first != again and first == chain("", Counts(3, 2, 1), 7)
