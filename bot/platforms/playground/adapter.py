"""Turn the playground page's posts into Events, exactly as a platform adapter would."""

from __future__ import annotations

import re
from typing import Any

from bot.errors import ActionError, BadRequest
from bot.events import ChatRef, Event
from cards.actions import unpack

SKINS = ("wecom", "dingtalk", "feishu")


def _chat(data: dict[str, Any]) -> ChatRef:
    chat_id = str(data.get("chat_id") or "")
    if not chat_id:
        raise BadRequest("chat_id is required", {"chat_id": "pick a chat"})
    skin = data.get("skin", "wecom")
    if skin not in SKINS:
        raise BadRequest(f"unknown skin {skin!r}", {"skin": f"one of {', '.join(SKINS)}"})
    meta = {"skin": skin}
    if data.get("message_id"):
        meta["message_id"] = str(data["message_id"])
    return ChatRef("playground", chat_id, chat_id.startswith("group:"), meta)


def _actor(data: dict[str, Any]) -> str:
    member = data.get("member_id")
    if not isinstance(member, int | str) or not str(member).isdigit():
        raise BadRequest("member_id must be a member's id", {"member_id": "pick a person"})
    return str(member)


def message_event(data: dict[str, Any], bot_name: str) -> Event:
    """A typed message; in groups only text that @-mentions the bot reaches it, like on real platforms."""
    text = str(data.get("text") or "").strip()
    client_id = str(data.get("client_id") or "")
    if not text or not client_id:
        raise BadRequest("text and client_id are required", {"text": "type something"})
    if len(text) > 2000:
        raise BadRequest("message too long", {"text": "at most 2000 characters"})
    chat = _chat(data)
    mention = f"@{bot_name}"
    mentioned = mention in text or not chat.is_group
    kind = "message" if mentioned else "platform"
    clean = re.sub(rf"\s*{re.escape(mention)}\s*", " ", text).strip()
    return Event("playground", kind, f"msg:{client_id}", _actor(data), chat, clean,
                 raw={"text": text, "mentioned": mentioned})


def click_event(data: dict[str, Any]) -> Event:
    """A button click; the click id plays the platform's retry-stable event id."""
    value, click_id = data.get("value"), str(data.get("client_id") or "")
    if not value or not click_id:
        raise BadRequest("value and client_id are required", {"value": "the button's data-action"})
    try:
        action = unpack(str(value))
    except ActionError as exc:
        raise BadRequest(str(exc), {"value": "not a salesbot button"}) from exc
    return Event("playground", "card_action", f"click:{click_id}", _actor(data), _chat(data),
                 action=action, raw={"value": value})
