"""开群 on Feishu: chat create (shape checked by the fake), the card sent and pinned, the room bound."""

from __future__ import annotations

from bot.core.events import ChatRef
from tests.bot.platforms.room_helpers import opportunity, say, team


async def test_open_a_deal_room_sends_and_pins_the_card(frt, fake):
    await team(frt, "feishu", "ou_rep", "ou_boss")
    group = ChatRef("feishu", "oc_group1", True, {"sender": "ou_rep"})
    await say(frt, "feishu", "ou_rep", group, "新建商机 华东医疗 预算50万")
    await say(frt, "feishu", "ou_rep", group, "开群")
    [room] = fake.chats.values()
    assert set(room["user_id_list"]) == {"ou_rep", "ou_boss"} and room["owner_id"] == "ou_rep"
    opp = await opportunity(frt)
    assert (opp.chat_platform, opp.chat_id) == ("feishu", room["chat_id"])
    pinned = [m for m in fake.messages if m["message_id"] in fake.pins]
    assert pinned and pinned[0]["receive_id"] == room["chat_id"] and "华东医疗" in str(pinned[0]["card"])
