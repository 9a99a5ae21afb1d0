"""Defect #19.5 on Feishu: deep nesting is a 400 before the signature check (was RecursionError → 500);
wrongly typed fields of a signed event are 400s with the reason, archived whole."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import RejectedRequest
from tests.bot.platforms.feishu.conftest import click, envelope, signed, text_message


async def _rows(rt) -> list[RejectedRequest]:
    async with rt.db.session() as s:
        return list((await s.execute(select(RejectedRequest))).scalars())


async def test_deeply_nested_json_is_400_not_500(fclient, frt):
    deep = b'{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    resp = await fclient.post("/feishu/events", data=deep, headers={"Content-Type": "application/json"})
    assert resp.status == 400 and "deeper than 32" in (await resp.json())["error"]
    shallow_but_deep = b'{"a": ' + b"[" * 40 + b"]" * 40 + b"}"
    assert (await fclient.post("/feishu/events", data=shallow_but_deep)).status == 400


async def test_wrongly_typed_fields_of_a_signed_event_are_400_with_the_field(fclient, frt):
    now = int(frt.clock.now().timestamp())
    bad_message = text_message("帮助", "ou_1", chat_type="p2p")
    bad_message["message"]["content"] = {"text": "an object, not a JSON string"}
    bad_sender = text_message("帮助", "ou_1", chat_type="p2p")
    bad_sender["sender"] = "ou_1"
    bad_click = click("x", "ou_1")
    bad_click["event"]["context"] = ["om_1"]
    bad_header = envelope("im.message.receive_v1", {}, event_id="e")
    bad_header["header"]["event_id"] = {"id": 1}
    for i, payload in enumerate((envelope("im.message.receive_v1", bad_message, "e-m"),
                                 envelope("im.message.receive_v1", bad_sender, "e-s"), bad_click, bad_header)):
        body, headers = signed(payload, now, nonce=f"n{i}")
        resp = await fclient.post("/feishu/events", data=body, headers=headers)
        assert resp.status == 400 and "must be" in (await resp.json())["error"], payload
    rows = await _rows(frt)
    assert len(rows) == 4 and not any(r.truncated for r in rows)  # signed: kept whole for a later replay


async def test_a_huge_create_time_does_not_overflow(fclient, frt):
    payload = click("x", "ou_1")
    payload["header"]["create_time"] = 1e308
    body, headers = signed(payload, int(frt.clock.now().timestamp()))
    assert (await fclient.post("/feishu/events", data=body, headers=headers)).status == 200
