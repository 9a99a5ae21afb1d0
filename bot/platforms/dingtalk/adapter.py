"""Turn DingTalk payloads (HTTP or Stream, same JSON) into Events.

Chat targets (the outbox `target`): `group:<openConversationId>`, `user:<userId>`,
`users:<id>,<id>…` (1:1 to several people), `webhook:<name>` (a custom group robot from config);
`dm:<userId>` (flows/targets.py's personal chats) is taken as `user:<userId>`.
An interactive card's outTrackId carries its target, so a click can be answered in the same chat.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import uuid
from typing import Any

from bot.core.errors import ActionError, BadRequest
from bot.core.events import ChatRef, Event
from bot.core.packing import Action, unpack
from bot.core.payloads import integer, items, json_object, obj, objects, text
from bot.platforms.dingtalk.extras import media

PLATFORM = "dingtalk"
WHAT, CARD = "DingTalk robot message", "DingTalk card callback"
_TRACK = re.compile(r"^sb[0-9a-f]{12}\.([A-Za-z0-9_-]+)$")


def track_id(target: str, nonce: str | None = None) -> str:
    """Return a fresh outTrackId that remembers where the card was sent."""
    code = base64.urlsafe_b64encode(target.encode()).decode().rstrip("=")
    return f"sb{nonce or uuid.uuid4().hex[:12]}.{code}"


def target_of_track(out_track_id: str) -> str | None:
    """Return the target a card was sent to, or None if the outTrackId is not ours."""
    found = _TRACK.match(out_track_id or "")
    if not found:
        return None
    code = found.group(1)
    try:
        return base64.urlsafe_b64decode(code + "=" * (-len(code) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None


def canonical_target(target: str) -> str:
    """Map a personal chat as flows/targets.py names it (`dm:<userId>`) onto DingTalk's `user:<userId>`."""
    return "user:" + target.removeprefix("dm:") if target.startswith("dm:") else target


def chat_for_target(target: str, **meta: Any) -> ChatRef:
    """Build the ChatRef for an outbox target."""
    return ChatRef(PLATFORM, target, target.startswith(("group:", "webhook:")), dict(meta))


def _text(data: dict[str, Any], bot_name: str) -> str:
    kind = text(data, "msgtype", WHAT)
    if kind == "text":
        said = text(obj(data, "text", WHAT), "content", WHAT + ".text")
    elif kind == "richText":
        parts = objects(items(obj(data, "content", WHAT), "richText", WHAT + ".content"))
        said = "".join(text(p, "text", WHAT + ".content.richText[]") for p in parts)
    else:
        return ""
    # DingTalk removes the robot's @ itself; a pasted "@销售助手" would still be there
    return re.sub(rf"\s*@{re.escape(bot_name)}\s*", " ", said).strip()


def robot_event(data: dict[str, Any], bot_name: str) -> Event:
    """A robot message (HTTP callback body or Stream /v1.0/im/bot/messages/get data) as an Event."""
    msg_id = text(data, "msgId", WHAT)
    if not msg_id:
        raise BadRequest("DingTalk robot message has no msgId", {"msgId": "required"})
    staff = text(data, "senderStaffId", WHAT) or None
    is_group = text(data, "conversationType", WHAT) == "2"
    if is_group:
        target = f"group:{text(data, 'conversationId', WHAT)}"
    elif staff:
        target = f"user:{staff}"
    else:
        raise BadRequest("DingTalk 1:1 message without senderStaffId (external users cannot use the bot)",
                         {"senderStaffId": "required in 1:1 chats"})
    meta: dict[str, Any] = {"sender": staff or "", "msg_id": msg_id}
    if text(data, "sessionWebhook", WHAT):
        meta["session_webhook"] = text(data, "sessionWebhook", WHAT)
        meta["session_webhook_expires"] = integer(data, "sessionWebhookExpiredTime", WHAT)
    said, chat = _text(data, bot_name), ChatRef(PLATFORM, target, is_group, meta)
    attachments = media.attachments_of(data)
    if attachments:  # contract in bot/core/events.py: words make it a message, a bare picture/file is "platform"
        raw = {**data, "attachments": attachments}
        return Event(PLATFORM, "message" if said else "platform", f"msg:{msg_id}", staff, chat, said, raw=raw)
    kind = "message" if data.get("msgtype") in ("text", "richText") else "platform"
    return Event(PLATFORM, kind, f"msg:{msg_id}", staff, chat, said, raw=data)


def _card_action(content: dict[str, Any]) -> Action:
    private = obj(content, "cardPrivateData", CARD)
    params = obj(private, "params", CARD + ".cardPrivateData")
    candidates = [params.get("action"), *items(private, "actionIds", CARD + ".cardPrivateData")]
    for value in candidates:
        if isinstance(value, str) and value:
            try:
                return unpack(value)
            except ActionError:
                continue
    raise BadRequest("DingTalk card callback carries no salesbot action",
                     {"content": 'bind the button\'s callback parameter "action" to ${btnN_action}'})


def card_event(data: dict[str, Any], dedupe: str) -> Event:
    """A card button click (HTTP body or Stream /v1.0/card/instances/callback data) as an Event."""
    track = text(data, "outTrackId", CARD)
    target = target_of_track(track)
    if target is None:
        raise BadRequest("DingTalk card callback for a card salesbot did not send", {"outTrackId": "unknown"})
    content = data.get("content") or data.get("value") or "{}"
    parsed = json_object(content, "DingTalk card callback content") if isinstance(content, str) else content
    if not isinstance(parsed, dict):
        raise BadRequest("DingTalk card callback content must be a JSON object (or a string of one)",
                         {"content": "must be an object"})
    user = text(data, "userId", CARD) or None
    chat = chat_for_target(target, out_track_id=track, sender=user or "")
    return Event(PLATFORM, "card_action", f"card:{dedupe}", user, chat, action=_card_action(parsed), raw=data)


def body_digest(body: bytes) -> str:
    """A short stable digest for payloads that carry no id of their own."""
    return hashlib.sha256(body).hexdigest()[:32]


def subscription_event(event_type: str, data: dict[str, Any], event_id: str) -> Event:
    """An event-subscription push (HTTP or Stream EVENT frame), kept as a `platform` event.

    Approval pushes too: their staffId is the originator and they carry no remark, so the `approval`
    Event is made after reading the instance (extras/approval_results.py).
    """
    raw = {"eventType": event_type, **data}
    actor = text(data, "staffId", "DingTalk event") or None
    return Event(PLATFORM, "platform", f"event:{event_id}", actor, None, raw=raw)
