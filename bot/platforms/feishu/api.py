"""Outbound Feishu open-platform client (aiohttp): tenant token, send/reply/PATCH cards, bot identity;
evidence downloads (media.py), approvals and rooms run as tasks (tasks.py), not sends.

Every call goes to settings.feishu.api_base, so tests and proxies can stand in for open.feishu.cn.
Targets are ChatRef.chat_id values ("dm:<id>" for personal chats, see flows/targets.py); the
receive_id_type is read from the id's prefix (oc_ chat, ou_ open id, on_ union id, an address with @
an email, anything else a user id) unless the payload names it (ChatRef.meta["receive_id_type"]).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import aiohttp

from bot.config import FeishuConfig
from bot.core.errors import DeliveryError, Throttled, TransientDeliveryError
from bot.platforms.feishu.extras.delayed import DelayedUpdates
from bot.platforms.feishu.extras.limits import MAX_WAIT, Throttle
from bot.platforms.feishu.extras.media import FeishuMedia
from bot.platforms.tokens import SharedTokens
from storage.repos import card_refs

if TYPE_CHECKING:
    from bot.platforms.feishu.extras.approvals import FeishuApprovals
    from bot.platforms.feishu.render import FeishuRenderer

log = logging.getLogger("salesbot.feishu")
TOKEN_PATH = "/open-apis/auth/v3/tenant_access_token/internal"
TOKEN_INVALID = {99991661, 99991663, 99991671, 99991677}  # missing / invalid / malformed / expired token
RATE_LIMITED = {99991400, 230020}  # gateway throttling; per-chat frequency limit
REFRESH_EARLY = 600  # seconds before expiry a token is replaced (the SDK does the same)


def receive_id_type(target: str) -> str:
    """Guess Feishu's receive_id_type from an id's shape."""
    for prefix, kind in (("oc_", "chat_id"), ("ou_", "open_id"), ("on_", "union_id")):
        if target.startswith(prefix):
            return kind
    return "email" if "@" in target else "user_id"


class FeishuAPI(FeishuMedia):
    """The PlatformAPI for Feishu; one per process, sharing one HTTP session and one token."""

    name = "feishu"
    per_minute: int | None = 300  # 5 QPS per chat; the Throttle enforces the per-second shape

    def __init__(self, cfg: FeishuConfig, monotonic: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep, timeout: float = 10.0,
                 wall: Callable[[], float] = time.time, renderer: FeishuRenderer | None = None) -> None:
        self.cfg, self._mono, self._sleep = cfg, monotonic, sleep
        self.renderer = renderer  # draws a deal room's card and the in-chat approval card a refusal falls back to
        self.delayed = DelayedUpdates(self, wall)  # wall: epoch seconds, to judge a click token's age
        self.base = cfg.api_base.rstrip("/")
        self.throttle = Throttle(monotonic=monotonic, sleep=sleep)
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None
        self._token = ""
        self.tokens = SharedTokens(None, monotonic, sleep)  # build_api shares it through the database
        self._bot_open_id: str | None = None
        self.approvals: FeishuApprovals | None = None  # set by platform.py's build_api(rt): it needs the database

    async def close(self) -> None:
        """Close the HTTP session."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session

    async def token(self, force: bool = False) -> str:
        """Return the tenant_access_token (shared by every replica); a new one when `force` (it was rejected)."""
        self._token = await self.tokens.get(f"feishu:{self.cfg.app_id}", self._fetch_token, REFRESH_EARLY,
                                            self._token if force else None)
        return self._token

    async def _fetch_token(self) -> tuple[str, float]:
        body = {"app_id": self.cfg.app_id, "app_secret": self.cfg.app_secret}
        try:
            data, _ = await self._request("POST", TOKEN_PATH, body, auth=False)
        except TransientDeliveryError:
            raise
        except DeliveryError as exc:
            raise DeliveryError(f"{exc}; check feishu.app_id and feishu.app_secret") from exc
        expire = int(data.get("expire") or 0)
        lives = max(expire - REFRESH_EARLY, expire / 2) + REFRESH_EARLY  # short-lived tokens are kept for half
        return str(data.get("tenant_access_token") or ""), float(lives)

    async def _request(self, method: str, path: str, body: dict | None = None, params: dict | None = None,
                       auth: bool = True) -> tuple[dict[str, Any], int]:
        """One HTTP call; return (json, status) or raise TransientDeliveryError for network trouble."""
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if auth:
            headers["Authorization"] = f"Bearer {await self.token()}"
        try:
            async with self._http().request(method, self.base + path, json=body, params=params,
                                            headers=headers) as resp:
                data = await resp.json(content_type=None)
                status, reset = resp.status, resp.headers.get("x-ogw-ratelimit-reset")
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise TransientDeliveryError(f"Feishu {path} unreachable or answered no JSON: {exc!r}") from exc
        data = data if isinstance(data, dict) else {}
        code = data.get("code", 0 if status < 400 else status)
        if status == 429 or code in RATE_LIMITED:
            raise _rate_limited(path, code, reset)
        if status >= 500:
            raise TransientDeliveryError(f"Feishu {path} answered HTTP {status}")
        if code != 0 and not (auth and code in TOKEN_INVALID):
            raise Refused(f"Feishu {path} refused: code {code} {data.get('msg', '')} — see open.feishu.cn "
                          "error codes (230002: bot not in the chat; 230027/99991672: missing scope)", code)
        return data, code

    async def call(self, method: str, path: str, body: dict | None = None, params: dict | None = None) -> dict:
        """Call an API with the tenant token; renew the token once if Feishu says it is invalid."""
        for attempt in (1, 2):
            try:
                data, code = await self._request(method, path, body, params)
            except RateLimited as exc:
                self.throttle.pause(exc.reset)
                if exc.reset > MAX_WAIT or attempt == 2:
                    raise
                await self._sleep(exc.reset)
                continue
            if code in TOKEN_INVALID:
                log.info("Feishu rejected the tenant token; fetching a new one", extra={"code": code})
                await self.token(force=True)
                continue
            return data
        raise TransientDeliveryError(f"Feishu {path}: the token was rejected twice; check app_id/app_secret")

    @property
    def known_bot_open_id(self) -> str | None:
        """The bot's open_id once bot_open_id() has read it, else None (no I/O)."""
        return self._bot_open_id

    async def bot_open_id(self) -> str | None:
        """Return the bot's open_id (cached); None while /bot/v3/info is unreachable."""
        if self._bot_open_id is None:
            try:
                data = await self.call("GET", "/open-apis/bot/v3/info")
                self._bot_open_id = str((data.get("bot") or {}).get("open_id") or "") or None
            except DeliveryError as exc:
                log.warning("cannot read the bot's open_id; matching @mentions by name", extra={"error": str(exc)})
        return self._bot_open_id

    async def send(self, target: str, payload: dict[str, Any]) -> None:
        """Deliver an outbox message: PATCH a card, reply, or send to a chat or person."""
        await self.throttle.acquire(target)
        if payload.get("delayed_update") and await self.delayed.try_update(payload):
            return  # a late first reply replaced the clicked card
        content = _content(payload)
        ref = payload.get("card_ref") or {}
        if ref.get("update") and self.db is not None \
                and (sent := await card_refs.message_of(self.db, self.name, ref["key"])):
            payload = {**payload, "update_message_id": sent}  # else: the card was never sent; send it new
        if payload.get("update_message_id"):
            await self.call("PATCH", f"/open-apis/im/v1/messages/{payload['update_message_id']}",
                            {"content": content})
            return
        body = {"msg_type": payload.get("msg_type", "interactive"), "content": content}
        if payload.get("uuid"):
            body["uuid"] = str(payload["uuid"])[:50]
        if payload.get("reply_to"):
            await self.call("POST", f"/open-apis/im/v1/messages/{payload['reply_to']}/reply",
                            {**body, "reply_in_thread": False})
            return
        receive_id = target.removeprefix("dm:")  # flows/targets.py names personal chats dm:<open_id>
        kind = payload.get("receive_id_type") or receive_id_type(receive_id)
        data = await self.call("POST", "/open-apis/im/v1/messages", {"receive_id": receive_id, **body},
                               {"receive_id_type": kind})
        if ref and self.db is not None:  # later sends of the same card_ref PATCH this message
            sent_as = str((data.get("data") or {}).get("message_id") or "")
            await card_refs.remember(self.db, self.name, ref["key"], sent_as)


def _content(payload: dict[str, Any]) -> str:
    """Feishu wants `content` as a JSON string: the card itself, or {"text": …}."""
    data = payload["card"] if payload.get("card") is not None else {"text": payload.get("text", "")}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


class Refused(DeliveryError):
    """Feishu answered with a non-zero `code` that retrying will not fix."""

    def __init__(self, message: str, code: Any) -> None:
        super().__init__(message)
        self.code = code


class RateLimited(Throttled):
    """Feishu throttled us (HTTP 429 / 99991400); `reset` is the x-ogw-ratelimit-reset seconds."""

    def __init__(self, message: str, reset: float) -> None:
        super().__init__(message, reset)
        self.reset = reset


def _rate_limited(path: str, code: Any, reset: str | None) -> RateLimited:
    try:
        seconds = float(reset) if reset is not None else 1.0
    except ValueError:
        seconds = 1.0
    return RateLimited(f"Feishu {path} rate limited (code {code}); retry after {seconds:g} s", seconds)
