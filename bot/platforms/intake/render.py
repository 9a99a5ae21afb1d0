"""The expo form's pages: the form with a fresh CSRF token, the form again with each problem, the thank-you page.

A person at an expo never sees raw JSON: every answer to a form post is this page. The HTML comes from the
app shell's page templates (bot/web/templates/intake_form.html, through the `PAGE` function the shell puts
on the app), so the form looks like every other page.
"""

from __future__ import annotations

from aiohttp import web

from bot.config import Settings
from bot.core.clock import Clock
from bot.platforms.http import PageText
from bot.platforms.intake.adapter import csrf_token, form_values

FORM_FIELDS = {"contact_name": "姓名", "mobile_phone": "手机号", "company": "公司", "need": "需求", "_csrf": "表单"}
FORM_HEADERS = {"Cache-Control": "no-store", "X-Frame-Options": "DENY"}


class IntakeRenderer:
    """Draw the expo form's pages, signing each form with the server's key at the clock's time."""

    def __init__(self, settings: Settings, clock: Clock, page: PageText) -> None:
        self.secret_key, self.clock, self.page = settings.server.secret_key, clock, page

    def token(self, channel: str) -> str:
        """A fresh CSRF token for the channel's form."""
        return csrf_token(self.secret_key, channel, int(self.clock.now().timestamp()))

    def form(self, channel: str, body: bytes = b"", problems: dict[str, str] | None = None,
             status: int = 200) -> web.Response:
        """The form, with what was typed and each problem in words next to its field."""
        errors = {FORM_FIELDS.get(k, k): v for k, v in (problems or {}).items()}
        html = self.page("intake_form.html", done=False, channel=channel, token=self.token(channel),
                         values=form_values(body), errors=errors)
        return web.Response(text=html, content_type="text/html", charset="utf-8", status=status,
                            headers=FORM_HEADERS)

    def done(self, channel: str, status: int = 201) -> web.Response:
        """The thank-you page of a lead that was taken (201), or stored to be handled in a moment (202)."""
        html = self.page("intake_form.html", done=True, channel=channel, token="", values={}, errors={})
        return web.Response(text=html, content_type="text/html", charset="utf-8", status=status)
