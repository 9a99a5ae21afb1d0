"""Link signing: signed dashboard links, member-bound links and action-link tokens, all under `server.secret_key`.

A dashboard link is `/path?<params>&exp=<unix time>&sig=<HMAC>`; the signature covers the path and every query
parameter, so an edited link fails and `exp` keeps a forwarded link from working forever. A member-bound link adds
`viewer=<member id>` inside the signature, so it opens only as that member (bot/web/access.py checks it). An action
token packs a card button for carriers that cannot call back (bot/web/actionlinks.py opens it).
Kept in the kernel so handlers, jobs, flows and renderers build links without importing the web app.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from bot.core.errors import BadSignature

if TYPE_CHECKING:
    from bot.config import Settings

DEFAULT_TTL = timedelta(days=7)


def mac(secret: str, path: str, params: dict[str, str]) -> str:
    """Return the HMAC of a page path and its parameters."""
    body = f"dash.{path}?{urlencode(sorted(params.items()))}"
    return hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()[:32]


def sign(secret: str, path: str, query: dict[str, str]) -> str:
    """Return the signature of a page path and its query (exp included, sig excluded)."""
    return mac(secret, path, query)


def signed_url(settings: Settings, path: str, params: dict[str, str], now: datetime,
               ttl: timedelta = DEFAULT_TTL) -> str:
    """Return the absolute signed link to a dashboard page, valid for `ttl` from `now`."""
    query = {**params, "exp": str(int((now + ttl).timestamp()))}
    query["sig"] = mac(settings.server.secret_key, path, query)
    return f"{settings.server.public_url.rstrip('/')}{path}?{urlencode(query)}"


MEMBER_LINK_TTL = timedelta(days=7)


def member_link(settings: Settings, path: str, params: dict[str, str], viewer_id: int, now: datetime,
                ttl: timedelta = MEMBER_LINK_TTL) -> str:
    """Return the absolute signed link to a page that opens only as member `viewer_id`."""
    return signed_url(settings, path, {**params, "viewer": str(viewer_id)}, now, ttl)


VERSION = 1
_MAC_BYTES = 16


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _action_mac(secret: str, body: str) -> bytes:
    return hmac.new(secret.encode(), f"actionlink.{body}".encode(), hashlib.sha256).digest()[:_MAC_BYTES]


def make_token(secret: str, platform: str, actor: str, packed: str, chat: str, expires: datetime) -> str:
    """Sign an action for one platform user; the token is URL-safe."""
    fields = [VERSION, platform, actor, packed, chat, int(expires.timestamp())]
    body = _b64(json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode())
    return f"{body}.{_b64(_action_mac(secret, body))}"


def read_token(secret: str, token: str, now: datetime) -> tuple[str, str, str, str, bool]:
    """Return (platform, actor, packed, chat, expired); raise BadSignature if the token was not ours."""
    body, _, mac = token.partition(".")
    try:
        ok = hmac.compare_digest(_unb64(mac), _action_mac(secret, body))
        fields = json.loads(_unb64(body)) if ok else None
    except (ValueError, TypeError):
        ok, fields = False, None
    if not ok or not isinstance(fields, list) or len(fields) != 6 or fields[0] != VERSION:
        raise BadSignature("action link signature does not match (edited, or server.secret_key changed)")
    _, platform, actor, packed, chat, expires = fields
    return platform, actor, packed, chat, now.timestamp() > expires


def peek_action(token: str) -> str | None:
    """Return the packed Action a token carries WITHOUT checking its signature: for previews only, never to act."""
    try:
        fields = json.loads(_unb64(token.partition(".")[0]))
    except (ValueError, TypeError):
        return None
    if isinstance(fields, list) and len(fields) == 6 and fields[0] == VERSION and isinstance(fields[3], str):
        return fields[3]
    return None


