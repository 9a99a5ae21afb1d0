"""A fake DingTalk: open API (token, robot, cards, OA, contacts), webhooks and the Stream gateway, in a thread.

It runs on its own event loop in a thread because dingtalk-stream 0.24.3 opens connections with a
blocking `requests.post` (dingtalk.md §1.7). Body shapes are checked against ../shared/platforms/
dingtalk.md §1–4; a wrong shape answers HTTP 400 with the reason, so a test fails loudly.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import itertools
import json
import threading
import time
import uuid
from collections import deque
from typing import Any

from aiohttp import WSMsgType, web

from tests.fakes.dingtalk_media import FakeRobotFiles
from tests.fakes.dingtalk_oa import FakeOA

CLIENT_ID, CLIENT_SECRET, ROBOT_CODE = "dingtestclient", "test-client-secret", "dingtestrobot"
WEBHOOKS = {"east": {"access_token": "hook-east", "secret": "SECeast"}}
PER_MINUTE = 20  # custom robot limit; one more and the robot is muted for 10 minutes


def _bad(reason: str) -> web.Response:
    return web.json_response({"code": "InvalidParameter", "message": reason}, status=400)


class FakeDingTalk(FakeOA, FakeRobotFiles):
    """Inspect .sent (robot API + webhooks), .cards, .updates, .acks, .opens; inject with fail_next.

    OA approvals and contacts: see FakeOA (.instances, .creates, .forms, .departments, finish());
    robot message files: see FakeRobotFiles (add_file, fail_file_next).
    """

    def __init__(self) -> None:
        self.tokens: set[str] = set()
        self.token_calls = 0
        self.sent: list[dict[str, Any]] = []  # {"via": "group"|"oto"|"session"|"webhook", "body": …}
        self.cards: list[dict[str, Any]] = []
        self.updates: list[dict[str, Any]] = []
        self.registered: list[dict[str, Any]] = []
        self.opens: list[dict[str, Any]] = []
        self.refused_opens = 0
        self.acks: list[dict[str, Any]] = []
        self.hook_times: dict[str, deque[int]] = {}
        self.muted_until: dict[str, int] = {}
        self.expired_sessions: set[str] = set()
        self._failures: deque[str] = deque()
        self._tickets: set[str] = set()
        self._ws: web.WebSocketResponse | None = None
        self._ids = itertools.count(1)
        self.loop: asyncio.AbstractEventLoop | None = None
        self.port = 0
        self.app = web.Application()
        r = self.app.router
        r.add_post("/v1.0/oauth2/accessToken", self.token)
        r.add_post("/v1.0/robot/groupMessages/send", self.group_send)
        r.add_post("/v1.0/robot/oToMessages/batchSend", self.oto_send)
        r.add_post("/v1.0/card/instances/createAndDeliver", self.create_card)
        r.add_put("/v1.0/card/instances", self.update_card)
        r.add_post("/v1.0/card/callbacks/register", self.register)
        r.add_post("/robot/send", self.custom_robot)
        r.add_post("/topapi/im/chat/scenegroup/create", self.scene_group)
        r.add_post("/topapi/v2/user/getuserinfo", self.user_by_code)
        self.auth_codes: dict[str, str] = {}  # in-app login code -> userid, single use
        self.scene_groups: dict[str, dict] = {}  # uuid -> created group
        r.add_post("/robot/sendBySession", self.session_webhook)
        r.add_post("/v1.0/gateway/connections/open", self.open_connection)
        r.add_get("/connect", self.connect)
        self.setup_oa(r)
        self.setup_files(r)  # robot message files (tests/fakes/dingtalk_media.py)

    # ---- lifecycle (own thread, own loop) ----
    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FakeDingTalk:
        ready = threading.Event()
        threading.Thread(target=self._thread, args=(ready,), name="fake-dingtalk", daemon=True).start()
        if not ready.wait(5):
            raise RuntimeError("fake DingTalk did not start")
        return self

    def _thread(self, ready: threading.Event) -> None:
        self.loop = asyncio.new_event_loop()
        runner = web.AppRunner(self.app)
        self.loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", 0)
        self.loop.run_until_complete(site.start())
        self.port = site._server.sockets[0].getsockname()[1]
        self._runner = runner
        ready.set()
        self.loop.run_forever()
        self.loop.run_until_complete(runner.cleanup())
        self.loop.close()

    def stop(self) -> None:
        if self.loop is not None:
            asyncio.run_coroutine_threadsafe(self._close_ws(), self.loop).result(5)
            self.loop.call_soon_threadsafe(self.loop.stop)

    async def _close_ws(self) -> None:
        if self._ws is not None:
            await self._ws.close()

    def session_url(self, name: str = "s1") -> str:
        return f"{self.base}/robot/sendBySession?session={name}"

    def fail_next(self, kind: str) -> None:
        """Make the next API call fail: "server_error" (503), "timeout" (slow answer), "bad_token" (401) or
        "throttled" (403 QpsLimitForApi)."""
        self._failures.append(kind)

    async def _fail(self) -> web.Response | None:
        if not self._failures:
            return None
        kind = self._failures.popleft()
        if kind == "timeout":
            await asyncio.sleep(2)
        if kind == "bad_token":
            return web.json_response({"code": "InvalidAuthentication"}, status=401)
        if kind == "throttled":  # the new API's QPS answer (see bot/platforms/dingtalk/extras/throttle.py)
            return web.json_response({"code": "Forbidden.AccessDenied.QpsLimitForApi",
                                      "message": "当前接口调用QPS超过限制"}, status=403)
        return web.json_response({"code": "ServiceUnavailable"}, status=503)

    async def _authorised(self, request: web.Request) -> tuple[dict | None, web.Response | None]:
        failed = await self._fail()
        if failed is not None:
            return None, failed
        if request.headers.get("x-acs-dingtalk-access-token") not in self.tokens:
            return None, web.json_response({"code": "InvalidAuthentication"}, status=401)
        body = await request.json()
        return body, None

    # ---- open API ----
    async def token(self, request: web.Request) -> web.Response:
        self.token_calls += 1
        body = await request.json()
        if body != {"appKey": CLIENT_ID, "appSecret": CLIENT_SECRET}:
            return _bad("appKey/appSecret wrong")
        token = f"at-{next(self._ids)}"
        self.tokens.add(token)
        return web.json_response({"accessToken": token, "expireIn": 7200})

    def _robot_shape(self, body: dict) -> str | None:
        if body.get("robotCode") != ROBOT_CODE or not str(body.get("msgKey", "")).startswith("sample"):
            return "robotCode/msgKey missing"
        if not isinstance(body.get("msgParam"), str):
            return "msgParam must be a JSON string"
        json.loads(body["msgParam"])
        return None

    async def user_by_code(self, request: web.Request) -> web.Response:
        if request.query.get("access_token") not in self.tokens:
            return web.json_response({"errcode": 88, "errmsg": "invalid access_token"})
        userid = self.auth_codes.pop((await request.json()).get("code", ""), None)
        if userid is None:
            return web.json_response({"errcode": 40078, "errmsg": "不存在的临时授权码"})
        return web.json_response({"errcode": 0, "result": {"userid": userid, "name": "成员"}})

    async def scene_group(self, request: web.Request) -> web.Response:
        if request.query.get("access_token") not in self.tokens:
            return web.json_response({"errcode": 88, "errmsg": "invalid access_token"})
        body = await request.json()
        missing = [k for k in ("title", "template_id", "owner_user_id") if not body.get(k)]
        users = str(body.get("user_ids", "")).split(",")
        if missing or body["owner_user_id"] not in users:
            return web.json_response({"errcode": 40035, "errmsg": f"missing {missing} or owner not in user_ids"})
        group = self.scene_groups.setdefault(body.get("uuid") or f"u{next(self._ids)}",
                                             {**body, "open_conversation_id": f"cidroom{len(self.scene_groups) + 1}"})
        return web.json_response({"errcode": 0, "result": {"open_conversation_id": group["open_conversation_id"],
                                                           "chat_id": "chat" + group["open_conversation_id"]}})

    async def group_send(self, request: web.Request) -> web.Response:
        body, failed = await self._authorised(request)
        if failed:
            return failed
        problem = self._robot_shape(body) or (None if body.get("openConversationId") else "openConversationId")
        if problem:
            return _bad(problem)
        self.sent.append({"via": "group", "body": body})
        return web.json_response({"processQueryKey": f"q{next(self._ids)}"})

    async def oto_send(self, request: web.Request) -> web.Response:
        body, failed = await self._authorised(request)
        if failed:
            return failed
        ids = body.get("userIds")
        problem = self._robot_shape(body) or (None if isinstance(ids, list) and 0 < len(ids) <= 20 else "userIds ≤ 20")
        if problem:
            return _bad(problem)
        self.sent.append({"via": "oto", "body": body})
        return web.json_response({"processQueryKey": f"q{next(self._ids)}", "invalidStaffIdList": []})

    async def create_card(self, request: web.Request) -> web.Response:
        body, failed = await self._authorised(request)
        if failed:
            return failed
        params = (body.get("cardData") or {}).get("cardParamMap") or {}
        if not all(isinstance(v, str) for v in params.values()):
            return _bad("cardParamMap values must be strings")
        if not (body.get("cardTemplateId") and body.get("outTrackId") and
                str(body.get("openSpaceId", "")).startswith(("dtv1.card//IM_GROUP.", "dtv1.card//IM_ROBOT."))):
            return _bad("cardTemplateId, outTrackId and openSpaceId are required")
        if body.get("callbackType") not in ("STREAM", "HTTP"):
            return _bad("callbackType")
        self.cards.append(body)
        return web.json_response({"success": True, "result": {"outTrackId": body["outTrackId"], "deliverResults": [
            {"spaceType": "IM", "spaceId": body["openSpaceId"], "success": True, "carrierId": "c1"}]}})

    async def update_card(self, request: web.Request) -> web.Response:
        body, failed = await self._authorised(request)
        if failed:
            return failed
        maps = [(body.get("cardData") or {}).get("cardParamMap")]
        maps += [(v or {}).get("cardParamMap") for v in (body.get("privateData") or {}).values()]
        maps = [m for m in maps if m is not None]
        if not body.get("outTrackId") or not maps or not all(isinstance(v, str) for m in maps for v in m.values()):
            return _bad("outTrackId and string cardParamMap (cardData or privateData) required")
        self.updates.append(body)
        return web.json_response({"success": True, "result": True})

    async def register(self, request: web.Request) -> web.Response:
        body, failed = await self._authorised(request)
        if failed:
            return failed
        self.registered.append(body)
        return web.json_response({"success": True})

    # ---- webhooks ----
    async def custom_robot(self, request: web.Request) -> web.Response:
        q = request.query
        robot = next((n for n, r in WEBHOOKS.items() if r["access_token"] == q.get("access_token")), None)
        if robot is None:
            return web.json_response({"errcode": 300001, "errmsg": "token is not exist"})
        ts, secret = q.get("timestamp", ""), WEBHOOKS[robot]["secret"]
        mac = hmac.new(secret.encode(), f"{ts}\n{secret}".encode(), hashlib.sha256).digest()
        if q.get("sign") != base64.b64encode(mac).decode():
            return web.json_response({"errcode": 310000, "errmsg": "sign not match"})
        now = int(ts)  # the signed timestamp is the caller's clock: our time base for the minute window
        if self.muted_until.get(robot, 0) > now:
            return web.json_response({"errcode": 410100, "errmsg": "send too fast, throttled for 10 minutes"})
        window = self.hook_times.setdefault(robot, deque())
        while window and now - window[0] >= 60_000:
            window.popleft()
        if len(window) >= PER_MINUTE:
            self.muted_until[robot] = now + 600_000
            return web.json_response({"errcode": 410100, "errmsg": "send too fast, throttled for 10 minutes"})
        window.append(now)
        self.sent.append({"via": "webhook", "robot": robot, "body": await request.json()})
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def session_webhook(self, request: web.Request) -> web.Response:
        session = request.query.get("session", "")
        if session in self.expired_sessions:
            return web.json_response({"errcode": 300001, "errmsg": "session expired"})
        body = await request.json()
        if body.get("msgtype") not in ("text", "markdown", "actionCard", "link", "feedCard"):
            return web.json_response({"errcode": 40035, "errmsg": "msgtype invalid"})
        self.sent.append({"via": "session", "session": session, "body": body})
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    # ---- Stream gateway ----
    async def open_connection(self, request: web.Request) -> web.Response:
        body = await request.json()
        if body.get("clientId") != CLIENT_ID or body.get("clientSecret") != CLIENT_SECRET:
            self.refused_opens += 1
            return web.json_response({"code": "InvalidAuthentication"}, status=401)
        self.opens.append(body)
        ticket = str(uuid.uuid4())
        self._tickets.add(ticket)
        return web.json_response({"endpoint": f"ws://127.0.0.1:{self.port}/connect", "ticket": ticket})

    async def connect(self, request: web.Request) -> web.StreamResponse:
        ticket = request.query.get("ticket", "")
        if ticket not in self._tickets:
            raise web.HTTPUnauthorized(text="ticket unknown or used")
        self._tickets.discard(ticket)  # single use, like the real gateway
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._ws = ws
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                self.acks.append(json.loads(msg.data))
        return ws

    def connected(self) -> bool:
        return self._ws is not None and not self._ws.closed

    def push(self, frame_type: str, topic: str, data: dict, message_id: str | None = None,
             **headers: str) -> str:
        """Send one frame to the connected client (thread-safe); return its messageId."""
        mid = message_id or f"m-{next(self._ids)}"
        frame = {"specVersion": "1.0", "type": frame_type, "data": json.dumps(data, ensure_ascii=False),
                 "headers": {"topic": topic, "messageId": mid, "contentType": "application/json",
                             "time": str(int(time.time() * 1000)), **headers}}
        asyncio.run_coroutine_threadsafe(self._ws.send_str(json.dumps(frame)), self.loop).result(5)
        return mid

    def acks_for(self, message_id: str) -> list[dict[str, Any]]:
        return [a for a in self.acks if a.get("headers", {}).get("messageId") == message_id]
