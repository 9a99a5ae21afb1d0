"""DingTalk signatures and the HTTP event-subscription cipher.

- Robot HTTP callback and custom-robot 加签: base64(HMAC-SHA256(key=secret, msg=ts + "\\n" + secret)).
- Card HTTP callback: x-ddpaas-signature = base64(HMAC-SHA256(key=apiSecret, msg=ts)).
- Failed checks raise Forbidden (403, as the issue asks); a body that does not decrypt raises BadRequest (400).
- Event subscription: sorted-SHA1 signature over token, timestamp, nonce, encrypt; AES-256-CBC with
  key = b64decode(aes_key + "="), IV = key[:16], plaintext = 16 random bytes + 4-byte big-endian length
  + msg + ownerKey (the appKey for an internal app), PKCS#7 padded to 32 bytes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import struct
from urllib.parse import quote_plus

from bot.core import aes
from bot.core.errors import BadRequest, Forbidden

WINDOW_MS = 3_600_000  # DingTalk's own validity window; routes pass the tighter [security] replay_window_seconds
BLOCK = 32
_LEN = struct.Struct(">I")


def hmac_sign(secret: str, timestamp: str) -> str:
    """Return the robot/webhook sign: base64 HMAC-SHA256 of "timestamp\\nsecret" keyed by the secret."""
    mac = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(mac).decode("ascii")


def webhook_query(secret: str, timestamp_ms: int) -> str:
    """Return the `&timestamp=…&sign=…` suffix a signed custom-robot webhook URL needs."""
    return f"&timestamp={timestamp_ms}&sign={quote_plus(hmac_sign(secret, str(timestamp_ms)))}"


def ddpaas_sign(api_secret: str, timestamp: str) -> str:
    """Return the x-ddpaas-signature of an interactive-card HTTP callback."""
    mac = hmac.new(api_secret.encode(), timestamp.encode(), hashlib.sha256).digest()
    return base64.b64encode(mac).decode("ascii")


def check_fresh(timestamp: str, now_ms: int, what: str, window_ms: int = WINDOW_MS) -> None:
    """Raise Forbidden unless the millisecond timestamp is within the window of now."""
    try:
        sent = int(timestamp)
    except (TypeError, ValueError):
        raise Forbidden(f"DingTalk {what} timestamp {str(timestamp)[:20]!r} is not a number") from None
    if abs(now_ms - sent) > window_ms:
        raise Forbidden(f"DingTalk {what} timestamp is {(now_ms - sent) // 1000:+d} s off "
                           f"(allowed ±{window_ms // 1000} s); check the server clock")


def verify_robot(secret: str, timestamp: str, sign: str, now_ms: int, window_ms: int = WINDOW_MS) -> None:
    """Check a robot HTTP callback's `timestamp`/`sign` headers (constant time, within the window)."""
    if not timestamp or not sign:
        raise Forbidden("DingTalk robot callback lacks the timestamp or sign header")
    check_fresh(timestamp, now_ms, "robot", window_ms)
    if not hmac.compare_digest(hmac_sign(secret, timestamp).encode(), sign.encode("utf-8", "replace")):
        raise Forbidden("DingTalk robot sign does not match; check [dingtalk] client_secret")


def verify_card(api_secret: str, timestamp: str, signature: str, now_ms: int, window_ms: int = WINDOW_MS) -> None:
    """Check a card HTTP callback's x-ddpaas-signature headers (constant time, within the window)."""
    if not timestamp or not signature:
        raise Forbidden("DingTalk card callback lacks x-ddpaas-signature(-timestamp) headers")
    check_fresh(timestamp, now_ms, "card callback", window_ms)
    if not hmac.compare_digest(ddpaas_sign(api_secret, timestamp).encode(), signature.encode("utf-8", "replace")):
        raise Forbidden("DingTalk x-ddpaas-signature does not match; check [dingtalk] card_callback_secret")


def _aes_key(aes_key: str) -> bytes:
    try:
        key = binascii.a2b_base64(aes_key + "=", strict_mode=True) if len(aes_key) == 43 else b""
    except binascii.Error:
        key = b""
    if len(key) != 32:
        raise ValueError("[dingtalk] event_aes_key must be the 43-character aes_key from the event subscription page")
    return key


class EventCrypto:
    """Verify, decrypt and encrypt HTTP event-subscription payloads for one token/aes_key/owner key."""

    def __init__(self, token: str, aes_key: str, owner_key: str) -> None:
        key = _aes_key(aes_key)
        self.token, self.owner = token, owner_key.encode()
        self._aes = aes.Key(key)
        self._iv = key[:16]  # DingTalk takes the IV from the key

    def signature(self, timestamp: str, nonce: str, encrypt: str) -> str:
        """Return the hex SHA1 of token, timestamp, nonce and encrypt, sorted and joined."""
        return hashlib.sha1("".join(sorted((self.token, timestamp, nonce, encrypt))).encode()).hexdigest()

    def verify(self, signature: str, timestamp: str, nonce: str, encrypt: str) -> None:
        """Raise Forbidden unless the signature matches (constant time)."""
        expected = self.signature(timestamp, nonce, encrypt).encode()
        if not hmac.compare_digest(expected, signature.encode("utf-8", "replace")):
            raise Forbidden("DingTalk event signature does not match; check [dingtalk] event_token")

    def decrypt(self, encrypt: str) -> bytes:
        """Return the message inside `encrypt`; raise BadRequest if it does not decrypt, Forbidden if not ours."""
        try:
            data = binascii.a2b_base64(encrypt, strict_mode=True)
        except (binascii.Error, ValueError) as exc:
            raise BadRequest("DingTalk encrypt is not valid base64") from exc
        if not data or len(data) % 16:
            raise BadRequest(f"DingTalk encrypt decodes to {len(data)} bytes, not a positive multiple of 16")
        plain = self._aes.cbc_decrypt(self._iv, data)
        pad = plain[-1]
        if not 1 <= pad <= BLOCK or plain[-pad:] != plain[-1:] * pad or len(plain) - pad < 20:
            raise BadRequest("DingTalk event does not decrypt; check [dingtalk] event_aes_key")
        end = len(plain) - pad
        size = _LEN.unpack_from(plain, 16)[0]
        if 20 + size > end or plain[20 + size:end] != self.owner:
            raise Forbidden("DingTalk event owner key does not match; check [dingtalk] client_id (the appKey)")
        return plain[20:20 + size]

    def encrypt(self, msg: bytes, random16: bytes | None = None) -> str:
        """Encrypt a message (e.g. b"success") for a reply; return base64."""
        prefix = os.urandom(16) if random16 is None else random16
        body = prefix + _LEN.pack(len(msg)) + msg + self.owner
        pad = BLOCK - len(body) % BLOCK
        sealed = self._aes.cbc_encrypt(self._iv, body + bytes((pad,)) * pad)
        return base64.b64encode(sealed).decode("ascii")

    def reply(self, msg: bytes, timestamp: str, nonce: str) -> dict[str, str]:
        """Return the signed, encrypted answer body DingTalk expects (e.g. for b"success")."""
        encrypt = self.encrypt(msg)
        return {"msg_signature": self.signature(timestamp, nonce, encrypt), "timeStamp": timestamp,
                "nonce": nonce, "encrypt": encrypt}
