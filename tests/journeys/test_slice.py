"""The first vertical slice, end to end through the playground API."""

from __future__ import annotations

from tests.helpers import add_member, drawn, message, sent_cards


async def test_new_opportunity_answers_with_the_opportunity_card(client, rt):
    rep = await add_member(rt, "李娜")
    resp = await client.post("/playground/api/message",
                             json=message(rep, "@销售助手 新建商机 华东医疗 预算50万 需求 影像设备"))
    assert resp.status == 202
    cards = await sent_cards(rt)
    assert len(cards) == 1
    card = cards[0]["card"]
    assert card["title"] == "新商机：华东医疗"
    fields = dict(card["sections"][0]["fields"])
    assert fields["客户现在卡在哪"] == "需求确认"
    assert fields["客户自己说的预算范围"].startswith("50万")
    assert any("会议纪要" in item for s in card["sections"] for item in s["items"])
    assert card["buttons"][0]["label"] == "补凭证"
    assert "客户现在卡在哪" in drawn(rt, cards[0], "wecom")


async def test_help_and_unknown_text_get_help_cards(client, rt):
    rep = await add_member(rt, "王强")
    await client.post("/playground/api/message", json=message(rep, "@销售助手 帮助"))
    await client.post("/playground/api/message", json=message(rep, "@销售助手 今天天气不错"))
    cards = await sent_cards(rt)
    assert cards[0]["card"]["title"] == "销售助手能做什么"
    assert cards[1]["card"]["title"] == "我能帮你做这些"
    assert "今天天气不错" in cards[1]["card"]["sections"][0]["text"]


async def test_clicking_a_button_goes_through_the_same_path(client, rt):
    rep = await add_member(rt, "赵敏")
    await client.post("/playground/api/message", json=message(rep, "@销售助手 新建商机 宏达制造"))
    card = (await sent_cards(rt))[0]["card"]
    advance = next(b for b in card["buttons"] if b["label"] == "推进到下一阶段")
    resp = await client.post("/playground/api/click", json={
        "member_id": rep, "chat_id": "group:1", "skin": "feishu", "value": advance["value"], "client_id": "k1"})
    assert resp.status == 202
    answer = (await sent_cards(rt))[-1]["card"]
    assert answer["title"].startswith("还不能推进：")
    assert answer["sections"][0]["items"] == ["会议纪要"]


async def test_same_event_twice_has_one_effect(client, rt):
    rep = await add_member(rt, "钱进")
    body = message(rep, "@销售助手 新建商机 东方教育", client_id="same")
    first = await (await client.post("/playground/api/message", json=body)).json()
    second = await (await client.post("/playground/api/message", json=body)).json()
    assert first["duplicate"] is False and second["duplicate"] is True
    assert len(await sent_cards(rt)) == 1


async def test_group_chatter_without_mention_is_not_answered(client, rt):
    rep = await add_member(rt, "孙丽")
    await client.post("/playground/api/message", json=message(rep, "大家早上好"))
    assert await sent_cards(rt) == []


async def test_platform_skins_show_the_json_their_adapter_would_send(client, rt):
    rep = await add_member(rt, "黄蕾")
    await client.post("/playground/api/message", json=message(rep, "@销售助手 新建商机 江南制造", skin="feishu"))
    await client.post("/playground/api/message", json=message(rep, "@销售助手 卡在哪", skin="dingtalk"))
    # each reply is drawn in the skin it was sent from, whichever skin the viewer has
    feishu, dingtalk = [drawn(rt, c, "wecom") for c in await sent_cards(rt)]
    assert "fs-card" in feishu and 'data-action="opp.' in feishu  # Feishu's own preview, still clickable
    # DingTalk's own preview: the ActionCard's signed links drawn as buttons the playground can click
    assert "card-dingtalk" in dingtalk and 'class="platform-json"' in dingtalk and "actionCard" in dingtalk
    assert '<button class="btn btn-default" data-action="opp.' in dingtalk and "%2Fa%2F" in dingtalk


async def test_in_a_team_group_a_rep_means_their_own_deal(client, rt):
    mine, theirs = await add_member(rt, "周一"), await add_member(rt, "吴二")
    await client.post("/playground/api/message", json=message(mine, "@销售助手 新建商机 北辰物流"))
    await client.post("/playground/api/message", json=message(theirs, "@销售助手 新建商机 南山医药"))
    await sent_cards(rt)
    await client.post("/playground/api/message", json=message(mine, "@销售助手 卡在哪"))
    assert (await sent_cards(rt))[-1]["card"]["title"] == "北辰物流"
