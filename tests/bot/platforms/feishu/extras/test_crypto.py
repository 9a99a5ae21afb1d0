"""Feishu crypto on the shared vectors: the official AES sample and a signed url_verification."""

from __future__ import annotations

import base64
import hashlib

import pytest

from bot.core.errors import BadRequest, BadSignature
from bot.platforms.feishu.extras import crypto
from tests.bot.platforms.feishu.conftest import vectors


def _vector(vid: str) -> dict:
    return next(v for v in vectors() if v["id"] == vid)


def test_official_aes_vector_decrypts():
    v = _vector("feishu-official-aes")
    assert crypto.decrypt(v["inputs"]["encrypt_key"], v["inputs"]["encrypt"]) == v["expected"]["plaintext"]
    raw = base64.b64decode(v["inputs"]["encrypt"])
    assert len(raw) == v["expected"]["decoded_length"] and raw[:16].hex() == v["expected"]["iv_hex"]
    assert hashlib.sha256(v["inputs"]["encrypt_key"].encode()).hexdigest() == v["expected"]["key_sha256_hex"]


def test_signed_url_verification_vector_encrypts_and_signs():
    v = _vector("feishu-url-verification-signed")
    i, e = v["inputs"], v["expected"]
    enc = crypto.encrypt(i["encrypt_key"], i["plaintext"], bytes.fromhex(i["iv_hex"]))
    assert enc == e["encrypt"]
    assert crypto.decrypt(i["encrypt_key"], enc) == i["plaintext"]
    body = e["raw_body"].encode()
    assert crypto.signature(i["timestamp"], i["nonce"], i["encrypt_key"], body) == e["signature"]
    crypto.verify(i["timestamp"], i["nonce"], e["signature"], i["encrypt_key"], body, now=int(i["timestamp"]) + 5)


def test_signature_covers_the_exact_raw_bytes():
    v = _vector("feishu-url-verification-signed")
    spaced = v["expected"]["raw_body"].replace('":"', '": "').encode()
    with pytest.raises(BadSignature, match="does not match"):
        crypto.verify(v["inputs"]["timestamp"], v["inputs"]["nonce"], v["expected"]["signature"], "test key",
                      spaced, now=1700000000)


@pytest.mark.parametrize(("ts", "now", "reason"), [
    ("1700000000", 1700000000 + 301, "stale request"),
    ("1700000000", 1700000000 - 301, "stale request"),
    ("soon", 1700000000, "not a number"),
    ("", 1700000000, "missing"),
])
def test_timestamp_window_and_missing_headers(ts, now, reason):
    with pytest.raises(BadSignature, match=reason):
        crypto.verify(ts, "abc", "00" * 32, "test key", b"{}", now=now)


def test_non_ascii_signature_is_refused_not_crashing():
    with pytest.raises(BadSignature):
        crypto.verify("1700000000", "abc", "签名", "test key", b"{}", now=1700000000)


@pytest.mark.parametrize(("blob", "reason"), [
    ("not base64!!", "not valid base64"),
    (base64.b64encode(b"x" * 20).decode(), "whole 16-byte blocks"),
    (base64.b64encode(b"\0" * 48).decode(), "cannot decrypt"),
])
def test_undecryptable_bodies_say_why(blob, reason):
    with pytest.raises(BadRequest, match=reason):
        crypto.decrypt("test key", blob)


def test_wrong_key_is_refused():
    enc = crypto.encrypt("right key", '{"a": 1}', bytes(16))
    with pytest.raises(BadRequest):
        crypto.decrypt("wrong key", enc)
