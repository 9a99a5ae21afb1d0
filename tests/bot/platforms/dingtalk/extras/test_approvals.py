"""Quote approvals in DingTalk OA end to end: chat → processInstances → bpms event → the opportunity moves."""

from __future__ import annotations

import json

from bot.platforms.dingtalk.platform import lifespan
from tests.bot.platforms.dingtalk.conftest import add_dingtalk_member, make_runtime, robot_message
from tests.bot.platforms.dingtalk.extras.test_stream import BOT_TOPIC, until
from tests.bot.platforms.dingtalk.oa_helpers import (
    QUOTE_STEPS,
    deliver,
    next_msg_id,
    oa_settings,
    push_event,
    say,
    state,
    titles,
)
from tests.fakes.dingtalk_oa import PROCESS_CODE


async def test_a_quote_goes_to_dingtalk_oa_and_the_approval_moves_the_opportunity(oa, fake):
    rt, client = oa
    for text in QUOTE_STEPS:
        await say(rt, client, fake, text)
    [body] = fake.creates
    values = {v["name"]: v["value"] for v in body["formComponentValues"]}
    assert (body["processCode"], body["originatorUserId"], body["deptId"]) == (PROCESS_CODE, "u001", -1)
    assert values["客户"] == "华东医疗" and values["申请人"] == "张三" and values["salesbot 单号"] == "SB-1"
    assert "50" in values["报价金额"] and values["折扣"] and values["申请进入阶段"]
    assert "/dash/customer/1?" in values["客户档案"] and "sig=" in values["客户档案"]  # the signed customer page
    [pid] = fake.instances
    assert await state(rt) == ("pending", "", "demo", pid)
    assert "报价审批：华东医疗" not in titles(fake)  # the manager decides in DingTalk, not on an in-chat card

    data = fake.finish(pid, "agree", "u009", "可以，月底前签")
    await push_event(rt, client, data, "ev-1")
    assert await state(rt) == ("approved", "可以，月底前签", "quote", pid)
    group = [s for s in fake.sent if s["via"] == "group"]
    assert json.loads(group[-1]["body"]["msgParam"])["title"] == "报价已同意：华东医疗"
    # the rep and the manager each get the result in their own 1:1 chat, with buttons signed for them
    # (the sender's lanes send to different targets in parallel, so their order is not fixed)
    personal = {tuple(s["body"]["userIds"]): json.loads(s["body"]["msgParam"]) for s in fake.sent[-3:]
                if s["via"] == "oto"}
    assert set(personal) == {("u001",), ("u009",)}
    assert all(p["title"] == "报价已同意：华东医疗" for p in personal.values())
    sent = len(fake.sent)
    await push_event(rt, client, data, "ev-1")  # DingTalk pushes it again
    await push_event(rt, client, data, "ev-2")  # or pushes a second event for the same instance
    assert len([s for s in fake.sent if s["via"] == "group"]) == len(group)
    assert not [s for s in fake.sent[sent:] if s["via"] == "oto"]  # nobody is told twice


async def test_a_rejection_returns_the_opportunity_with_the_remark(oa, fake):
    rt, client = oa
    for text in QUOTE_STEPS:
        await say(rt, client, fake, text)
    [pid] = fake.instances
    await push_event(rt, client, fake.finish(pid, "refuse", "u009", "先争取 85 折"), "ev-r")
    assert await state(rt) == ("rejected", "先争取 85 折", "demo", pid)
    assert titles(fake)[-1] == "报价被退回：华东医疗"


async def test_stream_mode_quote_approval_round_trip(sqlite_url, fake, clock):
    fake.now_ms = lambda: int(clock.now().timestamp() * 1000)
    rt = await make_runtime(oa_settings(sqlite_url, fake, mode="stream"), clock)
    try:
        async with lifespan(rt):
            await until(fake.connected)
            await add_dingtalk_member(rt, "张三", "u001")
            await add_dingtalk_member(rt, "韩总", "u009", role="manager")
            for text in QUOTE_STEPS:
                mid = fake.push("CALLBACK", BOT_TOPIC, robot_message(rt, fake, text, msg_id=next_msg_id("s")))
                await until(lambda mid=mid: fake.acks_for(mid))
                await deliver(rt)
            [pid] = fake.instances
            data = fake.finish(pid, "agree", "u009", "同意，注意回款")
            eid = fake.push("EVENT", "*", data, eventType="bpms_instance_change", eventId="sev-1")
            await until(lambda: fake.acks_for(eid))
            assert json.loads(fake.acks_for(eid)[0]["data"])["status"] == "SUCCESS"
            await deliver(rt)
            assert await state(rt) == ("approved", "同意，注意回款", "quote", pid)
            assert titles(fake)[-1] == "报价已同意：华东医疗"
    finally:
        await rt.stop()
