"""DingTalk evidence media: picture/file/video/richText robot messages become attachments (downloadCode), and
media_fetch trades each code for a download URL on the fake and stores the bytes (too big: refused; failures:
retried, recorded)."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.core.errors import DeliveryError, TransientDeliveryError
from bot.platforms.dingtalk import adapter
from scheduler.core import run_job
from storage.models import Evidence, EvidenceMedia
from storage.repos import task_queue
from tests.bot.platforms.dingtalk.conftest import add_dingtalk_member, robot_headers, robot_message
from tests.fakes.dingtalk import ROBOT_CODE
from tests.helpers import run_queues

PNG = b"\x89PNG\r\n\x1a\n" + b"whiteboard" * 50


def _picture(rt, fake, msg_id: str, group: bool, code: str = "dc-1") -> dict:
    """A 1:1 picture message, or (groups: only an @ reaches the robot) a richText with words and a picture."""
    body = robot_message(rt, fake, "", msg_id=msg_id, group=group)
    del body["text"]
    if group:
        parts = [{"text": "凭证 白板照片"}, {"type": "picture", "downloadCode": code, "pictureDownloadCode": "p"}]
        body.update(msgtype="richText", content={"richText": parts})
    else:
        body.update(msgtype="picture", content={"downloadCode": code, "pictureDownloadCode": "p"})
    return body


def test_pictures_files_videos_and_rich_text_pictures_become_attachments(drt, fake):
    picture = adapter.robot_event(_picture(drt, fake, "m1", group=False), "销售助手")
    assert (picture.kind, picture.text) == ("platform", "")
    assert picture.raw["attachments"] == [{"kind": "image", "platform_id": "dc-1", "name": ""}]
    rich = adapter.robot_event(_picture(drt, fake, "m2", group=True), "销售助手")
    assert (rich.kind, rich.text) == ("message", "凭证 白板照片")  # the words are kept
    assert rich.raw["attachments"] == [{"kind": "image", "platform_id": "dc-1", "name": ""}]
    for msgtype, name in (("file", "报价单.pdf"), ("video", "")):
        body = {**robot_message(drt, fake, "", msg_id=f"m-{msgtype}", group=False), "msgtype": msgtype,
                "content": {"downloadCode": "dc-9", "fileName": name}}
        event = adapter.robot_event(body, "销售助手")
        assert event.raw["attachments"] == [{"kind": "file", "platform_id": "dc-9", "name": name}]
    plain = adapter.robot_event(robot_message(drt, fake, "帮助"), "销售助手")
    assert "attachments" not in plain.raw


async def _deal_and_picture(client, rt, fake, tmp_path, group: bool) -> None:
    """张三 creates a deal (1:1 or in the group) and sends a picture there; the cards go out."""
    rt.settings.storage.media_dir = str(tmp_path / "media")
    await add_dingtalk_member(rt, "张三", "u001")
    for body in (robot_message(rt, fake, "新建商机 华东医疗", msg_id="m1", group=group),
                 _picture(rt, fake, "m2", group)):
        resp = await client.post("/dingtalk/robot", json=body, headers=robot_headers(rt))
        assert resp.status == 200
    await _deliver(rt)


async def _deliver(rt) -> None:
    await run_queues(rt)


async def _media(rt) -> EvidenceMedia:
    async with rt.db.session() as s:
        return (await s.execute(select(EvidenceMedia))).scalar_one()


@pytest.mark.parametrize("group", [False, True], ids=["1on1-picture", "group-richtext"])
async def test_a_picture_in_a_deal_chat_is_stored_with_its_bytes(dclient, drt, fake, tmp_path, group):
    fake.add_file("dc-1", PNG)
    await _deal_and_picture(dclient, drt, fake, tmp_path, group)
    async with drt.db.session() as s:
        evidence = (await s.execute(select(Evidence).where(Evidence.media_kind == "image"))).scalar_one()
    assert (evidence.media_platform, evidence.media_ref) == ("dingtalk", "dc-1")
    assert (await _media(drt)).status == "pending"
    assert (await run_job(drt, "media_fetch")).summary == "附件下载：排队 1 个"
    await _deliver(drt)
    row, digest = await _media(drt), hashlib.sha256(PNG).hexdigest()
    assert (row.status, row.sha256, row.size, row.path) == ("stored", digest, len(PNG), f"{digest[:2]}/{digest}.png")
    assert (Path(drt.settings.storage.media_dir) / row.path).read_bytes() == PNG
    assert fake.download_bodies == [{"downloadCode": "dc-1", "robotCode": ROBOT_CODE}] and fake.file_gets == 1


async def test_a_file_over_the_limit_is_refused_with_the_reason(dclient, drt, fake, tmp_path):
    fake.add_file("dc-1", PNG)
    await _deal_and_picture(dclient, drt, fake, tmp_path, group=False)
    drt.settings.storage.max_media_bytes = 100
    await run_job(drt, "media_fetch")
    await _deliver(drt)
    row = await _media(drt)
    assert row.status == "failed" and "max_media_bytes" in row.error and row.path == ""


async def test_a_failed_download_is_retried_then_recorded(dclient, drt, fake, tmp_path):
    fake.add_file("dc-1", PNG)
    await _deal_and_picture(dclient, drt, fake, tmp_path, group=False)
    drt.settings.outbox.max_attempts = 2
    await run_job(drt, "media_fetch")
    fake.fail_file_next(503)
    await _deliver(drt)
    task = await task_queue.get(drt.db, "media_fetch:1")
    assert task.status == "pending" and "HTTP 503" in task.last_error
    assert (await _media(drt)).status == "queued"  # retrying, not failed yet
    fake.fail_next("server_error")  # now messageFiles/download itself
    drt.clock.advance(timedelta(minutes=1))
    await _deliver(drt)
    drt.clock.advance(timedelta(minutes=1))
    assert "1 个下载失败" in (await run_job(drt, "media_fetch")).summary
    row = await _media(drt)
    assert row.status == "failed" and "503" in row.error


async def test_an_unknown_code_is_permanent_and_only_http_urls_are_followed(drt, fake):
    api = drt.apis["dingtalk"]
    with pytest.raises(DeliveryError, match="ask for the file again") as refused:
        await api.fetch_media("nope", 1000)
    assert not isinstance(refused.value, TransientDeliveryError)

    async def ftp_url(method, path, body):
        return {"downloadUrl": "ftp://files.example.com/x"}

    api.call = ftp_url
    with pytest.raises(DeliveryError, match="usable downloadUrl"):
        await api.fetch_media("dc-1", 1000)
