"""Quote approvals through Feishu approval v4, end to end: group chat → instance → approval_instance push."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.config import load_settings
from bot.core.errors import ConfigError
from bot.platforms.feishu.extras import approvals as feishu_approvals
from bot.platforms.feishu.platform import approvals_enabled, lifespan
from storage.models import Approval, Opportunity
from storage.repos import members, task_queue
from tests.bot.platforms.feishu.conftest import envelope, mention, signed, text_message
from tests.fakes.feishu import BOT_OPEN_ID
from tests.fakes.feishu_approval import APPROVAL_CODE
from tests.helpers import add_member, run_queues, run_task_again

REP, BOSS, PEER = "ou_rep_lina", "ou_boss_han", "ou_peer_he"
FLOW = ("新建商机 华东医疗", "凭证 会议纪要 https://docs.example.com/minutes", "推进", "凭证 演示视频或链接 https://v.example.com",
        "报价 50万 7折", "推进")


async def _person(rt, name: str, open_id: str, role: str = "rep") -> int:
    member_id = await add_member(rt, name, role=role)
    async with rt.db.session() as s:
        await members.link_identity(s, member_id, "feishu", open_id)
    return member_id


async def _post(client, rt, payload: dict):
    body, headers = signed(payload, int(rt.clock.now().timestamp()))
    return await client.post("/feishu/events", data=body, headers=headers)


async def _deliver(rt) -> None:
    await run_queues(rt)


async def request_approval(client, rt, approval_code: str = APPROVAL_CODE) -> None:
    """A rep walks a deal to the quote stage in a Feishu group; the 7折 quote needs approval."""
    rt.settings.feishu.approval_code = approval_code
    rt.apis["feishu"].throttle.per_target = 100  # the flow's replies would wait for Feishu's 5/s per chat
    await _person(rt, "李娜", REP)
    await _person(rt, "韩总", BOSS, role="manager")
    for i, text in enumerate(FLOW):
        msg = text_message(f"@_user_1 {text}", REP, message_id=f"om_{i}", mentions=[mention("@_user_1", BOT_OPEN_ID)])
        assert (await _post(client, rt, envelope("im.message.receive_v1", msg, f"ev-{i}"))).status == 200
        await _deliver(rt)


async def _state(rt) -> tuple[str, str | None, str, str]:
    async with rt.db.session() as s:
        approval = (await s.execute(select(Approval))).scalar_one()
        opp = (await s.execute(select(Opportunity))).scalar_one()
    return approval.status, approval.instance_id, approval.remark, opp.stage


def _titles(fake) -> list[str]:
    return [c["header"]["title"]["content"] for c in fake.cards()]


async def test_approval_runs_in_feishu_and_an_approved_push_advances_the_deal(fclient, frt, fake):
    await request_approval(fclient, frt)
    [code] = fake.approval.instances
    instance = fake.approval.instances[code]
    assert instance["open_id"] == REP and instance["uuid"].startswith("salesbot-approval-1-")
    form = fake.approval.form_of(code)
    assert sorted(form) == sorted(feishu_approvals.WIDGETS) and all(form.values())
    assert (form["customer"], form["requester"], form["stage"]) == ("华东医疗", "李娜", "报价反馈")
    assert not any(t.startswith("报价审批") for t in _titles(fake))  # the manager decides in Feishu, not in chat
    assert await _state(frt) == ("pending", code, "", "demo")
    await run_task_again(frt, "approval_create:1")  # a task run again (a crash before its mark)
    assert fake.approval.creates == 1 and fake.approval.refused_uuids == 0

    push = fake.approval.decide(code, "APPROVED", BOSS, "可以，月底前签")
    assert (await _post(fclient, frt, push)).status == 200
    assert (await _post(fclient, frt, push)).status == 200  # Feishu's retry: one effect
    await _deliver(frt)
    assert await _state(frt) == ("approved", code, "可以，月底前签", "quote")
    assert _titles(fake).count("报价已同意：华东医疗") == 3  # the chat, the rep and the manager: once each


async def test_a_rejected_push_returns_the_deal_with_the_comment(fclient, frt, fake):
    await request_approval(fclient, frt)
    [code] = fake.approval.instances
    await _post(fclient, frt, fake.approval.decide(code, "REJECTED", BOSS, "先争取 85 折"))
    await _deliver(frt)
    assert await _state(frt) == ("rejected", code, "先争取 85 折", "demo")
    assert "报价被退回：华东医疗" in _titles(fake)


async def test_a_decision_by_someone_who_may_not_approve_does_not_take_effect(fclient, frt, fake):
    await request_approval(fclient, frt)
    await _person(frt, "何洁", PEER)
    [code] = fake.approval.instances
    await _post(fclient, frt, fake.approval.decide(code, "APPROVED", PEER))
    await _deliver(frt)
    assert await _state(frt) == ("pending", code, "", "demo")
    assert "审批结果没有生效" in _titles(fake)


async def test_a_create_whose_answer_was_lost_is_not_duplicated_when_retried(fclient, frt, fake):
    fake.approval.lose_next_answer = True
    await request_approval(fclient, frt)
    assert fake.approval.creates == 1 and (await _state(frt))[1] is None  # 504: the sender will retry
    frt.clock.advance(timedelta(minutes=1))
    await _deliver(frt)
    assert fake.approval.creates == 1 and fake.approval.refused_uuids == 1  # same uuid → 60012 → read back
    assert (await _state(frt))[1] == next(iter(fake.approval.instances))


async def test_a_refused_create_dead_letters_with_the_fix_and_posts_the_in_chat_card(fclient, frt, fake):
    await request_approval(fclient, frt, "NOT-A-CODE")
    assert fake.approval.instances == {}
    assert "报价审批：华东医疗" in _titles(fake)
    row = await task_queue.get(frt.db, "approval_create:1")
    assert row.status == "dead" and "feishu.approval_code" in row.last_error and "in-chat" in row.last_error


async def test_pending_pushes_and_other_definitions_change_nothing(fclient, frt, fake):
    await request_approval(fclient, frt)
    [code] = fake.approval.instances
    push = fake.approval.decide(code, "APPROVED", BOSS)
    pending = {**push, "uuid": "ev-p", "event": {**push["event"], "status": "PENDING"}}
    other = {**push, "uuid": "ev-o", "event": {**push["event"], "approval_code": "SOMEONE-ELSES"}}
    for payload in (pending, other):
        assert (await _post(fclient, frt, payload)).status == 200
    await _deliver(frt)
    assert (await _state(frt))[0] == "pending"


async def test_a_failed_approver_lookup_is_503_so_feishu_pushes_again(fclient, frt, fake):
    await request_approval(fclient, frt)
    [code] = fake.approval.instances
    push = fake.approval.decide(code, "APPROVED", BOSS)
    fake.fail_next("server_error")
    resp = await _post(fclient, frt, push)
    assert resp.status == 503 and "push it again" in (await resp.json())["error"]
    assert (await _post(fclient, frt, push)).status == 200
    await _deliver(frt)
    assert (await _state(frt))[0] == "approved"


async def test_subscribe_at_start_is_idempotent(frt, fake, caplog):
    frt.settings.feishu.approval_code = APPROVAL_CODE
    assert approvals_enabled(frt.settings)
    with caplog.at_level(logging.WARNING, logger="salesbot.feishu.approvals"):
        for _ in range(2):
            async with lifespan(frt):
                await frt.apis["feishu"].approvals.task
    assert fake.approval.subscribed == {APPROVAL_CODE} and fake.approval.subscribe_calls == 2
    assert caplog.records == []  # "subscription existed" is success


async def test_approvals_are_off_without_an_approval_code(frt):
    frt.settings.feishu.approval_code = ""
    assert not approvals_enabled(frt.settings)
    frt.settings.feishu.approval_code, frt.settings.feishu.enabled = APPROVAL_CODE, False
    assert not approvals_enabled(frt.settings)


async def test_widget_ids_of_a_definition_made_in_the_admin_ui_are_mapped(fclient, frt, fake):
    fake.approval.widgets = (fake.approval.widgets - {"customer"}) | {"widget16510608596030001"}
    frt.settings.feishu.approval_widgets = {"customer": "widget16510608596030001"}
    await request_approval(fclient, frt)
    [code] = fake.approval.instances
    assert fake.approval.form_of(code)["widget16510608596030001"] == "华东医疗"


async def test_a_form_the_definition_does_not_know_is_refused_with_the_fix(fclient, frt, fake):
    fake.approval.widgets = fake.approval.widgets - {"budget"}
    await request_approval(fclient, frt)
    row = await task_queue.get(frt.db, "approval_create:1")
    assert row.status == "dead" and "1390001" in row.last_error and "approval_widgets" in row.last_error
    assert "报价审批：华东医疗" in _titles(fake)


def test_unknown_approval_widget_keys_are_a_config_error(tmp_path):
    path = tmp_path / "salesbot.toml"
    path.write_text('[feishu]\nenabled = true\napp_id = "a"\napp_secret = "b"\nverification_token = "v"\n'
                    'approval_widgets = {custmer = "widget1"}\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"feishu\.approval_widgets.*custmer"):
        load_settings(path, env={})
