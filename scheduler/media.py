"""Evidence media downloads: the `media_fetch` job queues them, the platform's API fetches, we store the file.

An image or file sent as evidence is stored at once as a reference (the platform's media id) with an
`evidence_media` row "pending". Every minute `media_fetch` turns pending rows of platforms whose `Platform`
says `fetches_media` into outbox rows (kind "media_fetch", key `media_fetch:<evidence id>`), so the sender's
retries, backoff and dead letters apply; the API downloads with `fetch_media(ref, max_bytes)` and calls
`fetch_into` (bot/platforms/download.py), which writes the bytes into the content-addressed store off the event
loop and marks the row "stored" (or "failed" with the reason). Rows of other platforms stay pending, with
that said on the evidence page, and are picked up once their API can download.
"""

from __future__ import annotations

from datetime import datetime

from bot.core.context import Context
from bot.platforms import registry
from storage.repos import media as repo

BATCH = 500  # downloads queued per run; the rest wait a minute
NAMES = {"wecom": "企业微信", "dingtalk": "钉钉", "feishu": "飞书", "playground": "演练场"}


def fetching_platforms(settings) -> list[str]:
    """Return the enabled platforms whose API downloads evidence media."""
    return [p.name for p in registry.enabled(settings) if p.fetches_media]


async def run(ctx: Context, fire_at: datetime) -> str:
    """Fail downloads the sender gave up on, queue pending ones, and say what is where."""
    now = ctx.now()
    failed = await repo.fail_dead(ctx.session, now)
    platforms = fetching_platforms(ctx.settings)
    rows = await repo.take_pending(ctx.session, platforms, now, BATCH)
    store = ctx.settings.storage
    for evidence_id, platform, ref, name in rows:
        payload = {"kind": "media_fetch", "evidence_id": evidence_id, "ref": ref, "name": name,
                   "media_dir": store.media_dir, "max_bytes": store.max_media_bytes}
        await ctx.enqueue_raw(ctx.session, f"{repo.KEY_PREFIX}{evidence_id}", platform, f"media:{evidence_id}",
                              payload)
    waiting = {p: n for (p, status), n in (await repo.counts(ctx.session)).items()
               if status == "pending" and p not in platforms}
    return summary(len(rows), failed, waiting)


def summary(queued: int, failed: int, waiting: dict[str, int]) -> str:
    """Say in one line what the run did, e.g. "附件下载：排队 3 个，1 个下载失败，2 个钉钉附件等平台接入下载"."""
    parts = [f"附件下载：排队 {queued} 个"]
    if failed:
        parts.append(f"{failed} 个下载失败（原因见凭证页）")
    for platform, n in sorted(waiting.items()):
        parts.append(f"{n} 个{NAMES.get(platform, platform)}附件等平台接入下载（保留平台引用）")
    return "，".join(parts)
