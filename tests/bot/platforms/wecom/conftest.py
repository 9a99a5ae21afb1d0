"""Fixtures for the WeCom adapter: a fake WeCom API, a WeCom-enabled runtime, and callbacks encrypted
by wechatpy exactly as WeCom would send them."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import AsyncIterator
from urllib.parse import urlencode

import pytest
from wechatpy.enterprise.crypto import WeChatCrypto

from bot.runtime import Runtime
from bot.web.app import create_app
from storage.db import Database
from storage.repos import members
from tests.conftest import make_settings
from tests.fakes.wecom import AGENT_ID, CORP_ID, SECRET, WEBHOOK_KEY, FakeWecom
from tests.helpers import add_member, run_queues
from tests.schema import migrate

TOKEN, AES_KEY = "appToken", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
BOT_TOKEN, BOT_KEY = "botToken", "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefg"
_nonces = itertools.count(100000)


@pytest.fixture
async def fake(aiohttp_server, clock) -> FakeWecom:
    """A fake WeCom API on 127.0.0.1 that keeps time by the test clock; its URL is fake.url."""
    fake = FakeWecom(now=lambda: clock.now().timestamp())
    server = await aiohttp_server(fake.app)
    fake.url = str(server.make_url("")).rstrip("/")
    return fake


def wecom_settings(url: str, api_base: str, **overrides):
    """Settings with WeCom enabled (app, robot and one webhook) pointed at api_base."""
    values = {"enabled": True, "corp_id": CORP_ID, "agent_id": AGENT_ID, "secret": SECRET, "token": TOKEN,
              "encoding_aes_key": AES_KEY, "bot_token": BOT_TOKEN, "bot_encoding_aes_key": BOT_KEY,
              "webhook_keys": {"east": WEBHOOK_KEY}, "api_base": api_base, **overrides}
    settings = make_settings(url, wecom=values)
    settings.server.secret_key = "test-secret-key"
    return settings


@pytest.fixture
async def wrt(sqlite_url, fake, clock) -> AsyncIterator[Runtime]:
    """A Runtime whose default APIs include the real WecomAPI (against the fake)."""
    settings = wecom_settings(sqlite_url, fake.url)
    db = Database(settings.database.url)
    await migrate(db)
    runtime = Runtime(settings, clock=clock, db=db)
    runtime.inbox.start()
    yield runtime
    await runtime.stop()
    await runtime.apis["wecom"].close()


@pytest.fixture
async def wclient(aiohttp_client, wrt):
    """A test client over the full app with the WeCom routes mounted."""
    return await aiohttp_client(create_app(wrt))


async def rep(rt: Runtime, name: str = "李娜", userid: str = "lina") -> int:
    """A rep linked to a WeCom userid."""
    member_id = await add_member(rt, name)
    async with rt.db.session() as s:
        await members.link_identity(s, member_id, "wecom", userid)
    return member_id


async def deliver(rt: Runtime) -> None:
    """Finish handlers and run the sender and the task worker until nothing is due."""
    await run_queues(rt)


def seal(plain: str, ts: int, token: str, key: str, receive_id: str) -> tuple[str, str, str]:
    """Encrypt with wechatpy as WeCom does; return (Encrypt, MsgSignature, nonce)."""
    nonce = str(next(_nonces))
    xml = WeChatCrypto(token, key, receive_id).encrypt_message(plain, nonce, ts)
    fields = dict(re.findall(r"<(\w+)>(?:<!\[CDATA\[)?([^<\]]*)", xml))
    return fields["Encrypt"], fields["MsgSignature"], nonce


def app_request(plain: str, ts: int, corp: str = CORP_ID, token: str = TOKEN) -> tuple[str, bytes]:
    """An app callback as WeCom posts it: (path with query, XML body)."""
    encrypt, sig, nonce = seal(plain, ts, token, AES_KEY, corp)
    body = (f"<xml><ToUserName><![CDATA[{corp}]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt>"
            f"<AgentID><![CDATA[{AGENT_ID}]]></AgentID></xml>")
    return "/wecom/app?" + urlencode({"msg_signature": sig, "timestamp": ts, "nonce": nonce}), body.encode()


def robot_request(payload: dict, ts: int) -> tuple[str, bytes]:
    """An intelligent-robot callback: (path with query, JSON body {"encrypt": …})."""
    encrypt, sig, nonce = seal(json.dumps(payload, ensure_ascii=False), ts, BOT_TOKEN, BOT_KEY, "")
    query = urlencode({"msg_signature": sig, "timestamp": ts, "nonce": nonce})
    return "/wecom/bot?" + query, json.dumps({"encrypt": encrypt}).encode()


def text_xml(user: str, content: str, msg_id: int, ts: int) -> str:
    """A decrypted app text message."""
    return (f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><FromUserName><![CDATA[{user}]]></FromUserName>"
            f"<CreateTime>{ts}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[{content}]]>"
            f"</Content><MsgId>{msg_id}</MsgId><AgentID>{AGENT_ID}</AgentID></xml>")


def event_xml(user: str, event: str, ts: int, **fields: str) -> str:
    """A decrypted app event with extra fields."""
    extra = "".join(f"<{k}><![CDATA[{v}]]></{k}>" for k, v in fields.items())
    return (f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><FromUserName><![CDATA[{user}]]></FromUserName>"
            f"<CreateTime>{ts}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[{event}]]></Event>"
            f"{extra}<AgentID>{AGENT_ID}</AgentID></xml>")


def robot_text(user: str, content: str, msgid: str, chatid: str | None, response_url: str = "") -> dict:
    """A decrypted robot text message (group when chatid is given, else 1:1)."""
    payload = {"msgid": msgid, "aibotid": "AIBOT1", "chattype": "group" if chatid else "single",
               "from": {"userid": user}, "response_url": response_url, "msgtype": "text",
               "text": {"content": content}}
    if chatid:
        payload["chatid"] = chatid
    return payload
