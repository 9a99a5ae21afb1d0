"""An attacker's and a platform's toolkit on loopback: one app with every adapter on, and requests signed
and encrypted the way each platform does it — by an independent implementation (wechatpy for WeCom;
`hmac` and pycryptodome written from the platform documents for DingTalk and Feishu), never by the
code under test. Used by the recorded-payload test, bench/prove_fuzz.py and bench/prove_security.py.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import os
import re
import struct
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from aiohttp.test_utils import TestClient, TestServer
from Crypto.Cipher import AES
from sqlalchemy import text
from wechatpy.enterprise.crypto import WeChatCrypto

from bot.config import Settings, load_settings
from bot.core.clock import ManualClock
from bot.platforms.playground.api import PlaygroundAPI
from bot.runtime import Runtime
from bot.web.app import create_app
from storage.db import Database
from storage.migrate import upgrade

CORP_ID, AGENT_ID = "ww0123456789abcdef", 1000002
WECOM_TOKEN, WECOM_KEY = "appToken", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
BOT_TOKEN, BOT_KEY = "botToken", "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefg"
DT_ID, DT_SECRET, DT_CARD = "dingclientid", "dt-client-secret", "dt-card-secret"
DT_EVENT_TOKEN, DT_EVENT_KEY = "dtToken", "Yue0EfdN5900c1ce5cf6A152c63DDe1808a60c5ecd7"
FS_KEY, FS_TOKEN = "fs encrypt key", "fs-vtoken"
INTAKE_TOKEN, INTAKE_SECRET = "intake-token", "intake-secret"
CLOSED = "http://127.0.0.1:9"  # the discard port: any outbound call fails at once, nothing leaves the host


def settings(url: str) -> Settings:
    """Every adapter on, in HTTP mode, with the credentials above; outbound APIs point nowhere."""
    s = load_settings(env={})
    s.database.url = url
    s.server.admin_token, s.server.secret_key = "prove-admin-token", "prove-secret-key"
    s.wecom.__dict__.update(enabled=True, corp_id=CORP_ID, agent_id=AGENT_ID, secret="s", token=WECOM_TOKEN,
                            encoding_aes_key=WECOM_KEY, bot_token=BOT_TOKEN, bot_encoding_aes_key=BOT_KEY,
                            api_base=CLOSED)
    s.dingtalk.__dict__.update(enabled=True, mode="http", client_id=DT_ID, client_secret=DT_SECRET,
                               card_callback_secret=DT_CARD, event_token=DT_EVENT_TOKEN, event_aes_key=DT_EVENT_KEY,
                               api_base=CLOSED, oapi_base=CLOSED)
    s.feishu.__dict__.update(enabled=True, mode="webhook", app_id="cli_x", app_secret="x", encrypt_key=FS_KEY,
                             verification_token=FS_TOKEN, api_base=CLOSED)
    s.intake.channels = {"web": {"token": INTAKE_TOKEN, "secret": INTAKE_SECRET}}
    return s


async def runtime(url: str, clock: ManualClock | None = None) -> Runtime:
    """A migrated Runtime for `settings(url)`; only the playground API is wired (no outbound traffic)."""
    db = Database(url)
    await upgrade(db)
    rt = Runtime(settings(url), clock=clock or ManualClock(), db=db, apis={"playground": PlaygroundAPI()})
    rt.inbox.start()
    return rt


@asynccontextmanager
async def database(base_url: str | None, tmp: str) -> AsyncIterator[str]:
    """A fresh database URL: a SQLite file under `tmp`, or a throwaway schema of the PostgreSQL `base_url`."""
    if not base_url:
        yield f"sqlite+aiosqlite:///{tmp}/prove.db"
        return
    schema = "prove_" + uuid.uuid4().hex[:10]
    admin = Database(base_url)
    async with admin.engine.begin() as conn:
        await conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{base_url}?options=-csearch_path%3D{schema}"
    finally:
        async with admin.engine.begin() as conn:
            await conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        await admin.close()


@asynccontextmanager
async def served() -> AsyncIterator[tuple[Runtime, TestClient]]:
    """A fresh app on loopback and its client, on SQLite or a throwaway schema of $PROVE_DATABASE_URL."""
    with tempfile.TemporaryDirectory() as tmp:
        async with database(os.environ.get("PROVE_DATABASE_URL"), tmp) as url:
            rt = await runtime(url)
            client = TestClient(TestServer(create_app(rt)))
            await client.start_server()
            try:
                yield rt, client
            finally:
                await rt.dispatcher.drain()
                await client.close()
                await rt.stop()


@dataclass
class Req:
    """One HTTP request to send."""

    path: str
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    method: str = "POST"


_seq = itertools.count(1)


def _nonce() -> str:
    return f"{next(_seq):08d}"


def wecom_app(xml: str, ts: int) -> Req:
    """A self-built-app callback: the XML encrypted and signed by wechatpy."""
    encrypt, sig, nonce = _wechatpy(xml, ts, WECOM_TOKEN, WECOM_KEY, CORP_ID)
    body = f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
    return Req("/wecom/app?" + urlencode({"msg_signature": sig, "timestamp": ts, "nonce": nonce}), body.encode())


def wecom_bot(payload: Any, ts: int) -> Req:
    """An intelligent-robot callback: the JSON encrypted and signed by wechatpy (receiveid "")."""
    plain = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
    encrypt, sig, nonce = _wechatpy(plain, ts, BOT_TOKEN, BOT_KEY, "")
    query = urlencode({"msg_signature": sig, "timestamp": ts, "nonce": nonce})
    return Req("/wecom/bot?" + query, json.dumps({"encrypt": encrypt}).encode())


def _wechatpy(plain: str, ts: int, token: str, key: str, receive_id: str) -> tuple[str, str, str]:
    nonce = _nonce()
    xml = WeChatCrypto(token, key, receive_id).encrypt_message(plain, nonce, ts)
    fields = dict(re.findall(r"<(\w+)>(?:<!\[CDATA\[)?([^<\]]*)", xml))
    return fields["Encrypt"], fields["MsgSignature"], nonce


def dingtalk_robot(body: bytes, ts_ms: int, secret: str = DT_SECRET) -> Req:
    """A robot HTTP callback: sign = base64(HMAC-SHA256(secret, ts + "\\n" + secret))."""
    mac = hmac.new(secret.encode(), f"{ts_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return Req("/dingtalk/robot", body, {"timestamp": str(ts_ms), "sign": base64.b64encode(mac).decode(),
                                         "Content-Type": "application/json"})


def dingtalk_card(body: bytes, ts_ms: int, secret: str = DT_CARD) -> Req:
    """A card HTTP callback: x-ddpaas-signature = base64(HMAC-SHA256(apiSecret, ts))."""
    mac = hmac.new(secret.encode(), str(ts_ms).encode(), hashlib.sha256).digest()
    return Req("/dingtalk/card", body, {"x-ddpaas-signature-timestamp": str(ts_ms),
                                        "x-ddpaas-signature": base64.b64encode(mac).decode(),
                                        "Content-Type": "application/json"})


def dingtalk_event(plain: bytes, ts_ms: int) -> Req:
    """An event-subscription push: AES-256-CBC (IV = key[:16], 32-byte PKCS#7) and the sorted-SHA1 signature."""
    key = base64.b64decode(DT_EVENT_KEY + "=")
    data = os.urandom(16) + struct.pack(">I", len(plain)) + plain + DT_ID.encode()
    pad = 32 - len(data) % 32
    encrypt = base64.b64encode(AES.new(key, AES.MODE_CBC, key[:16]).encrypt(data + bytes([pad]) * pad)).decode()
    nonce = _nonce()
    sig = hashlib.sha1("".join(sorted((DT_EVENT_TOKEN, str(ts_ms), nonce, encrypt))).encode()).hexdigest()
    query = urlencode({"msg_signature": sig, "timestamp": ts_ms, "nonce": nonce})
    return Req("/dingtalk/events?" + query, json.dumps({"encrypt": encrypt}).encode(),
               {"Content-Type": "application/json"})


def feishu(plain: bytes, ts: int) -> Req:
    """An event push: AES-256-CBC with key SHA-256(Encrypt Key), IV prepended; X-Lark-Signature over the body."""
    iv = os.urandom(16)
    pad = 16 - len(plain) % 16  # PKCS#7
    sealed = AES.new(hashlib.sha256(FS_KEY.encode()).digest(), AES.MODE_CBC, iv).encrypt(plain + bytes([pad]) * pad)
    body = json.dumps({"encrypt": base64.b64encode(iv + sealed).decode()}).encode()
    nonce = _nonce()
    sig = hashlib.sha256((str(ts) + nonce + FS_KEY).encode() + body).hexdigest()
    return Req("/feishu/events", body, {"X-Lark-Request-Timestamp": str(ts), "X-Lark-Request-Nonce": nonce,
                                        "X-Lark-Signature": sig, "Content-Type": "application/json"})


def intake(body: bytes) -> Req:
    """A lead from a source signing with X-Intake-Signature: sha256=<hex HMAC of the body>."""
    sig = hmac.new(INTAKE_SECRET.encode(), body, hashlib.sha256).hexdigest()
    return Req("/intake/web", body, {"X-Intake-Signature": f"sha256={sig}", "Content-Type": "application/json"})


def playground(kind: str, body: bytes) -> Req:
    """A playground post (the local emulator has no authentication)."""
    return Req(f"/playground/api/{kind}", body, {"Content-Type": "application/json"})
