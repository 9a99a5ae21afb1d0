"""Feishu card callbacks (card.action.trigger) as Event(kind="card_action"): the packed Action, what was typed,
and how long the click's delayed-update token is used."""

from __future__ import annotations

from typing import Any

from bot.core.errors import ActionError
from bot.core.events import ChatRef, Event
from bot.core.packing import Action, unpack
from bot.core.payloads import obj, text
from bot.platforms.feishu.render import FORM_FIELD

PLATFORM = "feishu"
MAX_TYPED = 1000  # characters kept from a card form's text box (our input allows 500)
TOKEN_LIFE = 25 * 60  # seconds a click's update token is used; Feishu allows 30 min, the rest is margin


def to_event(payload: dict[str, Any], event_id: str) -> Event:
    """card.action.trigger: a button's, checker's or form submit's value carries our Action as {"a": "<packed>"}.

    A form submit also carries what was typed (action.form_value[FORM_FIELD]); it becomes Event.text.
    """
    event = obj(payload, "event")
    context, action = obj(event, "context", "event"), obj(event, "action", "event")
    actor = text(obj(event, "operator", "event"), "open_id", "event.operator") or None
    meta = {"message_id": text(context, "open_message_id", "event.context"),
            "update_token": text(event, "token", "event"),
            "token_until": token_until(obj(payload, "header").get("create_time"))}
    chat = ChatRef(PLATFORM, text(context, "open_chat_id", "event.context") or actor or "", False, meta)
    return Event(PLATFORM, "card_action", f"card:{event_id}", actor, chat, typed_text(action),
                 action=_unpack(action), raw=payload)


def token_until(create_time: Any) -> float:
    """Epoch seconds until which the click's delayed-update token is used (0 when the time is unknown)."""
    try:
        stamp = int(create_time)
    except (TypeError, ValueError, OverflowError):  # OverflowError: a JSON 1e400 is float("inf")
        return 0.0
    if not 10**9 < stamp < 10**17:
        return 0.0
    seconds = stamp / 1e6 if stamp > 10**14 else stamp / 1e3 if stamp > 10**11 else float(stamp)  # µs, ms or s
    return seconds + TOKEN_LIFE


def typed_text(action: dict[str, Any]) -> str:
    """What the user typed into the card's form (or a standalone input), trimmed to MAX_TYPED characters."""
    form = got if isinstance(got := action.get("form_value"), dict) else {}
    value = form.get(FORM_FIELD, action.get("input_value"))
    return str(value).strip()[:MAX_TYPED] if isinstance(value, str | int | float) else ""


def _unpack(action: dict[str, Any]) -> Action | None:
    """Unpack the button value; a foreign or outdated button gives None (the dispatcher says it expired)."""
    value = action.get("value")
    packed = value.get("a") if isinstance(value, dict) else None
    try:
        return unpack(packed) if isinstance(packed, str) else None
    except ActionError:
        return None
