"""Defect #19.5 on DingTalk: wrongly typed fields of signed callbacks are 400s naming the field, kept whole;
deep nesting is a 400."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import RejectedRequest
from tests.bot.platforms.dingtalk.conftest import card_headers, robot_headers, robot_message


async def _rows(rt) -> list[RejectedRequest]:
    async with rt.db.session() as s:
        return list((await s.execute(select(RejectedRequest))).scalars())


async def test_wrongly_typed_robot_fields_are_400_and_archived_whole(dclient, drt, fake):
    cases = [{"text": "plain string"}, {"msgId": ["m"]}, {"msgtype": "richText", "content": {"richText": "x"}},
             {"sessionWebhookExpiredTime": "soon"}, {"msgtype": "picture", "content": {"downloadCode": {"a": 1}}}]
    for i, change in enumerate(cases):
        body = {**robot_message(drt, fake, "帮助", msg_id=f"m{i}"), **change}
        resp = await dclient.post("/dingtalk/robot", json=body, headers=robot_headers(drt))
        assert resp.status == 400 and "must be" in (await resp.json())["error"], change
    rows = await _rows(drt)
    assert len(rows) == len(cases) and not any(r.truncated for r in rows)


async def test_wrongly_typed_card_fields_are_400(dclient, drt):
    for body in ({"outTrackId": 5.5e300, "content": "{}"}, {"outTrackId": {"x": 1}},
                 {"outTrackId": "sb000000000000.Z3JvdXA6eA", "content": {"cardPrivateData": "x"}},
                 {"outTrackId": "sb000000000000.Z3JvdXA6eA", "content": {"cardPrivateData": {"params": []}}}):
        resp = await dclient.post("/dingtalk/card", json=body, headers=card_headers(drt))
        assert resp.status == 400, body


async def test_deep_json_is_400(dclient, drt):
    deep = b'{"a": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"
    resp = await dclient.post("/dingtalk/robot", data=deep, headers=robot_headers(drt))
    assert resp.status == 400 and "deeper" in (await resp.json())["error"]
