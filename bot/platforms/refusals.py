"""What of a refused request is archived: capped per source and in total, sampled, nothing before auth.

- A request that proved its origin (`mark_authenticated`) keeps its whole body: it is a platform's real
  payload that we could not use, and "bad input loses nothing".
- One that did not (forged, unsigned, stale, undecryptable) keeps its metadata, the first
  `archive_prefix_bytes` bytes, its size and its SHA-256 — enough to recognise it, never 1 MiB of it.
- Per client address and in total, at most N rows a minute; past a cap every `archive_sample_every`-th
  refusal is still kept, naming how many it stands for. The counts are per replica (a flood spread over
  replicas is bounded by the table caps that storage/repos/requests.py prunes to on write).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from aiohttp import web

from bot.config import SecurityConfig
from bot.platforms.http import AUTHENTICATED, RAW_BODY, RUNTIME
from storage.repos import requests as repo

if TYPE_CHECKING:
    from bot.metrics import Metrics

log = logging.getLogger("salesbot.web")
MAX_SOURCES = 10_000  # distinct addresses remembered per minute; beyond it the minute starts afresh
ALL = "*"


class SourceGate:
    """Fixed one-minute windows of refusals per source and overall; says whether to archive this one."""

    def __init__(self, per_source: int, total: int, sample_every: int, now: Callable[[], float]) -> None:
        self.per_source, self.total, self.sample_every, self.now = per_source, total, sample_every, now
        self.minute = -1
        self.counts: dict[str, int] = {}

    def admit(self, source: str) -> tuple[bool, int]:
        """Count one refusal; return (archive it?, refusals over the cap it stands for when sampled)."""
        minute = int(self.now() // 60)
        if minute != self.minute or len(self.counts) > MAX_SOURCES:
            self.minute, self.counts = minute, {}
        mine = self.counts[source] = self.counts.get(source, 0) + 1
        every = self.counts[ALL] = self.counts.get(ALL, 0) + 1
        over = max(mine - self.per_source, every - self.total)
        if over <= 0:
            return True, 0
        return over % self.sample_every == 0, self.sample_every


class RefusalArchive:
    """Archive refused requests under the [security] caps; count every refusal in /metrics."""

    def __init__(self, cfg: SecurityConfig, now: Callable[[], float], metrics: Metrics) -> None:
        self.cfg, self.metrics = cfg, metrics
        self.gate = SourceGate(cfg.archive_per_source_per_minute, cfg.archive_total_per_minute,
                               cfg.archive_sample_every, now)
        self.limits = repo.Limits(cfg.archive_max_rows, cfg.archive_max_bytes, cfg.archive_retention_days)

    async def keep(self, request: web.Request, status: int, reason: str) -> None:
        """Archive what the caps allow of a refused request (never raises)."""
        rt = request.app[RUNTIME]
        source = request.remote or "?"
        authed = bool(request.get(AUTHENTICATED))
        keep, stands_for = self.gate.admit(source)
        outcome = "sampled_out" if not keep else ("full" if authed else "prefix")
        self.metrics.inc("salesbot_refused_requests_total", "Refused inbound requests, by what was archived",
                         status=str(status), archived=outcome)
        if not keep:
            return
        if stands_for:
            reason = f"{reason} [sampled: 1 of every {stands_for} refusals past the per-minute cap]"
        try:
            await repo.archive(rt.db, request.path, status, reason, request.content_type or "",
                               request.get(RAW_BODY, b""), rt.clock.now(), source=source,
                               keep=None if authed else self.cfg.archive_prefix_bytes, limits=self.limits)
        except Exception:
            log.exception("could not archive a refused request")


ARCHIVE = web.AppKey("refusal_archive", RefusalArchive)


def setup(app: web.Application) -> None:
    """Attach the archive to the app (one per process, on the runtime's clock and metrics)."""
    rt = app[RUNTIME]
    app[ARCHIVE] = RefusalArchive(rt.settings.security, lambda: rt.clock.now().timestamp(), rt.metrics)


async def refuse(request: web.Request, status: int, reason: str) -> None:
    """Archive a refused request through the app's archive."""
    await request.app[ARCHIVE].keep(request, status, reason)
