"""A fake Feishu open platform for tests: tenant tokens, bot info, send/reply/PATCH, contacts, message resources,
injected failures.

Body shapes are checked against ../shared/platforms/feishu.md §2–3; a wrong shape answers HTTP 400
with code 99992402 and the reason, so a test fails loudly instead of passing on a bad request.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections import deque
from typing import Any

from aiohttp import WSMsgType, web

from bot.platforms.feishu.extras import frames
from tests.fakes.feishu_approval import FakeApproval
from tests.fakes.feishu_contact import FakeContact
from tests.fakes.feishu_media import FakeResources

APP_ID, APP_SECRET = "cli_test_app", "test-app-secret"
BOT_OPEN_ID = "ou_bot_000salesbot"
RECEIVE_ID_TYPES = {"open_id", "user_id", "union_id", "email", "chat_id"}
MAX_CARD = 30 * 1024


class FakeFeishu:
    """Serve app.router under an aiohttp test server; inspect .messages, .token_calls, .calls."""

    def __init__(self, app_id: str = APP_ID, app_secret: str = APP_SECRET) -> None:
        self.app_id, self.app_secret = app_id, app_secret
        self.tokens: set[str] = set()
        self.token_calls = 0
        self.calls: list[tuple[str, str]] = []  # (method, path) of every authorised API call
        self.messages: list[dict[str, Any]] = []  # accepted send/reply/patch requests
        self.duplicates = 0  # sends answered from the uuid cache
        self._uuids: dict[str, str] = {}
        self._failures: deque[tuple[str, float]] = deque()
        self._ids = itertools.count(1)
        self.app = web.Application()
        r = self.app.router
        r.add_post("/open-apis/auth/v3/tenant_access_token/internal", self.token)
        r.add_get("/open-apis/bot/v3/info", self.bot_info)
        r.add_post("/open-apis/im/v1/messages", self.create)
        r.add_post("/open-apis/im/v1/messages/{message_id}/reply", self.reply)
        r.add_patch("/open-apis/im/v1/messages/{message_id}", self.patch)
        r.add_post("/open-apis/interactive/v1/card/update", self.delayed_update)
        r.add_post("/open-apis/im/v1/chats", self.create_chat)
        r.add_post("/open-apis/im/v1/pins", self.pin)
        r.add_post("/open-apis/auth/v3/app_access_token/internal", self.app_token)
        r.add_post("/open-apis/authen/v1/oidc/access_token", self.user_token)
        r.add_get("/open-apis/authen/v1/user_info", self.user_info)
        self.login_codes: dict[str, str] = {}  # web-app login code -> open_id, single use
        self._user_tokens: dict[str, str] = {}
        self.chats: dict[str, dict[str, Any]] = {}  # uuid -> created chat (a retry with the same uuid gets it back)
        self.pins: list[str] = []
        self.token_uses: dict[str, int] = {}  # delayed-update tokens: 2 uses each
        r.add_post("/callback/ws/endpoint", self.ws_endpoint)
        r.add_get("/ws", self.ws_handler)
        self.approval = FakeApproval(self)  # approval v4: create, get, subscribe (tests/fakes/feishu_approval.py)
        self.approval.mount(r)
        self.contact = FakeContact(self)  # contact v3: department tree and users (tests/fakes/feishu_contact.py)
        self.contact.mount(r)
        self.resources = FakeResources(self)  # message resources (tests/fakes/feishu_media.py)
        self.resources.mount(r)
        self.ws: web.WebSocketResponse | None = None
        self.ws_connected = asyncio.Event()
        self.pings = 0
        self._acks: asyncio.Queue[frames.Frame] = asyncio.Queue()
        self.app.on_shutdown.append(self._close_ws)

    async def _close_ws(self, app: web.Application) -> None:
        if self.ws is not None:
            await self.ws.close()

    def fail_next(self, kind: str, reset: float = 1.0) -> None:
        """Make the next authorised call fail: "rate_limit" (429), "token_expired" or "server_error"."""
        self._failures.append((kind, reset))

    def expire_tokens(self) -> None:
        """Invalidate every issued token, as after a tenant token's 2 hours."""
        self.tokens.clear()

    def cards(self) -> list[dict[str, Any]]:
        """Return the cards delivered, oldest first."""
        return [m["card"] for m in self.messages if m.get("card") is not None]

    async def ws_endpoint(self, request: web.Request) -> web.Response:
        """The long-connection bootstrap: credentials in, a ws:// URL and ClientConfig out."""
        body = await request.json()
        if body.get("AppID") != self.app_id or body.get("AppSecret") != self.app_secret:
            return web.json_response({"code": 514, "msg": "auth failed"})
        url = f"ws://{request.host}/ws?device_id=d1&service_id=7"
        conf = {"ReconnectCount": -1, "ReconnectInterval": 120, "ReconnectNonce": 30, "PingInterval": 120}
        return web.json_response({"code": 0, "data": {"URL": url, "ClientConfig": conf}})

    async def ws_handler(self, request: web.Request) -> web.WebSocketResponse:
        """Answer pings with pongs and queue the client's ACKs."""
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.ws = ws
        self.ws_connected.set()
        async for msg in ws:
            if msg.type != WSMsgType.BINARY:
                continue
            frame = frames.decode(msg.data)
            if frame.method == frames.CONTROL and frame.header("type") == "ping":
                self.pings += 1
                await ws.send_bytes(frames.encode(frames.Frame(service=7, method=frames.CONTROL,
                                                               headers=[("type", "pong")],
                                                               payload=b'{"PingInterval": 90}')))
            elif frame.method == frames.DATA:
                await self._acks.put(frame)
        return ws

    async def push(self, payload: dict, kind: str = "event", parts: int = 1, message_id: str = "m1") -> frames.Frame:
        """Send a payload as DATA frame(s) of `kind` over the long connection and return the client's ACK."""
        await asyncio.wait_for(self.ws_connected.wait(), 5)
        data = json.dumps(payload, ensure_ascii=False).encode()
        size = -(-len(data) // parts)
        for seq in range(parts):
            headers = [("type", kind), ("message_id", message_id), ("sum", str(parts)), ("seq", str(seq)),
                       ("trace_id", "tr-1")]
            await self.ws.send_bytes(frames.encode(frames.Frame(seq + 1, 99, 7, frames.DATA, headers,
                                                                payload=data[seq * size:(seq + 1) * size])))
        return await asyncio.wait_for(self._acks.get(), 5)

    async def token(self, request: web.Request) -> web.Response:
        self.token_calls += 1
        body = await request.json()
        if body.get("app_id") != self.app_id or body.get("app_secret") != self.app_secret:
            return web.json_response({"code": 10014, "msg": "app secret invalid"})
        token = f"t-fake-{next(self._ids)}"
        self.tokens.add(token)
        return web.json_response({"code": 0, "msg": "ok", "tenant_access_token": token, "expire": 7200})

    def _guard(self, request: web.Request) -> web.Response | None:
        """Check the bearer token and play injected failures."""
        self.calls.append((request.method, request.path))
        auth = request.headers.get("Authorization", "")
        if self._failures:
            kind, reset = self._failures.popleft()
            if kind == "rate_limit":
                return web.json_response({"code": 99991400, "msg": "request trigger frequency limit"}, status=429,
                                         headers={"x-ogw-ratelimit-limit": "5", "x-ogw-ratelimit-reset": f"{reset:g}"})
            if kind == "token_expired":
                self.expire_tokens()
            if kind == "server_error":
                return web.json_response({"code": 1, "msg": "internal error"}, status=500)
        if not auth.startswith("Bearer ") or auth[7:] not in self.tokens:
            return web.json_response({"code": 99991663, "msg": "Invalid access token for authorization."},
                                     status=400)
        return None

    async def bot_info(self, request: web.Request) -> web.Response:
        return self._guard(request) or web.json_response(
            {"code": 0, "msg": "ok", "bot": {"activate_status": 2, "app_name": "销售助手", "open_id": BOT_OPEN_ID}})

    async def create(self, request: web.Request) -> web.Response:
        if (refused := self._guard(request)) is not None:
            return refused
        kind = request.query.get("receive_id_type")
        body = await request.json()
        if kind not in RECEIVE_ID_TYPES:
            return _invalid(f"receive_id_type {kind!r} must be one of {sorted(RECEIVE_ID_TYPES)}")
        if not isinstance(body.get("receive_id"), str) or not body["receive_id"]:
            return _invalid("receive_id is required")
        return self._accept("create", body, {"receive_id_type": kind, "receive_id": body["receive_id"]})

    async def reply(self, request: web.Request) -> web.Response:
        if (refused := self._guard(request)) is not None:
            return refused
        body = await request.json()
        if not isinstance(body.get("reply_in_thread", False), bool):
            return _invalid("reply_in_thread must be a boolean")
        return self._accept("reply", body, {"reply_to": request.match_info["message_id"]})

    async def patch(self, request: web.Request) -> web.Response:
        if (refused := self._guard(request)) is not None:
            return refused
        body = await request.json()
        if set(body) != {"content"}:
            return _invalid(f"PATCH takes only content, got {sorted(body)}")
        return self._accept("patch", {"msg_type": "interactive", **body},
                            {"message_id": request.match_info["message_id"]})

    async def delayed_update(self, request: web.Request) -> web.Response:
        """POST /interactive/v1/card/update: {"token": "c-…", "card": {…}} (an object, not a string)."""
        if (refused := self._guard(request)) is not None:
            return refused
        body = await request.json()
        token, card = body.get("token"), body.get("card")
        if not isinstance(token, str) or not token.startswith("c-") or not isinstance(card, dict):
            return _invalid("token (c-…) and card (an object) are required")
        problem, _ = _check_content({"msg_type": "interactive", "content": json.dumps(card, ensure_ascii=False)})
        if problem:
            return _invalid(problem)
        if self.token_uses.get(token, 0) >= 2:
            return _invalid("the token was used twice already", 300280)
        self.token_uses[token] = self.token_uses.get(token, 0) + 1
        self.messages.append({"op": "delayed_update", "token": token, "body": body, "card": card})
        return web.json_response({"code": 0, "msg": "success"})

    async def create_chat(self, request: web.Request) -> web.Response:
        if (refused := self._guard(request)) is not None:
            return refused
        body, uuid = await request.json(), request.query.get("uuid", "")
        if request.query.get("user_id_type") != "open_id" or not isinstance(body.get("user_id_list"), list):
            return _invalid("user_id_type=open_id and user_id_list are required")
        if body.get("owner_id") not in body["user_id_list"] or not 0 < len(str(body.get("name", ""))) <= 60:
            return _invalid("owner_id must be in user_id_list; name 1-60 characters")
        if not uuid or len(uuid) > 50:
            return _invalid("uuid (1-50 characters) keeps a retry from creating a second chat")
        chat = self.chats.setdefault(uuid, {**body, "chat_id": f"oc_room{len(self.chats) + 1}"})
        return web.json_response({"code": 0, "msg": "success", "data": {"chat_id": chat["chat_id"]}})

    async def app_token(self, request: web.Request) -> web.Response:
        body = await request.json()
        if body != {"app_id": self.app_id, "app_secret": self.app_secret}:
            return web.json_response({"code": 10014, "msg": "app secret invalid"})
        return web.json_response({"code": 0, "msg": "ok", "app_access_token": "a-app-token", "expire": 7200})

    async def user_token(self, request: web.Request) -> web.Response:
        body = await request.json()
        if request.headers.get("Authorization") != "Bearer a-app-token" or body.get("grant_type") != \
                "authorization_code":
            return web.json_response({"code": 20014, "msg": "app access token or grant_type invalid"})
        open_id = self.login_codes.pop(body.get("code", ""), None)
        if open_id is None:
            return web.json_response({"code": 20003, "msg": "invalid code"})
        token = f"u-{next(self._ids)}"
        self._user_tokens[token] = open_id
        return web.json_response({"code": 0, "data": {"access_token": token, "token_type": "Bearer"}})

    async def user_info(self, request: web.Request) -> web.Response:
        open_id = self._user_tokens.get(request.headers.get("Authorization", "").removeprefix("Bearer "))
        if open_id is None:
            return web.json_response({"code": 20005, "msg": "invalid user access token"}, status=401)
        return web.json_response({"code": 0, "data": {"open_id": open_id, "name": "成员"}})

    async def pin(self, request: web.Request) -> web.Response:
        if (refused := self._guard(request)) is not None:
            return refused
        body = await request.json()
        if not any(m["message_id"] == body.get("message_id") for m in self.messages):
            return _invalid("message_id not found", 230001)
        self.pins.append(body["message_id"])
        return web.json_response({"code": 0, "msg": "success", "data": {"pin": {"message_id": body["message_id"]}}})

    def _accept(self, op: str, body: dict[str, Any], extra: dict[str, Any]) -> web.Response:
        problem, card = _check_content(body)
        if problem:
            return _invalid(problem, 230025 if "30 KB" in problem else 99992402)
        uuid = body.get("uuid")
        if uuid is not None and (not isinstance(uuid, str) or not 0 < len(uuid) <= 50):
            return _invalid("uuid must be a string of 1-50 characters")
        if uuid and uuid in self._uuids:
            self.duplicates += 1
            return _ok(self._uuids[uuid])
        message_id = extra.get("message_id") or f"om_fake_{next(self._ids)}"
        if uuid:
            self._uuids[uuid] = message_id
        self.messages.append({"op": op, "message_id": message_id, "body": body, "card": card, **extra})
        return _ok(message_id)


def _check_content(body: dict[str, Any]) -> tuple[str, dict | None]:
    """Validate msg_type and content (a JSON string); return (problem, card)."""
    content, msg_type = body.get("content"), body.get("msg_type")
    if msg_type not in ("text", "interactive"):
        return f"msg_type {msg_type!r} is not one the bot sends (text, interactive)", None
    if not isinstance(content, str):
        return "content must be a JSON string, not an object", None
    if len(content.encode()) > MAX_CARD:
        return "card content over 30 KB", None
    try:
        data = json.loads(content)
    except ValueError:
        return "content is not valid JSON", None
    if msg_type == "text":
        return ("" if isinstance(data.get("text"), str) else "text content needs a text string"), None
    if data.get("schema") != "2.0" or not isinstance((data.get("body") or {}).get("elements"), list):
        return "card must be JSON 2.0 with body.elements", None
    if (data.get("config") or {}).get("update_multi") is not True:
        return "JSON 2.0 cards must set config.update_multi = true", None
    return "", data


def _invalid(msg: str, code: int = 99992402) -> web.Response:
    return web.json_response({"code": code, "msg": f"field validation failed: {msg}"}, status=400)


def _ok(message_id: str) -> web.Response:
    return web.json_response({"code": 0, "msg": "success", "data": {"message_id": message_id}})
