"""Feishu approval results: the `approval_instance` event (legacy v1 envelope) as Event(kind="approval").

The event names only the instance and its new status. Who decided, and what they wrote, come from the
instance's timeline (GET /open-apis/approval/v4/instances/:instance_code); `decider` reads it and
approvals.with_decider puts it into the Event before it is stored.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.core.events import Event
from bot.core.payloads import text

PLATFORM = "feishu"
# The approval form: one single-line text widget per key; widget id = the key, or feishu.approval_widgets[key].
# Final statuses. A withdrawal, deletion or revocation returns the quote, as a rejection would.
RESULTS = {"APPROVED": "approved", "REJECTED": "rejected", "CANCELED": "rejected", "DELETED": "rejected",
           "REVERTED": "rejected"}
REMARKS = {"CANCELED": "申请人在飞书撤回了审批", "DELETED": "飞书审批已被删除", "REVERTED": "申请人撤销了已通过的审批"}
_TIMELINE = {"APPROVED": ("PASS",), "REJECTED": ("REJECT",), "CANCELED": ("CANCEL",), "DELETED": ("DELETE",),
             "REVERTED": ("REVERT", "CANCEL")}
_TASKS = {"APPROVED": "APPROVED", "REJECTED": "REJECTED"}


def is_approval(payload: dict[str, Any]) -> bool:
    """Say whether a v1 payload is an approval_instance status change."""
    event = payload.get("event")
    return isinstance(event, dict) and event.get("type") == "approval_instance"


def to_event(payload: dict[str, Any]) -> Event:
    """A final status → kind "approval" (actor still unknown); PENDING and others → kind "platform".

    Dedupe key `approval:<instance_code>:<status>`: Feishu's retries of one push and duplicate pushes of one
    status change have one effect.
    """
    event = payload["event"]
    code, status = text(event, "instance_code", "event"), text(event, "status", "event")
    if not code or not status:  # nothing to apply; stored and acked like any event we do not handle
        return Event(PLATFORM, "platform", f"v1:{text(payload, 'uuid', 'v1 event')}", raw=payload)
    key = f"approval:{code}:{status}"[:200]
    result = RESULTS.get(status)
    if result is None:
        return Event(PLATFORM, "platform", key, raw=payload)
    raw = {**payload, "approval_id": code, "result": result, "remark": REMARKS.get(status, ""), "actor": None,
           "status": status, "approval_code": text(event, "approval_code", "event")}
    return Event(PLATFORM, "approval", key, raw=raw)


def decider(detail: dict[str, Any], status: str) -> tuple[str | None, str]:
    """(open_id, comment) of whoever made the instance reach `status`: its latest matching timeline entry."""
    kinds = _TIMELINE.get(status, ())
    entries = [t for t in detail.get("timeline") or [] if isinstance(t, dict) and t.get("type") in kinds]
    if entries:
        last = max(entries, key=lambda t: _int(t.get("create_time")))
        return (str(last.get("open_id") or "") or None), str(last.get("comment") or "")
    tasks = [t for t in detail.get("task_list") or [] if isinstance(t, dict) and t.get("status") == _TASKS.get(status)]
    if tasks:  # no timeline entry: the task that decided still names its approver
        last = max(tasks, key=lambda t: _int(t.get("end_time")))
        return (str(last.get("open_id") or "") or None), ""
    return None, ""


def with_decider(event: Event, open_id: str | None, comment: str) -> Event:
    """Return the approval Event with the approver as actor and their comment as the remark."""
    raw = {**event.raw, "actor": open_id, "remark": comment or event.raw.get("remark", "")}
    return replace(event, actor=open_id, raw=raw)


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
