"""Every signature scheme replayed, tampered with and sent stale; and signed links tampered with and expired.

Each check returns (case, problem) with problem "" when the server behaved: a replay of the same request
changes nothing (deduplicated), the same signature on another body is refused (DingTalk's timestamp-only
signatures: past the few bodies same-millisecond callbacks may share, bot/platforms/replay.py), a stale one
is refused.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from aiohttp.test_utils import TestClient
from sqlalchemy import func, select

from bench import harness
from bot.core import signing
from bot.core.signing import member_link, signed_url
from bot.platforms import replay
from bot.web.access import COOKIE, session_value
from storage.models import InboxEvent, Lead

Case = tuple[str, str]


async def _inbox(rt) -> int:
    async with rt.db.sessions() as s:
        return (await s.execute(select(func.count()).select_from(InboxEvent))).scalar_one()


async def _leads(rt) -> int:
    async with rt.db.sessions() as s:
        return (await s.execute(select(func.count()).select_from(Lead))).scalar_one()


async def _send(client: TestClient, req: harness.Req) -> int:
    async with client.request(req.method, req.path, data=req.body, headers=req.headers) as resp:
        await resp.read()
        return resp.status


def _swap_body(req: harness.Req, other: harness.Req) -> harness.Req:
    """The captured headers/query of `req` with the body of another (validly signed) request."""
    return harness.Req(req.path, other.body, req.headers, req.method)


async def _scheme(client: TestClient, rt, name: str, make: Any, refuse: int, shared: int) -> list[Case]:
    """Send a request twice (deduped), its signature on `shared` new bodies (the last one refused), a stale one."""
    out: list[Case] = []
    first = make(0, "1")
    before = await _inbox(rt)
    statuses = [await _send(client, first), await _send(client, first)]
    after = await _inbox(rt)
    out.append((f"{name}: replay of the same request", "" if statuses[0] < 300 and statuses[1] < 300
                and after == before + 1 else f"statuses {statuses}, {after - before} stored"))
    if shared > 1:
        let = [await _send(client, _swap_body(first, make(0, f"s{k}"))) for k in range(shared - 1)]
        out.append((f"{name}: its signature on {shared - 1} more bodies (one millisecond's callbacks)",
                    "" if all(s < 300 for s in let) else f"statuses {let}"))
    status = await _send(client, _swap_body(first, make(0, "2")))
    out.append((f"{name}: its signature on a new body", "" if status == refuse else f"HTTP {status}"))
    stale = await _send(client, make(-3601, "3"))
    out.append((f"{name}: stale timestamp", "" if stale == refuse else f"HTTP {stale}"))
    return out


def _robot(n: str) -> bytes:
    return json.dumps({"msgtype": "text", "text": {"content": "帮助"}, "msgId": f"replay-{n}",
                       "conversationType": "1", "senderStaffId": "u001"}).encode()


async def replays(client: TestClient, rt) -> list[Case]:
    """Every scheme: DingTalk robot/card/events, WeCom app/robot, Feishu, intake HMAC."""
    now = int(rt.clock.now().timestamp())
    ms = iter(range(1, 10_000))
    card = lambda n: json.dumps({"outTrackId": "sb0123456789ab.Z3JvdXA6Y2lkR3JvdXAxPT0", "userId": "u001",  # noqa: E731
                                 "content": json.dumps({"cardPrivateData": {"params": {"action": f"help|{n}"}}})})
    fs = lambda n: json.dumps({"schema": "2.0", "header": {"event_id": f"fs-{n}", "event_type": "x.y",  # noqa: E731
                                                           "token": harness.FS_TOKEN}, "event": {}}).encode()
    app = lambda n: (f"<xml><FromUserName>lina</FromUserName><MsgType>text</MsgType>"  # noqa: E731
                     f"<Content>帮助</Content><MsgId>77{n}</MsgId></xml>")
    bound = replay.MAX_BODIES
    schemes = [
        ("dingtalk.robot", lambda d, n: harness.dingtalk_robot(_robot(n), (now + d) * 1000 - next(ms)), 403, bound),
        ("dingtalk.card", lambda d, n: harness.dingtalk_card(card(n).encode(), (now + d) * 1000 - next(ms)), 403,
         bound),
        ("dingtalk.events", lambda d, n: harness.dingtalk_event(json.dumps(
            {"EventType": "user_add_org", "eventId": f"dt-{n}"}).encode(), (now + d) * 1000), 403, 1),
        ("wecom.app", lambda d, n: harness.wecom_app(app(n), now + d), 403, 1),
        ("wecom.bot", lambda d, n: harness.wecom_bot({"msgid": f"b-{n}", "msgtype": "text", "from": {"userid": "u"},
                                                      "text": {"content": "帮助"}}, now + d), 403, 1),
        ("feishu", lambda d, n: harness.feishu(fs(n), now + d), 401, 1),
    ]
    out: list[Case] = []
    for name, make, refuse, shared in schemes:
        out += await _scheme(client, rt, name, make, refuse, shared)
    out += await _intake(client, rt)
    return out


async def _intake(client: TestClient, rt) -> list[Case]:
    """The intake HMAC has no timestamp: a replay is the same lead (deduplicated), a new body is refused."""
    body = json.dumps({"手机号": "13700001111", "姓名": "重放"}).encode()
    req = harness.intake(body)
    before = await _leads(rt)
    statuses = [await _send(client, req), await _send(client, req)]
    forged = await _send(client, harness.Req(req.path, body.replace(b"1111", b"2222"), req.headers))
    leads = await _leads(rt) - before
    return [("intake.hmac: replay of the same lead", "" if statuses == [201, 201] and leads == 1
             else f"statuses {statuses}, {leads} leads"),
            ("intake.hmac: its signature on a new body", "" if forged == 401 else f"HTTP {forged}")]


async def links(client: TestClient, rt) -> list[Case]:
    """Signed action links and dashboard links: tampered, foreign, expired, reused, bound to another member."""
    s, now = rt.settings, rt.clock.now()
    token = signing.make_token(s.server.secret_key, "playground", "1", "help|", "group:1", now + timedelta(hours=1))
    body, _, mac = token.partition(".")
    tampered = ("A" if body[0] != "A" else "B") + body[1:] + "." + mac
    foreign = signing.make_token("another-secret", "playground", "1", "help|", "group:1", now + timedelta(hours=1))
    expired = signing.make_token(s.server.secret_key, "playground", "1", "help|", "group:1", now - timedelta(1))
    page = signed_url(s, "/dash/me", {"member": "1"}, now).split(s.server.public_url.rstrip("/"), 1)[1]
    old = signed_url(s, "/dash/me", {"member": "1"}, now - timedelta(days=30)).split(
        s.server.public_url.rstrip("/"), 1)[1]
    bound = member_link(s, "/dash/me", {}, 1, now).split(s.server.public_url.rstrip("/"), 1)[1]
    cases = [("action link: valid", f"/a/{token}", {200}), ("action link: opened again", f"/a/{token}", {200}),
             ("action link: body edited", f"/a/{tampered}", {403}),
             ("action link: foreign key", f"/a/{foreign}", {403}),
             ("action link: expired", f"/a/{expired}", {410}),
             ("dashboard link: member changed", page.replace("member=1", "member=2"), {403}),
             ("dashboard link: expiry extended", page.replace("exp=", "exp=9"), {403}),
             ("dashboard link: expired", old, {410}), ("dashboard link: parameter twice", page + "&member=2", {403}),
             ("member link: viewer changed", bound.replace("viewer=1", "viewer=2"), {403}),
             ("member link: another member's page added", bound + "&member=2", {403})]
    out, stored = [], await _inbox(rt)
    for name, path, want in cases:
        status = await _send(client, harness.Req(path, method="GET"))
        out.append((name, "" if status in want else f"HTTP {status}"))
    cookie = {"Cookie": f"{COOKIE}={session_value(s.server.secret_key, 2, now + timedelta(hours=1))}"}
    status = await _send(client, harness.Req(bound, b"", cookie, "GET"))  # member 1's link, member 2 logged in
    out.append(("member link: opened by another logged-in member", "" if status == 403 else f"HTTP {status}"))
    acted = await _inbox(rt) - stored
    out.append(("action link: acts exactly once", "" if acted == 1 else f"{acted} events"))
    return out
