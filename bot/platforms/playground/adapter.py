"""Turn the playground page's posts into Events, exactly as a platform adapter would."""

from __future__ import annotations

import re
from typing import Any

from bot.core.errors import ActionError, BadRequest
from bot.core.events import ChatRef, Event
from bot.core.packing import unpack
from bot.core.payloads import text

SKINS = ("wecom", "dingtalk", "feishu")
MAX_ID = 100  # the inbox dedupe key holds 200 characters


def _chat(data: dict[str, Any]) -> ChatRef:
    chat_id = text(data, "chat_id")
    if not chat_id or len(chat_id) > 128:
        raise BadRequest("chat_id is required (at most 128 characters)", {"chat_id": "pick a chat"})
    skin = text(data, "skin", default="wecom")
    if skin not in SKINS:
        raise BadRequest(f"unknown skin {skin!r}", {"skin": f"one of {', '.join(SKINS)}"})
    meta = {"skin": skin}
    if text(data, "message_id"):
        meta["message_id"] = text(data, "message_id")
    return ChatRef("playground", chat_id, chat_id.startswith("group:"), meta)


def _actor(data: dict[str, Any]) -> str:
    member = data.get("member_id")
    if not isinstance(member, int | str) or isinstance(member, bool) or not re.fullmatch(r"[0-9]{1,18}", str(member)):
        raise BadRequest("member_id must be a member's id", {"member_id": "pick a person"})
    return str(member)


def message_event(data: dict[str, Any], bot_name: str) -> Event:
    """A typed message; in groups only text that @-mentions the bot reaches it, like on real platforms."""
    said = text(data, "text").strip()
    client_id = text(data, "client_id")
    if len(client_id) > MAX_ID:
        raise BadRequest(f"client_id is longer than {MAX_ID} characters", {"client_id": "use a short random id"})
    if not said or not client_id:
        raise BadRequest("text and client_id are required", {"text": "type something"})
    if len(said) > 2000:
        raise BadRequest("message too long", {"text": "at most 2000 characters"})
    chat = _chat(data)
    mention = f"@{bot_name}"
    mentioned = mention in said or not chat.is_group
    kind = "message" if mentioned else "platform"
    clean = re.sub(rf"\s*{re.escape(mention)}\s*", " ", said).strip()
    return Event("playground", kind, f"msg:{client_id}", _actor(data), chat, clean,
                 raw={"text": said, "mentioned": mentioned})


def click_event(data: dict[str, Any]) -> Event:
    """A button click; the click id plays the platform's retry-stable event id."""
    value, click_id = text(data, "value"), text(data, "client_id")
    if len(click_id) > MAX_ID:
        raise BadRequest(f"client_id is longer than {MAX_ID} characters", {"client_id": "use a short random id"})
    if not value or not click_id:
        raise BadRequest("value and client_id are required", {"value": "the button's data-action"})
    typed = text(data, "text").strip()  # a form's submit carries its text box, as Feishu's form_value does
    if len(typed) > 2000:
        raise BadRequest("form text too long", {"text": "at most 2000 characters"})
    try:
        action = unpack(value)
    except ActionError as exc:
        raise BadRequest(str(exc), {"value": "not a salesbot button"}) from exc
    return Event("playground", "card_action", f"click:{click_id}", _actor(data), _chat(data), typed,
                 action=action, raw={"value": value})
