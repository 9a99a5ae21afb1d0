"""Delayed card updates with a click's token (POST /open-apis/interactive/v1/card/update): 30 min, 2 uses.

A click answered in time replaces its card inline. When the click's first reply is not ready within the
answer's deadline, render.py gives that reply the click's token, and the sender replaces the clicked card
with it here — what the inline answer would have done — instead of posting a new message. A token that has
expired or been used twice, or a refusal, falls back to the ordinary send (FeishuAPI.send goes on).
The call is made only by the sender, so always after the callback was answered, as Feishu requires.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot.core.errors import DeliveryError, TransientDeliveryError

if TYPE_CHECKING:
    from bot.platforms.feishu.api import FeishuAPI

log = logging.getLogger("salesbot.feishu")
PATH = "/open-apis/interactive/v1/card/update"
MAX_USES = 2
KEEP = 2000  # tokens remembered for their use count; older ones have expired anyway


class DelayedUpdates:
    """Count each token's uses in this process and spend them on late first replies."""

    def __init__(self, api: FeishuAPI, wall: Callable[[], float]) -> None:
        self.api, self.wall = api, wall
        self._uses: OrderedDict[str, int] = OrderedDict()

    def usable(self, payload: dict[str, Any]) -> str | None:
        """Return the payload's token when it may still replace the clicked card, else None."""
        spec = payload.get("delayed_update")
        if not isinstance(spec, dict) or not isinstance(payload.get("card"), dict):
            return None
        token, until = str(spec.get("token") or ""), float(spec.get("until") or 0)
        if not token or self.wall() >= until or self._uses.get(token, 0) >= MAX_USES:
            return None
        return token

    async def try_update(self, payload: dict[str, Any]) -> bool:
        """Replace the clicked card; False when the token cannot (the caller then sends a message)."""
        token = self.usable(payload)
        if token is None:
            return False
        self._uses[token] = self._uses.pop(token, 0) + 1  # counted before the call: a retry may not exceed 2
        while len(self._uses) > KEEP:
            self._uses.popitem(last=False)
        try:
            await self.api.call("POST", PATH, {"token": token, "card": payload["card"]})
        except TransientDeliveryError:
            raise
        except DeliveryError as exc:
            log.info("delayed card update refused; sending the card as a message", extra={"error": str(exc)[:300]})
            return False
        return True
