"""What every route module shares: the runtime key and body readers."""

from __future__ import annotations

import json

from aiohttp import web

from bot.errors import BadRequest
from bot.runtime import Runtime

RUNTIME = web.AppKey("runtime", Runtime)
RAW_BODY = web.RequestKey("raw_body", bytes)


def runtime(request: web.Request) -> Runtime:
    """Return the app's Runtime."""
    return request.app[RUNTIME]


async def read_body(request: web.Request) -> bytes:
    """Read the body once (size-limited by aiohttp) and keep it for the error archive."""
    if RAW_BODY not in request:
        request[RAW_BODY] = await request.read()
    return request[RAW_BODY]


async def read_json(request: web.Request) -> dict:
    """Parse a JSON object body or raise BadRequest saying what is wrong."""
    body = await read_body(request)
    try:
        data = json.loads(body or b"{}")
    except ValueError as exc:
        raise BadRequest(f"body is not valid JSON: {exc.args[0]}") from exc
    if not isinstance(data, dict):
        raise BadRequest("body must be a JSON object")
    return data
