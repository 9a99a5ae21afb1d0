"""Evidence media downloads: the `media_fetch` job queues them as tasks, the platform fetches, we store the file.

An image or file sent as evidence is stored at once as a reference (the platform's media id) with an
`evidence_media` row "pending". Every minute `media_fetch` turns pending rows of platforms that register a
`fetch_media` task handler into tasks (key `media_fetch:<evidence id>`), so the task worker's retries,
backoff and dead letters apply; the handler downloads with the API's `fetch_media(ref, max_bytes)` and
bot/platforms/tasks.fetch_into writes the bytes into the content-addressed store off the event loop and
marks the row "stored" (or "failed" with the reason). Rows of other platforms stay pending, with that said
on the evidence page, and are picked up once their platform can download.
"""

from __future__ import annotations

from datetime import datetime

from bot.core.context import Context
from bot.core.ports import NewTask
from storage.repos import media as repo

BATCH = 500  # downloads queued per run; the rest wait a minute
NAMES = {"wecom": "企业微信", "dingtalk": "钉钉", "feishu": "飞书", "playground": "演练场"}


async def run(ctx: Context, fire_at: datetime) -> str:
    """Fail downloads the worker gave up on, queue pending ones, and say what is where."""
    now = ctx.now()
    failed = await repo.fail_dead(ctx.session, now)
    platforms = ctx.tasks.platforms("fetch_media")
    rows = await repo.take_pending(ctx.session, platforms, now, BATCH)
    store = ctx.settings.storage
    await ctx.tasks.add_many([NewTask("fetch_media", platform, f"{repo.KEY_PREFIX}{evidence_id}", {
        "evidence_id": evidence_id, "ref": ref, "name": name, "media_dir": store.media_dir,
        "max_bytes": store.max_media_bytes}) for evidence_id, platform, ref, name in rows])
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
