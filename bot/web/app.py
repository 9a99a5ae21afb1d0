"""The aiohttp application: middlewares, routes, and the runtime's start/stop."""

from __future__ import annotations

import logging
from pathlib import Path

from aiohttp import web

from bot import platforms
from bot.errors import BadRequest
from bot.runtime import Runtime
from bot.web import actionlinks, api, attack, customer, intake, me, ops, playground, weekly
from bot.web.common import RAW_BODY, RUNTIME
from bot.web.grading_routes import setup as setup_grading
from storage.repos import requests as archive

log = logging.getLogger("salesbot.web")
STATIC = Path(__file__).with_name("static")


@web.middleware
async def error_middleware(request: web.Request, handler):
    """Turn refusals into 4xx JSON with the reason, archive the body, and never leak a trace."""
    rt = request.app[RUNTIME]
    limit = rt.settings.server.max_body_bytes
    try:
        if request.content_length and request.content_length > limit:
            raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=request.content_length)
        return await handler(request)
    except BadRequest as exc:
        await _archive(request, exc.status, exc.reason)
        return web.json_response({"error": exc.reason, "fields": exc.fields}, status=exc.status)
    except web.HTTPRequestEntityTooLarge:
        reason = f"body over the {limit}-byte limit"
        await _archive(request, 413, reason)
        return web.json_response({"error": reason}, status=413)
    except web.HTTPException:
        raise
    except Exception:
        log.exception("unhandled error in route", extra={"path": request.path})
        return web.json_response({"error": "internal error; it has been logged"}, status=500)


async def _archive(request: web.Request, status: int, reason: str) -> None:
    rt = request.app[RUNTIME]
    try:
        body = request.get(RAW_BODY, b"")
        await archive.archive(rt.db, request.path, status, reason, request.content_type, body, rt.clock.now())
    except Exception:
        log.exception("could not archive a refused request")


def create_app(rt: Runtime, start_services: bool = True) -> web.Application:
    """Build the web application around a Runtime."""
    app = web.Application(middlewares=[error_middleware], client_max_size=rt.settings.server.max_body_bytes)
    app[RUNTIME] = rt
    ops.setup(app)
    api.setup(app)
    intake.setup(app)
    actionlinks.setup(app)
    weekly.setup(app)
    attack.setup(app)
    me.setup(app)
    customer.setup(app)
    setup_grading(app)
    platforms.setup_routes(app, rt.settings)
    if rt.settings.playground.enabled:
        playground.setup(app)
        app.router.add_static("/static/", STATIC)
    if start_services:
        app.on_startup.append(_start)
        app.on_cleanup.append(_stop)
    return app


async def _start(app: web.Application) -> None:
    await app[RUNTIME].start()


async def _stop(app: web.Application) -> None:
    await app[RUNTIME].stop()
