"""POST /intake/{channel} (token, HMAC or the expo form's CSRF) and GET /intake/{channel}/form (the expo QR form).

The route translates: it finds the channel, authenticates the body (adapter.py), checks it into a typed
`LeadSubmitted` and hands `Event(kind="lead")` to the dispatcher like every chat message (inbox → worker → the
leads handler → flows/lead_intake), waiting a bounded time to answer 201 assigned|duplicate|queued with what the
flow wrote; 400 with field reasons (the refused body is kept in intake_rejects), 401, 413, 429, and 503 +
Retry-After past the wait (the lead is safe in the inbox) — a form post always as a page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from bot.core.errors import NotFound
from bot.platforms.http import PAGE, RUNTIME, mark_authenticated, read_body, runtime
from bot.platforms.intake import adapter
from bot.platforms.intake.extras.limits import RateLimiter, TooManyRequests
from bot.platforms.intake.render import IntakeRenderer
from sales.intake import IntakeInvalid
from storage.repos import lead_admin

if TYPE_CHECKING:
    from flows.lead_io import IntakeResult

RETRY_AFTER = "5"  # seconds: a lead past the wait is normally handled within moments
LIMITER = web.AppKey("intake_limiter", RateLimiter)
FORMS = web.AppKey("intake_forms", IntakeRenderer)


def setup(app: web.Application) -> None:
    """Add the intake routes, the expo form's pages and its per-address rate limiter (on the runtime's clock)."""
    rt = app[RUNTIME]
    app[LIMITER] = RateLimiter(lambda: rt.settings.leads.expo_per_minute, lambda: rt.clock.now().timestamp())
    app[FORMS] = IntakeRenderer(rt.settings, rt.clock, app[PAGE])
    app.router.add_post("/intake/{channel}", intake)
    app.router.add_get("/intake/{channel}/form", form)


async def intake(request: web.Request) -> web.Response:
    """Accept one lead: 201 assigned|duplicate|queued, 400 with field reasons, 401, 413, 429; 503 past the wait."""
    rt, forms = runtime(request), request.app[FORMS]
    name = request.match_info["channel"]
    cfg, body = adapter.channel(rt.settings, name), await read_body(request)
    try:
        is_form = adapter.authenticate(request.headers, name, cfg, body, rt.settings.server.secret_key, rt.clock.now())
    except adapter.FormExpired as exc:
        return forms.form(name, body, {"_csrf": exc.reason}, 401)
    mark_authenticated(request)
    if is_form and not request.app[LIMITER].allow(request.remote or "?"):
        return forms.form(name, body, {"_csrf": "提交太频繁了，请一分钟后再试"}, 429)
    try:
        sub = await rt.check_lead(name, body, request.content_type)
    except IntakeInvalid as exc:
        return await _refuse(request, name, body, exc, is_form)
    result, handled = await rt.submit_lead(sub)
    rt.metrics.inc("salesbot_lead_intake_total", "Lead intake requests", channel=name,
                   status=result.status if result else "failed" if handled else "pending")
    return _respond(forms, name, body, is_form, result, handled)


def _respond(forms: IntakeRenderer, name: str, body: bytes, is_form: bool, result: IntakeResult | None,
             handled: bool) -> web.Response:
    """201 with the answer; past the wait 503 + Retry-After (the expo form: thanks, or the form again)."""
    if result is not None:
        return forms.done(name) if is_form else web.json_response(result.to_json(), status=201)
    if is_form and not handled:  # waiting in the inbox: it will be handled, the person need not do anything
        return forms.done(name, 202)
    if is_form:  # the handler failed: the row waits for this same submission to be sent again
        return forms.form(name, body, {"_csrf": "刚才没有提交成功，请再提交一次"}, 503)
    return web.json_response({"error": "线索已收下，还没处理完：请稍后用同样的内容再发一次，取回 lead_id"},
                             status=503, headers={"Retry-After": RETRY_AFTER})


async def _refuse(request: web.Request, name: str, body: bytes, exc: IntakeInvalid, is_form: bool) -> web.Response:
    """Archive a body that cannot be a lead (for `salesbot intake replay`) and say why, per field."""
    rt = runtime(request)
    reject_id = await lead_admin.add_reject(rt.db, name, request.content_type, body, exc.reason, exc.fields,
                                            rt.clock.now())
    rt.metrics.inc("salesbot_lead_intake_total", "Lead intake requests", channel=name, status="rejected")
    if is_form:
        return request.app[FORMS].form(name, body, exc.fields, 400)
    return web.json_response({"error": exc.reason, "fields": exc.fields, "reject_id": reject_id}, status=400)


async def form(request: web.Request) -> web.Response:
    """Serve the mobile lead form with a signed CSRF token (only for channels with form = true)."""
    name = request.match_info["channel"]
    if not adapter.channel(runtime(request).settings, name).get("form"):
        raise NotFound(f"渠道 {name!r} 没有网页表单：在 [intake.channels.{name}] 里设 form = true")
    if not request.app[LIMITER].allow(request.remote or "?"):
        raise TooManyRequests("这个地址的请求太频繁了，请一分钟后再试", {"client": "rate limited"})
    return request.app[FORMS].form(name)
