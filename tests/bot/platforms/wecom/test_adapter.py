"""Adapter units: official vectors through open_app, safe XML, event keys, robot parsing, rendering limits."""

from __future__ import annotations

import json

import pytest

from bot.core.actions import AcceptLead, ShowOpportunity
from bot.core.cards import Button, Card, Field, Level, Section
from bot.core.clock import ManualClock
from bot.core.errors import BadRequest, BadSignature
from bot.core.events import ChatRef
from bot.platforms.wecom import adapter
from bot.platforms.wecom.extras import limits, preview, robot, safexml
from bot.platforms.wecom.extras.crypto import WecomCrypto
from bot.platforms.wecom.render import WecomRenderer
from tests.bot.platforms.wecom.extras.test_crypto import crypto_for, vector
from tests.conftest import make_settings
from tests.fakes.wecom import check_card, check_webhook

render = WecomRenderer(make_settings("sqlite://"), ManualClock())


@pytest.mark.parametrize("vid, user, text", [("wecom-A-decrypt-post", "mycreate", "hello"),
                                             ("wecom-B-decrypt-message", "messense", "test")])
def test_official_vectors_through_the_adapter(vid, user, text):
    v = vector(vid)
    inp = v["inputs"]
    body = f"<xml><ToUserName><![CDATA[{inp['receiveid']}]]></ToUserName><Encrypt><![CDATA[{inp['encrypt']}]]>" \
           "</Encrypt><AgentID><![CDATA[1]]></AgentID></xml>"
    query = {"msg_signature": inp["msg_signature"], "timestamp": inp["timestamp"], "nonce": inp["nonce"]}
    fields = adapter.open_app(crypto_for(v), query, body.encode(), int(inp["timestamp"]))
    event = adapter.to_event(fields)
    assert (event.kind, event.actor, event.text, event.chat.chat_id) == ("message", user, text, f"dm:{user}")
    assert event.dedupe_key == f"app:msg:{fields['MsgId']}"
    with pytest.raises(BadSignature):
        adapter.open_app(crypto_for(v), {**query, "nonce": "1"}, body.encode(), int(inp["timestamp"]))


def test_vector_a_url_check_echostr_with_a_space_for_plus():
    v = vector("wecom-A-verify-url")
    inp = v["inputs"]
    query = {"echostr": inp["echostr"].replace("+", " ")}  # what aiohttp makes of a raw '+'
    plain = crypto_for(v).open(inp["msg_signature"], inp["timestamp"], inp["nonce"], adapter.echostr(query))
    assert plain == v["expected"]["reply_body"].encode()


@pytest.mark.parametrize("body", [
    b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><xml><a>&lol2;</a></xml>',
    b'<?xml version="1.0"?><!doctype xml SYSTEM "file:///etc/passwd"><xml/>',
    b'<xml><a>x</a></xml><!ENTITY x "y">',
    b"<xml><a>unclosed</xml>"])
def test_unsafe_or_malformed_xml_is_refused_before_parsing(body):
    with pytest.raises(BadRequest):
        safexml.parse(body)


def test_card_click_fields_and_keys():
    root = safexml.parse(
        b"<xml><FromUserName>lina</FromUserName><CreateTime>1700000000</CreateTime><MsgType>event</MsgType>"
        b"<Event>template_card_event</Event><EventKey>lead.accept|7</EventKey><TaskId>sb_1</TaskId>"
        b"<ResponseCode>rc1</ResponseCode><SelectedItems><SelectedItem><QuestionKey>q</QuestionKey><OptionIds>"
        b"<OptionId>o1</OptionId><OptionId>o2</OptionId></OptionIds></SelectedItem></SelectedItems></xml>")
    fields = safexml.fields(root)
    assert fields["SelectedItems"] == [{"question_key": "q", "option_ids": ["o1", "o2"]}]
    event = adapter.to_event(fields)
    assert event.kind == "card_action" and event.action == AcceptLead(lead_id=7)
    assert event.chat.meta == {"task_id": "sb_1", "response_code": "rc1", "code_at": 1700000000}
    other = adapter.to_event({**fields, "EventKey": "lead.show|7"})
    assert other.dedupe_key != event.dedupe_key
    assert adapter.to_event({**fields, "EventKey": "not-ours"}).action is None


def test_long_event_keys_are_hashed_to_fit():
    key = adapter.dedupe_key("app:evt", "x" * 300)
    assert len(key) <= 190 and key != adapter.dedupe_key("app:evt", "x" * 299)


def test_robot_text_mixed_and_mentions():
    base = {"msgid": "m1", "chattype": "group", "chatid": "wrk1", "from": {"userid": "lina"}, "response_url": "u"}
    text = {"msgtype": "text", "text": {"content": "@销售助手 新建商机 华东医疗"}}
    event = robot.to_event({**base, **text}, "销售助手", 100)
    assert (event.text, event.chat.chat_id, event.chat.meta["response_url_expires"]) == \
        ("新建商机 华东医疗", "robot:wrk1", 3700)
    mixed = {**base, "msgtype": "mixed", "mixed": {"msg_item": [
        {"msgtype": "text", "text": {"content": "@RobotA 凭证 报价单"}}, {"msgtype": "image", "image": {"url": "x"}}]}}
    assert robot.to_event(mixed, "销售助手", 0).text == "凭证 报价单"
    single = robot.to_event({**base, "chattype": "single", "msgtype": "text", "text": {"content": "@x 帮助"}}, "", 0)
    assert single.text == "@x 帮助" and single.chat.chat_id == "robot:u:lina"
    image = robot.to_event({**base, "msgtype": "image", "image": {"url": "x"}}, "", 0)
    assert image.kind == "platform"
    with pytest.raises(BadRequest):
        robot.to_event({"msgtype": "text"}, "", 0)


def test_passive_reply_envelope_decrypts():
    crypto = WecomCrypto("t", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "")
    env = robot.seal(crypto, {"msgtype": "text", "text": {"content": "你好"}}, "n1", "1700000000")
    assert set(env) == {"encrypt", "msgsignature", "timestamp", "nonce"}
    plain = crypto.open(env["msgsignature"], "1700000000", "n1", env["encrypt"])
    assert json.loads(plain) == {"msgtype": "text", "text": {"content": "你好"}}


def _huge_card() -> Card:
    fields = [Field(f"字段{i}", "值" * 50) for i in range(9)] + [Field("客户自己说的预算范围", "50-80万")]
    return Card(title="一个非常非常长的商机标题，超过二十六个字的那种，还要更长一些才行", level=Level.WARNING,
                subtitle="副标题" * 20, footer="页脚" * 50,
                sections=[Section(fields=fields), Section(title="客户要什么", text="需求" * 200, items=["事项"] * 30)],
                buttons=[Button(f"按钮名字特别长的第{i}个", ShowOpportunity(opportunity_id=i)) for i in range(9)])


def test_a_card_that_does_not_fit_is_shortened_never_refused():
    chat = ChatRef("wecom", "dm:lina", False, {})
    payload = render.render(chat, _huge_card(), "", {})
    card = payload["body"]["template_card"]
    assert check_card(card) == ""
    assert len(card["button_list"]) == limits.BUTTONS and card["main_title"]["title"].endswith("…")
    assert card["sub_title_text"].endswith("点卡片看全部") and "/v/" in card["card_action"]["url"]
    [view] = payload["views"].values()  # the whole card is one tap away, on its full view
    assert view == _huge_card().to_dict()
    assert limits.valid_task_id(card["task_id"])
    webhook = render.render(ChatRef("wecom", "webhook:east", True), _huge_card(), "", {})
    assert check_webhook(webhook["body"]) == "" and len(webhook["body"]["markdown"]["content"].encode()) <= 4096
    notice = render.render(ChatRef("wecom", "webhook:east", True, {"format": "text_notice"}), _huge_card(), "", {})
    assert check_webhook(notice["body"]) == "" and "button_list" not in notice["body"]["template_card"]


def test_a_click_answer_updates_the_clicked_card():
    chat = ChatRef("wecom", "dm:lina", False, {"task_id": "sb_1", "response_code": "rc", "code_at": 5})
    card = Card(title="已接单：华东医疗", buttons=[Button("刷新", ShowOpportunity(opportunity_id=1))])
    payload = render.render(chat, card, "", {"update": True})
    assert payload["kind"] == "app_update" and payload["template_card"]["task_id"] == "sb_1"
    assert payload["fallback"]["template_card"]["task_id"] != "sb_1"
    assert render.render(chat, card, "", {})["kind"] == "app"


def test_preview_shows_exactly_the_payload_with_clickable_buttons():
    card = Card(title="新商机：华东医疗", sections=[Section(fields=[Field("负责人", "李娜")])],
                buttons=[Button("刷新", ShowOpportunity(opportunity_id=3), "primary")])
    payload = render.render(ChatRef("wecom", "preview", True, {}), card, "", {})
    html = preview.preview_html(payload)
    assert 'data-action="opp.show|3"' in html and "新商机：华东医疗" in html and "message/send" in html
    assert payload["body"]["template_card"]["task_id"] in html
