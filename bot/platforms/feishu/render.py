"""Card -> Feishu card JSON 2.0 (cards/templates/feishu/card.json.j2), and the outbox payload around it.

Outbox payload (what FeishuAPI.send reads):
    {"msg_type": "interactive", "card": {...}, "uuid": "sb-…",
     "reply_to"?: message id to reply under, "update_message_id"?: card message to PATCH,
     "card_ref"?: {"key", "update"} a card remembered in card_ref and PATCHed by later sends of the same key,
     "receive_id_type"?: override of the type guessed from the target's prefix,
     "toast": {"type", "content"}, "inline": "card" | "toast",
     "delayed_update"?: {"token", "until"} — a click's first card reply: if it misses the inline answer,
                         the sender replaces the clicked card with the click's token (extras/delayed.py)}
`inline` tells the card-callback route how to answer in the HTTP response: replace the clicked card,
or (refusals and warnings) show only a toast and leave the card as it was.
"""

from __future__ import annotations

import copy
import hashlib
import json
import uuid
from typing import Any

from bot.config import Settings
from bot.core.cards import Card, Level
from bot.core.clock import Clock
from bot.core.events import ChatRef
from bot.core.viewlinks import attach, full_view
from cards.facts import missing
from cards.render import render_template

MAX_CARD_BYTES = 30_000  # Feishu rejects bigger cards with 230025; keep a margin under 30 KB (feishu.md §2)
MORE_LINK = "查看完整内容"
COLOURS = {Level.INFO: "blue", Level.SUCCESS: "green", Level.WARNING: "orange", Level.DANGER: "red"}
TOASTS = {Level.INFO: "info", Level.SUCCESS: "success", Level.WARNING: "warning", Level.DANGER: "error"}
BUTTON_TYPES = {"primary": "primary", "danger": "danger"}
_STEPS = (500, 200, 80, 30)  # characters kept per text when a card is over the size limit
FORM_FIELD = "value"  # the form's text box; adapter.py reads action.form_value[FORM_FIELD] into Event.text


def md_escape(text: str) -> str:
    """Escape what Feishu markdown would read as tags (<at id=all> must stay text)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cut(text: str, limit: int | None) -> str:
    return text if limit is None or len(text) <= limit else text[: limit - 1] + "…"


def _view(card: Card, limit: int | None, more: str = "") -> dict[str, Any]:
    """Flatten a Card into escaped, size-capped values for the template."""
    sections = []
    for n, s in enumerate(card.sections):
        fields = [{"label": md_escape(f.label), "value": md_escape(_cut(f.value, limit))} for f in s.fields]
        checks = [{"name": f"check_{n}_{i}", "label": _cut(c.label, limit), "done": c.done,
                   "value": c.action.pack() if c.action and not c.done else ""} for i, c in enumerate(s.checks)]
        sections.append({"title": md_escape(s.title), "text": md_escape(_cut(s.text, limit)),
                         "field_rows": [fields[i:i + 2] for i in range(0, len(fields), 2)], "checks": checks,
                         "lines": [] if checks else ["- " + md_escape(_cut(i, limit)) for i in s.items]})
    buttons = [{"label": b.label, "type": BUTTON_TYPES.get(b.style, "default"), "value": b.action.pack()}
               for b in card.buttons]
    form = card.form and {"name": FORM_FIELD, "placeholder": _cut(card.form.placeholder, 100),
                          "submit": _cut(card.form.submit, 20), "value": card.form.action.pack()}
    return {"title": _cut(card.title, 100), "subtitle": _cut(card.subtitle, 100), "colour": COLOURS[card.level],
            "sections": sections, "buttons": buttons, "form": form,
            "footer": (md_escape(_cut(card.footer, limit or 500)) + (f"\n[{MORE_LINK}]({more})" if more else "")
                       ).strip()}


def card_json(card: Card, more: str = "") -> dict[str, Any]:
    """Render a Card as Feishu JSON 2.0, shortening texts with "…" until it fits in 30 KB.

    With `more` (the full-view URL) the footer ends with a link to the whole card.
    """
    for limit in (None, *_STEPS):
        text = render_template("feishu/card.json.j2", **_view(card, limit, more))
        data = json.loads(text)
        # The template's text is ASCII (tojson escapes the rest), spaced, and escapes what the compact form writes
        # raw, so it is never shorter than the card travels: within the limit it needs no second encoding.
        if len(text) <= MAX_CARD_BYTES or size_of(data) <= MAX_CARD_BYTES:
            return data
    slim = copy.deepcopy(card)
    for s in slim.sections:
        s.items = s.items[:5] + ([f"…还有 {len(s.items) - 5} 条"] if len(s.items) > 5 else [])
        if len(s.checks) > 5:
            s.text, s.checks = f"{s.text}（另有 {len(s.checks) - 5} 项未列出）", s.checks[:5]
    return json.loads(render_template("feishu/card.json.j2", **_view(slim, _STEPS[-1], more)))


def size_of(data: dict[str, Any]) -> int:
    """Return the byte size of a card as it travels in `content`."""
    return len(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def message_uuid(key: str | None) -> str:
    """Return Feishu's idempotency uuid (≤ 50 chars): derived from the outbox key when known."""
    if key:
        return "sb-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:40]
    return "sb-" + uuid.uuid4().hex  # rendered once per outbox row, so every retry of the row reuses it


def toast(card: Card | None, text: str, explicit: str) -> dict[str, str]:
    """The toast shown after a click: the handler's, else a warning's reason, else the card title."""
    level = card.level if card else Level.INFO
    if explicit:
        content = explicit
    elif card is not None and level in (Level.WARNING, Level.DANGER):
        parts = [card.title] + [p for s in card.sections for p in (s.text, *s.items) if p]
        content = "：".join(parts[:2]) + ("、".join(parts[2:4]) if len(parts) > 2 else "")
    else:
        content = card.title if card else text
    return {"type": TOASTS[level], "content": _cut(content, 120)}


class FeishuRenderer:
    """Render cards for Feishu chats, signing full-view links with the server's key and clock."""

    def __init__(self, settings: Settings, clock: Clock) -> None:
        self.public_url, self.secret_key = settings.server.public_url.rstrip("/"), settings.server.secret_key
        self.clock = clock

    def fit_card(self, card: Card, chat: ChatRef) -> tuple[dict[str, Any], dict]:
        """The card within 30 KB; when anything had to be shortened, its footer links the full view."""
        data = card_json(card)
        if not missing(card, data):
            return data, {}
        url, views = full_view(card, self.public_url, self.secret_key, self.clock.now(), "feishu",
                               str(chat.meta.get("sender") or ""), chat.chat_id)
        return card_json(card, url), views

    def render(self, chat: ChatRef, card: Card | None, text: str, extra: dict[str, Any]) -> dict[str, Any]:
        """Return the outbox payload for a Feishu chat (see the module docstring for its shape)."""
        payload: dict[str, Any] = {"uuid": message_uuid(extra.get("idempotency_key"))}
        if card is not None:
            data, views = self.fit_card(card, chat)
            attach(payload, views)
            payload.update(msg_type="interactive", card=data,
                           inline="toast" if card.level in (Level.WARNING, Level.DANGER) else "card")
        else:
            payload.update(msg_type="text", text=text, inline="toast")
        payload["toast"] = toast(card, text, str(extra.get("toast") or ""))
        _address(payload, chat, extra)
        return payload


def _address(payload: dict[str, Any], chat: ChatRef, extra: dict[str, Any]) -> None:
    """Say where the payload goes: PATCH the clicked card, reply under a message, or a card later sends update."""
    if extra.get("update") and chat.meta.get("message_id"):
        payload["update_message_id"] = chat.meta["message_id"]
    elif chat.meta.get("reply_to"):
        payload["reply_to"] = chat.meta["reply_to"]
    if chat.meta.get("receive_id_type"):
        payload["receive_id_type"] = chat.meta["receive_id_type"]
    if extra.get("card_ref") and "update_message_id" not in payload:  # a card later scans update (breach digest)
        payload["card_ref"] = {"key": str(extra["card_ref"])[:200], "update": bool(extra.get("update"))}
    if payload.get("inline") == "card" and "update_message_id" not in payload and _first_reply(extra) \
            and chat.meta.get("update_token") and chat.meta.get("token_until"):
        payload["delayed_update"] = {"token": chat.meta["update_token"], "until": chat.meta["token_until"]}


def _first_reply(extra: dict[str, Any]) -> bool:
    """The reply a click answers inline (Context.reply keys its replies reply:<platform>:<event>:<n>, n from 1)."""
    return str(extra.get("idempotency_key") or "").startswith("reply:") and extra["idempotency_key"].endswith(":1")
