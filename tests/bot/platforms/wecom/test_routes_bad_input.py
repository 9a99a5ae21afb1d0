"""Defect #19.5 on WeCom: wrong types and deep nesting are 400s with the reason, UTF-16 XML is refused
before the signature check (the DOCTYPE bypass), and an authenticated refusal keeps its whole body."""

from __future__ import annotations

import json

from sqlalchemy import select

from storage.models import RejectedRequest
from tests.bot.platforms.wecom.conftest import app_request, robot_request


def _ts(rt) -> int:
    return int(rt.clock.now().timestamp())


async def _rows(rt) -> list[RejectedRequest]:
    async with rt.db.session() as s:
        return list((await s.execute(select(RejectedRequest))).scalars())


async def test_wrongly_typed_robot_fields_are_400_and_the_signed_body_is_kept_whole(wclient, wrt):
    for payload in ({"msgid": "m1", "msgtype": "text", "text": "not an object", "from": {"userid": "u"}},
                    {"msgid": {"x": 1}, "msgtype": "text"},
                    {"msgid": "m3", "from": "u", "msgtype": "text"},
                    {"msgid": "m4", "msgtype": "mixed", "mixed": {"msg_item": "x"}, "from": {"userid": "u"}},
                    {"msgid": "m5", "msgtype": "event", "event": {"eventtype": "template_card_event",
                                                                  "template_card_event": []}}):
        path, body = robot_request(payload, _ts(wrt))
        resp = await wclient.post(path, data=body)
        assert resp.status == 400, payload
    rows = await _rows(wrt)
    assert len(rows) == 5 and all(not r.truncated and json.loads(r.body)["encrypt"] for r in rows)
    assert "must be" in rows[0].reason


async def test_a_nested_element_where_text_belongs_is_400(wclient, wrt):
    xml = (f"<xml><FromUserName>lina</FromUserName><CreateTime>{_ts(wrt)}</CreateTime><MsgType>text</MsgType>"
           "<Content><b>x</b></Content><MsgId>9</MsgId></xml>")
    path, body = app_request(xml, _ts(wrt))
    assert (await wclient.post(path, data=body)).status == 400


async def test_deeply_nested_robot_json_is_400_before_the_signature_check(wclient, wrt):
    path, _ = robot_request({"msgid": "m"}, _ts(wrt))
    deep = b'{"encrypt": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    assert (await wclient.post(path, data=deep)).status == 400
    [row] = await _rows(wrt)
    assert "deeper than" in row.reason and row.truncated


async def test_utf16_xml_with_a_doctype_is_refused_before_the_signature_check(wclient, wrt):
    bomb = ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
            '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><xml><Encrypt>&b;</Encrypt></xml>').encode("utf-16")
    path, _ = app_request("<xml/>", _ts(wrt))
    resp = await wclient.post(path, data=bomb)
    assert resp.status == 400  # not 403: refused as non-UTF-8, before any signature or parser saw it
    [row] = await _rows(wrt)
    assert "UTF-8" in row.reason
    no_bom = '<xml><Encrypt>x</Encrypt></xml>'.encode("utf-16-le")
    assert (await wclient.post(path, data=no_bom)).status == 400
