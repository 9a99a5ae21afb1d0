"""开群 on WeCom: an app group (appchat/create) with a chat id we choose, then the deal's card in it.

appchat groups are send-only for the app (wecom.md §2 "Scope"); the room is bound as the intelligent
robot's chat of the same id, so @ the robot there once it is added to the group (a group setting).
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from bot.core.cards import Card
from bot.core.errors import DeliveryError
from bot.platforms.wecom.extras import limits as L
from bot.platforms.wecom.extras.client import checked
from storage.repos import deal_rooms

if TYPE_CHECKING:
    from bot.platforms.wecom.api import WecomAPI

CHAT_EXISTS = 86215


def chat_id(opportunity_id: int, corp_id: str) -> str:
    """Our chat id for the deal's room: [0-9a-zA-Z], ≤ 32 characters, the same on every retry."""
    return f"deal{opportunity_id}x{hashlib.sha256(f'{corp_id}|{opportunity_id}'.encode()).hexdigest()[:10]}"


async def create(api: WecomAPI, payload: dict[str, Any]) -> None:
    """Create the room (a retry finds it created), bind it, and post the deal's card."""
    if api.renderer is None:
        raise DeliveryError("this WeCom client has no renderer for the room's card; build it with the registry")
    chat = chat_id(payload["opportunity_id"], api.cfg.corp_id)
    data = await api.call("appchat/create", {"name": payload["name"], "owner": payload["owner"],
                                            "userlist": payload["users"], "chatid": chat})
    if data.get("errcode") not in (0, None, CHAT_EXISTS):
        checked("appchat/create", data)
    card = Card.from_dict(payload["card"])
    content, views = api.renderer.markdown_body(card, f"robot:{chat}")
    assert api.db is not None and api.clock is not None  # build_api gives the API both
    await deal_rooms.bind(api.db, payload["opportunity_id"], "wecom", f"robot:{chat}", views, api.clock.now())
    checked("appchat/send", await api.call("appchat/send", {"chatid": chat, "msgtype": "markdown",
                                                             "markdown": {"content": L.cut_bytes(content, 4096)}}))
