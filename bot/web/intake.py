"""Lead intake: POST /intake/{channel} (token or HMAC) and GET /intake/{channel}/form (the expo QR form).

The route only translates: it authenticates, checks the body into a typed `LeadSubmitted` (a body that cannot
be a lead is archived and answered 400 at once), and hands the lead event to the dispatcher like every chat
message — inbox, then the leads handler (handlers/lead_intake.py) runs the lead flow. It waits a bounded time
(`[intake] answer_timeout`) for that handling and answers from what the flow wrote; past the wait the lead is
safe in the inbox and the answer is 503 + Retry-After: the same body sent again gets the 201 (`duplicate`).
"""

from __future__ import annotations

import hashlib
import hmac

from aiohttp import web

from bot.core.errors import BadSignature, NotFound
from bot.core.lead_submitted import LeadSubmitted
from bot.platforms.http import RUNTIME, mark_authenticated, read_body, runtime
from bot.runtime import Runtime
from bot.web import api
from bot.web.intake_form import (
    LIMITER,
    FormExpired,
    RateLimiter,
    TooManyRequests,
    blank_page,
    done_page,
    form_page,
    form_values,
    limiter,
    token_ok,
)
from flows import lead_intake, lead_submission
from flows.lead_io import IntakeResult
from sales.intake import IntakeInvalid
from storage.repos import lead_admin

RETRY_AFTER = "5"  # seconds: a lead past the wait is normally handled within moments


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


def _channel(request: web.Request) -> tuple[str, dict]:
    name = request.match_info["channel"]
    cfg = runtime(request).settings.intake.channels.get(name)
    if not isinstance(cfg, dict):
        raise NotFound(f"没有这个线索渠道 {name!r}：在配置里加上 [intake.channels.{name}]",
                       {"channel": "unknown"})
    return name, cfg


def _authenticate(request: web.Request, name: str, cfg: dict, body: bytes) -> bool:
    """Check token or HMAC signature (constant time); return True when this is an expo-form post."""
    token, sig = request.headers.get("X-Intake-Token", ""), request.headers.get("X-Intake-Signature", "")
    if cfg.get("token") and token and hmac.compare_digest(token.encode(), str(cfg["token"]).encode()):
        return False
    if cfg.get("secret") and sig.startswith("sha256="):
        want = hmac.new(str(cfg["secret"]).encode(), body, hashlib.sha256).hexdigest()
        if hmac.compare_digest(sig[7:].lower().encode(), want.encode()):
            return False
    if cfg.get("form") and b"_csrf=" in body:
        if token_ok(request, name, form_values(body).get("_csrf", "")):
            return True
        raise FormExpired("表单页面已过期（打开超过 2 小时），请重新扫码或刷新后再提交", {"_csrf": "expired"})
    raise BadSignature("渠道口令不对或缺少：请在 X-Intake-Token 头带上渠道的 token，"
                       "或用 X-Intake-Signature: sha256=<正文的 HMAC-SHA256 十六进制>")


async def intake(request: web.Request) -> web.Response:
    """Accept one lead: 201 assigned|duplicate|queued, 400 with field reasons, 401, 413, 429; 503 past the wait."""
    rt = runtime(request)
    name, cfg = _channel(request)
    body = await read_body(request)
    try:
        is_form = _authenticate(request, name, cfg, body)
    except FormExpired as exc:
        return form_page(request, name, body, {"_csrf": exc.reason}, 401)
    mark_authenticated(request)
    if is_form and not limiter(request).allow(request.remote or "?"):
        return form_page(request, name, body, {"_csrf": "提交太频繁了，请一分钟后再试"}, 429)
    try:
        async with rt.db.session() as s:
            sub = await lead_intake.check(await rt.context(s), name, body, request.content_type)
    except IntakeInvalid as exc:
        return await _refuse(request, name, body, exc, is_form)
    result, handled = await _submit(rt, sub)
    rt.metrics.inc("salesbot_lead_intake_total", "Lead intake requests", channel=name,
                   status=result.status if result else "failed" if handled else "pending")
    return _respond(request, name, body, is_form, result, handled)


def _respond(request: web.Request, name: str, body: bytes, is_form: bool, result: IntakeResult | None,
             handled: bool) -> web.Response:
    """201 with the answer; past the wait 503 + Retry-After (the expo form: thanks, or the form again)."""
    if result is not None:
        return done_page(name, 201) if is_form else web.json_response(result.to_json(), status=201)
    if is_form and not handled:  # waiting in the inbox: it will be handled, the person need not do anything
        return done_page(name, 202)
    if is_form:  # the handler failed: the row waits for this same submission to be sent again
        return form_page(request, name, body, {"_csrf": "刚才没有提交成功，请再提交一次"}, 503)
    return web.json_response({"error": "线索已收下，还没处理完：请稍后用同样的内容再发一次，取回 lead_id"},
                             status=503, headers={"Retry-After": RETRY_AFTER})


async def _submit(rt: Runtime, sub: LeadSubmitted) -> tuple[IntakeResult | None, bool]:
    """Send the lead event down the event path, wait (bounded) for its handler, and read the answer back.

    Returns the answer (None when there is none yet) and whether this process handled the event in time.
    """
    stored, handled = await rt.dispatcher.ingest_and_handle(lead_submission.event_of(sub),
                                                            rt.settings.intake.answer_timeout)
    async with rt.db.session() as s:
        return await lead_submission.answer(await rt.context(s), sub, repeat=not stored.new), handled


async def _refuse(request: web.Request, name: str, body: bytes, exc: IntakeInvalid, is_form: bool) -> web.Response:
    """Archive a body that cannot be a lead (for `salesbot intake replay`) and say why, per field."""
    rt = runtime(request)
    reject_id = await lead_admin.add_reject(rt.db, name, request.content_type, body, exc.reason, exc.fields,
                                            rt.clock.now())
    rt.metrics.inc("salesbot_lead_intake_total", "Lead intake requests", channel=name, status="rejected")
    if is_form:
        return form_page(request, name, body, exc.fields, 400)
    return web.json_response({"error": exc.reason, "fields": exc.fields, "reject_id": reject_id}, status=400)


async def form(request: web.Request) -> web.Response:
    """Serve the mobile lead form with a signed CSRF token (only for channels with form = true)."""
    name, cfg = _channel(request)
    if not cfg.get("form"):
        raise NotFound(f"渠道 {name!r} 没有网页表单：在 [intake.channels.{name}] 里设 form = true")
    if not limiter(request).allow(request.remote or "?"):
        raise TooManyRequests("这个地址的请求太频繁了，请一分钟后再试", {"client": "rate limited"})
    return blank_page(request, name)
