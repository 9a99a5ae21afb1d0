"""Typed payloads of the facts a task or an adapter feeds back into the inbox.

An approval that finished in a platform's approval app (DingTalk OA, Feishu approval) arrives as
Event(kind="approval") whose `raw` carries `ApprovalDecided.to_raw()`; handlers/approvals.py reads it back
with `ApprovalDecided.of(event)`, never from the raw dict.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from bot.core.events import ChatRef, Event

RESULTS = ("approved", "rejected")


@dataclass(frozen=True)
class ApprovalDecided:
    """A platform approval instance reached a decision (the instance id attach_instance recorded).

    Read back from an event, it also says which platform reported it, under which inbox key, and from which chat.
    """

    KIND: ClassVar[str] = "approval"
    approval_id: str
    result: str  # "approved" | "rejected"
    remark: str = ""
    actor: str | None = None  # the approver's platform user id
    platform: str = ""
    dedupe_key: str = ""
    chat: ChatRef | None = None

    def to_raw(self) -> dict[str, Any]:
        """The Event's `raw` contract (bot/core/events.py, "Approval results")."""
        return {"approval_id": self.approval_id, "result": self.result, "remark": self.remark,
                "actor": self.actor or ""}

    @classmethod
    def of(cls, event: Event) -> ApprovalDecided | None:
        """Read the decision of an approval Event; None when it names no instance or no known result."""
        raw = event.raw
        approval_id, result = str(raw.get("approval_id") or ""), str(raw.get("result") or "")
        if not approval_id or result not in RESULTS:
            return None
        return cls(approval_id, result, str(raw.get("remark") or ""), event.actor or None, event.platform,
                   event.dedupe_key, event.chat)
