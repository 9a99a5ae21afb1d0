"""Render Cards for DingTalk: interactive template cards when configured (their bodies: extras/template_cards.py),
else ActionCard markdown.

Payload kinds (what the outbox stores and api.py sends unchanged):
- `message`: `body` for sessionWebhook / custom robots, `robot` = {msgKey, msgParam} for the robot API.
- `card`: `create` = the createAndDeliver body (cardParamMap values are all strings).
- `card_update`: `update` = the PUT /v1.0/card/instances body; also the inline answer to a click.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from bot.config import Settings
from bot.core.cards import Card, Level
from bot.core.clock import Clock
from bot.core.events import ChatRef
from bot.core.signing import make_token
from bot.core.viewlinks import attach, full_view
from bot.platforms.dingtalk.adapter import canonical_target, track_id
from bot.platforms.dingtalk.extras.template_cards import MAX_BUTTONS, card_params, card_update, open_space
from cards.facts import missing
from cards.render import render_template

ACTION_CARD_BUTTONS = 5  # sampleActionCard2..5: at most 5 link buttons (dingtalk.md §2, msgKey catalogue)
# Our own cap on markdown text: DingTalk documents no length limit for markdown/ActionCard text
# (dingtalk.md is silent, UNCONFIRMED); long texts are cut by clients, so past this we link the full view.
MARKDOWN_CHARS = 5000
MORE_LINK = "查看完整内容"
LINK_TTL = timedelta(days=7)
PREVIEW_CHAT = "preview"  # the chat_id the playground renders its skin previews for
_ICONS = {Level.INFO: "", Level.SUCCESS: "✅ ", Level.WARNING: "⚠️ ", Level.DANGER: "🔴 "}


def markdown(card: Card) -> str:
    """Return the card as DingTalk markdown."""
    return render_template("dingtalk/card.md.j2", card=card, icon=_ICONS.get(card.level, "")).strip()


def _actor(chat: ChatRef) -> str:
    if chat.meta.get("sender"):
        return str(chat.meta["sender"])
    if chat.chat_id == PREVIEW_CHAT:  # the playground's stand-in: show the buttons a person would get
        return PREVIEW_CHAT
    return chat.chat_id.removeprefix("user:") if chat.chat_id.startswith("user:") else ""


def _in_dingtalk(url: str) -> str:
    """Open a URL inside DingTalk (the PC side panel)."""
    return f"dingtalk://dingtalkclient/page/link?url={quote(url, safe='')}&pc_slide=true"


def robot_message(body: dict[str, Any]) -> dict[str, str]:
    """Convert a webhook body into the robot API's msgKey/msgParam (msgParam is a JSON string)."""
    kind = body["msgtype"]
    if kind == "text":
        key, param = "sampleText", {"content": body["text"]["content"]}
    elif kind == "markdown":
        key, param = "sampleMarkdown", dict(body["markdown"])
    else:
        ac = body["actionCard"]
        if "singleURL" in ac:
            key = "sampleActionCard"
            param = {k: ac[k] for k in ("title", "text", "singleTitle", "singleURL")}
        else:
            key, param = f"sampleActionCard{len(ac['btns'])}", {"title": ac["title"], "text": ac["text"]}
            for i, b in enumerate(ac["btns"], 1):
                param[f"actionTitle{i}"], param[f"actionURL{i}"] = b["title"], b["actionURL"]
    return {"msgKey": key, "msgParam": json.dumps(param, ensure_ascii=False)}


class DingTalkRenderer:
    """Render cards for DingTalk chats: signed links from the server's key and clock, the template and the robot."""

    def __init__(self, settings: Settings, clock: Clock) -> None:
        dt = settings.dingtalk
        self.public_url, self.secret_key = settings.server.public_url.rstrip("/"), settings.server.secret_key
        self.card_template_id, self.robot_code = dt.card_template_id, dt.robot_code or dt.client_id
        self.callback_type, self.route_key = ("STREAM" if dt.mode == "stream" else "HTTP"), dt.card_route_key
        self.clock = clock

    def render(self, chat: ChatRef, card: Card | None, text: str, extra: dict[str, Any]) -> dict[str, Any]:
        """Return the outbox payload for a DingTalk chat."""
        chat = replace(chat, chat_id=canonical_target(chat.chat_id))
        interactive = bool(self.card_template_id) and chat.chat_id.startswith(("group:", "user:"))
        if card is not None and interactive and chat.meta.get("out_track_id"):
            # a click's answer changes only the clicker's view (a refusal must not blank the group's card);
            # handlers that mean to change the card for everyone answer with Reply(update=True)
            user = "" if extra.get("update") else str(chat.meta.get("sender") or "")
            return {"kind": "card_update", "update": card_update(chat.meta["out_track_id"], card, markdown(card), user)}
        if card is not None and interactive:
            views = self.fitted_markdown(chat, card, MAX_BUTTONS)[1]
            created: dict[str, Any] = {"kind": "card", "create": self.template_card(chat, card)}
            if extra.get("card_ref"):  # a card later sends update by name: the API remembers its outTrackId
                created["card_ref"] = {"key": str(extra["card_ref"])[:200], "update": bool(extra.get("update")),
                                       "body": card_update("", card, markdown(card))}
            return attach(created, views)
        body, views = self.fit_action_card(chat, card) if card is not None else \
            ({"msgtype": "text", "text": {"content": text}}, {})
        message: dict[str, Any] = attach({"kind": "message", "body": body, "robot": robot_message(body)}, views)
        if chat.meta.get("session_webhook"):
            message["session_webhook"] = chat.meta["session_webhook"]
            message["session_webhook_expires"] = int(chat.meta.get("session_webhook_expires") or 0)
        return message

    def view_link(self, chat: ChatRef, card: Card) -> tuple[str, dict]:
        """The card's full view opened inside DingTalk (PC side panel), and the view to store."""
        url, views = full_view(card, self.public_url, self.secret_key, self.clock.now(), "dingtalk", _actor(chat),
                               chat.chat_id)
        return _in_dingtalk(url), views

    def fitted_markdown(self, chat: ChatRef, card: Card, shown_buttons: int) -> tuple[str, dict]:
        """The card's markdown within MARKDOWN_CHARS; a link to its full view when anything is left out.

        The first `shown_buttons` buttons are on the message itself; a card with more buttons links its full
        view, where every button is a signed action link for the person.
        """
        text = markdown(card)
        labels = [b.label for b in card.buttons[:shown_buttons]]
        if len(text) <= MARKDOWN_CHARS and not missing(card, {"t": text, "b": labels}):
            return text, {}
        link, views = self.view_link(chat, card)
        tail = f"\n\n[{MORE_LINK}]({link})"
        lines = text.splitlines()
        while lines and len("\n".join(lines)) + len(tail) > MARKDOWN_CHARS:
            lines.pop()
        return "\n".join(lines) + tail, views

    def action_link(self, chat: ChatRef, packed: str, now: datetime) -> str:
        """Return a signed /a/<token> URL opened inside DingTalk (PC side panel)."""
        token = make_token(self.secret_key, "dingtalk", _actor(chat), packed, chat.chat_id, now + LINK_TTL)
        return _in_dingtalk(f"{self.public_url}/a/{token}")

    def action_card(self, chat: ChatRef, card: Card) -> dict[str, Any]:
        """Return the sessionWebhook/custom-robot body: ActionCard with link buttons, or markdown."""
        return self.fit_action_card(chat, card)[0]

    def fit_action_card(self, chat: ChatRef, card: Card) -> tuple[dict[str, Any], dict]:
        """ActionCard with link buttons (or markdown) and the full view to store when something did not fit."""
        buttons = card.buttons[:ACTION_CARD_BUTTONS] if _actor(chat) else []  # a link needs a person to act as
        text, views = self.fitted_markdown(chat, card, len(buttons))
        if not buttons:
            return {"msgtype": "markdown", "markdown": {"title": card.title, "text": text}}, views
        now = self.clock.now()
        links = [(b.label, self.action_link(chat, b.action.pack(), now)) for b in buttons]
        body: dict[str, Any] = {"title": card.title, "text": text, "btnOrientation": "0"}
        if len(links) == 1:
            body.update(singleTitle=links[0][0], singleURL=links[0][1])
        else:
            body["btns"] = [{"title": t, "actionURL": u} for t, u in links]
        return {"msgtype": "actionCard", "actionCard": body}, views

    def template_card(self, chat: ChatRef, card: Card) -> dict[str, Any]:
        """Return the createAndDeliver body for an interactive card in the chat."""
        text, _ = self.fitted_markdown(chat, card, MAX_BUTTONS)
        body: dict[str, Any] = {"cardTemplateId": self.card_template_id, "outTrackId": track_id(chat.chat_id),
                                "cardData": {"cardParamMap": card_params(card, text)},
                                "callbackType": self.callback_type, "userIdType": 1,
                                **open_space(chat.chat_id, self.robot_code)}
        if self.callback_type == "HTTP":
            body["callbackRouteKey"] = self.route_key
        return body
