"""Inbound Feishu: verify and decrypt a webhook body, then turn its payload into an Event."""

from __future__ import annotations

import hmac
import re
from collections.abc import Callable, Mapping
from typing import Any

from bot.config import FeishuConfig
from bot.core.errors import BadRequest, BadSignature
from bot.core.events import ChatRef, Event
from bot.core.payloads import items, json_object, obj, objects, text
from bot.platforms.feishu.extras import approval_events, card_actions, crypto, media

PLATFORM = "feishu"
MSG = "event.message"
_PLACEHOLDER = re.compile(r"@_user_\d+")
_SPACES = re.compile(r"[ \t\u00a0]+")


def open_request(cfg: FeishuConfig, headers: Mapping[str, str], body: bytes, now: float,
                 verified: Callable[[], None] = lambda: None) -> dict[str, Any]:
    """Decrypt and authenticate a webhook body; return the plaintext payload or raise BadRequest/BadSignature.

    A signed body is checked before it is decrypted (a forged body costs no AES); `verified` is called
    as soon as the origin is proven.
    """
    outer = json_object(body or b"", "body")
    signed = bool(cfg.encrypt_key and headers.get("X-Lark-Signature"))
    if signed:
        _verify(cfg, headers, body, now)
        verified()
    if "encrypt" in outer:
        if not cfg.encrypt_key:
            raise BadRequest("the body is encrypted but feishu.encrypt_key is not set; copy the Encrypt Key "
                             "from the developer console (事件与回调 → 加密策略)")
        payload = _decrypted(cfg, text(outer, "encrypt", "body"), signed)
    else:
        payload = outer
    challenge = payload.get("type") == "url_verification"
    if cfg.encrypt_key and not challenge and not signed:  # Feishu never signs url_verification
        _verify(cfg, headers, body, now)
    _check_token(cfg, payload)
    verified()
    return payload


def _decrypted(cfg: FeishuConfig, encrypt: str, signed: bool) -> dict[str, Any]:
    """The decrypted payload. Unsigned (url_verification is never signed, so it is decrypted before anything proves
    its origin): whatever fails — padding, UTF-8, JSON — is one answer, so a stranger learns nothing from it about
    a ciphertext of their making (no padding oracle)."""
    try:
        return json_object(crypto.decrypt(cfg.encrypt_key, encrypt), "decrypted body")
    except BadRequest:
        if signed:
            raise
        raise BadRequest(crypto.UNDECRYPTABLE) from None


def _verify(cfg: FeishuConfig, headers: Mapping[str, str], body: bytes, now: float) -> None:
    crypto.verify(headers.get("X-Lark-Request-Timestamp"), headers.get("X-Lark-Request-Nonce"),
                  headers.get("X-Lark-Signature"), cfg.encrypt_key, body, now)


def _check_token(cfg: FeishuConfig, payload: dict[str, Any]) -> None:
    """Compare the Verification Token; it is the only proof of origin when no Encrypt Key is set."""
    header = got if isinstance(got := payload.get("header"), dict) else {}
    token = header.get("token") or payload.get("token") or ""
    token = token if isinstance(token, str) else ""
    if cfg.verification_token:
        if not hmac.compare_digest(token.encode(), cfg.verification_token.encode()):
            raise BadSignature("verification token does not match; check feishu.verification_token")
    elif not cfg.encrypt_key:
        raise BadSignature("neither feishu.encrypt_key nor feishu.verification_token is set, so the request "
                           "cannot be authenticated; set one of them")


def needs_bot_id(payload: dict[str, Any]) -> bool:
    """Say whether parsing this payload needs the bot's open_id (group messages only)."""
    event = got if isinstance(got := payload.get("event"), dict) else {}
    message = got if isinstance(got := event.get("message"), dict) else {}
    return _event_type(payload) == "im.message.receive_v1" and message.get("chat_type") != "p2p"


def _event_type(payload: dict[str, Any]) -> str:
    header = payload.get("header")
    if isinstance(header, dict):
        return text(header, "event_type", "header")
    return text(obj(payload, "event", ""), "type", "event")


def redact(payload: dict[str, Any]) -> dict[str, Any]:
    """Drop the Verification Token from a payload before it is stored (raw payloads live in the inbox)."""
    clean = dict(payload)
    if "token" in clean:
        clean["token"] = "<redacted>"
    if isinstance(clean.get("header"), dict) and "token" in clean["header"]:
        clean["header"] = {**clean["header"], "token": "<redacted>"}
    return clean


def to_event(payload: dict[str, Any], bot_open_id: str | None, bot_name: str = "") -> Event:
    """Turn a verified payload into an Event; types we do not handle become kind "platform"."""
    payload = redact(payload)
    kind = _event_type(payload)
    if isinstance(payload.get("header"), dict):
        event_id = text(payload["header"], "event_id", "header")
        if not event_id:
            raise BadRequest("header.event_id is missing", {"header.event_id": "required in schema 2.0"})
        if kind == "im.message.receive_v1":
            return _message(payload, bot_open_id, bot_name)
        if kind == "card.action.trigger":
            return card_actions.to_event(payload, event_id)
        return Event(PLATFORM, "platform", f"evt:{event_id}", raw=payload)
    uuid = text(payload, "uuid", "v1 event")
    if payload.get("type") == "event_callback" and uuid:  # legacy v1 envelope (approvals)
        if approval_events.is_approval(payload):
            return approval_events.to_event(payload)
        return Event(PLATFORM, "platform", f"v1:{uuid}", raw=payload)
    raise BadRequest("unknown envelope: neither schema 2.0 (header.event_id) nor a v1 event_callback with uuid")


def _message(payload: dict[str, Any], bot_open_id: str | None, bot_name: str) -> Event:
    """im.message.receive_v1: p2p always reaches the bot, a group message only when it @-mentions the bot."""
    event = obj(payload, "event")
    msg, sender = obj(event, "message", "event"), obj(event, "sender", "event")
    message_id, chat_id = text(msg, "message_id", MSG), text(msg, "chat_id", MSG)
    if not message_id or not chat_id:
        raise BadRequest("event.message.message_id and chat_id are required")
    actor = text(obj(sender, "sender_id", "event.sender"), "open_id", "event.sender.sender_id") or None
    chat_type = text(msg, "chat_type", MSG)
    is_group = chat_type != "p2p"
    chat = ChatRef(PLATFORM, chat_id, is_group, {"reply_to": message_id, "chat_type": chat_type})
    mentions = objects(items(msg, "mentions", MSG))
    mentioned = any(_is_bot(m, bot_open_id, bot_name) for m in mentions)
    # Feishu's retry ladder resends the same message under new event ids sometimes: dedupe by message id.
    key = f"msg:{message_id}"
    if sender.get("sender_type") not in (None, "user") or (is_group and not mentioned):
        # decided before the content is parsed: group chatter is most of the traffic and is only archived
        return Event(PLATFORM, "platform", key, actor, chat, raw=payload)
    content = content_of(msg)  # parsed once for the words and the attachments
    said, attachments = message_text(msg, content), media.attachments_of(msg, message_id, content)
    if said is None and not attachments:
        return Event(PLATFORM, "platform", key, actor, chat, raw=payload)
    clean = _SPACES.sub(" ", _PLACEHOLDER.sub(" ", said or "")).strip()
    if attachments:  # contract in bot/core/events.py: words make it a message, a bare image/file is "platform"
        return Event(PLATFORM, "message" if clean else "platform", key, actor, chat, clean,
                     raw={**payload, "attachments": attachments})
    return Event(PLATFORM, "message", key, actor, chat, clean, raw=payload)


def _is_bot(mention: dict[str, Any], bot_open_id: str | None, bot_name: str) -> bool:
    if bot_open_id:
        return text(obj(mention, "id", "mention"), "open_id", "mention.id") == bot_open_id
    return bool(bot_name) and mention.get("name") == bot_name  # fallback while /bot/v3/info is unreachable


def content_of(msg: dict[str, Any]) -> dict[str, Any]:
    """The message's `content` (a JSON string) as an object; {} when it is not one."""
    raw = text(msg, "content", MSG) or "{}"
    try:
        return json_object(raw, "event.message.content")
    except BadRequest:
        return {}


def message_text(msg: dict[str, Any], content: dict[str, Any] | None = None) -> str | None:
    """Return the text of a text or post message (None for images, files and other types)."""
    content, kind = content_of(msg) if content is None else content, text(msg, "message_type", MSG)
    if kind == "text":
        return text(content, "text", "event.message.content")
    if kind == "post":  # rich text: keep text and link runs; @ runs are mentions
        lines = got if isinstance(got := content.get("content"), list) else []
        runs = [text(el, "text", "post run") for line in lines if isinstance(line, list) for el in line
                if isinstance(el, dict) and el.get("tag") in ("text", "a")]
        return " ".join(filter(None, runs))
    return None
