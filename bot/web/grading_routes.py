"""The routes of customer grading, registered with one line in bot/web/app.py."""

from __future__ import annotations

from aiohttp import web

from bot.web import grading_api, grading_board, materials


def setup(app: web.Application) -> None:
    """Add /m/{token}, /dash/grading, /api/v1/grade_proposals and /api/v1/customers."""
    materials.setup(app)
    grading_board.setup(app)
    grading_api.setup(app)
