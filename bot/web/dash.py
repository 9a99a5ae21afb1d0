"""Signed dashboard links: `/dash/…?<params>&exp=<unix time>&sig=<HMAC>` under `server.secret_key`.

The signature covers the path and every query parameter, so an edited link (another team, another month)
answers 401, and `exp` keeps a forwarded link from working forever. Scripts may instead send
`Authorization: Bearer <server.admin_token>`. Pages read their parameters from what `verify` returns,
never from the raw query, so nothing unsigned reaches them.
"""

from __future__ import annotations

from datetime import datetime

from aiohttp import web

from bot.config import Settings
from bot.core.checks import as_id, same_secret
from bot.core.errors import BadRequest, BadSignature
from bot.core.signing import mac


def _admin(request: web.Request, settings: Settings) -> bool:
    token, given = settings.server.admin_token, request.headers.get("Authorization", "")
    return bool(token) and given.startswith("Bearer ") and same_secret(given[7:], token)


def verify(request: web.Request, settings: Settings, now: datetime) -> dict[str, str]:
    """Return the link's parameters if it is signed and unexpired (or the admin token is sent); else raise."""
    keys = [k for k, _ in request.query.items()]  # every occurrence: keys() would hide a repeated one
    if len(keys) != len(set(keys)):
        raise BadRequest("a query parameter appears twice; open the link exactly as the card gave it")
    params = {k: v for k, v in request.query.items() if k not in ("sig", "exp")}
    if _admin(request, settings):
        return params
    signed = {k: v for k, v in request.query.items() if k != "sig"}
    if not same_secret(request.query.get("sig", ""), mac(settings.server.secret_key, request.path, signed)):
        raise BadSignature("dashboard link signature does not match; open the link from the latest card, "
                           "or send Authorization: Bearer <admin_token>")
    expires = as_id(signed.get("exp", ""))
    if expires is None:
        raise BadRequest("the link has no valid exp; open the link from the latest card")
    if now.timestamp() > expires:
        raise BadSignature("this dashboard link has expired; send the command again in chat for a fresh link")
    return params
