"""Outbound Feishu: send/reply/PATCH cards and the bot's identity, over the client core (extras/client.py: session,
tenant token, calls); evidence downloads (media.py), approvals and rooms run as tasks (tasks.py), not sends.

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

from bot.config import FeishuConfig
from bot.core.errors import DeliveryError
from bot.platforms.feishu.extras.client import FeishuClient
from bot.platforms.feishu.extras.delayed import DelayedUpdates
from bot.platforms.feishu.extras.media import FeishuMedia
from storage.repos import card_refs

if TYPE_CHECKING:
    from bot.platforms.feishu.extras.approvals import FeishuApprovals
    from bot.platforms.feishu.render import FeishuRenderer

log = logging.getLogger("salesbot.feishu")


def receive_id_type(target: str) -> str:
    """Guess Feishu's receive_id_type from an id's shape."""
    for prefix, kind in (("oc_", "chat_id"), ("ou_", "open_id"), ("on_", "union_id")):
        if target.startswith(prefix):
            return kind
    return "email" if "@" in target else "user_id"


class FeishuAPI(FeishuClient, FeishuMedia):
    """The PlatformAPI for Feishu; one per process, sharing one HTTP session and one token."""

    name = "feishu"
    per_minute: int | None = 300  # 5 QPS per chat; the Throttle enforces the per-second shape

    def __init__(self, cfg: FeishuConfig, monotonic: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep, timeout: float = 10.0,
                 wall: Callable[[], float] = time.time, renderer: FeishuRenderer | None = None) -> None:
        super().__init__(cfg, monotonic, sleep, timeout)
        self.renderer = renderer  # draws a deal room's card and the in-chat approval card a refusal falls back to
        self.delayed = DelayedUpdates(self, wall)  # wall: epoch seconds, to judge a click token's age
        self._bot_open_id: str | None = None
        self.approvals: FeishuApprovals | None = None  # set by platform.py's build_api(rt): it needs the database

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
