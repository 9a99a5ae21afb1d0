"""The permission matrix in chat: only the owner, their manager or an admin may change a deal or approve."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from sales.opportunity_access import NOT_APPROVER, OWN_QUOTE
from storage.models import Approval, Evidence, Opportunity
from tests.handlers.opp_helpers import Chat, button
from tests.helpers import add_member

NOT_YOURS = "这不是你的商机"

ACTORS = {  # who: (may change, may approve)
    "owner": (True, False),
    "peer": (False, False),
    "manager": (True, True),
    "other_manager": (False, False),
    "admin": (True, True),
}


async def _people(rt) -> dict[str, int]:
    return {"owner": await add_member(rt, "林峰"), "peer": await add_member(rt, "何洁"),
            "manager": await add_member(rt, "韩总", role="manager"),
            "other_manager": await add_member(rt, "南区马总", role="manager", team="华南大客户部"),
            "admin": await add_member(rt, "管理员", role="admin")}


async def _count(rt, model) -> int:
    async with rt.db.session() as s:
        return (await s.execute(select(func.count()).select_from(model))).scalar_one()


@pytest.mark.parametrize("who", list(ACTORS))
async def test_advance_evidence_quote_and_close(client, rt, who):
    people = await _people(rt)
    chat = Chat(client, rt)
    (card,) = await chat.say(people["owner"], "新建商机 星海零售")
    allowed, _ = ACTORS[who]
    answers = [*await chat.click(people[who], button(card, "推进到下一阶段")),
               *await chat.say(people[who], "凭证 会议纪要 https://docs.example.com/m"),
               *await chat.say(people[who], "报价 30万 折扣 5%"),
               *await chat.say(people[who], "输单 价格太高")]
    titles = [a["title"] for a in answers]
    if allowed:
        assert titles == ["还不能推进：星海零售", "已记下会议纪要：星海零售", "已记下报价：星海零售",
                          "已标记输单：星海零售"]
    else:
        assert titles == ["这个操作做不了"] * 4
        assert all(NOT_YOURS in a["sections"][0]["text"] for a in answers)
    async with rt.db.session() as s:
        opp = (await s.execute(select(Opportunity))).scalar_one()
    assert (opp.status == "lost") is allowed and (opp.amount == 300_000) is allowed
    assert await _count(rt, Evidence) == (1 if allowed else 0)


@pytest.mark.parametrize("who", list(ACTORS))
async def test_approve_click(client, rt, who):
    people = await _people(rt)
    chat = Chat(client, rt)
    owner = people["owner"]
    await chat.say(owner, "新建商机 星海零售")
    await chat.say(owner, "凭证 会议纪要 https://docs.example.com/minutes")
    await chat.say(owner, "推进")
    await chat.say(owner, "凭证 演示视频或链接 https://v.example.com")
    await chat.say(owner, "报价 30万 折扣 30%")
    _, approval = await chat.say(owner, "推进")
    *decided, answer = await chat.click(people[who], button(approval, "同意"))
    _, may_approve = ACTORS[who]
    async with rt.db.session() as s:
        status = (await s.execute(select(Approval.status))).scalar_one()
    if may_approve:
        assert answer["title"] == "报价已同意：星海零售" and status == "approved"
        assert decided[0]["title"] == "报价审批：星海零售（已同意）" and decided[0]["buttons"] == []
    else:
        refusal = OWN_QUOTE if who == "owner" else NOT_APPROVER  # one's own quote: the right reason
        assert answer["title"] == "这个操作做不了" and refusal in answer["sections"][0]["text"] and not decided
        assert status == "pending"


async def test_reps_cannot_use_manager_commands(client, rt):
    people = await _people(rt)
    chat = Chat(client, rt)
    await chat.say(people["owner"], "新建商机 星海零售")
    for text in ("强制推进 理由", "同意", "驳回 不行", "话术统计"):
        (card,) = await chat.say(people["peer"], text)
        assert card["title"] == "这个操作做不了", text
    (card,) = await chat.say(people["other_manager"], "强制推进 我来推")
    assert NOT_YOURS in card["sections"][0]["text"]
