"""approval_instance pushes as Events, and who decided read from an instance's timeline."""

from __future__ import annotations

from bot.platforms.feishu import adapter
from bot.platforms.feishu.extras.approval_events import decider, to_event, with_decider


def _push(status: str, code: str = "INST-1", uuid: str = "ev-1") -> dict:
    return {"ts": "1", "uuid": uuid, "token": "vtoken", "type": "event_callback",
            "event": {"type": "approval_instance", "approval_code": "APV", "instance_code": code, "status": status,
                      "instance_operate_time": "1", "uuid": "salesbot-approval-1-0"}}


def test_final_statuses_become_approval_events_keyed_by_instance_and_status():
    event = adapter.to_event(_push("APPROVED"), None)
    assert event.kind == "approval" and event.dedupe_key == "approval:INST-1:APPROVED" and event.actor is None
    assert (event.raw["approval_id"], event.raw["result"], event.raw["approval_code"]) == ("INST-1", "approved", "APV")
    assert event.raw["token"] == "<redacted>" and event.raw["event"]["status"] == "APPROVED"
    assert adapter.to_event(_push("APPROVED", uuid="ev-2"), None).dedupe_key == event.dedupe_key  # a duplicate push
    canceled = to_event(_push("CANCELED"))
    assert canceled.raw["result"] == "rejected" and canceled.raw["remark"] == "申请人在飞书撤回了审批"


def test_pending_and_incomplete_pushes_are_platform_events():
    assert to_event(_push("PENDING")).kind == "platform"
    assert to_event(_push("", code="")).kind == "platform"


def test_the_decider_is_the_latest_matching_timeline_entry_else_the_deciding_task():
    detail = {"timeline": [{"type": "START", "create_time": "1", "open_id": "ou_rep"},
                           {"type": "PASS", "create_time": "2", "open_id": "ou_lead", "comment": "ok"},
                           {"type": "PASS", "create_time": "3", "open_id": "ou_boss", "comment": "月底签"}]}
    assert decider(detail, "APPROVED") == ("ou_boss", "月底签")
    tasks = {"task_list": [{"status": "REJECTED", "open_id": "ou_boss", "end_time": "5"}]}
    assert decider(tasks, "REJECTED") == ("ou_boss", "")
    assert decider({}, "APPROVED") == (None, "")


def test_with_decider_sets_actor_and_keeps_a_default_remark_when_no_comment():
    event = with_decider(to_event(_push("CANCELED")), "ou_rep", "")
    assert event.actor == event.raw["actor"] == "ou_rep" and event.raw["remark"] == "申请人在飞书撤回了审批"
    assert with_decider(to_event(_push("REJECTED")), "ou_boss", "太低").raw["remark"] == "太低"
