"""Outbound DingTalk sends; every URL starts from `api_base` or `oapi_base` (the session, access token and
authorised calls are the client core's, extras/client.py).

Replies go to the message's sessionWebhook while it is valid, else through the robot API
(groupMessages/send, oToMessages/batchSend ≤ 20 users a call); team pushes go to custom group
robots signed with 加签. Interactive cards use createAndDeliver and PUT /v1.0/card/instances.
Evidence downloads (media.py), scene-group rooms and OA approvals run as tasks (tasks.py), not sends.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from bot.config import DingtalkConfig
from bot.core.clock import Clock
from bot.core.errors import DeliveryError
from bot.core.errors import Throttled as ThrottledError
from bot.platforms.dingtalk.adapter import canonical_target
from bot.platforms.dingtalk.extras.client import DingTalkClient
from bot.platforms.dingtalk.extras.crypto import webhook_query
from bot.platforms.dingtalk.extras.media import DingTalkMedia
from bot.platforms.dingtalk.extras.throttle import throttled
from storage.repos import card_refs

if TYPE_CHECKING:
    from bot.platforms.dingtalk.render import DingTalkRenderer

log = logging.getLogger("salesbot.dingtalk")
WEBHOOK_MARGIN_MS = 60_000  # a sessionWebhook this close to expiry is not worth a failed call
THROTTLE = timedelta(minutes=10)  # a custom robot over its limit is muted for 10 minutes
BATCH = 20  # oToMessages/batchSend takes at most 20 userIds


class Throttled(ThrottledError):
    """DingTalk said the robot is over its rate limit."""


class DingTalkAPI(DingTalkClient, DingTalkMedia):
    """The DingTalk PlatformAPI: send rendered payloads (robot messages, interactive cards)."""

    name = "dingtalk"
    # A custom robot allows 20 messages a minute and mutes itself for 10 minutes when exceeded;
    # 19 leaves room for network jitter compressing our sliding window at DingTalk's end.
    per_minute: int | None = 19

    def __init__(self, cfg: DingtalkConfig, clock: Clock, timeout: float = 10,
                 renderer: DingTalkRenderer | None = None) -> None:
        super().__init__(cfg, clock, timeout)
        self.renderer = renderer  # draws a deal room's card
        self.robot_code = cfg.robot_code or cfg.client_id
        self._muted: dict[str, datetime] = {}

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
        """Deliver one rendered message; raise TransientDeliveryError to retry, DeliveryError to give up."""
        kind = payload.get("kind")
        if kind == "message":
            await self.send_message(target, payload)
        elif kind == "card":
            await self.send_card(payload)
        elif kind == "card_update":
            await self.call("PUT", "/v1.0/card/instances", payload["update"])
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
