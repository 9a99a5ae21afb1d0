"""WeCom HTTP client core (aiohttp): one session, the access token per app, the call with one token retry.

Every call goes to [wecom] api_base. The token is cached per app (corp id + agent id), replaced 5
minutes before expires_in, shared by every replica (bot/platforms/tokens.py), and refetched once when a call
answers 40001/40014/42001. 45009/45033 (too frequent) are throttling: retried after a back-off.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from bot.config import WecomConfig
from bot.core.clock import Clock
from bot.core.errors import DeliveryError, Throttled, TransientDeliveryError
from bot.platforms.tokens import SharedTokens
from storage.db import Database

log = logging.getLogger("salesbot.wecom")
TOKEN_INVALID = {40001, 40014, 42001}
TRANSIENT = {-1, 45009, 45033}  # system busy; api freq out of limit; too many concurrent calls
REFRESH_EARLY = 300  # seconds before expires_in a token is replaced
THROTTLED = {45009: 60.0, 45033: 5.0}  # api freq out of limit (back off a minute); too many concurrent calls


class WecomClient:
    """Session, token cache and authorised calls shared by the WeCom API, sync and workbench."""

    def __init__(self, cfg: WecomConfig, db: Database | None, clock: Clock, timeout: float = 10.0,
                 monotonic: Callable[[], float] | None = None,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.cfg, self.db, self.clock, self._sleep = cfg, db, clock, sleep
        # token expiry and send windows follow the injected clock, so tests (and the fake) share one time
        self._mono = monotonic or (lambda: clock.now().timestamp())
        self.base = cfg.api_base.rstrip("/")
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None
        self.tokens = SharedTokens(db, self._mono, sleep)  # one refresher per app across replicas
        self._issued: str | None = None

    async def close(self) -> None:
        """Close the HTTP session."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session

    async def _request(self, method: str, url: str, **kw: Any) -> dict[str, Any]:
        """One HTTP call; network trouble, timeouts and 5xx are transient, a non-JSON answer permanent."""
        try:
            async with self._http().request(method, url, **kw) as resp:
                if resp.status >= 500 or resp.status == 429:
                    raise TransientDeliveryError(f"WeCom HTTP {resp.status} on {urlsplit(url).path}")
                data = await resp.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise TransientDeliveryError(f"WeCom unreachable ({type(exc).__name__}) on {urlsplit(url).path}") from exc
        except ValueError as exc:
            raise DeliveryError(f"WeCom answered {urlsplit(url).path} with non-JSON") from exc
        return data if isinstance(data, dict) else {"errcode": -1, "errmsg": "not an object"}

    async def token(self, refresh: bool = False) -> str:
        """Return the app's access token (shared by every replica), a new one when `refresh` (it was rejected)."""
        key = f"wecom:{self.cfg.corp_id}:{self.cfg.agent_id}"
        self._issued = await self.tokens.get(key, self._fetch_token, REFRESH_EARLY,
                                             self._issued if refresh else None)
        return self._issued

    async def _fetch_token(self) -> tuple[str, float]:
        data = await self._request("GET", f"{self.base}/cgi-bin/gettoken",
                                   params={"corpid": self.cfg.corp_id, "corpsecret": self.cfg.secret})
        if data.get("errcode") in TRANSIENT:
            raise_for("gettoken", data, "")
        if data.get("errcode") or not data.get("access_token"):  # 40001 here is a wrong secret, not a token
            raise DeliveryError(f"WeCom gettoken: {data.get('errcode')} {str(data.get('errmsg'))[:200]}; "
                                "check [wecom] corp_id and secret (the self-built app's Secret)")
        return data["access_token"], float(int(data.get("expires_in") or 7200))

    async def get(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        """GET /cgi-bin/<path> with the token (refetched once when WeCom says it is invalid); raise on errors."""
        for attempt in (0, 1):
            token = await self.token(refresh=attempt == 1)
            data = await self._request("GET", f"{self.base}/cgi-bin/{path}", params={**params, "access_token": token})
            if data.get("errcode") not in TOKEN_INVALID:
                break
        return checked(path, data)

    async def call(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST to /cgi-bin/<path> with the token; refetch the token once when WeCom says it is invalid."""
        for attempt in (0, 1):
            token = await self.token(refresh=attempt == 1)
            data = await self._request("POST", f"{self.base}/cgi-bin/{path}", params={"access_token": token},
                                       json=body)
            if data.get("errcode") not in TOKEN_INVALID:
                return data
            log.info("WeCom token rejected; refetching once", extra={"errcode": data.get("errcode")})
        return data



def raise_for(what: str, data: dict[str, Any], fix: str) -> None:
    """Raise TransientDeliveryError for busy/limit/token codes, DeliveryError (with the fix) otherwise."""
    code, msg = data.get("errcode"), str(data.get("errmsg") or "")[:200]
    if code in THROTTLED:
        raise Throttled(f"WeCom {what}: {code} {msg}", THROTTLED[code])
    if code in TRANSIENT or code in TOKEN_INVALID:
        raise TransientDeliveryError(f"WeCom {what}: {code} {msg}")
    raise DeliveryError(f"WeCom {what}: {code} {msg}" + (f"; {fix}" if fix else ""))


def checked(what: str, data: dict[str, Any]) -> dict[str, Any]:
    """Return data when errcode is 0, else raise as raise_for does."""
    if data.get("errcode"):
        raise_for(what, data, "check the payload and the app's visible range")
    return data
