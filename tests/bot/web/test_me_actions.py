"""The member's page (the workbench opens it): today's items are done or snoozed right there."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urlsplit

from sqlalchemy import select

from bot.core.links import me_link
from storage.models import Opportunity, Task
from tests.handlers.opp_helpers import Chat
from tests.helpers import add_member
from tests.scheduler.push_helpers import build_org


def _path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


async def test_an_item_is_done_from_the_page_and_disappears(client, rt):
    org = await build_org(rt)
    page = await (await client.get(_path(me_link(rt.settings, org.rep, rt.clock.now())))).text()
    forms = [unescape(a) for a in re.findall(r'<form method="post" action="([^"]+)">', page)]
    assert len(forms) >= 2 and "完成" in page and "明天再做" in page
    task_form = next(f for f in forms if "do=done" in f and "key=task" in f)
    answer = await client.post(_path(task_form))
    assert answer.status == 200 and answer.url.path == "/dash/me"  # redirected back to the page
    async with rt.db.session() as s:
        assert (await s.get(Task, org.task)).done_at is not None
    assert unescape(task_form) not in unescape(await answer.text())


async def test_an_edited_action_is_refused(client, rt):
    org = await build_org(rt)
    page = await (await client.get(_path(me_link(rt.settings, org.rep, rt.clock.now())))).text()
    form = unescape(re.findall(r'<form method="post" action="([^"]+)">', page)[0])
    forged = form.replace(f"member={org.rep}", f"member={org.boss}")
    refused = await client.post(_path(forged))
    assert refused.status == 403 and "链接无效" in await refused.text()  # a friendly page, nothing done


async def test_a_deal_is_advanced_and_given_evidence_from_the_page(client, rt):
    rep = await add_member(rt, "钱多多")
    await Chat(client, rt).say(rep, "新建商机 华东医疗 预算50万")
    page = await (await client.get(_path(me_link(rt.settings, rep, rt.clock.now())))).text()
    assert "我的商机" in page and "华东医疗" in page and "还缺：" in page
    forms = [unescape(a) for a in re.findall(r'<form method="post" action="([^"]+)"', page)]
    evidence = next(f for f in forms if "do=evidence" in f)
    answer = await client.post(_path(evidence), data={"text": "会议纪要 https://m.test/1"})
    assert answer.status == 200
    advance = next(f for f in forms if "do=advance" in f)
    after = await (await client.post(_path(advance))).text()
    async with rt.db.session() as s:
        opp = (await s.execute(select(Opportunity))).scalar_one()
    assert opp.stage != "needs" and "华东医疗" in after  # evidence in, then the deal moved on


async def test_a_managers_page_links_the_teams_grading_board_and_a_reps_does_not(client, rt):
    org = await build_org(rt)
    rep_page = await (await client.get(_path(me_link(rt.settings, org.rep, rt.clock.now())))).text()
    boss_page = await (await client.get(_path(me_link(rt.settings, org.boss, rt.clock.now())))).text()
    assert "客户分级看板" not in rep_page and "客户分级看板" in boss_page and "/dash/grading?" in boss_page
