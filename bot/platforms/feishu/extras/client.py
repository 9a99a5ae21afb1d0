"""Feishu HTTP client core (aiohttp): one session, the tenant token, the call with one token retry.

Every call goes to [feishu] api_base. The tenant_access_token is shared by every replica
(bot/platforms/tokens.py), replaced REFRESH_EARLY seconds before it expires, and fetched again once when
a call answers a token error. HTTP 429 / 99991400 / 230020 pause the send throttle and are waited out once
when the wait is short (extras/limits.py); other non-zero codes are refusals that a retry will not fix.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from bot.config import FeishuConfig
from bot.core.errors import DeliveryError, Throttled, TransientDeliveryError
from bot.platforms.feishu.extras.limits import MAX_WAIT, Throttle
from bot.platforms.tokens import SharedTokens

log = logging.getLogger("salesbot.feishu")
TOKEN_PATH = "/open-apis/auth/v3/tenant_access_token/internal"
TOKEN_INVALID = {99991661, 99991663, 99991671, 99991677}  # missing / invalid / malformed / expired token
RATE_LIMITED = {99991400, 230020}  # gateway throttling; per-chat frequency limit
REFRESH_EARLY = 600  # seconds before expiry a token is replaced (the SDK does the same)


class FeishuClient:
    """Session, tenant token and authorised calls: the base of FeishuAPI."""

    def __init__(self, cfg: FeishuConfig, monotonic: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep, timeout: float = 10.0) -> None:
        self.cfg, self._mono, self._sleep = cfg, monotonic, sleep
        self.base = cfg.api_base.rstrip("/")
        self.throttle = Throttle(monotonic=monotonic, sleep=sleep)
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None
        self._token = ""
        self.tokens = SharedTokens(None, monotonic, sleep)  # build_api shares it through the database

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
