"""Signed links to a card's full view (`GET /v/{digest}`), for renderers that must shorten a card.

A renderer that cannot show every fact of a card within its platform's limits links the card's full
view instead of cutting it: `full_view` returns the signed URL and the {digest: card} to store. The
runtime stores the views in the same transaction as the outbox row (Runtime.enqueue pops
payload["views"]). The link carries the platform, the person and the chat, so the page can offer the
card's buttons as signed action links for that person (bot/web/actionlinks.py).
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from bot.core.cards import Card
from bot.core.signing import sign

LINK_TTL = timedelta(days=7)
PATH = "/v/"


def digest(data: dict[str, Any]) -> str:
    """The card's content address: 32 hex characters of SHA-256 over its canonical JSON."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def full_view(card: Card, public_url: str, secret: str, now: datetime, platform: str, actor: str = "",
              chat: str = "") -> tuple[str, dict[str, dict[str, Any]]]:
    """Return (signed URL of the card's full view, {digest: card dict} for the runtime to store)."""
    data = card.to_dict()
    key = digest(data)
    path = PATH + key
    query = {"p": platform, "u": actor, "c": chat, "exp": str(int((now + LINK_TTL).timestamp()))}
    query["sig"] = sign(secret, path, query)
    return f"{public_url.rstrip('/')}{path}?{urlencode(query)}", {key: data}


def attach(payload: dict[str, Any], views: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Add views to a payload's "views" (the runtime pops and stores them); return the payload."""
    if views:
        payload.setdefault("views", {}).update(views)
    return payload
