"""Inbound WeCom intelligent robot (智能机器人, API mode): encrypted JSON, receiveid "".

Groups: text or mixed messages that @ the robot (the mention stays inside the text, so it is stripped
here); 1:1: any message. Events: enter_chat (→ the help card as a welcome), template_card_event
(→ card_action). `msgid` is the dedupe key of everything. The one-shot `response_url` (valid 1 h)
travels in ChatRef.meta so a reply that missed the passive answer can still reach the chat.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from bot.core.errors import BadRequest
from bot.core.events import ChatRef, Event
from bot.core.payloads import items, json_object, obj, objects, text
from bot.platforms.wecom.adapter import PLATFORM, _unpack, query_args
from bot.platforms.wecom.extras.crypto import WecomCrypto

RESPONSE_URL_TTL = 3600  # seconds; WeCom documents the response_url as valid for one hour
WHAT = "robot callback"
WELCOME = "帮助"  # enter_chat is answered like 帮助: what the bot can do here
_LEADING_MENTION = re.compile(r"^\s*@\S+\s*")
_SPACES = re.compile(r"[ \t\u00a0\u2005]+")




def open_robot(crypto: WecomCrypto, query: Mapping[str, str], body: bytes, now: int,
               verified: Callable[[], None] = lambda: None) -> dict[str, Any]:
    """Verify and decrypt a robot callback {"encrypt": …} (calling `verified` once the signature holds)."""
    sig, ts, nonce = query_args(query)
    encrypt = json_object(body or b"", "callback body").get("encrypt")
    if not isinstance(encrypt, str) or not encrypt:
        raise BadRequest('callback body has no "encrypt" string')
    crypto.verify(sig, ts, nonce, encrypt, now)
    verified()
    return json_object(crypto.decrypt(encrypt), "decrypted message")


def seal(crypto: WecomCrypto, body: dict[str, Any], nonce: str, timestamp: str) -> dict[str, Any]:
    """Encrypt a passive reply into the robot's JSON envelope (the key is spelled msgsignature)."""
    sealed = crypto.encrypt(json.dumps(body, ensure_ascii=False).encode("utf-8"), nonce, timestamp)
    return {"encrypt": sealed["Encrypt"], "msgsignature": sealed["MsgSignature"],
            "timestamp": int(timestamp), "nonce": nonce}


def strip_mention(text: str, bot_name: str, is_group: bool) -> str:
    """Remove the robot's @name: every "@<bot_name>", and in groups a leading @token (the robot's name)."""
    if bot_name:
        text = text.replace(f"@{bot_name}", " ")
    if is_group:
        text = _LEADING_MENTION.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def message_text(p: dict[str, Any]) -> str | None:
    """Return the words of a text, mixed or quote message (None for images, files, voice)."""
    kind = text(p, "msgtype", WHAT)
    if kind == "text":
        return text(obj(p, "text", WHAT), "content", WHAT + ".text")
    if kind == "mixed":
        parts = objects(items(obj(p, "mixed", WHAT), "msg_item", WHAT + ".mixed"))
        return " ".join(text(obj(i, "text", "msg_item"), "content", "msg_item.text") for i in parts
                        if i.get("msgtype") == "text")
    if kind == "voice":  # WeCom transcribes voice for the robot
        return text(obj(p, "voice", WHAT), "content", WHAT + ".voice") or None
    return None


def to_event(p: dict[str, Any], bot_name: str, now: int) -> Event:
    """Turn a decrypted robot callback into an Event."""
    msgid = text(p, "msgid", WHAT)
    if not msgid:
        raise BadRequest("robot callback without msgid", {"msgid": "required"})
    user = text(obj(p, "from", WHAT), "userid", WHAT + ".from")
    is_group = p.get("chattype") == "group"
    chat_ref = text(p, "chatid", WHAT)
    chat_id = f"robot:{chat_ref}" if is_group and chat_ref else f"robot:u:{user}"
    meta = {"userid": user, "response_url": text(p, "response_url", WHAT),
            "response_url_expires": now + RESPONSE_URL_TTL}
    chat = ChatRef(PLATFORM, chat_id, is_group, meta)
    key = f"bot:msg:{msgid}"
    if p.get("msgtype") == "event":
        return _event(p, key, user, chat)
    said = message_text(p)
    if said is None:
        return Event(PLATFORM, "platform", key, user or None, chat, raw=p)
    return Event(PLATFORM, "message", key, user or None, chat, strip_mention(said, bot_name, is_group), raw=p)


def _event(p: dict[str, Any], key: str, user: str, chat: ChatRef) -> Event:
    event = obj(p, "event", WHAT)
    kind = text(event, "eventtype", WHAT + ".event")
    if kind == "enter_chat":
        return Event(PLATFORM, "message", key, user or None, chat, WELCOME, raw=p)
    if kind == "template_card_event":
        click = obj(event, "template_card_event", WHAT + ".event")
        meta = {**chat.meta, "task_id": text(click, "task_id", "template_card_event")}
        card_chat = ChatRef(PLATFORM, chat.chat_id, chat.is_group, meta)
        return Event(PLATFORM, "card_action", key, user or None, card_chat,
                     action=_unpack(text(click, "event_key", "template_card_event")), raw=p)
    return Event(PLATFORM, "platform", key, user or None, chat, raw=p)
