"""`GET /favicon.ico`: every page and the playground get our icon instead of a 404 in the log."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

ICON = Path(__file__).with_name("static") / "favicon.ico"


def setup(app: web.Application) -> None:
    """Register the icon route."""
    app.router.add_get("/favicon.ico", favicon)


async def favicon(request: web.Request) -> web.Response:
    """Serve the icon, cacheable for a day."""
    return web.Response(body=ICON.read_bytes(), content_type="image/x-icon",
                        headers={"Cache-Control": "public, max-age=86400"})
