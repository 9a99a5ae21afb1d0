"""What every route module shares: the runtime and page keys, and the body readers.

The Runtime is named for type checkers only: platform packages are handed the runtime (and the shell's page
templates, `PAGE`) by the app shell and never import it, so the shell can import every platform without a cycle.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from aiohttp import web

from bot.core.payloads import json_object

if TYPE_CHECKING:
    from bot.runtime import Runtime


class PageText(Protocol):
    """Render one of the shell's page templates (bot/web/templates/) to HTML."""

    def __call__(self, template: str, **values: Any) -> str:
        """Return the rendered page."""
        ...


RUNTIME: web.AppKey[Runtime] = web.AppKey("runtime")
PAGE: web.AppKey[PageText] = web.AppKey("page")  # set by the shell (bot/web/app.py) before any routes are added
RAW_BODY = web.RequestKey("raw_body", bytes)
AUTHENTICATED = web.RequestKey("authenticated", bool)  # set once a signature/token check passed


def runtime(request: web.Request) -> Runtime:
    """Return the app's Runtime."""
    return request.app[RUNTIME]


def mark_authenticated(request: web.Request) -> None:
    """Record that the request proved its origin: a refusal after this archives the whole body."""
    request[AUTHENTICATED] = True


async def read_body(request: web.Request) -> bytes:
    """Read the body once (size-limited by aiohttp, time-limited by bot/web/guards.py) and keep it."""
    if RAW_BODY not in request:
        request[RAW_BODY] = await request.read()
    return request[RAW_BODY]


async def read_json(request: web.Request) -> dict:
    """Parse a JSON object body or raise BadRequest saying what is wrong."""
    return json_object(await read_body(request) or b"{}", "body")
