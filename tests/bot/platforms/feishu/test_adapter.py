"""Parsing verified Feishu payloads into Events, and authenticating bodies."""

from __future__ import annotations

import base64
import json

import pytest

from bot.config import FeishuConfig
from bot.core.actions import AdvanceStage, AskEvidence
from bot.core.errors import BadRequest, BadSignature
from bot.platforms.feishu import adapter
from bot.platforms.feishu.extras import card_actions, crypto
from tests.bot.platforms.feishu.conftest import click, envelope, mention, signed, text_message

BOT = "ou_bot"
NOW = 1_700_000_000


def _message(text: str, **kw) -> dict:
    return envelope("im.message.receive_v1", text_message(text, "ou_rep", **kw))


def test_group_message_mentioning_the_bot_becomes_a_message_without_placeholders():
    event = adapter.to_event(_message("@_user_2  @_user_1 新建商机 华东医疗", mentions=[
        mention("@_user_1", BOT), mention("@_user_2", "ou_colleague", "王强")]), BOT)
    assert (event.kind, event.text, event.actor) == ("message", "新建商机 华东医疗", "ou_rep")
    assert event.dedupe_key == "msg:om_1" and event.chat.chat_id == "oc_group1" and event.chat.is_group
    assert event.chat.meta["reply_to"] == "om_1"


def test_group_message_for_someone_else_is_a_platform_event():
    event = adapter.to_event(_message("@_user_1 hi", mentions=[mention("@_user_1", "ou_other", "王强")]), BOT)
    assert event.kind == "platform" and event.dedupe_key == "msg:om_1"


def test_p2p_needs_no_mention_and_name_fallback_works_without_the_bot_id():
    assert adapter.to_event(_message("帮助", chat_type="p2p"), BOT).kind == "message"
    named = _message("@_user_1 帮助", mentions=[mention("@_user_1", "ou_x", "销售助手")])
    assert adapter.to_event(named, None, "销售助手").kind == "message"
    assert adapter.needs_bot_id(named) and not adapter.needs_bot_id(_message("x", chat_type="p2p"))


def test_post_messages_keep_text_runs_and_images_are_platform_events():
    post = _message("", chat_type="p2p")
    post["event"]["message"].update(message_type="post", content=json.dumps(
        {"title": "", "content": [[{"tag": "at", "user_id": "@_user_1"}, {"tag": "text", "text": "凭证 "},
                                   {"tag": "a", "text": "https://x.cn/m", "href": "https://x.cn/m"}]]}))
    assert adapter.to_event(post, BOT).text == "凭证 https://x.cn/m"
    image = _message("", chat_type="p2p")
    image["event"]["message"].update(message_type="image", content='{"image_key": "img_1"}')
    assert adapter.to_event(image, BOT).kind == "platform"


def test_bot_senders_are_not_answered():
    msg = _message("帮助", chat_type="p2p")
    msg["event"]["sender"]["sender_type"] = "app"
    assert adapter.to_event(msg, BOT).kind == "platform"


def test_card_action_unpacks_our_action_and_keeps_the_card_message():
    event = adapter.to_event(click("opp.advance|7", "ou_rep", "cb-9"), BOT)
    assert event.kind == "card_action" and event.action == AdvanceStage(opportunity_id=7)
    assert event.dedupe_key == "card:cb-9" and event.chat.meta["message_id"] == "om_card"


def test_a_form_submit_brings_the_typed_text_and_a_checker_tick_its_action():
    submit = click("opp.evidence|7", "ou_rep", "cb-f")
    submit["event"]["action"].update(name="submit", form_value={"value": "  会议纪要 https://x.cn  "})
    event = adapter.to_event(submit, BOT)
    assert event.action == AskEvidence(opportunity_id=7) and event.text == "会议纪要 https://x.cn"
    submit["event"]["action"]["form_value"] = {"value": "长" * 5000}
    assert len(adapter.to_event(submit, BOT).text) == card_actions.MAX_TYPED
    tick = click("opp.advance|7", "ou_rep", "cb-c")
    tick["event"]["action"].update(tag="checker", checked=True)
    event = adapter.to_event(tick, BOT)
    assert event.action == AdvanceStage(opportunity_id=7) and event.text == ""


def test_foreign_or_outdated_buttons_give_no_action():
    assert adapter.to_event(click("gone.away|1", "ou_rep"), BOT).action is None
    other = click("x", "ou_rep")
    other["event"]["action"]["value"] = {"key": "value"}
    assert adapter.to_event(other, BOT).action is None


def test_unknown_types_and_v1_envelopes_become_platform_events():
    assert adapter.to_event(envelope("contact.user.created_v3", {}, "ev-7"), BOT).dedupe_key == "evt:ev-7"
    v1 = {"uuid": "u-1", "token": "t", "ts": "1", "type": "event_callback", "event": {"type": "approval_instance"}}
    assert adapter.to_event(v1, BOT).dedupe_key == "v1:u-1"
    with pytest.raises(BadRequest, match="unknown envelope"):
        adapter.to_event({"hello": "world"}, BOT)


def _cfg(**kw) -> FeishuConfig:
    return FeishuConfig(enabled=True, **{"encrypt_key": "test key", "verification_token": "vtoken", **kw})


def test_open_request_decrypts_and_verifies():
    body, headers = signed(_message("x"), NOW)
    assert adapter.open_request(_cfg(), headers, body, NOW)["header"]["event_id"] == "ev-1"


def test_plain_body_is_refused_when_the_signature_is_missing():
    body = json.dumps(_message("x")).encode()
    with pytest.raises(BadSignature, match="missing"):
        adapter.open_request(_cfg(), {}, body, NOW)


def _encrypted(plain: bytes, padded: bool = True) -> bytes:
    """A body whose `encrypt` holds `plain` (PKCS#7-padded unless `padded` is False: then it must be whole blocks)."""
    pad = 16 - len(plain) % 16
    data = plain + bytes((pad,)) * pad if padded else plain
    raw = b"\x00" * 16 + crypto._cipher("test key").cbc_encrypt(b"\x00" * 16, data)
    return json.dumps({"encrypt": base64.b64encode(raw).decode()}).encode()


@pytest.mark.parametrize("body", [_encrypted(b"sixteen bytes!!\x00", padded=False), _encrypted(b"\xff\xfe not utf-8"),
                                  _encrypted(b"not json"), _encrypted(b"[1, 2]"),
                                  _encrypted(b"[" * 40 + b"]" * 40), b'{"encrypt": "@@@"}'])
def test_an_unsigned_body_that_does_not_decrypt_to_an_object_gets_one_answer_whatever_failed(body):
    """No padding oracle: bad padding, UTF-8, JSON or base64 inside an unsigned body are the same refusal."""
    with pytest.raises(BadRequest) as refused:
        adapter.open_request(_cfg(), {}, body, NOW)
    assert refused.value.args[0] == crypto.UNDECRYPTABLE


def test_a_signed_body_keeps_the_precise_reason():
    body = _encrypted(b"[1, 2]")
    headers = {"X-Lark-Request-Timestamp": str(NOW), "X-Lark-Request-Nonce": "n",
               "X-Lark-Signature": crypto.signature(str(NOW), "n", "test key", body)}
    with pytest.raises(BadRequest, match="decrypted body must be a JSON object"):
        adapter.open_request(_cfg(), headers, body, NOW)


def test_without_encrypt_key_the_token_authenticates():
    body = json.dumps(_message("x")).encode()
    assert adapter.open_request(_cfg(encrypt_key=""), {}, body, NOW)
    with pytest.raises(BadSignature, match="verification token"):
        adapter.open_request(_cfg(encrypt_key="", verification_token="other"), {}, body, NOW)
    with pytest.raises(BadSignature, match="cannot be authenticated"):
        adapter.open_request(_cfg(encrypt_key="", verification_token=""), {}, body, NOW)


def test_message_without_ids_is_malformed():
    msg = _message("x")
    del msg["event"]["message"]["message_id"]
    with pytest.raises(BadRequest, match="message_id"):
        adapter.to_event(msg, BOT)


def test_the_verification_token_is_not_stored_with_the_event():
    event = adapter.to_event(_message("帮助", chat_type="p2p"), BOT)
    assert event.raw["header"]["token"] == "<redacted>" and "vtoken" not in json.dumps(event.to_dict())
