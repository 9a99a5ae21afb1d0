"""DingTalk HTTP client core (aiohttp): one session, the app's access token, the call with one token retry.

New-style APIs go to [dingtalk] api_base with the `x-acs-dingtalk-access-token` header. The token is
shared by every replica (bot/platforms/tokens.py), refreshed TOKEN_MARGIN before DingTalk's 7200 s
expiry, and fetched again once when a call answers 401. Network trouble, 429 and 5xx are transient;
other 4xx refusals are permanent (extras/throttle.py reads the rate-limit answers).
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import Any

import aiohttp

from bot.config import DingtalkConfig
from bot.core.clock import Clock
from bot.core.errors import DeliveryError, TransientDeliveryError
from bot.platforms.dingtalk.extras.throttle import throttled
from bot.platforms.tokens import SharedTokens

log = logging.getLogger("salesbot.dingtalk")
TOKEN_MARGIN = timedelta(minutes=5)  # refresh before DingTalk's 7200 s expiry, like the SDK


class TokenRejected(TransientDeliveryError):
    """DingTalk answered 401: the access token expired or another refresh replaced it."""


class DingTalkClient:
    """Session, access token and authorised calls: the base of DingTalkAPI."""

    def __init__(self, cfg: DingtalkConfig, clock: Clock, timeout: float = 10) -> None:
        self.cfg, self.clock = cfg, clock
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._http: aiohttp.ClientSession | None = None
        self.tokens = SharedTokens(None, lambda: clock.now().timestamp())  # build_api shares it through the database

    def _session(self) -> aiohttp.ClientSession:
        if self._http is None or self._http.closed:
            self._http = aiohttp.ClientSession(timeout=self._timeout)
        return self._http

    async def close(self) -> None:
        """Close the HTTP session."""
        if self._http is not None:
            await self._http.close()

    async def request(self, method: str, url: str, body: Any, headers: dict | None = None) -> dict:
        """Do one call; map network trouble, 429 and 5xx to transient errors, other 4xx to permanent."""
        try:
            async with self._session().request(method, url, json=body, headers=headers) as resp:
                text = await resp.text()
                status = resp.status
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise TransientDeliveryError(f"DingTalk {method} {_path(url)}: {type(exc).__name__} {exc}") from exc
        limited = throttled(f"{method} {_path(url)}", status, text)
        if limited is not None:
            raise limited
        if status >= 500:
            raise TransientDeliveryError(f"DingTalk {method} {_path(url)} answered {status}: {text[:200]}")
        if status == 401:  # InvalidAuthentication: the token expired or was replaced
            raise TokenRejected(f"DingTalk {method} {_path(url)} answered 401 (access token rejected)")
        if status >= 400:
            raise DeliveryError(f"DingTalk {method} {_path(url)} answered {status}: {text[:300]}")
        try:
            return json.loads(text or "{}")
        except ValueError as exc:
            raise TransientDeliveryError(f"DingTalk {_path(url)} answered non-JSON: {text[:200]}") from exc

    async def access_token(self, rejected: str | None = None) -> str:
        """Return the app's access token (shared by every replica), refreshed 5 minutes before it expires."""
        return await self.tokens.get(f"dingtalk:{self.cfg.client_id}", self._fetch_token,
                                     TOKEN_MARGIN.total_seconds(), rejected)

    async def _fetch_token(self) -> tuple[str, float]:
        data = await self.request("POST", f"{self.cfg.api_base}/v1.0/oauth2/accessToken",
                                  {"appKey": self.cfg.client_id, "appSecret": self.cfg.client_secret})
        if not data.get("accessToken"):
            raise DeliveryError("DingTalk gave no accessToken; check [dingtalk] client_id and client_secret")
        return data["accessToken"], float(int(data.get("expireIn") or 7200))

    async def call(self, method: str, path: str, body: dict) -> dict:
        """Call a new-style API (api_base) with the access token header; on 401 retry once with a new token."""
        token = await self.access_token()
        try:
            return await self.request(method, f"{self.cfg.api_base}{path}", body,
                                      {"x-acs-dingtalk-access-token": token})
        except TokenRejected:
            log.info("DingTalk rejected the access token; fetching a new one and retrying once")
            token = await self.access_token(rejected=token)
            return await self.request(method, f"{self.cfg.api_base}{path}", body,
                                      {"x-acs-dingtalk-access-token": token})


def _path(url: str) -> str:
    """The URL without its query (access tokens and signs must not reach logs)."""
    return url.split("?", 1)[0]
