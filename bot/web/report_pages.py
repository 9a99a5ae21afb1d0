"""Routes of the report pages (作战地图, 流失分析) and the platform login, registered with one line in app.py."""

from __future__ import annotations

from aiohttp import web

from bot.web import battle_map, churn, login


def setup(app: web.Application) -> None:
    """Register the battle map, churn and login routes."""
    battle_map.setup(app)
    churn.setup(app)
    login.setup(app)
