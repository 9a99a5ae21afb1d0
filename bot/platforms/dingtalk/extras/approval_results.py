"""Quote-approval results from DingTalk OA: a finished instance becomes an `approval` Event.

The `bpms_instance_change` push says that an instance finished and how, but its `staffId` is the
originator, and it carries no remark. So the push is stored as a `platform` event and queues a
`read_approval` task (one per instance, key `dingtalk:approval_result:<instance id>`); the task worker reads
the instance (`GET /v1.0/workflow/processInstances`) and ingests Event(kind="approval") carrying
ApprovalDecided, with the approver who decided (operationRecords) as the actor and their remark — a new
fact in the inbox, never a message through the sender. Duplicate pushes share the task and the inbox key;
`bpms_task_change` pushes (one approver of several) change nothing.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from bot.core.errors import TransientDeliveryError
from bot.core.events import Event
from bot.core.facts import ApprovalDecided
from bot.core.payloads import text
from bot.core.ports import TaskRun
from storage.repos import approvals as repo

if TYPE_CHECKING:
    from bot.config import DingtalkConfig
    from bot.platforms.dingtalk.api import DingTalkAPI
    from bot.runtime import Runtime
    from storage.db import Database

log = logging.getLogger("salesbot.dingtalk.approvals")
RESULTS = {"agree": "approved", "refuse": "rejected"}


async def instance(api: DingTalkAPI, instance_id: str) -> dict[str, Any]:
    """Read one approval instance (status, result, operationRecords, formComponentValues)."""
    data = await api.call("GET", f"/v1.0/workflow/processInstances?processInstanceId={quote(instance_id)}", {})
    return data.get("result") or {}


def result_row(cfg: DingtalkConfig, event_type: str, data: dict[str, Any]) -> tuple[str, dict] | None:
    """The read_approval task (key, payload) of a finished quote approval, or None if not ours."""
    what = "DingTalk bpms_instance_change"
    if event_type != "bpms_instance_change" or text(data, "type", what) != "finish" or not cfg.approval_process_code:
        return None
    code, pid = text(data, "processCode", what), text(data, "processInstanceId", what)
    if not pid or (code and code != cfg.approval_process_code):
        return None  # another approval form of the company (leave, expenses …): not ours to read
    return f"dingtalk:approval_result:{pid}", {"instance_id": pid}


async def queue_result(rt: Runtime, event_type: str, data: dict[str, Any]) -> None:
    """After a push is stored: queue the read of a finished quote approval (idempotent per instance)."""
    row = result_row(rt.settings.dingtalk, event_type, data)
    if row is None:
        return
    async with rt.db.session() as session:
        await (await rt.context(session)).tasks.add("read_approval", "dingtalk", row[0], row[1])
    rt.sender_wake()


def decision(detail: dict[str, Any]) -> tuple[str, str | None, str] | None:
    """Return (result, approver userid, remark) of a completed instance, or None if it did not complete."""
    result = RESULTS.get(str(detail.get("result") or "").lower())
    if str(detail.get("status") or "").upper() != "COMPLETED" or result is None:
        return None
    want = "AGREE" if result == "approved" else "REFUSE"
    records = [r for r in detail.get("operationRecords") or [] if isinstance(r, dict)
               and str(r.get("result") or "").upper() == want and str(r.get("type") or "").startswith("EXECUTE_TASK")]
    if records:  # the last approver to act is the one whose decision finished the flow
        last = records[-1]
        return result, str(last.get("userId") or "") or None, str(last.get("remark") or "")
    tasks = [t for t in detail.get("tasks") or [] if isinstance(t, dict) and str(t.get("result") or "").upper() == want]
    return result, (str(tasks[-1].get("userId") or "") or None) if tasks else None, ""


async def apply_result(api: DingTalkAPI, db: Database, task: TaskRun, instance_id: str) -> None:
    """Read a finished instance and ingest its `approval` Event (nothing when it is not ours or already decided)."""
    async with db.session() as session:
        approval = await repo.find(session, "dingtalk", instance_id)
    if approval is None or approval.status != "pending":
        log.info("DingTalk approval result not applied: unknown instance or already decided",
                 extra={"instance": instance_id})
        return
    detail = await instance(api, instance_id)
    status = str(detail.get("status") or "").upper()
    if status in ("NEW", "RUNNING", ""):
        raise TransientDeliveryError(f"DingTalk instance {instance_id} is still {status or 'unknown'}; asking later")
    found = decision(detail)
    if found is None:  # withdrawn by the rep (TERMINATED): the approval stays pending for 同意/驳回 in chat
        log.info("DingTalk approval ended without a decision", extra={"instance": instance_id, "status": status})
        return
    result, actor, remark = found
    decided = ApprovalDecided(instance_id, result, remark, actor)
    await task.ingest(Event("dingtalk", "approval", f"approval:{instance_id}", actor, None, raw=decided.to_raw()))
