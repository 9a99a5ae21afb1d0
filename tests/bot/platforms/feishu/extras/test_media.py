"""Feishu evidence media: image/file/post messages become attachments, and media_fetch downloads them through
the message-resource API of the fake into [storage] media_dir (too big: refused; failures: retried, recorded)."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.core.errors import DeliveryError, TransientDeliveryError
from bot.platforms.feishu import adapter
from bot.platforms.feishu.extras import media
from scheduler.core import run_job
from storage.models import Evidence, EvidenceMedia
from storage.repos import members, task_queue
from tests.bot.platforms.feishu.conftest import envelope, mention, signed, text_message
from tests.fakes.feishu import BOT_OPEN_ID
from tests.helpers import add_member, run_queues

REP = "ou_rep_lina"
JPEG = b"\xff\xd8\xff\xe0" + b"whiteboard" * 50


def _message(message_type: str, content: dict, message_id: str, chat_type: str = "p2p",
             chat_id: str = "oc_p2p1", mentions: list[dict] | None = None) -> dict:
    event = text_message("", REP, chat_id=chat_id, message_id=message_id, chat_type=chat_type, mentions=mentions)
    event["message"].update(message_type=message_type, content=json.dumps(content, ensure_ascii=False))
    return event


def _post_with_image(key: str, message_id: str) -> dict:
    lines = [[{"tag": "at", "user_id": "@_user_1"}, {"tag": "text", "text": " 凭证 白板照片"}],
             [{"tag": "img", "image_key": key, "width": 800, "height": 600}]]
    return _message("post", {"title": "", "content": lines}, message_id, "group", "oc_group1",
                    [mention("@_user_1", BOT_OPEN_ID)])


def test_images_files_videos_and_post_images_become_attachments():
    image = adapter.to_event(envelope("im.message.receive_v1", _message("image", {"image_key": "img_v3_a"}, "om_9")),
                             None)
    assert (image.kind, image.text) == ("platform", "")
    assert image.raw["attachments"] == [{"kind": "image", "platform_id": "om_9:image:img_v3_a", "name": ""}]
    file = adapter.to_event(envelope("im.message.receive_v1", _message(
        "file", {"file_key": "file_v3_b", "file_name": "报价单.pdf"}, "om_8"), "e2"), None)
    assert file.raw["attachments"] == [{"kind": "file", "platform_id": "om_8:file:file_v3_b", "name": "报价单.pdf"}]
    video = adapter.to_event(envelope("im.message.receive_v1", _message(
        "media", {"file_key": "file_v3_c", "image_key": "img_cover", "file_name": "演示.mp4"}, "om_7"), "e3"), None)
    assert video.raw["attachments"][0]["platform_id"] == "om_7:file:file_v3_c"
    post = adapter.to_event(envelope("im.message.receive_v1", _post_with_image("img_v3_d", "om_6"), "e4"), BOT_OPEN_ID)
    assert (post.kind, post.text) == ("message", "凭证 白板照片")  # the caption is kept
    assert post.raw["attachments"] == [{"kind": "image", "platform_id": "om_6:image:img_v3_d", "name": ""}]


def test_a_bare_group_image_is_not_evidence_and_refs_round_trip():
    group = _message("image", {"image_key": "img_v3_a"}, "om_5", "group", "oc_group1")
    event = adapter.to_event(envelope("im.message.receive_v1", group), BOT_OPEN_ID)
    assert event.kind == "platform" and "attachments" not in event.raw  # it cannot @ the bot
    assert media.parse_ref(media.media_ref("om_1", "file", "file_v3:x")) == ("om_1", "file", "file_v3:x")
    with pytest.raises(DeliveryError, match="message_id"):
        media.parse_ref("img_v3_only")


async def _deal_and_image(client, rt, tmp_path, group: bool) -> None:
    """李娜 creates a deal (1:1 or in the group) and sends a picture there; the cards go out."""
    rt.settings.storage.media_dir = str(tmp_path / "media")
    member_id = await add_member(rt, "李娜")
    async with rt.db.session() as s:
        await members.link_identity(s, member_id, "feishu", REP)
    if group:
        create = text_message("@_user_1 新建商机 蓝海医疗", REP, message_id="om_1",
                              mentions=[mention("@_user_1", BOT_OPEN_ID)])
        picture = _post_with_image("img_v3_deal", "om_2")
    else:
        create = text_message("新建商机 蓝海医疗", REP, chat_id="oc_p2p1", message_id="om_1", chat_type="p2p")
        picture = _message("image", {"image_key": "img_v3_deal"}, "om_2")
    for i, event in enumerate((create, picture)):
        body, headers = signed(envelope("im.message.receive_v1", event, f"ev-{i}"), int(rt.clock.now().timestamp()))
        assert (await client.post("/feishu/events", data=body, headers=headers)).status == 200
        await _deliver(rt)  # she sees the new deal before sending the picture (events of one chat may run in parallel)


async def _deliver(rt) -> None:
    await run_queues(rt)


async def _media(rt) -> EvidenceMedia:
    async with rt.db.session() as s:
        return (await s.execute(select(EvidenceMedia))).scalar_one()


@pytest.mark.parametrize("group", [False, True], ids=["p2p-image", "group-post"])
async def test_an_image_in_a_deal_chat_is_stored_with_its_bytes(fclient, frt, fake, tmp_path, group):
    fake.resources.add("om_2", "img_v3_deal", JPEG)
    await _deal_and_image(fclient, frt, tmp_path, group)
    async with frt.db.session() as s:
        evidence = (await s.execute(select(Evidence).where(Evidence.media_kind == "image"))).scalar_one()
    assert (evidence.media_platform, evidence.media_ref) == ("feishu", "om_2:image:img_v3_deal")
    assert (await _media(frt)).status == "pending"
    assert (await run_job(frt, "media_fetch")).summary == "附件下载：排队 1 个"
    await _deliver(frt)
    row, digest = await _media(frt), hashlib.sha256(JPEG).hexdigest()
    assert (row.status, row.sha256, row.size) == ("stored", digest, len(JPEG))
    assert (Path(frt.settings.storage.media_dir) / row.path).read_bytes() == JPEG
    assert fake.resources.downloads == [("om_2", "img_v3_deal", "image")]


async def test_a_file_over_the_limit_is_refused_with_the_reason(fclient, frt, fake, tmp_path):
    fake.resources.add("om_2", "img_v3_deal", JPEG)
    await _deal_and_image(fclient, frt, tmp_path, group=False)
    frt.settings.storage.max_media_bytes = 100
    await run_job(frt, "media_fetch")
    await _deliver(frt)
    row = await _media(frt)
    assert row.status == "failed" and "max_media_bytes" in row.error and row.path == ""


async def test_a_failed_download_is_retried_then_recorded(fclient, frt, fake, tmp_path):
    fake.resources.add("om_2", "img_v3_deal", JPEG)
    await _deal_and_image(fclient, frt, tmp_path, group=False)
    frt.settings.outbox.max_attempts = 2
    await run_job(frt, "media_fetch")
    fake.fail_next("server_error")
    await _deliver(frt)
    task = await task_queue.get(frt.db, "media_fetch:1")
    assert task.status == "pending" and "HTTP 500" in task.last_error
    assert (await _media(frt)).status == "queued"  # retrying, not failed yet
    fake.fail_next("server_error")
    frt.clock.advance(timedelta(minutes=1))
    await _deliver(frt)  # the second attempt fails too: dead-lettered
    frt.clock.advance(timedelta(minutes=1))
    assert "1 个下载失败" in (await run_job(frt, "media_fetch")).summary
    row = await _media(frt)
    assert row.status == "failed" and "HTTP 500" in row.error


async def test_download_retries_a_rejected_token_and_refuses_an_unknown_key(frt, fake):
    api = frt.apis["feishu"]
    fake.resources.add("om_2", "file_v3_x", b"%PDF-1.7 quote", "file", "application/pdf")
    fake.fail_next("token_expired")
    assert await api.fetch_media("om_2:file:file_v3_x", 1000) == b"%PDF-1.7 quote"
    assert fake.token_calls == 2
    with pytest.raises(DeliveryError, match="234003") as refused:
        await api.fetch_media("om_2:image:file_v3_x", 1000)  # the wrong type
    assert not isinstance(refused.value, TransientDeliveryError)
    fake.fail_next("rate_limit")
    with pytest.raises(TransientDeliveryError):
        await api.fetch_media("om_2:file:file_v3_x", 1000)
