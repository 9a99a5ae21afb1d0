"""Lead intake: POST /intake/{channel} (token or HMAC) and GET /intake/{channel}/form (the expo QR form)."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections import defaultdict, deque
from collections.abc import Callable
from urllib.parse import parse_qs

from aiohttp import web

from bot import leadflow
from bot.errors import BadRequest, BadSignature, NotFound
from bot.web import api
from bot.web.checks import as_id, same_secret
from bot.web.common import RUNTIME, mark_authenticated, read_body, runtime
from bot.web.pages import ENV
from sales.intake import IntakeInvalid
from storage.repos import lead_admin

FORM_TTL = 2 * 3600  # a printed QR form page stays usable for two hours after it was opened
LIMITER = web.AppKey("intake_limiter", object)


class TooManyRequests(BadRequest):
    """A client address over the expo form's rate limit."""

    status = 429


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


def setup(app: web.Application) -> None:
    """Add the intake routes and the expo form's per-address rate limiter (on the runtime's clock)."""
    rt = app[RUNTIME]
    app[LIMITER] = RateLimiter(lambda: rt.settings.leads.expo_per_minute, lambda: rt.clock.now().timestamp())
    app.router.add_post("/intake/{channel}", intake)
    app.router.add_get("/intake/{channel}/form", form)
    app.router.add_get("/api/v1/intake_rejects", rejects)
    app.router.add_get("/api/v1/lead_numbers", numbers)


async def rejects(request: web.Request) -> web.Response:
    """Read API: refused intake payloads with field-level reasons, {"items", "next"} like the other listings."""
    api._authorize(request)
    after = api._int_param(request, "after", 0, 0, 2**62)
    limit = api._int_param(request, "limit", 50, 1, api.MAX_LIMIT)
    items = await lead_admin.reject_listing(runtime(request).db, after, limit)
    nxt = str(request.url.with_query({"after": items[-1]["id"], "limit": limit}).relative()) \
        if len(items) == limit else None
    return web.json_response({"items": items, "next": nxt})


async def numbers(request: web.Request) -> web.Response:
    """Read API: auto-distribution rate, median time to first response, breaches per team (last 30 days)."""
    api._authorize(request)
    rt = runtime(request)
    return web.json_response(await lead_admin.numbers(rt.db, rt.clock.now()))


def _limiter(request: web.Request) -> RateLimiter:
    return request.app[LIMITER]


def _channel(request: web.Request) -> tuple[str, dict]:
    name = request.match_info["channel"]
    cfg = runtime(request).settings.intake.channels.get(name)
    if not isinstance(cfg, dict):
        raise NotFound(f"没有这个线索渠道 {name!r}：在配置里加上 [intake.channels.{name}]",
                       {"channel": "unknown"})
    return name, cfg


def csrf_token(secret: str, channel: str, issued: int) -> str:
    """Sign (channel, issue time) with the server secret: the expo form's CSRF token."""
    mac = hmac.new(secret.encode(), f"{channel}|{issued}".encode(), hashlib.sha256).hexdigest()
    return f"{issued}.{mac}"


def _form_token_ok(request: web.Request, channel: str, token: str) -> bool:
    rt = runtime(request)
    issued, _, _mac = token.partition(".")
    at = as_id(issued)
    if at is None or not 0 <= rt.clock.now().timestamp() - at <= FORM_TTL:
        return False
    return same_secret(token, csrf_token(rt.settings.server.secret_key, channel, at))


def _authenticate(request: web.Request, name: str, cfg: dict, body: bytes) -> bool:
    """Check token or HMAC signature (constant time); return True when this is an expo-form post."""
    token, sig = request.headers.get("X-Intake-Token", ""), request.headers.get("X-Intake-Signature", "")
    if cfg.get("token") and token and same_secret(token, str(cfg["token"])):
        return False
    if cfg.get("secret") and sig.startswith("sha256="):
        want = hmac.new(str(cfg["secret"]).encode(), body, hashlib.sha256).hexdigest()
        if same_secret(sig[7:].lower(), want):
            return False
    if cfg.get("form") and b"_csrf=" in body:
        if _form_token_ok(request, name, form_values(body).get("_csrf", "")):
            return True
        raise FormExpired("表单页面已过期（打开超过 2 小时），请重新扫码或刷新后再提交", {"_csrf": "expired"})
    raise BadSignature("渠道口令不对或缺少：请在 X-Intake-Token 头带上渠道的 token，"
                       "或用 X-Intake-Signature: sha256=<正文的 HMAC-SHA256 十六进制>")


class FormExpired(BadSignature):
    """An expo-form post whose CSRF token is stale or forged: the person gets the form again."""


def form_values(body: bytes) -> dict[str, str]:
    """The expo form's posted fields (first value of each)."""
    return {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items() if v}


async def intake(request: web.Request) -> web.Response:
    """Accept one lead: 201 assigned|duplicate|queued, 400 with field reasons, 401, 413, 429."""
    rt = runtime(request)
    name, cfg = _channel(request)
    body = await read_body(request)
    try:
        is_form = _authenticate(request, name, cfg, body)
    except FormExpired as exc:
        return _form_page(request, name, body, {"_csrf": exc.reason}, 401)
    mark_authenticated(request)
    if is_form and not _limiter(request).allow(request.remote or "?"):
        return _form_page(request, name, body, {"_csrf": "提交太频繁了，请一分钟后再试"}, 429)
    try:
        result = await _receive(rt, name, body, request.content_type)
    except IntakeInvalid as exc:
        reject_id = await lead_admin.add_reject(rt.db, name, request.content_type, body, exc.reason, exc.fields,
                                                rt.clock.now())
        rt.metrics.inc("salesbot_lead_intake_total", "Lead intake requests", channel=name, status="rejected")
        if is_form:
            return _form_page(request, name, body, exc.fields, 400)
        return web.json_response({"error": exc.reason, "fields": exc.fields, "reject_id": reject_id}, status=400)
    rt.metrics.inc("salesbot_lead_intake_total", "Lead intake requests", channel=name, status=result.status)
    rt.sender_wake()
    if is_form:
        html = ENV.get_template("intake_form.html").render(done=True, channel=name, token="", values={},
                                                                errors={})
        return web.Response(text=html, content_type="text/html", charset="utf-8", status=201)
    return web.json_response(result.to_json(), status=201)


def _form_page(request: web.Request, name: str, body: bytes, problems: dict[str, str], status: int) -> web.Response:
    """The expo form again, with what was typed and each problem in words next to its field (never raw JSON)."""
    rt = runtime(request)
    token = csrf_token(rt.settings.server.secret_key, name, int(rt.clock.now().timestamp()))
    errors = {FORM_FIELDS.get(k, k): v for k, v in problems.items()}
    html = ENV.get_template("intake_form.html").render(done=False, channel=name, token=token,
                                                            values=form_values(body), errors=errors)
    return web.Response(text=html, content_type="text/html", charset="utf-8", status=status,
                        headers={"Cache-Control": "no-store", "X-Frame-Options": "DENY"})


FORM_FIELDS = {"contact_name": "姓名", "mobile_phone": "手机号", "company": "公司", "need": "需求", "_csrf": "表单"}


async def _receive(rt, name: str, body: bytes, content_type: str) -> leadflow.IntakeResult:
    """Run the lead flow in one transaction; a lost race (unique key, a rep's room) retries and sees the winner."""
    return await leadflow.transact(rt, lambda ctx: leadflow.receive(ctx, name, body, content_type))


async def form(request: web.Request) -> web.Response:
    """Serve the mobile lead form with a signed CSRF token (only for channels with form = true)."""
    rt = runtime(request)
    name, cfg = _channel(request)
    if not cfg.get("form"):
        raise NotFound(f"渠道 {name!r} 没有网页表单：在 [intake.channels.{name}] 里设 form = true")
    if not _limiter(request).allow(request.remote or "?"):
        raise TooManyRequests("这个地址的请求太频繁了，请一分钟后再试", {"client": "rate limited"})
    token = csrf_token(rt.settings.server.secret_key, name, int(rt.clock.now().timestamp()))
    html = ENV.get_template("intake_form.html").render(done=False, channel=name, token=token, values={},
                                                            errors={})
    return web.Response(text=html, content_type="text/html", charset="utf-8",
                        headers={"Cache-Control": "no-store", "X-Frame-Options": "DENY"})
