"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy import text

from bot.platforms.http import runtime
from storage import schema_version
from storage.repos import inbox, lead_admin, outbox, task_queue


def setup(app: web.Application) -> None:
    """Add /healthz, /readyz and /metrics."""
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)


async def healthz(request: web.Request) -> web.Response:
    """Answer 200 while the process serves requests."""
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    """Answer 200 only when the database answers, migrations are current and held connections are up."""
    db = runtime(request).db
    try:
        async with db.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        current = await schema_version.current_revision(db)
    except Exception as exc:
        return web.json_response({"status": "unavailable", "database": f"unreachable: {type(exc).__name__}"},
                                 status=503)
    head = schema_version.head_revision()
    if current != head:
        return web.json_response({"status": "unavailable", "migrations": f"at {current}, need {head}",
                                  "fix": "run `salesbot db upgrade`"}, status=503)
    ready, links = runtime(request).connections.report(runtime(request).settings.connections.down_after_seconds)
    if not ready:  # a held stream/long connection is down: events of that app are not arriving
        return web.json_response({"status": "unavailable", "migrations": current, "connections": links,
                                  "fix": "see the connection's log lines (salesbot.dingtalk.stream / "
                                         "salesbot.feishu.ws); it reconnects by itself"}, status=503)
    return web.json_response({"status": "ready", "migrations": current, "connections": links})


async def metrics(request: web.Request) -> web.Response:
    """Expose counters plus inbox/outbox gauges read from the database."""
    rt = runtime(request)
    out_rows = await outbox.counts(rt.db)
    in_rows = await inbox.counts(rt.db)
    task_rows = await task_queue.counts(rt.db)
    gauges: dict[str, tuple[str, dict[tuple, float]]] = {
        "salesbot_outbox_messages": ("Outbox rows by status",
                                     {(("status", s),): float(out_rows.get(s, 0))
                                      for s in ("pending", "sending", "sent", "dead")}),
        "salesbot_tasks": ("Task queue rows by status (media downloads, platform approvals, rooms, workbench)",
                           {(("status", s),): float(task_rows.get(s, 0))
                            for s in ("pending", "running", "done", "dead")}),
        "salesbot_inbox_events": ("Inbox rows by platform and status",
                                  {(("platform", p), ("status", s)): float(n) for (p, s), n in in_rows.items()}),
    }
    gauges.update(await _backlog(rt))
    gauges.update(lead_admin.gauges(await lead_admin.numbers(rt.db, rt.clock.now())))
    gauges["salesbot_connection_up"] = ("Long connections held here: 1 up, 0 down or connecting (standby absent)",
                                        {(("connection", n),): float(link.state == "up")
                                         for n, link in rt.connections.links.items() if link.state != "standby"})
    return web.Response(text=rt.metrics.render(gauges), content_type="text/plain", charset="utf-8",
                        headers={"X-Content-Type-Options": "nosniff"})


async def _backlog(rt) -> dict[str, tuple[str, dict[tuple, float]]]:
    """The inbox backlog (stored, not yet handled), its age, and what this process's workers hold."""
    n, oldest = await inbox.backlog(rt.db)
    age = max((rt.clock.now() - oldest).total_seconds(), 0.0) if oldest else 0.0
    return {
        "salesbot_inbox_backlog": ("Inbox events stored but not handled yet (waiting or being handled)",
                                   {(): float(n)}),
        "salesbot_inbox_backlog_age_seconds": ("Age of the oldest inbox event not handled yet", {(): age}),
        "salesbot_inbox_held": ("Inbox events held by this process's workers (queued or being handled)",
                                {(): float(len(rt.dispatcher.pool.held))}),
    }
