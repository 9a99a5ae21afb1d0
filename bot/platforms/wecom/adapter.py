"""Inbound WeCom self-built app: verify + decrypt the XML callback, then turn its fields into an Event.

Dedupe keys (wecom.md §1, §3): messages by MsgId; events by type, change type, the ids involved and
CreateTime, so WeCom's three tries collapse while distinct events in the same second do not.
Customer-contact and customer-group events carry a platform-neutral summary for handlers:
``raw["customer_contact"] = {"change", "external_id", "member", "at"}`` and
``raw["customer_group"] = {"chat_id", "change", "detail", "members": [userid…], "at"}`` (at = epoch seconds).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from typing import Any

from bot.core.errors import ActionError, BadRequest
from bot.core.events import ChatRef, Event
from bot.core.packing import Action, unpack
from bot.core.payloads import text
from bot.platforms.wecom.extras import safexml
from bot.platforms.wecom.extras.crypto import WecomCrypto

PLATFORM = "wecom"
CARD_EVENTS = ("template_card_event", "template_card_menu_event")
WHAT = "decrypted message"
# Event fields read as plain text (a nested element where text belongs is a 400, not a crash)
_EVENT_FIELDS = ("TaskId", "ResponseCode", "EventKey", "ExternalUserID", "ChangeType", "UserID", "ChatId",
                 "UpdateDetail", "CurMemVer")
_MAX_KEY = 190  # inbox dedupe_key is 200 characters


def query_args(query: Mapping[str, str]) -> tuple[str, str, str]:
    """Return msg_signature, timestamp and nonce from the callback URL, or say which is missing."""
    args = tuple(query.get(k, "") for k in ("msg_signature", "timestamp", "nonce"))
    if not all(args):
        raise BadRequest("msg_signature, timestamp and nonce are required in the query string")
    return args  # type: ignore[return-value]


def echostr(query: Mapping[str, str]) -> str:
    """Return the URL-check echostr; aiohttp turns a raw '+' into a space, base64 has no spaces."""
    value = query.get("echostr", "")
    if not value:
        raise BadRequest("echostr is required for the URL check")
    return value.replace(" ", "+")


def open_app(crypto: WecomCrypto, query: Mapping[str, str], body: bytes, now: int,
             verified: Callable[[], None] = lambda: None) -> dict[str, Any]:
    """Verify and decrypt an app callback body (calling `verified` once the signature holds); return its fields."""
    sig, ts, nonce = query_args(query)
    encrypt = safexml.parse(body, "callback body").findtext("Encrypt") or ""
    if not encrypt:
        raise BadRequest("callback body has no <Encrypt> element")
    crypto.verify(sig, ts, nonce, encrypt, now)
    verified()
    return safexml.fields(safexml.parse(crypto.decrypt(encrypt), "decrypted message"))


def dedupe_key(prefix: str, *parts: Any) -> str:
    """Join parts into a key; hash the tail when it would exceed the inbox column."""
    key = prefix + ":" + "|".join(str(p) for p in parts)
    if len(key) <= _MAX_KEY:
        return key
    return key[:120] + "#" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:40]


def to_event(f: dict[str, Any]) -> Event:
    """Turn decrypted app fields into an Event; what we do not handle is stored as kind "platform"."""
    user, msg_type = text(f, "FromUserName", WHAT), text(f, "MsgType", WHAT)
    chat = ChatRef(PLATFORM, f"dm:{user}", False, {})
    if msg_type == "event":
        return _event(f, user, chat)
    msg_id = text(f, "MsgId", WHAT)
    if not msg_id:
        raise BadRequest(f"{msg_type or 'message'} without MsgId", {"MsgId": "required"})
    key = f"app:msg:{msg_id}"
    if msg_type == "text":
        return Event(PLATFORM, "message", key, user, chat, text(f, "Content", WHAT).strip(), raw=f)
    if msg_type == "image" and text(f, "MediaId", WHAT):
        attachment = {"kind": "image", "platform_id": text(f, "MediaId", WHAT)[:256], "name": ""}
        return Event(PLATFORM, "platform", key, user, chat, raw={**f, "attachments": [attachment]})
    return Event(PLATFORM, "platform", key, user, chat, raw=f)


def _event(f: dict[str, Any], user: str, chat: ChatRef) -> Event:
    name, at = text(f, "Event", WHAT), text(f, "CreateTime", WHAT)
    g = {k: text(f, k, WHAT) for k in _EVENT_FIELDS}
    if name in CARD_EVENTS:
        meta = {"task_id": g["TaskId"], "response_code": g["ResponseCode"], "code_at": _int(at)}
        key = dedupe_key("app:card", user, at, g["TaskId"], g["EventKey"])
        card_chat = ChatRef(PLATFORM, chat.chat_id, False, meta)
        return Event(PLATFORM, "card_action", key, user, card_chat, action=_unpack(g["EventKey"]), raw=f)
    if name == "change_external_contact":
        ext = g["ExternalUserID"]
        key = dedupe_key("app:evt", name, g["ChangeType"], g["UserID"], ext, at)
        summary = {"change": g["ChangeType"], "external_id": ext, "member": g["UserID"], "at": _int(at)}
        return Event(PLATFORM, "platform", key, g["UserID"] or None, None, raw={**f, "customer_contact": summary})
    if name == "change_external_chat":
        members = _members(f)
        key = dedupe_key("app:evt", name, g["ChangeType"], g["ChatId"], g["UpdateDetail"], at, g["CurMemVer"],
                         ",".join(members))
        summary = {"chat_id": g["ChatId"], "change": g["ChangeType"], "detail": g["UpdateDetail"],
                   "members": members, "at": _int(at)}
        return Event(PLATFORM, "platform", key, None, None, raw={**f, "customer_group": summary})
    digest = hashlib.sha256(repr(sorted((k, str(v)) for k, v in f.items())).encode()).hexdigest()[:24]
    key = dedupe_key("app:evt", name, g["ChangeType"], user, at, g["EventKey"], digest)
    return Event(PLATFORM, "platform", key, user or None, chat if user else None, raw=f)


def _members(f: dict[str, Any]) -> list[str]:
    """Userids in MemChangeList (newer callbacks): <MemChangeList><Item>id</Item>…</MemChangeList>."""
    value = f.get("MemChangeList")
    if isinstance(value, dict):
        value = list(value.values())
    return [v for v in value if v and isinstance(v, str)] if isinstance(value, list) else []


def _unpack(packed: str) -> Action | None:
    """A foreign or outdated button gives None; the dispatcher then says the button expired."""
    try:
        return unpack(packed) if packed else None
    except ActionError:
        return None


def _int(value: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
