"""Fixtures for the Feishu adapter: a fake open platform, a Feishu-enabled runtime and signed requests."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.platforms.feishu.extras import crypto
from bot.runtime import Runtime
from bot.web.app import create_app
from storage.db import Database
from tests.conftest import make_settings
from tests.fakes.feishu import APP_ID, APP_SECRET, FakeFeishu
from tests.schema import migrate

ENCRYPT_KEY, VERIFICATION_TOKEN = "test key", "vtoken"


def vectors() -> list[dict]:
    """The shared Feishu crypto vectors, or a skip saying where they should be."""
    for parent in Path(__file__).resolve().parents:
        path = parent / "shared" / "fixtures" / "crypto_vectors.json"
        if path.exists():
            return [v for v in json.loads(path.read_text("utf-8"))["vectors"] if v["platform"] == "feishu"]
    pytest.skip("crypto_vectors.json not found under any parent's shared/fixtures (expected /work/shared/fixtures)")


@pytest.fixture
async def fake(aiohttp_server) -> FakeFeishu:
    """A fake Feishu open platform on 127.0.0.1; its URL is fake.url."""
    fake = FakeFeishu()
    server = await aiohttp_server(fake.app)
    fake.url = str(server.make_url("")).rstrip("/")
    return fake


@pytest.fixture
def feishu_settings(sqlite_url, fake):
    """Settings with Feishu enabled, pointed at the fake."""
    return make_settings(sqlite_url, feishu={
        "enabled": True, "app_id": APP_ID, "app_secret": APP_SECRET, "encrypt_key": ENCRYPT_KEY,
        "verification_token": VERIFICATION_TOKEN, "api_base": fake.url})


@pytest.fixture
async def frt(feishu_settings, clock) -> AsyncIterator[Runtime]:
    """A Runtime whose default APIs include the real FeishuAPI (against the fake)."""
    db = Database(feishu_settings.database.url)
    await migrate(db)
    runtime = Runtime(feishu_settings, clock=clock, db=db)
    runtime.inbox.start()
    yield runtime
    await runtime.stop()
    await runtime.apis["feishu"].close()


@pytest.fixture
async def fclient(aiohttp_client, frt):
    """A test client over the full app with the Feishu route mounted."""
    return await aiohttp_client(create_app(frt))


def signed(payload: dict, ts: int, key: str = ENCRYPT_KEY, nonce: str = "n0nce") -> tuple[bytes, dict[str, str]]:
    """Encrypt a payload and sign the raw body as Feishu does."""
    body = json.dumps({"encrypt": crypto.encrypt(key, json.dumps(payload, ensure_ascii=False))},
                      separators=(",", ":")).encode()
    headers = {"X-Lark-Request-Timestamp": str(ts), "X-Lark-Request-Nonce": nonce,
               "X-Lark-Signature": crypto.signature(str(ts), nonce, key, body), "Content-Type": "application/json"}
    return body, headers


def envelope(event_type: str, event: dict, event_id: str = "ev-1") -> dict:
    """A schema 2.0 envelope."""
    return {"schema": "2.0", "header": {"event_id": event_id, "event_type": event_type, "create_time": "1",
                                        "token": VERIFICATION_TOKEN, "app_id": APP_ID, "tenant_key": "tk"},
            "event": event}


def text_message(text: str, open_id: str, chat_id: str = "oc_group1", message_id: str = "om_1",
                 chat_type: str = "group", mentions: list[dict] | None = None) -> dict:
    """An im.message.receive_v1 event body."""
    return {"sender": {"sender_id": {"open_id": open_id}, "sender_type": "user", "tenant_key": "tk"},
            "message": {"message_id": message_id, "chat_id": chat_id, "chat_type": chat_type,
                        "message_type": "text", "content": json.dumps({"text": text}, ensure_ascii=False),
                        "mentions": mentions or []}}


def mention(key: str, open_id: str, name: str = "销售助手") -> dict:
    """One entry of message.mentions."""
    return {"key": key, "id": {"open_id": open_id}, "name": name, "tenant_key": "tk"}


def click(packed: str, open_id: str, event_id: str = "cb-1", chat_id: str = "oc_group1",
          message_id: str = "om_card") -> dict:
    """A card.action.trigger envelope carrying a packed Action."""
    return envelope("card.action.trigger", {
        "operator": {"open_id": open_id, "tenant_key": "tk"}, "token": "c-delayed",
        "action": {"value": {"a": packed}, "tag": "button"}, "host": "im_message",
        "context": {"open_message_id": message_id, "open_chat_id": chat_id}}, event_id)
