"""开群 on DingTalk: a scene group from the template (shape checked by the fake), the card sent, the room bound."""

from __future__ import annotations

from bot.core.events import ChatRef
from tests.bot.platforms.room_helpers import opportunity, say, team


async def test_open_a_deal_room_needs_the_template_then_creates_the_scene_group(drt, fake):
    await team(drt, "dingtalk", "u001", "u002")
    group = ChatRef("dingtalk", "group:cidorig", True, {"sender": "u001"})
    await say(drt, "dingtalk", "u001", group, "新建商机 华东医疗 预算50万")
    await say(drt, "dingtalk", "u001", group, "开群")
    assert fake.scene_groups == {}  # no template yet: the answer says which key to set
    drt.settings.dingtalk.scene_group_template_id = "tpl-room"
    await say(drt, "dingtalk", "u001", group, "开群 华东医疗")
    [room] = fake.scene_groups.values()
    assert room["template_id"] == "tpl-room" and set(room["user_ids"].split(",")) == {"u001", "u002"}
    opp = await opportunity(drt)
    assert (opp.chat_platform, opp.chat_id) == ("dingtalk", f"group:{room['open_conversation_id']}")
    assert any(m["body"].get("openConversationId") == room["open_conversation_id"] for m in fake.sent)
