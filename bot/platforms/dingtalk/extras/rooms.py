"""开群 on DingTalk: a scene group from the configured template (its robot hears @ there), then the card.

POST {oapi_base}/topapi/im/chat/scenegroup/create with owner_user_id, user_ids (comma-separated),
title, template_id and uuid (the same on every retry, so a retry does not make a second group).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from bot.core.cards import Card
from bot.core.errors import DeliveryError
from bot.core.events import ChatRef
from storage.repos import deal_rooms

if TYPE_CHECKING:
    from bot.platforms.dingtalk.api import DingTalkAPI


async def create(api: DingTalkAPI, payload: dict[str, Any]) -> None:
    """Create the scene group, bind it to the opportunity and send the deal's card into it."""
    if api.renderer is None:
        raise DeliveryError("this DingTalk client has no renderer for the room's card; build it with the registry")
    body = {"title": payload["name"], "template_id": api.cfg.scene_group_template_id,
            "owner_user_id": payload["owner"], "user_ids": ",".join(payload["users"]),
            "uuid": f"salesbot-room-{payload['opportunity_id']}"}
    url = f"{api.cfg.oapi_base}/topapi/im/chat/scenegroup/create?access_token={quote(await api.access_token())}"
    data = await api.request("POST", url, body)
    cid = (data.get("result") or {}).get("open_conversation_id")
    if data.get("errcode") or not cid:
        raise DeliveryError(f"DingTalk scene group not created (errcode {data.get('errcode')}): "
                            f"{str(data.get('errmsg'))[:200]}; check [dingtalk] scene_group_template_id")
    target = f"group:{cid}"
    message = api.renderer.render(ChatRef("dingtalk", target, True), Card.from_dict(payload["card"]), "", {})
    assert api.db is not None and api.clock is not None  # build_api gives the API both
    await deal_rooms.bind(api.db, payload["opportunity_id"], "dingtalk", target, message.pop("views", {}),
                          api.clock.now())
    await api.send(target, message)
