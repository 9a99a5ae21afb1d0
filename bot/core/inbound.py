"""The typed payloads handlers receive: the dispatcher reads each out of the stored Event, so no handler reads `raw`.

Chat commands get a `Message`, card clicks a `CardClick[A]` whose `action` is the one Action type the handler was
registered for, and the other event kinds their own payload (`MediaReceived`, `ContactChanged`, `GroupChanged`
here; `ApprovalDecided` in bot/core/facts.py; `LeadSubmitted` in bot/core/lead_submitted.py). Each payload of a
non-chat kind has `of(event)`: the payload, or None when the event is not one (so nobody handles it).
The `raw` contracts the adapters fill are described in bot/core/events.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

from bot.core.events import ChatRef, Event
from bot.core.packing import Action

A = TypeVar("A", bound=Action, covariant=True)
B = TypeVar("B", bound=Action)
MEDIA_KINDS = ("image", "file")
MAX_MEDIA_ID = 256  # a platform's media id / file key / download code fits (events.py)


@dataclass(frozen=True)
class Attachment:
    """An image or file sent to the bot: the platform's id to fetch it by, and its file name (may be empty)."""

    kind: str  # "image" | "file"
    platform_id: str
    name: str = ""


@dataclass(frozen=True)
class Inbound:
    """Who said it, where, on which platform; `dedupe_key` is the event's inbox key."""

    platform: str
    dedupe_key: str
    actor: str | None
    chat: ChatRef | None


@dataclass(frozen=True)
class Message(Inbound):
    """A chat message to the bot; `text` is what follows the command's name (all of it when no command matched).

    `attachments` are the images and files sent with it; `problems` says, per attachment we could not take, why.
    """

    text: str = ""
    attachments: tuple[Attachment, ...] = ()
    problems: tuple[str, ...] = ()

    @classmethod
    def of(cls, event: Event, text: str | None = None) -> Message:
        """The message of a chat event, its text replaced by `text` (a command's arguments) when given."""
        attachments, problems = read_attachments(event.raw)
        return cls(event.platform, event.dedupe_key, event.actor, event.chat,
                   event.text if text is None else text, attachments, problems)


@dataclass(frozen=True)
class CardClick(Inbound, Generic[A]):
    """A click on one of our cards, or its submitted form (`text` is what was typed; empty for a button)."""

    action: A
    text: str = ""

    @classmethod
    def of(cls, event: Event, action: B) -> CardClick[B]:
        """The click of a card-action event carrying `action`."""
        return CardClick(event.platform, event.dedupe_key, event.actor, event.chat, action, event.text)


@dataclass(frozen=True)
class MediaReceived(Inbound):
    """Images or files sent to the bot with no command: on their own, or with a few words (`text`)."""

    KIND: ClassVar[str] = "platform"
    attachments: tuple[Attachment, ...] = ()
    problems: tuple[str, ...] = ()
    text: str = ""

    @classmethod
    def of(cls, event: Event) -> MediaReceived | None:
        """The media of an event that carries attachments (valid or not); None for any other event."""
        if not event.raw.get("attachments"):
            return None
        attachments, problems = read_attachments(event.raw)
        return cls(event.platform, event.dedupe_key, event.actor, event.chat, attachments, problems, event.text)


@dataclass(frozen=True)
class ContactChanged(Inbound):
    """A rep added, edited or lost a customer's IM contact (`change` is the platform's word for which)."""

    KIND: ClassVar[str] = "platform"
    change: str = ""
    external_id: str = ""
    member: str = ""
    at: int | None = None  # epoch seconds, when the platform said

    @classmethod
    def of(cls, event: Event) -> ContactChanged | None:
        """The contact change of a platform event; None when the event is not one or names no customer."""
        info = event.raw.get("customer_contact")
        if not isinstance(info, dict) or not info.get("external_id"):
            return None
        return cls(event.platform, event.dedupe_key, event.actor, event.chat, str(info.get("change") or ""),
                   str(info["external_id"]), str(info.get("member") or ""), _epoch(info.get("at")))


@dataclass(frozen=True)
class GroupChanged(Inbound):
    """A customer group changed: people joined or left (`members` are their platform ids)."""

    KIND: ClassVar[str] = "platform"
    group: str = ""
    change: str = ""
    detail: str = ""
    members: tuple[str, ...] = ()
    at: int | None = None

    @classmethod
    def of(cls, event: Event) -> GroupChanged | None:
        """The group change of a platform event; None when the event is not one."""
        info = event.raw.get("customer_group")
        if not isinstance(info, dict):
            return None
        members = info.get("members")
        return cls(event.platform, event.dedupe_key, event.actor, event.chat, str(info.get("chat_id") or ""),
                   str(info.get("change") or ""), str(info.get("detail") or ""),
                   tuple(str(m) for m in members) if isinstance(members, list) else (), _epoch(info.get("at")))


def read_attachments(raw: dict[str, Any]) -> tuple[tuple[Attachment, ...], tuple[str, ...]]:
    """Read raw["attachments"]: the valid ones, and a problem per invalid one (never dropped silently)."""
    items = raw.get("attachments") or []
    if not isinstance(items, list):
        return (), ("附件格式不对（平台适配器应给出列表），请重发一次",)
    valid, problems = [], []
    for i, item in enumerate(items, start=1):
        kind = item.get("kind") if isinstance(item, dict) else None
        ref = item.get("platform_id") if isinstance(item, dict) else None
        if kind not in MEDIA_KINDS or not isinstance(ref, str) or not ref or len(ref) > MAX_MEDIA_ID:
            problems.append(f"第{i}个附件不是图片或文件，没有收下；请换成图片、文件或链接再发")
            continue
        assert isinstance(item, dict) and isinstance(kind, str)  # checked just above
        valid.append(Attachment(kind, ref, str(item.get("name") or "")[:200]))
    return tuple(valid), tuple(problems)


def _epoch(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None
