"""DingTalk interactive (template) cards: the cardParamMap, the createAndDeliver space, the update body and the
answer to a card callback. Every cardParamMap value is a string (DingTalk's rule)."""

from __future__ import annotations

import json
from typing import Any

from bot.core.cards import Card

MAX_BUTTONS = 4  # template cards define btn1..btn4


def card_params(card: Card, text: str) -> dict[str, str]:
    """Return the cardParamMap for a template card showing `text` (the card's markdown); every value is a string."""
    params = {"title": card.title, "subtitle": card.subtitle, "level": str(card.level), "footer": card.footer,
              "markdown": text, "btn_count": str(min(len(card.buttons), MAX_BUTTONS)),
              "buttons": json.dumps([{"label": b.label, "action": b.action.pack(), "style": b.style}
                                     for b in card.buttons[:MAX_BUTTONS]], ensure_ascii=False)}
    for i in range(1, MAX_BUTTONS + 1):
        b = card.buttons[i - 1] if i <= len(card.buttons) else None
        params[f"btn{i}_label"] = b.label if b else ""
        params[f"btn{i}_action"] = b.action.pack() if b else ""
        params[f"btn{i}_style"] = b.style if b else ""
    return params


def card_update(out_track_id: str, card: Card, text: str, user_id: str = "") -> dict[str, Any]:
    """Return the PUT /v1.0/card/instances body: shared data, or (with user_id) that user's private view."""
    params = {"cardParamMap": card_params(card, text)}
    if user_id:
        return {"outTrackId": out_track_id, "privateData": {user_id: params},
                "cardUpdateOptions": {"updatePrivateDataByKey": True}, "userIdType": 1}
    return {"outTrackId": out_track_id, "cardData": params, "cardUpdateOptions": {"updateCardDataByKey": True},
            "userIdType": 1}


def inline_answer(payload: dict[str, Any]) -> dict[str, Any]:
    """Turn a rendered card_update into the body that answers a card callback inside 2 s."""
    update = payload["update"]
    if "privateData" in update:  # in the callback answer, the clicking user's view has no userId key
        [private] = update["privateData"].values()
        return {"userPrivateData": private, "cardUpdateOptions": update["cardUpdateOptions"]}
    return {"cardData": update["cardData"], "cardUpdateOptions": update["cardUpdateOptions"]}


def open_space(target: str, robot_code: str) -> dict[str, Any]:
    """The createAndDeliver fields that address a group (IM_GROUP) or a person's robot chat (IM_ROBOT)."""
    kind, _, ident = target.partition(":")
    if kind == "group":
        return {"openSpaceId": f"dtv1.card//IM_GROUP.{ident}", "imGroupOpenSpaceModel": {"supportForward": True},
                "imGroupOpenDeliverModel": {"robotCode": robot_code}}
    return {"openSpaceId": f"dtv1.card//IM_ROBOT.{ident}", "imRobotOpenSpaceModel": {"supportForward": True},
            "imRobotOpenDeliverModel": {"spaceType": "IM_ROBOT", "robotCode": robot_code}}
