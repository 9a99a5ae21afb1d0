"""Inbound WeCom intelligent robot (智能机器人, API mode): encrypted JSON, receiveid "".

Groups: text or mixed messages that @ the robot (the mention stays inside the text, so it is stripped
here); 1:1: any message. Events: enter_chat (→ the help card as a welcome), template_card_event
(→ card_action). `msgid` is the dedupe key of everything. The one-shot `response_url` (valid 1 h)
travels in ChatRef.meta so a reply that missed the passive answer can still reach the chat.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from bot.errors import BadRequest
from bot.events import ChatRef, Event
from bot.payloads import json_object
from bot.platforms.wecom.adapter import PLATFORM, _unpack, query_args
from bot.platforms.wecom.crypto import WecomCrypto

RESPONSE_URL_TTL = 3600  # seconds; WeCom documents the response_url as valid for one hour
WELCOME = "帮助"  # enter_chat is answered like 帮助: what the bot can do here
_LEADING_MENTION = re.compile(r"^\s*@\S+\s*")
_SPACES = re.compile(r"[ \t\u00a0\u2005]+")




def open_robot(crypto: WecomCrypto, query: Mapping[str, str], body: bytes, now: int) -> dict[str, Any]:
    """Verify and decrypt a robot callback {"encrypt": …}; return the decrypted JSON."""
    sig, ts, nonce = query_args(query)
    encrypt = json_object(body or b"", "callback body").get("encrypt")
    if not isinstance(encrypt, str) or not encrypt:
        raise BadRequest('callback body has no "encrypt" string')
    return json_object(crypto.open(sig, ts, nonce, encrypt, now), "decrypted message")


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
    kind = p.get("msgtype")
    if kind == "text":
        return str((p.get("text") or {}).get("content") or "")
    if kind == "mixed":
        items = (p.get("mixed") or {}).get("msg_item") or []
        return " ".join(str((i.get("text") or {}).get("content") or "") for i in items
                        if isinstance(i, dict) and i.get("msgtype") == "text")
    if kind == "voice":  # WeCom transcribes voice for the robot
        return str((p.get("voice") or {}).get("content") or "") or None
    return None


def to_event(p: dict[str, Any], bot_name: str, now: int) -> Event:
    """Turn a decrypted robot callback into an Event."""
    msgid = str(p.get("msgid") or "")
    if not msgid:
        raise BadRequest("robot callback without msgid", {"msgid": "required"})
    user = str((p.get("from") or {}).get("userid") or "")
    is_group = p.get("chattype") == "group"
    chat_id = f"robot:{p['chatid']}" if is_group and p.get("chatid") else f"robot:u:{user}"
    meta = {"userid": user, "response_url": str(p.get("response_url") or ""),
            "response_url_expires": now + RESPONSE_URL_TTL}
    chat = ChatRef(PLATFORM, chat_id, is_group, meta)
    key = f"bot:msg:{msgid}"
    if p.get("msgtype") == "event":
        return _event(p, key, user, chat)
    text = message_text(p)
    if text is None:
        return Event(PLATFORM, "platform", key, user or None, chat, raw=p)
    return Event(PLATFORM, "message", key, user or None, chat, strip_mention(text, bot_name, is_group), raw=p)


def _event(p: dict[str, Any], key: str, user: str, chat: ChatRef) -> Event:
    event = p.get("event") if isinstance(p.get("event"), dict) else {}
    kind = event.get("eventtype")
    if kind == "enter_chat":
        return Event(PLATFORM, "message", key, user or None, chat, WELCOME, raw=p)
    if kind == "template_card_event":
        click = event.get("template_card_event") or {}
        meta = {**chat.meta, "task_id": str(click.get("task_id") or "")}
        card_chat = ChatRef(PLATFORM, chat.chat_id, chat.is_group, meta)
        return Event(PLATFORM, "card_action", key, user or None, card_chat,
                     action=_unpack(str(click.get("event_key") or "")), raw=p)
    return Event(PLATFORM, "platform", key, user or None, chat, raw=p)
