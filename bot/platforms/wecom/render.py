"""Card -> WeCom payloads (templates in cards/templates/wecom/), chosen by the target's prefix.

Targets (ChatRef.chat_id = outbox target) and the payload each gets — WecomAPI.send reads `kind`:
- ``dm:<userid>``: app message (message/send). ``{"kind": "app", "touser", "body"}``; a click's answer
  with Reply(update=True) becomes ``{"kind": "app_update", "touser", "task_id", "response_code", "code_at",
  "template_card", "fallback"}`` — update_template_card, or the `fallback` new card when the code is spent.
  A card sent with extra `card_ref` gets the task_id `ref_task_id(card_ref)`; a later send with the same
  `card_ref` and update=True becomes that app_update without a code: the API claims the code message/send
  returned for that task_id (card_ref rows), once — the breach digest's in-place update.
- ``robot:<chatid>`` / ``robot:u:<userid>``: intelligent robot. ``{"kind": "robot", "body", "response_url",
  "expires", "fallback_user", "update_card"?}``; `body` is what response_url takes (markdown or a new
  template_card); `update_card` (a click's answer with Reply(update=True)) keeps the clicked card's task_id
  for the passive update_template_card answer.
- ``webhook:<name>``: group robot push to [wecom] webhook_keys[name]. ``{"kind": "webhook", "name", "body"}``
  (markdown; markdown_v2 with a table when the card is a list of rows — see extras/markdown_v2.py — or when
  ChatRef.meta["format"] = "markdown_v2"; "text_notice" sends a template card). The key stays in the config.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import timedelta
from typing import Any

from bot.config import Settings
from bot.core.cards import Card, Level
from bot.core.clock import Clock
from bot.core.events import ChatRef
from bot.core.signing import make_token
from bot.core.viewlinks import attach, full_view
from bot.platforms.wecom.extras import limits as L
from bot.platforms.wecom.extras import markdown_v2
from bot.platforms.wecom.extras.fitting import fit_markdown, split_fields, sub_title
from cards.facts import missing
from cards.labels import short_labels
from cards.render import render_template

COLOURS = {Level.INFO: 0, Level.SUCCESS: 3, Level.WARNING: 2, Level.DANGER: 2}  # source.desc_color
STYLES = {"primary": 1, "default": 2, "danger": 3}
ICONS = {Level.INFO: "", Level.SUCCESS: "✅ ", Level.WARNING: "⚠️ ", Level.DANGER: "🔴 "}
VIEW_PREFIXES = (".show",)  # actions safe to open as the "full view" link of a shortened card
LINK_TTL = timedelta(days=7)


def new_task_id() -> str:
    """A fresh task_id: unique per app, allowed characters only, far below 128 bytes."""
    return "sb_" + uuid.uuid4().hex


def ref_task_id(card_ref: str) -> str:
    """The task_id of a card later sends update by name (card_ref): the same name gives the same id."""
    return "sb_r" + hashlib.sha256(card_ref.encode()).hexdigest()[:40]


def markdown(card: Card) -> str:
    """Render a Card as WeCom markdown (may exceed 4096 bytes: `markdown_body` fits it)."""
    return render_template("wecom/markdown.md.j2", card=card, icon=ICONS.get(card.level, "")).strip()


class WecomRenderer:
    """Render cards for WeCom targets, signing full-view and action links with the server's key and clock."""

    def __init__(self, settings: Settings, clock: Clock) -> None:
        self.public_url, self.secret_key = settings.server.public_url.rstrip("/"), settings.server.secret_key
        self.bot_name, self.clock = settings.org.bot_name, clock

    def render(self, chat: ChatRef, card: Card | None, text: str, extra: dict[str, Any]) -> dict[str, Any]:
        """Return the outbox payload for a WeCom target (see the module docstring)."""
        if chat.chat_id.startswith("robot:"):
            return self._robot(chat, card, text, extra)
        if chat.chat_id.startswith("webhook:"):
            return self._webhook(chat, card, text)
        return self._app(chat, card, text, extra)  # dm:<userid>, and the playground's "preview"

    def _view_url(self, card: Card, actor: str, chat_id: str) -> tuple[str, dict]:
        """The card's full view (a signed page of this exact card) and the view to store."""
        return full_view(card, self.public_url, self.secret_key, self.clock.now(), "wecom", actor, chat_id)

    def _tap_target(self, card: Card, actor: str, chat_id: str, lost: bool) -> tuple[str, dict]:
        """Where tapping the card goes: its full view when anything was left out, else its page or "show" action."""
        if card.link and not lost:
            return card.link, {}
        button = next((b for b in card.buttons if b.action.prefix.endswith(VIEW_PREFIXES)), None)
        if lost or button is None or not actor or not self.secret_key:
            return self._view_url(card, actor, chat_id)
        expires = self.clock.now() + LINK_TTL
        token = make_token(self.secret_key, "wecom", actor, button.action.pack(), chat_id, expires)
        return f"{self.public_url}/a/{token}", {}

    def fit_card(self, card: Card, task_id: str, actor: str = "", chat_id: str = "",
                 buttons: bool = True) -> tuple[dict, dict]:
        """Render a Card as a WeCom template_card within every limit; return it and the full view to store."""
        fields, long_fields = split_fields(card)
        usable = [b for b in card.buttons if len(b.action.pack().encode()) <= L.KEY_BYTES][: L.BUTTONS] \
            if buttons else []
        labels = short_labels([b.label for b in usable], L.BUTTON_TEXT)
        values = {
            "card_type": "button_interaction" if usable else "text_notice",
            "source": L.cut(self.bot_name, L.SOURCE), "color": COLOURS.get(card.level, 0),
            "title": L.cut(card.title, L.TITLE), "desc": L.cut(card.subtitle, L.DESC),
            "sub_title": sub_title(card, long_fields),
            "horizontal": [{"keyname": f.label, "value": f.value} for f in fields],
            "buttons": [{"text": t, "style": STYLES.get(b.style, 2), "key": b.action.pack()}
                        for t, b in zip(labels, usable, strict=True)],
            "url": "", "task_id": task_id if L.valid_task_id(task_id) else new_task_id()}
        tc = json.loads(render_template("wecom/template_card.json.j2", **values))
        lost = bool(missing(card, tc)) or len(usable) < len(card.buttons) * buttons
        tc["card_action"]["url"], views = self._tap_target(card, actor, chat_id, lost)
        return tc, views

    def template_card(self, card: Card, task_id: str, actor: str = "", chat_id: str = "",
                      buttons: bool = True) -> dict:
        """Render a Card as a WeCom template_card within every limit: button_interaction when it has buttons."""
        return self.fit_card(card, task_id, actor, chat_id, buttons)[0]

    def markdown_body(self, card: Card, chat_id: str) -> tuple[str, dict]:
        """The card as markdown within 4096 bytes; when anything is left out, a link to its full view.

        Also what an app group (appchat/send, extras/rooms.py) gets.
        """
        text = markdown(card)
        if len(text.encode()) <= L.MARKDOWN_BYTES and not missing(card, {"t": text}):
            return text, {}
        url, views = self._view_url(card, "", chat_id)
        return fit_markdown(text + f"\n[{L.MORE_LINK}]({url})", url)[0], views

    def _app(self, chat: ChatRef, card: Card | None, text: str, extra: dict[str, Any]) -> dict[str, Any]:
        user = chat.chat_id.removeprefix("dm:")
        if card is None:
            return {"kind": "app", "touser": user,
                    "body": {"msgtype": "text", "text": {"content": L.cut_bytes(text, L.TEXT_BYTES)}}}
        actor = "" if chat.chat_id == "preview" else user  # the playground's stand-in acts for no one
        ref = str(extra.get("card_ref") or "")
        if ref and extra.get("update"):
            return self._ref_update(user, card, actor, chat.chat_id, ref)
        tc, views = self.fit_card(card, ref_task_id(ref) if ref else new_task_id(), actor, chat.chat_id)
        fresh = {"msgtype": "template_card", "template_card": tc}
        meta = chat.meta
        if extra.get("update") and meta.get("task_id"):
            same = dict(tc, task_id=meta["task_id"] if L.valid_task_id(meta["task_id"]) else tc["task_id"])
            return attach({"kind": "app_update", "touser": user, "task_id": meta["task_id"],
                           "response_code": meta.get("response_code", ""), "code_at": int(meta.get("code_at") or 0),
                           "template_card": same, "fallback": fresh}, views)
        return attach({"kind": "app", "touser": user, "body": fresh}, views)

    def _ref_update(self, user: str, card: Card, actor: str, chat_id: str, ref: str) -> dict[str, Any]:
        """Update the card named `ref` with the response_code its send stored; a fresh card once that code is spent."""
        tc, views = self.fit_card(card, ref_task_id(ref), actor, chat_id)
        new, more = self.fit_card(card, new_task_id(), actor, chat_id)
        return attach({"kind": "app_update", "touser": user, "task_id": tc["task_id"], "response_code": "",
                       "code_at": 0, "template_card": tc,
                       "fallback": {"msgtype": "template_card", "template_card": new}}, {**views, **more})

    def _robot(self, chat: ChatRef, card: Card | None, text: str, extra: dict[str, Any]) -> dict[str, Any]:
        meta = chat.meta
        actor, views = str(meta.get("userid", "")), dict[str, Any]()
        if card is None:
            body: dict[str, Any] = {"msgtype": "markdown",
                                    "markdown": {"content": L.cut_bytes(text, L.MARKDOWN_BYTES)}}
        else:
            tc, views = self.fit_card(card, new_task_id(), actor, chat.chat_id)
            body = {"msgtype": "template_card", "template_card": tc}
        payload = {"kind": "robot", "body": body, "response_url": meta.get("response_url", ""),
                   "expires": int(meta.get("response_url_expires") or 0), "fallback_user": meta.get("userid", "")}
        if card is not None and extra.get("update") and meta.get("task_id"):  # only the passive answer can update
            payload["update_card"] = dict(body["template_card"], task_id=meta["task_id"]) \
                if L.valid_task_id(meta["task_id"]) else body["template_card"]
        return attach(payload, views)

    def _webhook(self, chat: ChatRef, card: Card | None, text: str) -> dict[str, Any]:
        name = chat.chat_id.removeprefix("webhook:")
        if card is not None and chat.meta.get("format") == "text_notice":  # push cards cannot call back
            tc, views = self.fit_card(card, new_task_id(), buttons=False)
            body = {"msgtype": "template_card", "template_card": tc}
            return attach({"kind": "webhook", "name": name, "body": body}, views)
        wanted = chat.meta.get("format")
        if card is not None and (wanted == "markdown_v2" or (wanted != "markdown" and markdown_v2.tabular(card))):
            body, views = self._markdown_v2(card, chat.chat_id)
            return attach({"kind": "webhook", "name": name, "body": body}, views)
        if card is None:
            return {"kind": "webhook", "name": name,
                    "body": {"msgtype": "markdown", "markdown": {"content": L.cut_bytes(text, L.MARKDOWN_BYTES)}}}
        content, views = self.markdown_body(card, chat.chat_id)
        return attach({"kind": "webhook", "name": name,
                       "body": {"msgtype": "markdown", "markdown": {"content": content}}}, views)

    def _markdown_v2(self, card: Card, chat_id: str) -> tuple[dict[str, Any], dict]:
        """A tabular card as markdown_v2 (周报's people, 断点's items), with its full view when rows had to go."""
        content, views = markdown_v2.render(card, ICONS.get(card.level, "")), dict[str, Any]()
        if not markdown_v2.complete(card, content):
            url, views = self._view_url(card, "", chat_id)
            content = fit_markdown(markdown_v2.render(card, ICONS.get(card.level, ""), more=url), url)[0]
        return {"msgtype": "markdown_v2", "markdown_v2": {"content": content}}, views
