"""Feishu event crypto: AES-256-CBC bodies and the X-Lark-Signature check.

Key = SHA-256(Encrypt Key); the base64 blob is IV (16 bytes) + ciphertext with PKCS#7 padding.
Signature = sha256_hex(timestamp + nonce + encrypt_key + raw body bytes), sent only when an
Encrypt Key is set, and never on url_verification.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from functools import lru_cache

from bot.core import aes
from bot.core.errors import BadRequest, BadSignature

WINDOW = 300  # seconds; Feishu retries resend the original headers, so the window only bounds replays
UNDECRYPTABLE = "cannot decrypt the body; check feishu.encrypt_key against the developer console"


@lru_cache(maxsize=8)
def _cipher(encrypt_key: str) -> aes.Key:
    """The AES key of an Encrypt Key (its SHA-256), built once per key."""
    return aes.Key(hashlib.sha256(encrypt_key.encode("utf-8")).digest())


def decrypt(encrypt_key: str, encrypt: str) -> str:
    """Decrypt an `encrypt` field into its UTF-8 plaintext; raise BadRequest saying why it failed."""
    try:
        raw = base64.b64decode(encrypt, validate=True)
    except (binascii.Error, ValueError, TypeError) as exc:
        raise BadRequest("encrypt is not valid base64") from exc
    if len(raw) < 32 or len(raw) % 16:
        raise BadRequest(f"encrypt decodes to {len(raw)} bytes; expected IV + whole 16-byte blocks")
    padded = _cipher(encrypt_key).cbc_decrypt(raw[:16], raw[16:])
    pad = padded[-1]
    if not 1 <= pad <= 16 or padded[-pad:] != padded[-1:] * pad:
        raise BadRequest(UNDECRYPTABLE)
    try:
        return padded[:-pad].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest(UNDECRYPTABLE) from exc


def encrypt(encrypt_key: str, plaintext: str, iv: bytes | None = None) -> str:
    """Encrypt plaintext as Feishu does (tests, fakes and the ws fake endpoint use it)."""
    iv = iv if iv is not None else os.urandom(16)
    data = plaintext.encode("utf-8")
    pad = 16 - len(data) % 16
    sealed = _cipher(encrypt_key).cbc_encrypt(iv, data + bytes((pad,)) * pad)
    return base64.b64encode(iv + sealed).decode("ascii")


def signature(timestamp: str, nonce: str, encrypt_key: str, body: bytes) -> str:
    """Return the hex X-Lark-Signature of a raw body."""
    return hashlib.sha256((timestamp + nonce + encrypt_key).encode("utf-8") + body).hexdigest()


def verify(timestamp: str | None, nonce: str | None, sig: str | None, encrypt_key: str, body: bytes,
           now: float, window: int = WINDOW) -> None:
    """Check the signature (constant time) and the timestamp window; raise BadSignature with the reason."""
    if not (timestamp and nonce and sig):
        raise BadSignature("missing X-Lark-Request-Timestamp, X-Lark-Request-Nonce or X-Lark-Signature header")
    try:
        sent_at = int(timestamp)
    except ValueError as exc:
        raise BadSignature("X-Lark-Request-Timestamp is not a number of seconds") from exc
    if abs(now - sent_at) > window:
        raise BadSignature(f"stale request: timestamp is {int(now - sent_at)} s off (window {window} s); "
                           "check the server clock")
    expected = signature(timestamp, nonce, encrypt_key, body).encode("ascii")
    if not hmac.compare_digest(expected, sig.strip().lower().encode("utf-8", "replace")):
        raise BadSignature("X-Lark-Signature does not match; check feishu.encrypt_key")
