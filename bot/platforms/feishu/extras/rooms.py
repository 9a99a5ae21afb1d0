"""开群 on Feishu: a private chat created by the bot (so the bot is in it), the card sent and pinned.

POST /open-apis/im/v1/chats?user_id_type=open_id&uuid=… (uuid: the same on every retry) → data.chat_id;
then the card with POST /open-apis/im/v1/messages?receive_id_type=chat_id and POST /open-apis/im/v1/pins.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from bot.core.cards import Card
from bot.core.errors import DeliveryError
from bot.core.events import ChatRef
from storage.repos import deal_rooms

if TYPE_CHECKING:
    from bot.platforms.feishu.api import FeishuAPI


async def create(api: FeishuAPI, payload: dict[str, Any]) -> None:
    """Create the chat, bind it to the opportunity, send and pin the deal's card."""
    if api.renderer is None:
        raise DeliveryError("this Feishu client has no renderer for the room's card; build it with the registry")
    opp = payload["opportunity_id"]
    data = await api.call("POST", "/open-apis/im/v1/chats",
                          {"name": payload["name"], "owner_id": payload["owner"], "user_id_list": payload["users"],
                           "chat_mode": "group", "chat_type": "private"},
                          params={"user_id_type": "open_id", "uuid": f"salesbot-room-{opp}"})
    chat = ((data or {}).get("data") or {}).get("chat_id")
    if not chat:
        raise DeliveryError(f"Feishu chat not created: {str(data)[:200]}; the app needs im:chat permission")
    message = api.renderer.render(ChatRef("feishu", chat, True), Card.from_dict(payload["card"]), "",
                            {"idempotency_key": f"room-card:{opp}"})
    assert api.db is not None and api.clock is not None  # build_api gives the API both
    await deal_rooms.bind(api.db, opp, "feishu", chat, message.pop("views", {}), api.clock.now())
    sent = await api.call("POST", "/open-apis/im/v1/messages",
                          {"receive_id": chat, "msg_type": "interactive", "content": json.dumps(message["card"],
                                                                                                ensure_ascii=False),
                           "uuid": message["uuid"]}, params={"receive_id_type": "chat_id"})
    message_id = ((sent or {}).get("data") or {}).get("message_id")
    if message_id:
        await api.call("POST", "/open-apis/im/v1/pins", {"message_id": message_id})
