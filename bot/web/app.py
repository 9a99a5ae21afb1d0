"""The aiohttp application: middlewares and routes (bot/serve.py starts and stops the services)."""

from __future__ import annotations

import logging
from pathlib import Path

from aiohttp import web

from bot.platforms import refusals, registry
from bot.platforms.http import PAGE, RUNTIME
from bot.runtime import Runtime
from bot.web import (
    actionlinks,
    api,
    attack,
    customer,
    dingtalk_workbench,
    favicon,
    feishu_workbench,
    fullview,
    guards,
    me,
    me_actions,
    ops,
    pages,
    playground,
    sidebar,
    weekly,
)
from bot.web import nps as nps_page
from bot.web import scorecard as scorecard_page
from bot.web.grading_routes import setup as setup_grading
from bot.web.report_pages import setup as setup_report_pages

log = logging.getLogger("salesbot.web")
STATIC = Path(__file__).with_name("static")


def create_app(rt: Runtime) -> web.Application:
    """Build the web application around a Runtime (its services are started by bot/serve.py, or by tests)."""
    app = web.Application(middlewares=[guards.error_middleware], client_max_size=rt.settings.server.max_body_bytes,
                          handler_args=guards.handler_args(rt.settings.security.header_timeout))
    app[RUNTIME] = rt
    app[PAGE] = pages.html  # platform routes draw pages (the expo form) with the shell's templates
    refusals.setup(app)
    ops.setup(app)
    api.setup(app)
    actionlinks.setup(app)
    weekly.setup(app)
    attack.setup(app)
    me.setup(app)
    customer.setup(app)
    setup_report_pages(app)
    fullview.setup(app)
    setup_grading(app)
    scorecard_page.setup(app)
    nps_page.setup(app)
    favicon.setup(app)
    me_actions.setup(app)
    if rt.settings.wecom.enabled and "wecom" in rt.apis:
        sidebar.setup(app)  # the chat-toolbar sidebar needs the WeCom API (tickets, OAuth2)
    if rt.settings.dingtalk.enabled:
        dingtalk_workbench.setup(app)
    if rt.settings.feishu.enabled:
        feishu_workbench.setup(app)
    registry.setup_routes(app, rt.settings)
    if rt.settings.playground.enabled:
        playground.setup(app)
        app.router.add_static("/static/", STATIC)
    return app
