"""Evidence media end to end: an image sent on WeCom is downloaded by media_fetch through media/get, stored
content-addressed, and opened from the card's signed link; failures and platforms without downloads say why."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import select

from bot.core.events import ChatRef, Event
from bot.core.links import evidence_link
from bot.runtime import Runtime
from bot.web.app import create_app
from scheduler.core import run_job
from scheduler.media import summary
from storage.models import Evidence, EvidenceMedia, QueuedTask
from storage.repos import members, outbox, task_queue
from tests.helpers import add_member
from tests.scheduler.conftest import deliver

JPEG = b"\xff\xd8\xff\xe0" + b"picture" * 100
CHAT = ChatRef("wecom", "dm:lina", False, {})


async def _deal_with_image(rt: Runtime, media_id: str, name: str = "") -> list[dict]:
    """李娜 creates a deal in her 1:1 chat and sends an image; return the bot's cards to her."""
    rep = await add_member(rt, "李娜")
    async with rt.db.session() as s:
        await members.link_identity(s, rep, "wecom", "lina")
    image = {"kind": "image", "platform_id": media_id, "name": name}
    for event in (Event("wecom", "message", "m1", "lina", CHAT, "新建商机 蓝海医疗"),
                  Event("wecom", "platform", "m2", "lina", CHAT, raw={"attachments": [image]})):
        await rt.dispatcher.ingest(event)
        await rt.dispatcher.drain()
    rows = await outbox.recent(rt.db, "wecom", target="dm:lina")
    return [r.payload for r in rows]


async def _media(rt: Runtime) -> EvidenceMedia:
    async with rt.db.session() as s:
        return (await s.execute(select(EvidenceMedia))).scalar_one()


def _link(rt: Runtime) -> str:
    """The evidence item's signed link, as the answer card carries it (WeCom cuts card lines at 40 characters)."""
    return evidence_link(rt.settings, 1, rt.clock.now())


async def test_an_image_is_fetched_stored_and_opened_from_the_card(wrt, fake, aiohttp_client):
    fake.add_media("MEDIA_1", JPEG)
    await _deal_with_image(wrt, "MEDIA_1")
    assert (await _media(wrt)).status == "pending"
    result = await run_job(wrt, "media_fetch")
    assert result.summary == "附件下载：排队 1 个"
    await deliver(wrt)
    row = await _media(wrt)
    digest = hashlib.sha256(JPEG).hexdigest()
    assert (row.status, row.sha256, row.size, row.path) == ("stored", digest, len(JPEG), f"{digest[:2]}/{digest}.jpg")
    assert (Path(wrt.settings.storage.media_dir) / row.path).read_bytes() == JPEG
    url = urlsplit(_link(wrt))
    client = await aiohttp_client(create_app(wrt))
    resp = await client.get(f"{url.path}?{url.query}")
    assert resp.status == 200 and await resp.read() == JPEG
    assert resp.headers["Content-Type"] == "image/jpeg" and resp.headers["X-Content-Type-Options"] == "nosniff"
    assert (await client.get(url.path)).status == 403  # unsigned: a friendly refusal page
    wrt.clock.advance(timedelta(minutes=1))
    assert (await run_job(wrt, "media_fetch")).summary == "附件下载：排队 0 个" and fake.media_calls == 1


async def test_an_expired_media_id_fails_with_the_reason_and_the_page_says_so(wrt, fake, aiohttp_client):
    await _deal_with_image(wrt, "GONE")
    await run_job(wrt, "media_fetch")
    await deliver(wrt)
    row = await _media(wrt)
    assert row.status == "failed" and "40007" in row.error and "3 days" in row.error
    url = urlsplit(_link(wrt))
    client = await aiohttp_client(create_app(wrt))
    page = await (await client.get(f"{url.path}?{url.query}")).text()
    assert "原件没能从企业微信下载" in page and "重新发给我" in page


async def test_files_over_the_limit_are_refused(wrt, fake):
    wrt.settings.storage.max_media_bytes = 100
    fake.add_media("BIG", JPEG)
    await _deal_with_image(wrt, "BIG")
    await run_job(wrt, "media_fetch")
    await deliver(wrt)
    row = await _media(wrt)
    assert row.status == "failed" and "max_media_bytes" in row.error
    assert not Path(wrt.settings.storage.media_dir).exists() or not any(Path(wrt.settings.storage.media_dir).iterdir())


async def test_an_unwritable_store_is_retried_not_lost(wrt, fake, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    wrt.settings.storage.media_dir = str(blocker)
    fake.add_media("MEDIA_1", JPEG)
    await _deal_with_image(wrt, "MEDIA_1")
    await run_job(wrt, "media_fetch")
    await deliver(wrt)
    row = await task_queue.get(wrt.db, "media_fetch:1")
    assert row.status == "pending" and "make the folder writable" in row.last_error
    assert (await _media(wrt)).status == "queued"


async def test_a_download_the_sender_gave_up_on_is_marked_failed(wrt, fake):
    await _deal_with_image(wrt, "MEDIA_1")
    await run_job(wrt, "media_fetch")
    async with wrt.db.session() as s:  # e.g. eight timeouts in a row
        row = (await s.execute(select(QueuedTask).where(QueuedTask.idempotency_key.startswith("media_fetch:"))
                               )).scalar_one()
        row.status, row.last_error = "dead", "WeCom unreachable (TimeoutError) on media/get"
    wrt.clock.advance(timedelta(minutes=1))
    assert "1 个下载失败" in (await run_job(wrt, "media_fetch")).summary
    assert (await _media(wrt)).error == "WeCom unreachable (TimeoutError) on media/get"


async def test_platforms_without_downloads_keep_the_reference_pending(rt, aiohttp_client):
    rep = await add_member(rt, "唐宁")
    chat = ChatRef("playground", "group:9", True, {"skin": "wecom"})
    file = {"kind": "file", "platform_id": "pg-file-1", "name": "纪要.docx"}
    for event in (Event("playground", "message", "p1", str(rep), chat, "新建商机 北辰制造"),
                  Event("playground", "platform", "p2", str(rep), chat, raw={"attachments": [file]})):
        await rt.dispatcher.ingest(event)
        await rt.dispatcher.drain()
    result = await run_job(rt, "media_fetch")
    assert result.summary == "附件下载：排队 0 个，1 个演练场附件等平台接入下载（保留平台引用）"
    async with rt.db.session() as s:
        evidence = (await s.execute(select(Evidence))).scalar_one()
    client = await aiohttp_client(create_app(rt))
    page = await (await client.get(f"/dash/evidence/{evidence.id}",
                                   headers={"Authorization": "Bearer test-admin-token"})).text()
    assert "原件还在演练场的聊天记录里" in page and "pg-file-1" in page


def test_summary_names_failures_and_waiting_platforms():
    assert summary(2, 1, {"dingtalk": 3}) == ("附件下载：排队 2 个，1 个下载失败（原因见凭证页），"
                                              "3 个钉钉附件等平台接入下载（保留平台引用）")
