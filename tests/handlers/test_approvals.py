"""Quote approvals from DingTalk OA / Feishu: the `approval` event contract and its guards."""

from __future__ import annotations

import logging

from sqlalchemy import select

from bot.core.events import ChatRef, Event
from storage.models import Approval, Opportunity
from storage.repos import approvals as approvals_repo
from tests.handlers.opp_helpers import Chat, fields, section
from tests.helpers import add_member


async def _pending(client, rt) -> tuple[Chat, dict[str, int], int]:
    people = {"rep": await add_member(rt, "李娜"), "boss": await add_member(rt, "韩总", role="manager"),
              "peer": await add_member(rt, "何洁")}
    chat = Chat(client, rt)
    for text in ("新建商机 华东医疗", "凭证 会议纪要 https://docs.example.com/minutes", "推进", "凭证 演示视频或链接 https://v.example.com",
                 "报价 50万 7折"):
        await chat.say(people["rep"], text)
    await chat.say(people["rep"], "推进")
    async with rt.db.session() as s:
        approval = (await s.execute(select(Approval))).scalar_one()
        await approvals_repo.attach_instance(s, approval.id, "PROC-INST-1")  # what a DingTalk/Feishu adapter does
    return chat, people, approval.id


def _result(actor: int, approval_id: str, result: str, remark: str = "", key: str = "a1") -> Event:
    return Event("playground", "approval", f"approval:{key}", str(actor), None,
                 raw={"approval_id": approval_id, "result": result, "remark": remark})


async def _state(rt) -> tuple[str, str, str]:
    async with rt.db.session() as s:
        approval = (await s.execute(select(Approval))).scalar_one()
        opp = (await s.execute(select(Opportunity))).scalar_one()
    return approval.status, approval.remark, opp.stage


async def test_an_approved_platform_instance_advances_and_tells_the_chat(client, rt):
    chat, people, _ = await _pending(client, rt)
    (card,) = await chat.send_event(_result(people["boss"], "PROC-INST-1", "approved", "可以，月底前签"))
    assert card["title"] == "报价已同意：华东医疗" and fields(card)["客户现在卡在哪"] == "报价反馈"
    assert "韩总同意了报价：可以，月底前签" in section(card, "最近变化")["items"][0]
    assert await _state(rt) == ("approved", "可以，月底前签", "quote")
    assert await chat.send_event(_result(people["boss"], "PROC-INST-1", "approved", key="a1")) == []  # replay


async def test_a_rejection_by_our_id_returns_with_the_remark(client, rt):
    chat, people, approval_id = await _pending(client, rt)
    (card,) = await chat.send_event(_result(people["boss"], str(approval_id), "rejected", "先争取 85 折"))
    assert card["title"] == "报价被退回：华东医疗" and fields(card)["客户现在卡在哪"] == "方案演示"
    assert await _state(rt) == ("rejected", "先争取 85 折", "demo")
    (card,) = await chat.send_event(_result(people["boss"], str(approval_id), "approved", key="late"))
    assert card["title"] == "这个审批已经处理过了"
    assert await _state(rt) == ("rejected", "先争取 85 折", "demo")


async def test_a_rejection_without_remark_gets_a_default_reason(client, rt):
    chat, people, _ = await _pending(client, rt)
    await chat.send_event(_result(people["boss"], "PROC-INST-1", "rejected"))
    assert await _state(rt) == ("rejected", "审批流驳回（未写原因）", "demo")


async def test_results_from_people_who_may_not_approve_do_nothing_but_say_so(client, rt):
    chat, people, _ = await _pending(client, rt)
    (card,) = await chat.send_event(_result(people["peer"], "PROC-INST-1", "approved"))
    assert card["title"] == "审批结果没有生效"
    (card,) = await chat.send_event(_result(999, "PROC-INST-1", "approved", key="a2"))
    assert card["title"] == "审批结果没有生效"
    assert await _state(rt) == ("pending", "", "demo")


async def test_unknown_approvals_and_results_are_logged_and_ignored(client, rt, caplog):
    chat, people, _ = await _pending(client, rt)
    with caplog.at_level(logging.WARNING, logger="salesbot.approvals"):
        assert await chat.send_event(_result(people["boss"], "NOPE", "approved")) == []
        assert await chat.send_event(_result(people["boss"], "PROC-INST-1", "maybe", key="a3")) == []
    assert caplog.text.count("approval event ignored") == 2
    assert await _state(rt) == ("pending", "", "demo")


async def test_in_chat_commands_approve_with_a_remark(client, rt):
    chat, people, _ = await _pending(client, rt)
    (card,) = await chat.say(people["boss"], "同意 价格可以，记得写付款条件")
    assert card["title"] == "报价已同意：华东医疗"
    assert await _state(rt) == ("approved", "价格可以，记得写付款条件", "quote")
    (card,) = await chat.say(people["boss"], "同意")
    assert card["title"] == "没有待审批的报价"


def test_event_contract_is_documented():
    import bot.core.events

    doc = bot.core.events.__doc__
    assert 'raw["attachments"]' in doc and '"approval_id"' in doc and "attach_instance" in doc
    assert ChatRef  # the approval result may come without a chat; the answer goes to the approval's chat
