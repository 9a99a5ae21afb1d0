"""Fixtures for the DingTalk adapter: the threaded fake, a DingTalk-enabled runtime, signed requests."""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.platforms.dingtalk.extras import crypto
from bot.runtime import Runtime
from bot.web.app import create_app
from storage.db import Database
from storage.repos import members
from tests.conftest import make_settings
from tests.fakes.dingtalk import CLIENT_ID, CLIENT_SECRET, ROBOT_CODE, WEBHOOKS, FakeDingTalk
from tests.helpers import add_member
from tests.schema import migrate

CARD_SECRET = "mySecret"


def vectors() -> list[dict]:
    """The shared DingTalk vectors, or a skip saying where they should be."""
    for parent in Path(__file__).resolve().parents:
        path = parent / "shared" / "fixtures" / "crypto_vectors.json"
        if path.exists():
            return [v for v in json.loads(path.read_text("utf-8"))["vectors"] if v["platform"] == "dingtalk"]
    pytest.skip("crypto_vectors.json not found under any parent's shared/fixtures (expected /work/shared/fixtures)")


def vector(vid: str) -> dict:
    """One DingTalk vector by id."""
    return next(v for v in vectors() if v["id"] == vid)


@pytest.fixture
def fake() -> Iterator[FakeDingTalk]:
    """The fake DingTalk (API, webhooks, Stream gateway) on its own thread."""
    server = FakeDingTalk().start()
    yield server
    server.stop()


def dingtalk_settings(url: str, fake: FakeDingTalk, **extra):
    """Settings with DingTalk enabled against the fake."""
    values = {"enabled": True, "mode": "http", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
              "robot_code": ROBOT_CODE, "card_callback_secret": CARD_SECRET, "webhooks": WEBHOOKS,
              "api_base": fake.base, "oapi_base": fake.base, **extra}
    return make_settings(url, dingtalk=values)


async def make_runtime(settings, clock) -> Runtime:
    """A Runtime whose default APIs include the real DingTalkAPI (pointed at the fake)."""
    db = Database(settings.database.url)
    await migrate(db)
    runtime = Runtime(settings, clock=clock, db=db)
    runtime.inbox.start()
    return runtime


@pytest.fixture
async def drt(sqlite_url, fake, clock) -> AsyncIterator[Runtime]:
    """A DingTalk-enabled runtime in HTTP mode (ActionCards: no card template)."""
    runtime = await make_runtime(dingtalk_settings(sqlite_url, fake), clock)
    yield runtime
    await runtime.stop()


@pytest.fixture
async def dclient(aiohttp_client, drt):
    """A test client over the full app with the DingTalk routes."""
    return await aiohttp_client(create_app(drt))


async def add_dingtalk_member(rt: Runtime, name: str, staff_id: str, role: str = "rep") -> int:
    """A member with a DingTalk identity."""
    member_id = await add_member(rt, name, role)
    async with rt.db.session() as s:
        await members.link_identity(s, member_id, "dingtalk", staff_id)
    return member_id


def now_ms(rt: Runtime) -> int:
    return int(rt.clock.now().timestamp() * 1000)


_SENT = itertools.count()  # DingTalk stamps each callback afresh: a distinct millisecond per request


def fresh_ms(rt: Runtime) -> int:
    """A timestamp of now, a millisecond apart from every other one this run signed (signatures are single-use)."""
    return now_ms(rt) - next(_SENT) % 100_000


def robot_headers(rt: Runtime, secret: str = CLIENT_SECRET) -> dict[str, str]:
    ts = str(fresh_ms(rt))
    return {"timestamp": ts, "sign": crypto.hmac_sign(secret, ts)}


def card_headers(rt: Runtime, secret: str = CARD_SECRET) -> dict[str, str]:
    ts = str(fresh_ms(rt))
    return {"x-ddpaas-signature-timestamp": ts, "x-ddpaas-signature": crypto.ddpaas_sign(secret, ts)}


def robot_message(rt: Runtime, fake: FakeDingTalk, text: str, msg_id: str = "msg-1", staff: str = "u001",
                  group: bool = True, session: str = "s1") -> dict:
    """A robot callback body as DingTalk sends it (dingtalk.md §2.1)."""
    body = {"msgtype": "text", "text": {"content": f" {text}"}, "msgId": msg_id, "createAt": now_ms(rt),
            "conversationType": "2" if group else "1", "conversationId": "cidGroup1==",
            "senderStaffId": staff, "senderNick": "张三", "chatbotUserId": "bot", "robotCode": ROBOT_CODE,
            "sessionWebhook": fake.session_url(session), "sessionWebhookExpiredTime": now_ms(rt) + 5_400_000,
            "isInAtList": True}
    if group:
        body["conversationTitle"] = "华东销售群"
    return body


@pytest.fixture
async def oa(aiohttp_client, db_url, fake, clock):
    """A DingTalk runtime with OA approvals on (SQLite and PostgreSQL), its app client, a rep and a manager."""
    from tests.bot.platforms.dingtalk.oa_helpers import oa_settings

    fake.now_ms = lambda: int(clock.now().timestamp() * 1000)
    runtime = await make_runtime(oa_settings(db_url, fake), clock)
    client = await aiohttp_client(create_app(runtime))
    await add_dingtalk_member(runtime, "张三", "u001")
    await add_dingtalk_member(runtime, "韩总", "u009", role="manager")
    yield runtime, client
    await runtime.stop()
