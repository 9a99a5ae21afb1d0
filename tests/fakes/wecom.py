"""A fake WeCom API for tests: gettoken, message/send, update_template_card, webhook/send, robot
response_url, user/list, set_workbench_data and media/get, with injected failures.

Body shapes and limits follow ../shared/platforms/wecom.md §3–5, §7. A wrong shape answers errcode
40058 with the reason, so a test fails loudly instead of passing on a bad request. Like WeCom, app
messages over 30 a minute per member are dropped silently (counted in .dropped); webhooks over 20 a
minute per key answer 45009. The response_code error number is not documented; the fake uses 40099.
"""

from __future__ import annotations

import asyncio
import itertools
import re
from collections import deque
from collections.abc import Callable
from typing import Any

from aiohttp import web

CORP_ID, SECRET, AGENT_ID = "ww0123456789abcdef", "app-secret", 1000002
WEBHOOK_KEY = "hook-key-east"
TASK_ID = re.compile(r"^[0-9A-Za-z_\-@]{1,128}$")
CARD_TYPES = {"text_notice", "news_notice", "button_interaction", "vote_interaction", "multiple_interaction"}
FAILURES = {"token_invalid": 40014, "token_expired": 42001, "freq": 45009, "busy": -1}


class FakeWecom:
    """Serve .app under an aiohttp test server; inspect .messages, .updates, .webhooks, .robot_replies."""

    def __init__(self, now: Callable[[], float], users: list[dict] | None = None) -> None:
        self.now = now
        self.tokens: dict[str, float] = {}  # token -> expiry
        self.token_calls = 0
        self.messages: list[dict] = []
        self.updates: list[dict] = []
        self.webhooks: list[dict] = []
        self.robot_replies: list[dict] = []
        self.workbench: list[dict] = []
        self.media: dict[str, tuple[bytes, str]] = {}  # media_id -> (bytes, content type); see add_media
        self.media_calls = 0
        self.dropped = 0
        self.codes: dict[str, float] = {}  # unused response_code -> expiry
        self.response_urls: set[str] = set()
        self.users = users or []
        self._task_ids: set[str] = set()
        self._sent: dict[str, deque[float]] = {}
        self._failures: deque[str] = deque()
        self._ids = itertools.count(1)
        self.app = web.Application()
        r = self.app.router
        r.add_get("/cgi-bin/gettoken", self.gettoken)
        r.add_post("/cgi-bin/message/send", self.send)
        r.add_post("/cgi-bin/message/update_template_card", self.update)
        r.add_post("/cgi-bin/webhook/send", self.webhook)
        r.add_post("/cgi-bin/aibot/response", self.aibot_response)
        r.add_get("/cgi-bin/user/list", self.user_list)
        r.add_post("/cgi-bin/agent/set_workbench_data", self.set_workbench_data)
        r.add_get("/cgi-bin/media/get", self.media_get)
        # JS-SDK tickets, OAuth2, customer groups and app groups (deal rooms)
        self.ticket_calls = {"corp": 0, "agent": 0}
        self.oauth_codes: dict[str, str] = {}  # code -> userid, single use
        self.groups: dict[str, list[dict]] = {}  # customer group chat_id -> member_list
        self.appchats: list[dict] = []
        r.add_get("/cgi-bin/get_jsapi_ticket", self.jsapi_ticket)
        r.add_get("/cgi-bin/ticket/get", self.agent_ticket)
        r.add_get("/cgi-bin/auth/getuserinfo", self.getuserinfo)
        r.add_post("/cgi-bin/externalcontact/groupchat/get", self.groupchat_get)
        r.add_post("/cgi-bin/appchat/create", self.appchat_create)
        r.add_post("/cgi-bin/appchat/send", self.appchat_send)
        self.appchat_messages: list[dict] = []

    # --- test controls ----------------------------------------------------------------------------

    def fail_next(self, kind: str) -> None:
        """Make the next authorised call fail: token_invalid, token_expired, freq, busy or timeout."""
        self._failures.append(kind)

    def issue_code(self, code: str, ttl: float = 72 * 3600) -> str:
        """Register a response_code as WeCom would hand it out in a callback."""
        self.codes[code] = self.now() + ttl
        return code

    def response_url(self, base: str) -> str:
        """Issue a one-shot robot response_url on this fake."""
        code = f"rc{next(self._ids)}"
        self.response_urls.add(code)
        return f"{base}/cgi-bin/aibot/response?response_code={code}"

    def add_media(self, media_id: str, data: bytes, content_type: str = "image/jpeg") -> str:
        """Make a media id downloadable through media/get, as a message's MediaId would be."""
        self.media[media_id] = (data, content_type)
        return media_id

    def cards(self) -> list[dict]:
        """Template cards accepted by message/send, oldest first."""
        return [m["template_card"] for m in self.messages if m.get("msgtype") == "template_card"]

    # --- helpers ---------------------------------------------------------------------------------

    @staticmethod
    def _err(code: int, msg: str) -> web.Response:
        return web.json_response({"errcode": code, "errmsg": msg})

    async def _auth(self, request: web.Request) -> web.Response | None:
        if self._failures:
            kind = self._failures.popleft()
            if kind == "timeout":
                await asyncio.sleep(5)
            return self._err(FAILURES.get(kind, -1), kind)
        token = request.query.get("access_token", "")
        if token not in self.tokens:
            return self._err(40014, "invalid access_token")
        if self.tokens[token] <= self.now():
            return self._err(42001, "access_token expired")
        return None

    def _window(self, key: str, limit: int) -> bool:
        """Count one send in key's one-minute window; False when over the limit."""
        window = self._sent.setdefault(key, deque())
        while window and self.now() - window[0] >= 60:
            window.popleft()
        if len(window) >= limit:
            return False
        window.append(self.now())
        return True

    # --- endpoints -------------------------------------------------------------------------------

    async def jsapi_ticket(self, request: web.Request) -> web.Response:
        if (denied := await self._auth(request)) is not None:
            return denied
        self.ticket_calls["corp"] += 1
        return web.json_response({"errcode": 0, "errmsg": "ok", "ticket": f"corp-ticket-{self.ticket_calls['corp']}",
                                  "expires_in": 7200})

    async def agent_ticket(self, request: web.Request) -> web.Response:
        if (denied := await self._auth(request)) is not None:
            return denied
        if request.query.get("type") != "agent_config":
            return self._err(40097, "invalid type: ticket/get needs type=agent_config")
        self.ticket_calls["agent"] += 1
        return web.json_response({"errcode": 0, "errmsg": "ok",
                                  "ticket": f"agent-ticket-{self.ticket_calls['agent']}", "expires_in": 7200})

    async def getuserinfo(self, request: web.Request) -> web.Response:
        if (denied := await self._auth(request)) is not None:
            return denied
        userid = self.oauth_codes.pop(request.query.get("code", ""), None)
        if userid is None:
            return self._err(40029, "invalid code")
        return web.json_response({"errcode": 0, "errmsg": "ok", "userid": userid, "user_ticket": "ut"})

    async def groupchat_get(self, request: web.Request) -> web.Response:
        if (denied := await self._auth(request)) is not None:
            return denied
        body = await request.json()
        if not isinstance(body.get("chat_id"), str) or body["chat_id"] not in self.groups:
            return self._err(40050, "chatid not found")
        members = self.groups[body["chat_id"]]
        chat = {"chat_id": body["chat_id"], "name": "客户群", "owner": "lina", "member_list": members}
        return web.json_response({"errcode": 0, "errmsg": "ok", "group_chat": chat})

    async def appchat_create(self, request: web.Request) -> web.Response:
        if (denied := await self._auth(request)) is not None:
            return denied
        body = await request.json()
        users = body.get("userlist")
        if not isinstance(users, list) or not 2 <= len(users) <= 2000 or body.get("owner") not in users:
            return self._err(40003, "userlist needs 2..2000 userids including the owner")
        if not isinstance(body.get("name"), str) or not body["name"] or len(body["name"]) > 50:
            return self._err(40058, "name must be 1..50 characters")
        chatid = body.get("chatid") or f"wrchat{len(self.appchats) + 1}"
        if not re.fullmatch(r"[0-9A-Za-z]{1,32}", chatid):
            return self._err(40058, "chatid must be 1..32 of [0-9a-zA-Z]")
        if any(c["chatid"] == chatid for c in self.appchats):
            return self._err(86215, "chat exists")
        self.appchats.append({**body, "chatid": chatid})
        return web.json_response({"errcode": 0, "errmsg": "ok", "chatid": chatid})

    async def appchat_send(self, request: web.Request) -> web.Response:
        if (denied := await self._auth(request)) is not None:
            return denied
        body = await request.json()
        if not any(c["chatid"] == body.get("chatid") for c in self.appchats):
            return self._err(86003, "chat not found")
        if body.get("msgtype") not in ("text", "markdown", "textcard", "news"):
            return self._err(40008, "appchat/send takes text, markdown, textcard or news")
        if body["msgtype"] == "markdown" and not 0 < len(body["markdown"]["content"].encode()) <= 4096:
            return self._err(40058, "markdown over 4096 bytes")
        self.appchat_messages.append(body)
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def gettoken(self, request: web.Request) -> web.Response:
        self.token_calls += 1
        if request.query.get("corpid") != CORP_ID or request.query.get("corpsecret") != SECRET:
            return self._err(40001, "invalid credential")
        token = f"tok{next(self._ids)}"
        self.tokens[token] = self.now() + 7200
        return web.json_response({"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200})

    async def send(self, request: web.Request) -> web.Response:
        if (denied := await self._auth(request)) is not None:
            return denied
        body = await request.json()
        problem = check_message(body)
        if problem:
            return self._err(40058, problem)
        card = body.get("template_card") or {}
        if card.get("task_id"):
            if card["task_id"] in self._task_ids:
                return self._err(42014, "taskid has existed or empty or exceed max len")
            self._task_ids.add(card["task_id"])
        answer: dict[str, Any] = {"errcode": 0, "errmsg": "ok", "msgid": f"msg{next(self._ids)}"}
        if card.get("card_type") in CARD_TYPES - {"text_notice", "news_notice"}:
            answer["response_code"] = self.issue_code(f"code{next(self._ids)}")
        if not self._window(f"member:{body['touser']}", 30):
            self.dropped += 1  # WeCom says ok and drops the message
            return web.json_response(answer)
        self.messages.append(body)
        return web.json_response(answer)

    async def update(self, request: web.Request) -> web.Response:
        if (denied := await self._auth(request)) is not None:
            return denied
        body = await request.json()
        if not isinstance(body.get("userids"), list) or not isinstance(body.get("agentid"), int):
            return self._err(40058, "userids (list) and agentid (int) are required")
        expiry = self.codes.pop(body.get("response_code", ""), None)
        if expiry is None or expiry <= self.now():
            return self._err(40099, "response_code is invalid, used or expired")
        problem = check_card(body.get("template_card") or {}, body.get("template_card") is not None)
        if problem:
            return self._err(40058, problem)
        self.updates.append(body)
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def webhook(self, request: web.Request) -> web.Response:
        if request.query.get("key") != WEBHOOK_KEY:
            return self._err(93000, "invalid webhook url")
        body = await request.json()
        problem = check_webhook(body)
        if problem:
            return self._err(40058, problem)
        if not self._window(f"key:{request.query['key']}", 20):
            return self._err(45009, "api freq out of limit")
        self.webhooks.append(body)
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def aibot_response(self, request: web.Request) -> web.Response:
        code = request.query.get("response_code", "")
        if code not in self.response_urls:
            return self._err(40099, "response_code is invalid or used")
        self.response_urls.discard(code)
        body = await request.json()
        problem = check_webhook(body, robot=True)
        if problem:
            return self._err(40058, problem)
        self.robot_replies.append(body)
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def user_list(self, request: web.Request) -> web.Response:
        if (denied := await self._auth(request)) is not None:
            return denied
        if not request.query.get("department_id"):
            return self._err(40058, "department_id is required")
        return web.json_response({"errcode": 0, "errmsg": "ok", "userlist": self.users})

    async def set_workbench_data(self, request: web.Request) -> web.Response:
        if (denied := await self._auth(request)) is not None:
            return denied
        body = await request.json()
        problem = check_workbench(body)
        if problem:
            return self._err(40058, problem)
        self.workbench.append(body)
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def media_get(self, request: web.Request) -> web.Response:
        """Like WeCom: the file's bytes with its Content-Type, or a JSON error (40007 for an unknown/expired id)."""
        if (denied := await self._auth(request)) is not None:
            return denied
        self.media_calls += 1
        found = self.media.get(request.query.get("media_id", ""))
        if found is None:
            return self._err(40007, "invalid media_id")
        data, kind = found
        return web.Response(body=data, headers={"Content-Type": kind,
                                                "Content-disposition": 'attachment; filename="MEDIA_ID.jpg"'})


def check_card(card: dict, required: bool = True) -> str:
    """Return what is wrong with a template_card ("" when it is within WeCom's limits)."""
    if not required:
        return ""
    kind = card.get("card_type")
    if kind not in CARD_TYPES:
        return f"card_type {kind!r} is not a template card type"
    title = (card.get("main_title") or {}).get("title", "")
    if not title and not card.get("sub_title_text"):
        return "main_title.title or sub_title_text is required"
    if len(title) > 36 or len((card.get("main_title") or {}).get("desc", "")) > 44:
        return "main_title too long"
    if len(card.get("sub_title_text", "")) > 160:
        return "sub_title_text over 160 characters"
    if len(card.get("horizontal_content_list", [])) > 6:
        return "horizontal_content_list over 6"
    for row in card.get("horizontal_content_list", []):
        if len(row.get("keyname", "")) > 5 or len(row.get("value", "")) > 30:
            return f"horizontal_content_list entry too long: {row}"
    buttons = card.get("button_list", [])
    if kind == "button_interaction" and not 1 <= len(buttons) <= 6:
        return "button_interaction needs 1-6 buttons"
    for b in buttons:
        if len(b.get("text", "")) > 10 or not b.get("key") or len(b["key"].encode()) > 1024:
            return f"button too long or without key: {b}"
    if (kind != "text_notice" or buttons) and not TASK_ID.match(card.get("task_id", "")):
        return "task_id missing, over 128 bytes or with characters outside [0-9A-Za-z_-@]"
    if kind == "text_notice" and not (card.get("card_action") or {}).get("type"):
        return "text_notice needs card_action"
    return ""


def check_message(body: dict) -> str:
    """Return what is wrong with a message/send body ("" when fine)."""
    if not isinstance(body.get("touser"), str) or not body["touser"]:
        return "touser (a|b) is required"
    if body.get("agentid") != AGENT_ID:
        return f"agentid must be the int {AGENT_ID}"
    kind = body.get("msgtype")
    if kind == "text":
        return "" if 0 < len(body["text"]["content"].encode()) <= 2048 else "text.content must be 1-2048 bytes"
    if kind == "markdown":
        return "" if 0 < len(body["markdown"]["content"].encode()) <= 4096 else "markdown over 4096 bytes"
    if kind == "template_card":
        return check_card(body.get("template_card") or {})
    return f"msgtype {kind!r} not supported by the fake"


def check_webhook(body: dict, robot: bool = False) -> str:
    """Return what is wrong with a webhook/send (or, robot=True, a response_url) body ("" when fine)."""
    kind = body.get("msgtype")
    card_type = (body.get("template_card") or {}).get("card_type")
    if kind == "template_card" and not robot and card_type not in ("text_notice", "news_notice"):
        return "webhook template cards are text_notice or news_notice only"
    if kind in ("markdown", "markdown_v2"):
        content = (body.get(kind) or {}).get("content", "")
        if not 0 < len(content.encode()) <= 4096:
            return f"{kind}.content must be 1-4096 bytes"
        return check_markdown_v2(content) if kind == "markdown_v2" else ""
    if kind == "text":
        return "" if 0 < len(body["text"]["content"].encode()) <= 2048 else "text.content must be 1-2048 bytes"
    if kind == "template_card":
        return check_card(body.get("template_card") or {})
    return f"msgtype {kind!r} not supported"


def check_markdown_v2(content: str) -> str:
    """Return what markdown_v2 would show wrongly ("" when fine): markdown-only tags, broken tables."""
    if "<font" in content or "<@" in content:
        return "markdown_v2 has no <font color> and no <@userid>; those are markdown-only"
    table: list[str] = []
    for line in [*content.splitlines(), ""]:
        if line.startswith("|"):
            table.append(line)
            continue
        if table:
            widths = {len(row.strip().strip("|").split("|")) for row in table}
            if len(table) < 2 or not re.fullmatch(r"\|(\s*:?-{3,}:?\s*\|)+", table[1].replace(" ", "")):
                return f"table without a | --- | separator row under its header: {table[0]!r}"
            if len(widths) != 1:
                return f"table rows with different numbers of cells under {table[0]!r}"
            table = []
    return ""


def check_workbench(body: dict) -> str:
    """Return what is wrong with a set_workbench_data body of type keydata ("" when fine)."""
    items = (body.get("keydata") or {}).get("items")
    if body.get("agentid") != AGENT_ID or body.get("type") != "keydata" or not body.get("userid"):
        return f"agentid (the int {AGENT_ID}), type keydata and userid are required"
    if not isinstance(items, list) or not 1 <= len(items) <= 4:
        return "keydata.items must be a list of 1-4 items"
    for item in items:
        if not isinstance(item.get("key"), str) or not item["key"] or not isinstance(item.get("data"), str):
            return f"each item needs key and data as strings: {item}"
        url = item.get("jump_url", "")
        if url and not url.startswith(("http://", "https://")):
            return f"jump_url must be an http(s) address: {url!r}"
    return ""
