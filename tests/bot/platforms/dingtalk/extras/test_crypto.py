"""DingTalk signatures and event crypto on the shared vectors."""

from __future__ import annotations

import base64
import json

import pytest

from bot.core.errors import BadRequest, Forbidden
from bot.platforms.dingtalk.extras import crypto
from tests.bot.platforms.dingtalk.conftest import vector


def test_robot_sign_vector():
    v = vector("dingtalk-robot-http-sign")
    i = v["inputs"]
    assert crypto.hmac_sign(i["secret"], i["timestamp"]) == v["expected"]["sign"]
    crypto.verify_robot(i["secret"], i["timestamp"], v["expected"]["sign"], int(i["timestamp"]) + 3_599_000)


def test_robot_sign_rejects_bad_sign_and_stale_timestamp():
    v = vector("dingtalk-robot-http-sign")
    i, sign = v["inputs"], v["expected"]["sign"]
    with pytest.raises(Forbidden, match="does not match"):
        crypto.verify_robot(i["secret"], i["timestamp"], sign[:-2] + "A=", int(i["timestamp"]))
    with pytest.raises(Forbidden, match="server clock"):
        crypto.verify_robot(i["secret"], i["timestamp"], sign, int(i["timestamp"]) + 3_601_000)
    with pytest.raises(Forbidden, match="lacks"):
        crypto.verify_robot(i["secret"], "", sign, 0)


def test_custom_webhook_query_vector():
    v = vector("dingtalk-custom-webhook-sign")
    i = v["inputs"]
    assert crypto.webhook_query(i["secret"], int(i["timestamp"])) == v["expected"]["query_suffix"]


def test_ddpaas_signature_vector():
    v = vector("dingtalk-card-http-ddpaas-signature")
    i = v["inputs"]
    sig = v["expected"]["x_ddpaas_signature"]
    assert crypto.ddpaas_sign(i["api_secret"], i["timestamp"]) == sig
    crypto.verify_card(i["api_secret"], i["timestamp"], sig, int(i["timestamp"]))
    with pytest.raises(Forbidden):
        crypto.verify_card("otherSecret", i["timestamp"], sig, int(i["timestamp"]))


def _event_box(v: dict) -> crypto.EventCrypto:
    i = v["inputs"]
    return crypto.EventCrypto(i["token"], i["encoding_aes_key"], i["receiveid"])


def test_event_vector_verifies_and_decrypts():
    v = vector("dingtalk-http-event-crypto")
    i, box = v["inputs"], _event_box(v)
    assert box.signature(i["timestamp"], i["nonce"], i["encrypt"]) == i["msg_signature"]
    box.verify(i["msg_signature"], i["timestamp"], i["nonce"], i["encrypt"])
    assert box.decrypt(i["encrypt"]).decode() == v["expected"]["plaintext"]


def test_event_vector_reencrypts_with_its_random_prefix():
    v = vector("dingtalk-http-event-crypto")
    box = _event_box(v)
    again = box.encrypt(v["expected"]["plaintext"].encode(), v["expected"]["random_prefix"].encode())
    assert again == v["inputs"]["encrypt"]


def test_event_rejects_tampering_and_foreign_owner():
    v = vector("dingtalk-http-event-crypto")
    i, box = v["inputs"], _event_box(v)
    with pytest.raises(Forbidden):
        box.verify(i["msg_signature"], i["timestamp"], "other", i["encrypt"])
    other = crypto.EventCrypto(i["token"], i["encoding_aes_key"], "dingSomeoneElse")
    with pytest.raises(Forbidden, match="owner key"):
        other.decrypt(i["encrypt"])
    with pytest.raises(BadRequest):
        box.decrypt("not base64!!")
    with pytest.raises(BadRequest, match="does not decrypt") as caught:
        box.decrypt(base64.b64encode(bytes(32)).decode())  # the right length, but garbage: 400, not 403
    assert caught.value.status == 400


def test_success_reply_round_trips():
    v = vector("dingtalk-http-event-crypto")
    box = _event_box(v)
    reply = box.reply(b"success", "1608001896999", "abc")
    box.verify(reply["msg_signature"], reply["timeStamp"], reply["nonce"], reply["encrypt"])
    assert box.decrypt(reply["encrypt"]) == b"success"
    assert set(reply) == {"msg_signature", "timeStamp", "nonce", "encrypt"}
    json.dumps(reply)


def test_bad_aes_key_says_how_to_fix():
    with pytest.raises(ValueError, match="43-character"):
        crypto.EventCrypto("t", "short", "owner")
