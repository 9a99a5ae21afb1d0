"""Outbound DingTalk calls over aiohttp; every URL starts from `api_base` or `oapi_base`.

Replies go to the message's sessionWebhook while it is valid, else through the robot API
(groupMessages/send, oToMessages/batchSend ≤ 20 users a call); team pushes go to custom group
robots signed with 加签. Interactive cards use createAndDeliver and PUT /v1.0/card/instances.
Evidence files (payload kind "media_fetch") are downloaded by extras/media.py.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import aiohttp

from bot.config import DingtalkConfig
from bot.core.clock import Clock
from bot.core.errors import DeliveryError, TransientDeliveryError
from bot.core.errors import Throttled as ThrottledError
from bot.platforms.dingtalk.adapter import canonical_target
from bot.platforms.dingtalk.extras import rooms
from bot.platforms.dingtalk.extras.crypto import webhook_query
from bot.platforms.dingtalk.extras.media import DingTalkMedia
from bot.platforms.dingtalk.extras.throttle import throttled
from bot.platforms.tokens import SharedTokens
from storage.repos import card_refs

if TYPE_CHECKING:
    from bot.platforms.dingtalk.extras.approvals import OAApprovals
    from bot.platforms.dingtalk.render import DingTalkRenderer

log = logging.getLogger("salesbot.dingtalk")
TOKEN_MARGIN = timedelta(minutes=5)  # refresh before DingTalk's 7200 s expiry, like the SDK
WEBHOOK_MARGIN_MS = 60_000  # a sessionWebhook this close to expiry is not worth a failed call
THROTTLE = timedelta(minutes=10)  # a custom robot over its limit is muted for 10 minutes
BATCH = 20  # oToMessages/batchSend takes at most 20 userIds
MEDIA_FETCH = True  # platform.py declares it (Platform.fetches_media): scheduler/media.py queues the downloads


class TokenRejected(TransientDeliveryError):
    """DingTalk answered 401: the access token expired or another refresh replaced it."""


class Throttled(ThrottledError):
    """DingTalk said the robot is over its rate limit."""


class DingTalkAPI(DingTalkMedia):
    """The DingTalk PlatformAPI: send rendered payloads, manage the access token."""

    name = "dingtalk"
    # A custom robot allows 20 messages a minute and mutes itself for 10 minutes when exceeded;
    # 19 leaves room for network jitter compressing our sliding window at DingTalk's end.
    per_minute: int | None = 19

    def __init__(self, cfg: DingtalkConfig, clock: Clock, timeout: float = 10,
                 renderer: DingTalkRenderer | None = None) -> None:
        self.cfg, self.clock, self.renderer = cfg, clock, renderer  # the renderer draws a deal room's card
        self.robot_code = cfg.robot_code or cfg.client_id
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._http: aiohttp.ClientSession | None = None
        self.tokens = SharedTokens(None, lambda: clock.now().timestamp())  # build_api shares it through the database
        self._muted: dict[str, datetime] = {}
        self.approvals: OAApprovals | None = None  # bound by platform.py's build_api(rt): it needs the database

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

    async def _webhook(self, url: str, body: dict, what: str) -> None:
        data = await self.request("POST", url, body)
        code = data.get("errcode", 0)
        limited = throttled(what, 200, json.dumps(data))
        if limited is not None:
            raise Throttled(str(limited), limited.retry_after)
        if code:
            raise DeliveryError(f"DingTalk {what} refused the message (errcode {code}): {data.get('errmsg')}")

    async def custom_robot(self, name: str, body: dict) -> None:
        """Post to a custom group robot from [dingtalk] webhooks, signed when it has a secret."""
        robot = self.cfg.webhooks.get(name)
        if not isinstance(robot, dict) or not robot.get("access_token"):
            raise DeliveryError(f"no custom robot {name!r}; add [dingtalk] webhooks.{name} = "
                                "{access_token = \"…\", secret = \"SEC…\"}")
        now = self.clock.now()
        if self._muted.get(name, now) > now:
            raise Throttled(f"custom robot {name!r} is throttled by DingTalk; waiting it out",
                            (self._muted[name] - now).total_seconds())
        url = f"{self.cfg.oapi_base}/robot/send?access_token={quote(robot['access_token'], safe='')}"
        if robot.get("secret"):
            url += webhook_query(robot["secret"], int(now.timestamp() * 1000))
        try:
            await self._webhook(url, body, f"custom robot {name!r}")
        except ThrottledError:
            self._muted[name] = now + THROTTLE  # never poke a throttled robot: it extends the mute
            raise

    def _session_valid(self, payload: dict) -> bool:
        expires = int(payload.get("session_webhook_expires") or 0)
        now_ms = self.clock.now().timestamp() * 1000
        return bool(payload.get("session_webhook")) and expires - WEBHOOK_MARGIN_MS > now_ms

    async def send_message(self, target: str, payload: dict) -> None:
        """Deliver a `message` payload by the cheapest valid route."""
        kind, _, ident = canonical_target(target).partition(":")
        if kind == "webhook":
            return await self.custom_robot(ident, payload["body"])
        if self._session_valid(payload):
            try:
                return await self._webhook(payload["session_webhook"], payload["body"], "sessionWebhook")
            except DeliveryError as exc:
                log.info("sessionWebhook failed; using the robot API", extra={"error": str(exc)[:200]})
        robot = {"robotCode": self.robot_code, **payload["robot"]}
        if kind == "group":
            await self.call("POST", "/v1.0/robot/groupMessages/send", {**robot, "openConversationId": ident})
            return
        if kind not in ("user", "users"):
            raise DeliveryError(f"unknown DingTalk target {target!r}; use group:, user:, users: or webhook:")
        ids = [u for u in ident.split(",") if u]
        for start in range(0, len(ids), BATCH):
            await self.call("POST", "/v1.0/robot/oToMessages/batchSend", {**robot, "userIds": ids[start:start + BATCH]})

    async def send(self, target: str, payload: dict[str, Any]) -> None:
        """Deliver one rendered payload; raise TransientDeliveryError to retry, DeliveryError to give up."""
        kind = payload.get("kind")
        if kind == "room_create":  # 开群 (handlers/deal_rooms.py)
            await rooms.create(self, payload)
        elif kind == "message":
            await self.send_message(target, payload)
        elif kind == "card":
            await self.send_card(payload)
        elif kind == "card_update":
            await self.call("PUT", "/v1.0/card/instances", payload["update"])
        elif kind in ("approval_create", "approval_result") and self.approvals is not None:
            await self.approvals.handle(target, payload)
        elif kind == "media_fetch":
            await self.store_media(payload)
        else:
            raise DeliveryError(f"unknown DingTalk payload kind {kind!r}; re-render the message")

    async def send_card(self, payload: dict[str, Any]) -> None:
        """Create and deliver an interactive card, or update the one sent before under the same card_ref."""
        ref = payload.get("card_ref") or {}
        if ref.get("update") and self.db is not None \
                and (track := await card_refs.message_of(self.db, self.name, ref["key"])):
            await self.call("PUT", "/v1.0/card/instances", {**ref["body"], "outTrackId": track})
            return  # else the first card was never sent: this one is sent new and becomes the one to update
        data = await self.call("POST", "/v1.0/card/instances/createAndDeliver", payload["create"])
        failed = [r for r in (data.get("result") or {}).get("deliverResults") or [] if not r.get("success")]
        if failed:
            raise DeliveryError(f"DingTalk card not delivered: {failed[0].get('errorMsg', '')[:200]}")
        if ref and self.db is not None:
            await card_refs.remember(self.db, self.name, ref["key"], payload["create"]["outTrackId"])

    async def register_card_callback(self, url: str) -> None:
        """Point HTTP card callbacks (card_route_key) at our /dingtalk/card with the api secret."""
        await self.call("POST", "/v1.0/card/callbacks/register",
                        {"callbackRouteKey": self.cfg.card_route_key, "callbackUrl": url,
                         "apiSecret": self.cfg.card_callback_secret, "forceUpdate": True})


def _path(url: str) -> str:
    """The URL without its query (access tokens and signs must not reach logs)."""
    return url.split("?", 1)[0]
