"""Outbound WeCom PlatformAPI: message/send, update_template_card, webhook/send, robot response_url,
agent/set_workbench_data (payload kind "workbench") and media/get (kind "media_fetch", evidence downloads).

Limits: the sender allows 20 messages a minute per target (≤ 20/min per webhook key, < 30/min per
member); Windows here also hold 30/min per member and 20/min per key across targets — over them the
row goes back to the outbox (TransientDeliveryError), never lost. response_url hosts are rewritten
onto [wecom] api_base and no other host is called. Payload shapes: see render.py.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from bot.config import WecomConfig
from bot.core.clock import Clock
from bot.core.errors import DeliveryError, Throttled
from bot.platforms.download import fetch_into
from bot.platforms.wecom.extras import rooms
from bot.platforms.wecom.extras.client import TRANSIENT, checked, raise_for
from bot.platforms.wecom.extras.limits import Windows
from bot.platforms.wecom.extras.media import WecomMedia
from storage.db import Database
from storage.repos import wecom_cards

if TYPE_CHECKING:
    from bot.platforms.wecom.render import WecomRenderer

log = logging.getLogger("salesbot.wecom")
CODE_TTL = timedelta(hours=72)  # a response_code works once within 72 h
MAX_WAIT = 2.0  # seconds a send may wait for a rate-limit slot before going back to the outbox
WECOM_HOST = "qyapi.weixin.qq.com"
MEDIA_FETCH = True  # platform.py declares it (Platform.fetches_media): scheduler/media.py queues the downloads


class WecomAPI(WecomMedia):
    """The PlatformAPI for WeCom (one per process)."""

    name = "wecom"
    per_minute: int | None = 20

    def __init__(self, cfg: WecomConfig, db: Database | None, clock: Clock, *args: Any,
                 renderer: WecomRenderer | None = None, **kwargs: Any) -> None:
        super().__init__(cfg, db, clock, *args, **kwargs)
        self.members, self.keys = Windows(30, self._mono), Windows(20, self._mono)
        self._used_urls: set[str] = set()
        self.renderer = renderer  # a deal room's card is rendered once the room exists (extras/rooms.py)

    async def send(self, target: str, payload: dict[str, Any]) -> None:
        """Deliver one rendered payload (render.py documents the kinds)."""
        kind = payload.get("kind")
        if kind == "app":
            await self.send_app(payload["touser"], payload["body"])
        elif kind == "app_update":
            await self.update_card(payload)
        elif kind == "webhook":
            await self.webhook(payload["name"], payload["body"])
        elif kind == "robot":
            await self.robot(payload)
        elif kind == "room_create":  # 开群 (handlers/deal_rooms.py)
            await rooms.create(self, payload)
        elif kind == "workbench":
            await self.set_workbench(payload["userid"], payload["items"])
        elif kind == "media_fetch":
            await fetch_into(self.db, payload, self.fetch_media, self.clock.now)
        else:
            raise DeliveryError(f"unknown WeCom payload kind {kind!r} for {target}; re-render the message")

    async def _slot(self, windows: Windows, key: str, what: str) -> None:
        wait = windows.wait(key)
        if wait > MAX_WAIT:
            raise Throttled(f"WeCom limit: {what} is full for {wait:.0f} s more; kept in the outbox", wait)
        if wait > 0:
            await self._sleep(wait)
        windows.record(key)

    async def send_app(self, user: str, body: dict[str, Any]) -> dict[str, Any]:
        """message/send to one member (≤ 30 a minute each); remember a card's response_code."""
        if not user:
            raise DeliveryError("no WeCom userid to send to; link the member's wecom_userid")
        await self._slot(self.members, user, f"member {user}'s 30 messages a minute")
        data = checked("message/send", await self.call("message/send", {
            "touser": user, "agentid": self.cfg.agent_id, **body,
            "enable_duplicate_check": 0}))
        card = body.get("template_card") or {}
        if data.get("response_code") and card.get("task_id") and self.db is not None:
            await wecom_cards.remember(self.db, card["task_id"], data["response_code"],
                                       self.clock.now() + CODE_TTL, str(data.get("msgid") or ""))
        return data

    async def update_card(self, payload: dict[str, Any]) -> None:
        """update_template_card with the card's unused response_code, else send the fallback as a new card."""
        task_id, user = payload["task_id"], payload["touser"]
        code = await self._claim(task_id, payload.get("response_code", ""), int(payload.get("code_at") or 0))
        if code:
            data = await self.call("message/update_template_card", {
                "userids": [user], "agentid": self.cfg.agent_id, "response_code": code,
                "template_card": payload["template_card"]})
            if data.get("errcode") in TRANSIENT:
                raise_for("update_template_card", data, "")
            if not data.get("errcode"):
                return
            log.info("response_code refused; sending a new card", extra={"errcode": data.get("errcode")})
        await self.send_app(user, payload["fallback"])

    async def _claim(self, task_id: str, code: str, code_at: int) -> str | None:
        if self.db is None:
            return code or None
        if code and code_at:
            issued = datetime.fromtimestamp(code_at, UTC)
            await wecom_cards.remember(self.db, task_id, code, issued + CODE_TTL)
        return await wecom_cards.claim(self.db, task_id, self.clock.now())

    async def webhook(self, name: str, body: dict[str, Any]) -> None:
        """webhook/send to a group robot by its configured name (≤ 20 a minute per key)."""
        key = self.cfg.webhook_keys.get(name)
        if not key:
            raise DeliveryError(f"no WeCom webhook named {name!r}; add it to [wecom] webhook_keys")
        await self._slot(self.keys, key, f"webhook {name}'s 20 messages a minute")
        checked("webhook/send", await self._request("POST", f"{self.base}/cgi-bin/webhook/send",
                                                     params={"key": key}, json=body))

    async def robot(self, payload: dict[str, Any]) -> None:
        """Answer through the one-shot response_url while it is fresh; else message the sender via the app."""
        url = self._rebase(payload.get("response_url", ""))
        fresh = url and url not in self._used_urls and self.clock.now().timestamp() < payload.get("expires", 0)
        if fresh:
            self._used_urls.add(url)
            data = await self._request("POST", url, json=payload["body"])
            if not data.get("errcode"):
                return
            log.info("response_url refused; falling back to the app", extra={"errcode": data.get("errcode")})
        user = payload.get("fallback_user", "")
        if not (user and self.cfg.agent_id and self.cfg.secret):
            raise DeliveryError("the robot's response_url is spent or expired and the app cannot reach the "
                                "sender; set [wecom] agent_id and secret so late answers go to the person")
        await self.send_app(user, _as_app(payload["body"]))

    async def set_workbench(self, user: str, items: list[dict[str, str]]) -> None:
        """agent/set_workbench_data: the member's key-data items (key, data, jump_url) on the app's workbench."""
        if not user:
            raise DeliveryError("no WeCom userid for the workbench; link the member's wecom_userid")
        checked("set_workbench_data", await self.call("agent/set_workbench_data", {
            "agentid": self.cfg.agent_id, "userid": user, "type": "keydata", "keydata": {"items": items}}))

    def _rebase(self, url: str) -> str:
        """Point a WeCom response_url at api_base; refuse any other host."""
        if not url:
            return ""
        parts, base = urlsplit(url), urlsplit(self.base)
        if parts.netloc not in (WECOM_HOST, base.netloc):
            log.warning("ignoring a response_url on an unexpected host", extra={"host": parts.netloc})
            return ""
        return f"{self.base}{parts.path}" + (f"?{parts.query}" if parts.query else "")


def _as_app(body: dict[str, Any]) -> dict[str, Any]:
    """A robot body as an app message: cards as they are, markdown as app markdown."""
    return body if body.get("msgtype") == "template_card" else {"msgtype": "markdown", "markdown": body["markdown"]}

