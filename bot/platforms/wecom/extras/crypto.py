"""WXBizMsgCrypt for WeCom callbacks: sorted-SHA1 signatures and AES-256-CBC with 32-byte PKCS#7.

Plaintext layout: 16 random bytes + 4-byte big-endian msg length + msg + receiveid. The key is
base64(EncodingAESKey + "="), the IV is the key's first 16 bytes. The receiveid is the corpid for a
self-built app, the suite id for a third-party suite and "" for the intelligent robot.
"""

from __future__ import annotations

import binascii
import hashlib
import hmac
import os
import struct

from bot.core import aes
from bot.core.errors import BadRequest, BadSignature

BLOCK = 32  # WeCom pads to 32 bytes, not AES's 16 (the official vector carries a pad of 30)
WINDOW = 300  # seconds; WeCom retries the same signed request within minutes, clocks drift a little
_LEN = struct.Struct(">I")


def aes_key(encoding_aes_key: str) -> bytes:
    """Decode a 43-character EncodingAESKey into the 32-byte AES key."""
    if len(encoding_aes_key) != 43:
        raise ValueError(f"EncodingAESKey must be 43 characters, got {len(encoding_aes_key)}; "
                         "copy it again from the app's 接收消息 settings")
    try:
        key = binascii.a2b_base64(encoding_aes_key + "=", strict_mode=True)
    except binascii.Error as exc:
        raise ValueError("EncodingAESKey may hold only a-z, A-Z and 0-9; copy it again from the console") from exc
    if len(key) != 32:
        raise ValueError("EncodingAESKey does not decode to 32 bytes; copy it again from the console")
    return key


class WecomCrypto:
    """Sign, verify, encrypt and decrypt WeCom callback payloads for one token/key/receiveid."""

    def __init__(self, token: str, encoding_aes_key: str, receive_id: str) -> None:
        key = aes_key(encoding_aes_key)
        self.token = token
        self.receive_id = receive_id.encode("utf-8")
        self._aes = aes.Key(key)
        self._iv = key[:16]  # WeCom takes the IV from the key

    def signature(self, timestamp: str, nonce: str, encrypt: str) -> str:
        """Return the hex SHA1 of token, timestamp, nonce and encrypt, sorted and concatenated."""
        return hashlib.sha1("".join(sorted((self.token, timestamp, nonce, encrypt))).encode("utf-8")).hexdigest()

    def verify(self, msg_signature: str, timestamp: str, nonce: str, encrypt: str,
               now: int | None = None, window: int = WINDOW) -> None:
        """Raise BadSignature unless the signature matches and, given `now`, the timestamp is fresh."""
        expected = self.signature(timestamp, nonce, encrypt)
        if not hmac.compare_digest(expected.encode("ascii"), msg_signature.encode("utf-8", "replace")):
            raise BadSignature("WeCom msg_signature does not match; check [wecom] token")
        if now is not None:
            _check_fresh(timestamp, now, window)

    def decrypt(self, encrypt: str) -> bytes:
        """Return the message inside an Encrypt value; raise BadRequest/BadSignature if it is not ours."""
        data = _b64decode(encrypt)
        plain = self._aes.cbc_decrypt(self._iv, data)
        pad = plain[-1]
        if pad < 1 or pad > BLOCK or plain[-pad:] != plain[-1:] * pad:
            raise BadSignature("WeCom payload does not decrypt (bad padding); check [wecom] encoding_aes_key")
        end = len(plain) - pad
        if end < 20:
            raise BadSignature("WeCom payload is too short to hold a message")
        size = _LEN.unpack_from(plain, 16)[0]
        if 20 + size > end:
            raise BadSignature("WeCom payload length field is out of range; check [wecom] encoding_aes_key")
        if plain[20 + size:end] != self.receive_id:
            raise BadSignature("WeCom receiveid does not match; check [wecom] corp_id (\"\" for the robot)")
        return plain[20:20 + size]

    def open(self, msg_signature: str, timestamp: str, nonce: str, encrypt: str, now: int | None = None) -> bytes:
        """Verify, then decrypt: the one call a callback handler needs."""
        self.verify(msg_signature, timestamp, nonce, encrypt, now)
        return self.decrypt(encrypt)

    def encrypt(self, msg: bytes, nonce: str, timestamp: str, random16: bytes | None = None) -> dict[str, str]:
        """Encrypt and sign a reply; return Encrypt, MsgSignature, TimeStamp and Nonce."""
        prefix = os.urandom(16) if random16 is None else random16
        if len(prefix) != 16:
            raise ValueError("random16 must be exactly 16 bytes")
        body = prefix + _LEN.pack(len(msg)) + msg + self.receive_id
        pad = BLOCK - len(body) % BLOCK
        sealed = self._aes.cbc_encrypt(self._iv, body + bytes((pad,)) * pad)
        encrypt = binascii.b2a_base64(sealed, newline=False).decode("ascii")
        return {"Encrypt": encrypt, "MsgSignature": self.signature(timestamp, nonce, encrypt),
                "TimeStamp": timestamp, "Nonce": nonce}


def envelope_xml(reply: dict[str, str]) -> str:
    """Render an encrypted reply (from WecomCrypto.encrypt) as the XML body WeCom expects."""
    return (f"<xml><Encrypt><![CDATA[{reply['Encrypt']}]]></Encrypt>"
            f"<MsgSignature><![CDATA[{reply['MsgSignature']}]]></MsgSignature>"
            f"<TimeStamp>{reply['TimeStamp']}</TimeStamp>"
            f"<Nonce><![CDATA[{reply['Nonce']}]]></Nonce></xml>")


def _b64decode(encrypt: str) -> bytes:
    try:
        data = binascii.a2b_base64(encrypt, strict_mode=True)
    except (binascii.Error, ValueError) as exc:
        raise BadRequest("WeCom Encrypt is not valid base64") from exc
    if not data or len(data) % 16:
        raise BadRequest(f"WeCom Encrypt decodes to {len(data)} bytes, not a positive multiple of 16")
    return data


def _check_fresh(timestamp: str, now: int, window: int) -> None:
    try:
        sent = int(timestamp)
    except ValueError:
        raise BadSignature(f"WeCom timestamp {timestamp[:20]!r} is not a number") from None
    if abs(now - sent) > window:
        raise BadSignature(f"WeCom timestamp is {now - sent:+d} s off (allowed ±{window} s); check the server clock")
