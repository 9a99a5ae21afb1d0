"""开群 on WeCom: appchat/create with our chat id (shape checked by the fake), the card posted, the room bound."""

from __future__ import annotations

from bot.core.events import ChatRef
from storage.repos import outbox
from tests.bot.platforms.room_helpers import opportunity, say, team


async def test_open_a_deal_room_and_talk_in_it(wrt, fake):
    await team(wrt, "wecom", "lina", "zhou")
    group = ChatRef("wecom", "robot:wrgroup1", True, {"userid": "lina"})
    await say(wrt, "wecom", "lina", group, "新建商机 华东医疗 预算50万")
    await say(wrt, "wecom", "lina", group, "开群")
    [room] = fake.appchats
    assert sorted(room["userlist"]) == ["lina", "zhou"] and room["owner"] == "lina" and "华东医疗" in room["name"]
    assert "华东医疗" in fake.appchat_messages[0]["markdown"]["content"]
    opp = await opportunity(wrt)
    assert (opp.chat_platform, opp.chat_id) == ("wecom", f"robot:{room['chatid']}")
    await say(wrt, "wecom", "lina", ChatRef("wecom", opp.chat_id, True, {"userid": "lina"}), "卡在哪")  # no name
    [answer] = await outbox.recent(wrt.db, "wecom", 0, target=opp.chat_id, limit=5)
    assert "华东医疗" in str(answer.payload)  # the room's message acted on its deal
    await say(wrt, "wecom", "lina", group, "开群")  # once per deal: the second asks nothing of WeCom
    assert len(fake.appchats) == 1
