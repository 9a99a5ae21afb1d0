"""WXBizMsgCrypt: the shared WeCom vectors, tampering, receiveid checks and a wechatpy round trip."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from bot.core.errors import BadRequest, BadSignature
from bot.platforms.wecom.extras.crypto import WecomCrypto, envelope_xml

SHARED = "shared/fixtures/crypto_vectors.json"  # /work/shared beside the repository (any parent of this file)
VECTORS_FILE = next((p / SHARED for p in Path(__file__).resolve().parents if (p / SHARED).exists()),
                    Path(__file__).resolve().parents[6] / SHARED)
TOKEN, KEY, CORP = "salesbotToken", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "ww0123456789abcdef"
PLAIN = ("<xml><ToUserName><![CDATA[ww0123456789abcdef]]></ToUserName><FromUserName><![CDATA[zhangsan]]></FromUserName>"
         "<CreateTime>1700000123</CreateTime><MsgType><![CDATA[text]]></MsgType>"
         "<Content><![CDATA[客户预算 50-80 万，下周报价]]></Content><MsgId>7300000000000000001</MsgId>"
         "<AgentID>1000002</AgentID></xml>")
MISSING = f"shared crypto vectors not found at {VECTORS_FILE}; check out /work/shared next to the repo to run these"


def wecom_vectors(*algorithms: str, valid_only: bool = False) -> list[Any]:
    """Return the WeCom vectors of the given algorithms as pytest params (one skipped param if the file is absent)."""
    if not VECTORS_FILE.exists():
        return [pytest.param(None, marks=pytest.mark.skip(reason=MISSING))]
    vectors = json.loads(VECTORS_FILE.read_text(encoding="utf-8"))["vectors"]
    return [pytest.param(v, id=v["id"]) for v in vectors
            if v["platform"] == "wecom" and v["algorithm"] in algorithms
            and (not valid_only or v["expected"].get("signature_valid", True))]


def crypto_for(vector: dict, receive_id: str | None = None) -> WecomCrypto:
    """Build a WecomCrypto from a vector's inputs, optionally with another receiveid."""
    inp = vector["inputs"]
    rid = inp["receiveid"] if receive_id is None else receive_id
    return WecomCrypto(inp["token"], inp["encoding_aes_key"], rid)


def blob(vector: dict) -> str:
    """Return the encrypted field of a verify-URL or decrypt vector."""
    return vector["inputs"].get("echostr") or vector["inputs"]["encrypt"]


def vector(vector_id: str) -> dict:
    """Return one WeCom vector by id, skipping when the file is absent."""
    for param in wecom_vectors("wxbiz_verify_url", "wxbiz_decrypt", "wxbiz_encrypt"):
        if param.values[0] is None:
            pytest.skip(MISSING)
        if param.values[0]["id"] == vector_id:
            return param.values[0]
    raise LookupError(vector_id)


@pytest.mark.parametrize("v", wecom_vectors("wxbiz_verify_url", "wxbiz_decrypt"))
def test_signature_vectors(v: dict) -> None:
    inp, crypto = v["inputs"], crypto_for(v)
    args = (inp["msg_signature"], inp["timestamp"], inp["nonce"], blob(v))
    if v["expected"]["signature_valid"]:
        crypto.verify(*args)
        assert crypto.signature(*args[1:]) == inp["msg_signature"]
    else:
        with pytest.raises(BadSignature):
            crypto.verify(*args)


@pytest.mark.parametrize("v", wecom_vectors("wxbiz_verify_url", "wxbiz_decrypt", valid_only=True))
def test_decrypt_vectors(v: dict) -> None:
    want = v["expected"].get("reply_body") or v["expected"]["plaintext"]
    assert crypto_for(v).decrypt(blob(v)) == want.encode("utf-8")


@pytest.mark.parametrize("v", wecom_vectors("wxbiz_verify_url", "wxbiz_decrypt", valid_only=True))
def test_reencrypt_with_recovered_random_reproduces_vector(v: dict) -> None:
    inp, exp = v["inputs"], v["expected"]
    msg = (exp.get("reply_body") or exp["plaintext"]).encode("utf-8")
    out = crypto_for(v).encrypt(msg, inp["nonce"], inp["timestamp"], exp["random_prefix"].encode("latin-1"))
    assert out == {"Encrypt": blob(v), "MsgSignature": inp["msg_signature"],
                   "TimeStamp": inp["timestamp"], "Nonce": inp["nonce"]}


@pytest.mark.parametrize("v", wecom_vectors("wxbiz_encrypt"))
def test_encrypt_vectors(v: dict) -> None:
    inp, exp = v["inputs"], v["expected"]
    out = crypto_for(v).encrypt(inp["plaintext"].encode("utf-8"), inp["nonce"], inp["timestamp"],
                                inp["random"].encode("latin-1"))
    assert out["Encrypt"] == exp["encrypt"]
    assert out["MsgSignature"] == exp["msg_signature"]
    assert (out["TimeStamp"], out["Nonce"]) == (inp["timestamp"], inp["nonce"])


def test_bad_nonce_is_rejected() -> None:
    v = vector("wecom-B-check-signature-bad-nonce")
    inp = v["inputs"]
    with pytest.raises(BadSignature):
        crypto_for(v).open(inp["msg_signature"], inp["timestamp"], inp["nonce"], inp["echostr"])


def tamper(encrypt: str, at: int) -> str:
    """Flip one base64 character at position `at` (counted from the end when negative)."""
    i = at % len(encrypt)
    return encrypt[:i] + ("A" if encrypt[i] != "A" else "B") + encrypt[i + 1:]


@pytest.mark.parametrize("at", [0, 30, -8])
def test_tampered_ciphertext_fails_signature_and_decrypt(at: int) -> None:
    v = vector("wecom-A-decrypt-post")
    inp, crypto = v["inputs"], crypto_for(v)
    bad = tamper(inp["encrypt"], at)
    with pytest.raises(BadSignature):
        crypto.verify(inp["msg_signature"], inp["timestamp"], inp["nonce"], bad)
    with pytest.raises(BadRequest):
        crypto.decrypt(bad)


def test_wrong_receiveid_is_rejected() -> None:
    v = vector("wecom-A-decrypt-post")
    with pytest.raises(BadSignature, match="receiveid"):
        crypto_for(v, receive_id="wx0000000000000000").decrypt(v["inputs"]["encrypt"])


def test_robot_accepts_only_an_empty_receiveid() -> None:
    v = vector("wecom-A-decrypt-post")
    robot = crypto_for(v, receive_id="")
    with pytest.raises(BadSignature, match="receiveid"):
        robot.decrypt(v["inputs"]["encrypt"])
    sealed = robot.encrypt(b'{"msgtype":"text"}', "n1", "1700000000")
    assert robot.decrypt(sealed["Encrypt"]) == b'{"msgtype":"text"}'
    with pytest.raises(BadSignature, match="receiveid"):
        crypto_for(v).decrypt(sealed["Encrypt"])


@pytest.mark.parametrize("encrypt", ["not base64!", "", "QUJD", "QUJDREVGR0hJSktMTU5PUA"])
def test_malformed_encrypt_is_a_bad_request(encrypt: str) -> None:
    with pytest.raises(BadRequest):
        crypto_for(vector("wecom-A-decrypt-post")).decrypt(encrypt)


def test_timestamp_window() -> None:
    v = vector("wecom-A-decrypt-post")
    inp, crypto = v["inputs"], crypto_for(v)
    args = (inp["msg_signature"], inp["timestamp"], inp["nonce"], inp["encrypt"])
    sent = int(inp["timestamp"])
    crypto.verify(*args, now=sent + 300)
    crypto.verify(*args, now=sent - 300)
    crypto.verify(*args, now=sent + 900, window=900)
    with pytest.raises(BadSignature, match="server clock"):
        crypto.verify(*args, now=sent + 301)
    with pytest.raises(BadSignature):
        crypto.verify(*args[:1], "x", *args[2:], now=sent)


@pytest.mark.parametrize("key", ["short", "!" * 43])
def test_bad_encoding_aes_key_says_how_to_fix(key: str) -> None:
    with pytest.raises(ValueError, match="copy it again"):
        WecomCrypto("t", key, "corp")


def test_random_prefix_differs_per_call() -> None:
    crypto = crypto_for(vector("wecom-A-decrypt-post"))
    first, second = (crypto.encrypt(b"hi", "n", "1")["Encrypt"] for _ in range(2))
    assert first != second
    assert crypto.decrypt(first) == crypto.decrypt(second) == b"hi"


def test_wechatpy_as_wecom_then_ours_decrypts() -> None:
    from wechatpy.enterprise.crypto import WeChatCrypto

    xml = WeChatCrypto(TOKEN, KEY, CORP).encrypt_message(PLAIN, "5551212", "1700000123")
    fields = dict(re.findall(r"<(\w+)>(?:<!\[CDATA\[)?([^<\]]*)", xml))
    ours = WecomCrypto(TOKEN, KEY, CORP)
    got = ours.open(fields["MsgSignature"], fields["TimeStamp"], fields["Nonce"], fields["Encrypt"], now=1700000123)
    assert got.decode("utf-8") == PLAIN


def test_ours_encrypts_then_wechatpy_decrypts() -> None:
    from wechatpy.enterprise.crypto import WeChatCrypto

    reply = WecomCrypto(TOKEN, KEY, CORP).encrypt(PLAIN.encode("utf-8"), "987654", "1700000456")
    theirs = WeChatCrypto(TOKEN, KEY, CORP)
    assert theirs.decrypt_message(envelope_xml(reply), reply["MsgSignature"], "1700000456", "987654") == PLAIN
