"""Inbound lead intake: find the channel, then prove the body's origin (token, HMAC signature or expo-form CSRF).

A source posts to /intake/{channel} with the channel's `X-Intake-Token`, or signs the body with
`X-Intake-Signature: sha256=<hex HMAC-SHA256>`; the expo form (channels with form = true) posts its fields
with a `_csrf` token this server issued for the channel within FORM_TTL (render.py issues it). The body
itself is mapped and checked by the lead flow (sales/intake.py), which the route hands it to.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs

from bot.config import Settings
from bot.core.checks import as_id, same_secret
from bot.core.errors import BadSignature, NotFound

FORM_TTL = 2 * 3600  # a printed QR form page stays usable for two hours after it was opened


class FormExpired(BadSignature):
    """An expo-form post whose CSRF token is stale or forged: the person gets the form again."""


def channel(settings: Settings, name: str) -> dict[str, Any]:
    """The channel's config ([intake.channels.<name>]), or a 404 saying how to add it."""
    cfg = settings.intake.channels.get(name)
    if not isinstance(cfg, dict):
        raise NotFound(f"没有这个线索渠道 {name!r}：在配置里加上 [intake.channels.{name}]",
                       {"channel": "unknown"})
    return cfg


def csrf_token(secret: str, channel: str, issued: int) -> str:
    """Sign (channel, issue time) with the server secret: the expo form's CSRF token."""
    mac = hmac.new(secret.encode(), f"{channel}|{issued}".encode(), hashlib.sha256).hexdigest()
    return f"{issued}.{mac}"


def form_token_ok(secret: str, channel: str, token: str, now: datetime) -> bool:
    """Whether a CSRF token was issued by this server for the channel within FORM_TTL."""
    issued, _, _mac = token.partition(".")
    at = as_id(issued)
    if at is None or not 0 <= now.timestamp() - at <= FORM_TTL:
        return False
    return same_secret(token, csrf_token(secret, channel, at))


def form_values(body: bytes) -> dict[str, str]:
    """The expo form's posted fields (first value of each)."""
    return {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items() if v}


def authenticate(headers: Any, name: str, cfg: dict[str, Any], body: bytes, secret: str, now: datetime) -> bool:
    """Check token or HMAC signature (constant time); return True when this is an expo-form post."""
    token, sig = headers.get("X-Intake-Token", ""), headers.get("X-Intake-Signature", "")
    if cfg.get("token") and token and same_secret(token, str(cfg["token"])):
        return False
    if cfg.get("secret") and sig.startswith("sha256="):
        want = hmac.new(str(cfg["secret"]).encode(), body, hashlib.sha256).hexdigest()
        if same_secret(sig[7:].lower(), want):
            return False
    if cfg.get("form") and b"_csrf=" in body:
        if form_token_ok(secret, name, form_values(body).get("_csrf", ""), now):
            return True
        raise FormExpired("表单页面已过期（打开超过 2 小时），请重新扫码或刷新后再提交", {"_csrf": "expired"})
    raise BadSignature("渠道口令不对或缺少：请在 X-Intake-Token 头带上渠道的 token，"
                       "或用 X-Intake-Signature: sha256=<正文的 HMAC-SHA256 十六进制>")
