"""The expo form of a lead channel: its CSRF token, its per-address rate limit, and the HTML pages a person sees
(the form, the form again with each problem next to its field, the thank-you page; never raw JSON)."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections import defaultdict, deque
from collections.abc import Callable
from urllib.parse import parse_qs

from aiohttp import web

from bot.core.errors import BadRequest, BadSignature
from bot.platforms.http import runtime
from bot.web.pages import ENV

FORM_TTL = 2 * 3600  # a printed QR form page stays usable for two hours after it was opened
LIMITER = web.AppKey("intake_limiter", object)
FORM_FIELDS = {"contact_name": "姓名", "mobile_phone": "手机号", "company": "公司", "need": "需求", "_csrf": "表单"}


class TooManyRequests(BadRequest):
    """A client address over the expo form's rate limit."""

    status = 429


class FormExpired(BadSignature):
    """An expo-form post whose CSRF token is stale or forged: the person gets the form again."""


class RateLimiter:
    """At most `per_minute` hits per client address in any sliding minute; the clock is injected."""

    def __init__(self, per_minute: Callable[[], int], now: Callable[[], float] = time.monotonic) -> None:
        self.per_minute, self.now = per_minute, now
        self.hits: dict[str, deque] = defaultdict(deque)

    def allow(self, client: str) -> bool:
        """Count a hit; False when the client is over its budget."""
        t, hits = self.now(), self.hits[client]
        while hits and hits[0] <= t - 60:
            hits.popleft()
        if len(hits) >= self.per_minute():
            return False
        hits.append(t)
        return True


def limiter(request: web.Request) -> RateLimiter:
    """The app's expo-form rate limiter."""
    return request.app[LIMITER]


def csrf_token(secret: str, channel: str, issued: int) -> str:
    """Sign (channel, issue time) with the server secret: the expo form's CSRF token."""
    mac = hmac.new(secret.encode(), f"{channel}|{issued}".encode(), hashlib.sha256).hexdigest()
    return f"{issued}.{mac}"


def token_ok(request: web.Request, channel: str, token: str) -> bool:
    """True for a CSRF token this server issued for the channel within FORM_TTL."""
    rt = runtime(request)
    issued, _, _mac = token.partition(".")
    if not issued.isdigit() or not 0 <= rt.clock.now().timestamp() - int(issued) <= FORM_TTL:
        return False
    return hmac.compare_digest(token, csrf_token(rt.settings.server.secret_key, channel, int(issued)))


def form_values(body: bytes) -> dict[str, str]:
    """The expo form's posted fields (first value of each)."""
    return {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items() if v}


def form_page(request: web.Request, name: str, body: bytes, problems: dict[str, str], status: int) -> web.Response:
    """The expo form again, with what was typed and each problem in words next to its field (never raw JSON)."""
    rt = runtime(request)
    token = csrf_token(rt.settings.server.secret_key, name, int(rt.clock.now().timestamp()))
    errors = {FORM_FIELDS.get(k, k): v for k, v in problems.items()}
    html = ENV.get_template("intake_form.html").render(done=False, channel=name, token=token,
                                                            values=form_values(body), errors=errors)
    return web.Response(text=html, content_type="text/html", charset="utf-8", status=status,
                        headers={"Cache-Control": "no-store", "X-Frame-Options": "DENY"})


def blank_page(request: web.Request, name: str) -> web.Response:
    """The empty form with a fresh CSRF token."""
    return form_page(request, name, b"", {}, 200)


def done_page(name: str, status: int) -> web.Response:
    """The thank-you page: 201 once the lead exists, 202 while it still waits in the inbox (it is safe there)."""
    html = ENV.get_template("intake_form.html").render(done=True, channel=name, token="", values={}, errors={})
    return web.Response(text=html, content_type="text/html", charset="utf-8", status=status)

