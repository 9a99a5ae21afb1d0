"""DingTalk OA approvals when things go wrong: lost answers, refusals, outages, pushes we must not act on."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from storage.models import QueuedTask
from tests.bot.platforms.dingtalk.oa_helpers import QUOTE_STEPS, create_row, deliver, push_event, say, state, titles
from tests.fakes.dingtalk_oa import PROCESS_CODE
from tests.helpers import run_task_again


async def test_a_lost_create_answer_is_retried_without_a_second_instance(oa, fake):
    rt, client = oa
    fake.lose_next_create = True
    for text in QUOTE_STEPS:
        await say(rt, client, fake, text)
    assert len(fake.creates) == 1 and (await state(rt))[3] is None  # created at DingTalk, answer lost
    rt.clock.advance(timedelta(minutes=5))
    await deliver(rt)
    [pid] = fake.instances
    assert len(fake.creates) == 1 and (await state(rt))[3] == pid
    row = await create_row(rt)
    assert (row.status, row.attempts) == ("done", 2)
    # the same task run once more (a crash after the run): the linked instance is not created again
    await run_task_again(rt, row.idempotency_key)
    assert len(fake.creates) == 1


@pytest.mark.parametrize("problem", ["process_code", "user"])
async def test_a_refused_create_falls_back_to_the_in_chat_card(oa, fake, problem):
    rt, client = oa
    if problem == "process_code":
        fake.process_codes.clear()
    else:
        fake.known_users.discard("u001")
    for text in QUOTE_STEPS:
        await say(rt, client, fake, text)
    assert fake.instances == {} and "报价审批：华东医疗" in titles(fake)
    row = await create_row(rt)
    assert row.status == "dead" and "approval_process_code" in row.last_error
    assert "in the chat instead" in row.last_error
    await say(rt, client, fake, "同意 可以", staff="u009")  # the manager decides in the chat instead
    assert (await state(rt))[:3] == ("approved", "可以", "quote")


async def test_other_forms_are_not_read_and_unfinished_instances_are_read_again(oa, fake):
    rt, client = oa
    await push_event(rt, client, {"processInstanceId": "leave-1", "processCode": "PROC-LEAVE", "type": "finish",
                                  "result": "agree", "staffId": "u001"}, "ev-leave")
    async with rt.db.sessions() as s:
        assert (await s.execute(select(QueuedTask))).scalars().all() == []
    for text in QUOTE_STEPS:
        await say(rt, client, fake, text)
    [pid] = fake.instances
    # a finish push that outruns DingTalk's own read model: the read is retried until it has completed
    await push_event(rt, client, {"processInstanceId": pid, "processCode": PROCESS_CODE, "type": "finish"}, "ev-e")
    assert (await state(rt))[0] == "pending"
    fake.finish(pid, "agree", "u009", "")
    rt.clock.advance(timedelta(minutes=5))
    await deliver(rt)
    assert (await state(rt))[:3] == ("approved", "审批流已通过", "quote")


async def test_a_dingtalk_outage_falls_back_to_the_in_chat_card_before_the_sender_gives_up(oa, fake):
    rt, client = oa
    for _ in range(20):
        fake.fail_next("server_error")
    for text in QUOTE_STEPS:
        await say(rt, client, fake, text)
    assert "报价审批：华东医疗" not in titles(fake)  # a short hiccup is retried
    for _ in range(6):
        rt.clock.advance(timedelta(minutes=1))
        await deliver(rt)
    fake._failures.clear()  # DingTalk is back: the queued card goes out
    rt.clock.advance(timedelta(minutes=10))
    await deliver(rt)
    assert "报价审批：华东医疗" in titles(fake) and fake.instances == {}
    row = await create_row(rt)
    assert row.status == "dead" and "kept failing" in row.last_error
