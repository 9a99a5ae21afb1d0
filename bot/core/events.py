"""The one Event contract every adapter produces, and the Reply handlers return.

Contracts inside `raw` that adapters fill (everything else in `raw` is untouched). Handlers never read `raw`: the
dispatcher hands them the typed payload read out of it (bot/core/inbound.py, facts.py, lead_submitted.py).

- Attachments. An image or file sent to the bot carries
  ``raw["attachments"] = [{"kind": "image" | "file", "platform_id": <media id / file key / download code,
  at most 256 chars>, "name": <file name or "">}]``. With words addressed to the bot (e.g. "凭证 报价截图")
  the event is kind "message" and `text` holds the words; an attachment without words is kind "platform"
  (`text` empty). Handlers get them as `Message.attachments` or a `MediaReceived`.
- Approval results. A DingTalk OA / Feishu approval that finished arrives as kind "approval" with
  ``raw = {"approval_id": <the platform instance id recorded by storage.repos.approvals.attach_instance,
  or salesbot's approval id>, "result": "approved" | "rejected", "remark": <approver's comment>}`` and
  `actor` = the approver's platform user id — `bot/core/facts.ApprovalDecided` writes and reads that shape;
  handlers/approvals.py applies it.
- Card forms. A card with `Card.form` (bot/core/cards.py) submitted on a platform that renders forms (Feishu)
  arrives as kind "card_action" with `action` = the form's Action and `text` = what was typed (trimmed,
  at most 1000 chars); a plain button click of the same Action has `text` empty. Checklist ticks
  (`Section.checks`) arrive as ordinary clicks of the check's Action.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.core.packing import Action, unpack

if TYPE_CHECKING:
    from bot.core.cards import Card

KINDS = ("message", "card_action", "approval", "lead", "platform")


@dataclass(frozen=True)
class ChatRef:
    """Where an answer goes: a group, a 1:1 chat, or a card; `meta` holds platform extras."""

    platform: str
    chat_id: str
    is_group: bool = False
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Event:
    """A normalized inbound event; `raw` keeps the decrypted payload untouched."""

    platform: str
    kind: str
    dedupe_key: str
    actor: str | None = None
    chat: ChatRef | None = None
    text: str = ""
    action: Action | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown event kind {self.kind!r}; use one of {KINDS}")

    def to_dict(self) -> dict[str, Any]:
        """Serialize for the inbox (the action travels packed); shares `raw`, never deep-copies it."""
        chat = self.chat
        return {"platform": self.platform, "kind": self.kind, "dedupe_key": self.dedupe_key, "actor": self.actor,
                "chat": None if chat is None else {"platform": chat.platform, "chat_id": chat.chat_id,
                                                   "is_group": chat.is_group, "meta": chat.meta},
                "text": self.text, "action": self.action.pack() if self.action else None, "raw": self.raw}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Event:
        """Rebuild an Event stored by to_dict."""
        chat = ChatRef(**data["chat"]) if data.get("chat") else None
        action = unpack(data["action"]) if data.get("action") else None
        return cls(platform=data["platform"], kind=data["kind"], dedupe_key=data["dedupe_key"],
                   actor=data.get("actor"), chat=chat, text=data.get("text", ""), action=action,
                   raw=data.get("raw") or {})


@dataclass
class Reply:
    """What a handler answers: a card or text, to the event's chat unless `to` says otherwise."""

    card: Card | None = None
    text: str = ""
    to: ChatRef | None = None
    toast: str = ""
    update: bool = False
