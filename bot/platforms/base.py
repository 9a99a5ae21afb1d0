"""What a platform package declares: one `Platform` object naming its routes, API, renderer and lifespan.

Every package under bot/platforms/ (wecom, dingtalk, feishu, playground, intake) has the same top-level files —
adapter.py (inbound), api.py (outbound), render.py (a Renderer object), routes.py (HTTP, translate only) and
platform.py (its `PLATFORM`) — and keeps everything else in its extras/ sub-package. bot/platforms/registry.py
lists the Platform objects; nothing else names a platform.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from aiohttp import web

from bot.config import Settings
from bot.core.cards import Card
from bot.core.clock import Clock
from bot.core.events import ChatRef
from storage.db import Database

if TYPE_CHECKING:
    from bot.runtime import Runtime


class Renderer(Protocol):
    """Turns a card or text for one chat into the outbox payload its platform's API sends."""

    def render(self, chat: ChatRef, card: Card | None, text: str, extra: dict[str, Any]) -> dict[str, Any]:
        """Return the outbox payload (a "views" key, if any, is stored by the caller and removed)."""
        ...


class PlatformAPI(Protocol):
    """Outbound side of a platform: deliver one rendered payload to a target."""

    name: str
    per_minute: int | None

    async def send(self, target: str, payload: dict[str, Any]) -> None:
        """Deliver; raise TransientDeliveryError to retry, DeliveryError to dead-letter."""
        ...


@dataclass(frozen=True)
class Skin:
    """A chat platform as the playground shows it: its renderer and its payload-to-HTML preview."""

    renderer: Renderer
    preview: Callable[[dict[str, Any]], str]


R = TypeVar("R", bound=Renderer)
Skins = Mapping[str, Skin]
Lifespan = Callable[["Runtime"], contextlib.AbstractAsyncContextManager[object]]
Sync = Callable[[Settings, Database, Clock], Awaitable[list[str]]]


@contextlib.asynccontextmanager
async def no_clients(rt: Runtime) -> AsyncIterator[None]:
    """The lifespan of a platform with no long-lived clients: nothing to start or stop."""
    yield


def never(settings: Settings) -> bool:
    """The approvals switch of a platform without an approval app."""
    return False


@dataclass(frozen=True)
class Platform(Generic[R]):
    """One platform: when it is on, its HTTP routes, how its API and renderer are built, and its lifespan.

    `renderer` is built for every platform (enabled or not: the playground previews them all) with the
    settings, the clock and the skins of the platforms that have a `preview`; `api` only when `enabled`,
    with the runtime and that renderer. `lifespan(rt)` holds the platform's long-lived clients (streams,
    long connections, HTTP sessions) while the server runs; bot/serve.py enters it.
    """

    name: str
    enabled: Callable[[Settings], bool]
    routes: Callable[[web.Application], None]
    renderer: Callable[[Settings, Clock, Skins], R] | None
    api: Callable[[Runtime, R], PlatformAPI] | None
    lifespan: Lifespan = no_clients
    preview: Callable[[dict[str, Any]], str] | None = None  # payload -> HTML, for the playground's skins
    approvals: Callable[[Settings], bool] = never  # quotes are approved in the platform's own approval app
    sync: Sync | None = None  # `salesbot sync members --platform <name>`: the report lines
