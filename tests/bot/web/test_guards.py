"""Defect #19.5: no 500 on bad input, and slow clients cannot hold connections open (slowloris)."""

from __future__ import annotations

import asyncio
import time

from sqlalchemy import select

from bot.platforms.playground import adapter
from bot.web.app import create_app
from storage.models import RejectedRequest


async def _rows(rt) -> list[RejectedRequest]:
    async with rt.db.sessions() as s:
        return list((await s.execute(select(RejectedRequest))).scalars())


async def test_deep_json_on_the_playground_is_400(client):
    deep = b'{"text": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    resp = await client.post("/playground/api/message", data=deep, headers={"Content-Type": "application/json"})
    assert resp.status == 400 and "deeper" in (await resp.json())["error"]


async def test_wrong_types_on_the_playground_are_400_with_the_field(client):
    for body in ({"text": ["x"], "client_id": "c", "member_id": 1, "chat_id": "group:1"},
                 {"text": "hi", "client_id": "c", "member_id": True, "chat_id": "group:1"},
                 {"text": "hi", "client_id": "c", "member_id": "9" * 40, "chat_id": "group:1"},
                 {"text": "hi", "client_id": "c" * 500, "member_id": 1, "chat_id": "group:1"}):
        resp = await client.post("/playground/api/message", json=body)
        assert resp.status == 400, body


async def test_an_unexpected_error_is_a_declared_503_and_the_body_is_archived(client, rt, monkeypatch):
    def boom(data, bot_name):
        raise RuntimeError("a bug")

    monkeypatch.setattr(adapter, "message_event", boom)
    resp = await client.post("/playground/api/message", json={"text": "hi"})
    assert resp.status == 503 and resp.headers["Retry-After"] == "30"
    assert "Traceback" not in await resp.text()
    [row] = await _rows(rt)
    assert row.status == 503 and "RuntimeError" in row.reason and row.body == '{"text": "hi"}'
    assert "salesbot_unexpected_errors_total" in rt.metrics.render({})


async def _server(aiohttp_server, rt, header: float, body: float):
    rt.settings.security.header_timeout, rt.settings.security.body_timeout = header, body
    return await aiohttp_server(create_app(rt))


async def _closed(reader: asyncio.StreamReader, within: float) -> bytes | None:
    """What the server said before closing, or None if the connection is still open after `within` s."""
    try:
        return await asyncio.wait_for(reader.read(), within)
    except TimeoutError:
        return None


async def test_300_connections_stalling_their_headers_are_closed_within_the_timeout(aiohttp_server, rt):
    server = await _server(aiohttp_server, rt, header=1.0, body=1.0)
    conns = [await asyncio.open_connection(server.host, server.port) for _ in range(300)]
    for _, writer in conns:
        writer.write(b"POST /playground/api/message HTTP/1.1\r\nHost: x\r\n")  # and never the blank line
    started = time.monotonic()
    results = await asyncio.gather(*(_closed(r, 5) for r, _ in conns))
    assert all(r is not None for r in results) and time.monotonic() - started < 4
    for _, writer in conns:
        writer.close()


async def test_a_body_that_stalls_gets_408_and_the_connection_is_closed(aiohttp_server, rt):
    server = await _server(aiohttp_server, rt, header=5.0, body=1.0)
    reader, writer = await asyncio.open_connection(server.host, server.port)
    writer.write(b"POST /playground/api/message HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 b"Content-Length: 100\r\n\r\n{\"text\"")
    said = await _closed(reader, 4)
    assert said is not None and said.startswith(b"HTTP/1.1 408")
    writer.close()


async def test_ids_attackers_write_are_4xx_not_503(client):
    for path in ("/api/v1/leads?after=²", "/api/v1/leads?after=" + "9" * 4400, "/playground/api/outbox?after=²",
                 "/api/v1/members?limit=²"):
        resp = await client.get(path, headers={"Authorization": "Bearer test-admin-token"})
        assert resp.status == 400, path
    for path in ("/dash/customer/" + "9" * 30, "/dash/evidence/" + "9" * 30):
        assert (await client.get(path)).status == 404, path
