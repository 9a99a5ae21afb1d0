"""Parsing DingTalk payloads into Events, and the [dingtalk] config checks."""

from __future__ import annotations

import pytest

from bot.config import load_settings
from bot.core.errors import BadRequest, ConfigError
from bot.platforms.dingtalk.adapter import robot_event, subscription_event

BASE = {"msgId": "m1", "conversationType": "2", "conversationId": "cid9", "senderStaffId": "u1",
        "sessionWebhook": "https://oapi.dingtalk.com/robot/sendBySession?session=x",
        "sessionWebhookExpiredTime": 1690000000000}


def test_group_text_strips_the_bot_mention_and_keeps_the_session_webhook():
    event = robot_event({**BASE, "msgtype": "text", "text": {"content": " @销售助手 新建商机 华东医疗 "}}, "销售助手")
    assert (event.kind, event.dedupe_key, event.actor, event.text) == ("message", "msg:m1", "u1", "新建商机 华东医疗")
    assert event.chat.chat_id == "group:cid9" and event.chat.is_group
    assert event.chat.meta["session_webhook_expires"] == 1690000000000


def test_one_to_one_rich_text_and_non_text_messages():
    one = robot_event({**BASE, "conversationType": "1", "msgtype": "richText",
                       "content": {"richText": [{"text": "帮"}, {"downloadCode": "x"}, {"text": "助"}]}}, "bot")
    assert one.chat.chat_id == "user:u1" and not one.chat.is_group and one.text == "帮助"
    picture = robot_event({**BASE, "msgtype": "picture", "content": {"downloadCode": "d"}}, "bot")
    assert picture.kind == "platform" and picture.text == ""


def test_unusable_messages_say_why():
    with pytest.raises(BadRequest, match="msgId"):
        robot_event({"msgtype": "text"}, "bot")
    with pytest.raises(BadRequest, match="external users"):
        robot_event({**BASE, "conversationType": "1", "senderStaffId": ""}, "bot")


def test_subscription_pushes_are_kept_as_platform_events():
    # an approval push names the originator, not the approver: the approval Event comes after reading it
    event = subscription_event("bpms_instance_change", {"staffId": "u2", "processInstanceId": "pi"}, "e1")
    assert (event.kind, event.dedupe_key, event.raw["eventType"]) == ("platform", "event:e1", "bpms_instance_change")
    assert subscription_event("user_add_org", {}, "e2").kind == "platform"


def test_config_checks_name_the_fix(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[dingtalk]\nenabled = true\nmode = "http"\nclient_id = "a"\nclient_secret = "b"\n'
                    'card_template_id = "t"\nevent_aes_key = "short"\nwebhooks = {east = {secret = "SEC1"}}\n')
    with pytest.raises(ConfigError) as err:
        load_settings(path, env={})
    text = str(err.value)
    assert "dingtalk.event_aes_key" in text and "dingtalk.card_callback_secret" in text
    assert "dingtalk.webhooks.east" in text and "SEC1" not in text
