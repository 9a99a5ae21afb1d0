"""Which read_approval task an approval push queues, and who decided a finished instance."""

from __future__ import annotations

from bot.config import DingtalkConfig
from bot.platforms.dingtalk.extras.approval_results import decision, result_row
from bot.platforms.dingtalk.extras.approvals import form_values
from bot.platforms.dingtalk.platform import approvals_enabled
from tests.conftest import make_settings

CFG = DingtalkConfig(enabled=True, approval_process_code="PROC-Q")


def test_approvals_run_in_dingtalk_only_when_enabled_with_a_process_code(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path}/x.db"
    assert approvals_enabled(make_settings(url, dingtalk={"enabled": True, "approval_process_code": "PROC-Q"}))
    assert not approvals_enabled(make_settings(url, dingtalk={"enabled": True}))
    assert not approvals_enabled(make_settings(url, dingtalk={"enabled": False, "approval_process_code": "PROC-Q"}))


def test_only_finished_instances_of_our_form_are_read():
    finish = {"processInstanceId": "pi-1", "processCode": "PROC-Q", "type": "finish", "result": "agree"}
    assert result_row(CFG, "bpms_instance_change", finish) == ("dingtalk:approval_result:pi-1", {"instance_id": "pi-1"})
    assert result_row(CFG, "bpms_instance_change", {**finish, "processCode": ""}) is not None  # may be absent
    assert result_row(CFG, "bpms_instance_change", {**finish, "processCode": "PROC-LEAVE"}) is None
    assert result_row(CFG, "bpms_instance_change", {**finish, "type": "start"}) is None
    assert result_row(CFG, "bpms_task_change", finish) is None  # one approver of several: not the result
    assert result_row(DingtalkConfig(enabled=True), "bpms_instance_change", finish) is None


def test_the_last_approver_to_act_decides_with_their_remark():
    records = [{"userId": "rep", "type": "START_PROCESS_INSTANCE", "result": "NONE"},
               {"userId": "lead", "type": "EXECUTE_TASK_NORMAL", "result": "AGREE", "remark": "可以"},
               {"userId": "vp", "type": "EXECUTE_TASK_AGENT", "result": "AGREE", "remark": "同意，月底前签"},
               {"userId": "rep", "type": "ADD_REMARK", "result": "NONE", "remark": "谢谢"}]
    detail = {"status": "COMPLETED", "result": "agree", "operationRecords": records}
    assert decision(detail) == ("approved", "vp", "同意，月底前签")
    refused = {"status": "COMPLETED", "result": "refuse", "operationRecords": [
        *records[:2], {"userId": "vp", "type": "EXECUTE_TASK_NORMAL", "result": "REFUSE"}]}
    assert decision(refused) == ("rejected", "vp", "")
    by_tasks = {"status": "COMPLETED", "result": "refuse", "tasks": [{"userId": "vp", "result": "REFUSE"}]}
    assert decision(by_tasks) == ("rejected", "vp", "")
    assert decision({"status": "TERMINATED"}) is None  # withdrawn by the rep
    assert decision({"status": "RUNNING"}) is None


def test_form_values_are_all_non_empty_strings_with_our_ref():
    values = form_values({"customer": "华东医疗", "amount": "50万", "discount": None}, 7)
    assert all(isinstance(v["value"], str) and v["value"] for v in values)
    assert {"name": "salesbot 单号", "value": "SB-7"} in values and {"name": "折扣", "value": "无"} in values


def test_http_mode_approvals_need_the_event_subscription(tmp_path):
    import pytest

    from bot.config import load_settings
    from bot.core.errors import ConfigError

    path = tmp_path / "c.toml"
    path.write_text('[dingtalk]\nenabled = true\nmode = "http"\nclient_id = "a"\nclient_secret = "b"\n'
                    'approval_process_code = "PROC-Q"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"dingtalk\.event_token"):
        load_settings(path, env={})
