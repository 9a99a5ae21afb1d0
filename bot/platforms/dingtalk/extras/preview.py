"""Playground preview: the exact DingTalk payload this adapter sends, drawn as HTML, plus its JSON.

Buttons become `<button data-action="<packed>">` so the playground can click them: a template card's
button carries the packed Action itself; an ActionCard link carries it inside its signed `/a/<token>`.
"""

from __future__ import annotations

import re
from html import escape
from typing import Any
from urllib.parse import parse_qs, urlparse

from bot.core.signing import peek_action
from bot.platforms.jsontext import indented

_FONT = re.compile(r"&lt;font color=(#[0-9A-Fa-f]{3,6})&gt;(.*?)&lt;/font&gt;")
_BOLD = re.compile(r"\*\*(.+?)\*\*")


def markdown_html(text: str) -> str:
    """Render the small markdown subset our templates emit (headings, bold, items, grey font)."""
    out: list[str] = []
    for line in text.splitlines():
        html = _BOLD.sub(r"<b>\1</b>", _FONT.sub(r'<span style="color:\1">\2</span>', escape(line.rstrip())))
        if line.startswith("#### "):
            out.append(f"<h4>{html[5:]}</h4>")
        elif line.startswith("### "):
            out.append(f"<h3>{html[4:]}</h3>")
        elif line.startswith("- "):
            out.append(f"<li>{html[2:]}</li>")
        elif html:
            out.append(f"<div>{html}</div>")
    return "\n".join(out)


def link_action(url: str) -> str | None:
    """The packed Action behind a `dingtalk://…?url=<…/a/<token>>` button, read (not verified) from its token."""
    inner = parse_qs(urlparse(url).query).get("url", [url])[0]
    _, sep, token = urlparse(inner).path.rpartition("/a/")
    return peek_action(token) if sep and token else None


def _button(label: str, packed: str | None, style: str, url: str = "") -> str:
    # The playground clicks `.card button[data-action]` as its own user, like a click in DingTalk.
    tip = f' title="{escape(url)}"' if url else ""
    if packed is None:  # not one of our links: show it, nothing to click
        return f'<a class="btn btn-default" href="{escape(url)}"{tip}>{escape(label)}</a>'
    return f'<button class="btn btn-{escape(style or "default")}" data-action="{escape(packed)}"{tip}>' \
           f'{escape(label)}</button>'


def _buttons(buttons: list[str]) -> str:
    return f'<div class="card-buttons dt-buttons">{"".join(buttons)}</div>' if buttons else ""


def _message(payload: dict[str, Any]) -> str:
    body = payload["body"]
    kind = body["msgtype"]
    if kind == "text":
        return f"<div>{escape(body['text']['content'])}</div>"
    if kind == "markdown":
        return markdown_html(body["markdown"]["text"])
    ac = body["actionCard"]
    links = [(ac["singleTitle"], ac["singleURL"])] if "singleURL" in ac else \
        [(b["title"], b["actionURL"]) for b in ac.get("btns", [])]
    return markdown_html(ac["text"]) + _buttons([_button(t, link_action(u), "default", u) for t, u in links if t])


def _card(params: dict[str, str]) -> str:
    count = int(params.get("btn_count") or 0)
    buttons = [_button(params[f"btn{i}_label"], params.get(f"btn{i}_action", ""), params.get(f"btn{i}_style", ""))
               for i in range(1, count + 1) if params.get(f"btn{i}_label")]
    return markdown_html(params.get("markdown", "")) + _buttons(buttons)


def preview_html(payload: dict[str, Any]) -> str:
    """Return HTML showing the payload as DingTalk would, with the sent JSON underneath."""
    kind = payload.get("kind")
    if kind == "message":
        shown, route = _message(payload), "sessionWebhook / 自定义机器人 / 机器人 API"
    elif kind == "card":
        shown, route = _card(payload["create"]["cardData"]["cardParamMap"]), "互动卡片 createAndDeliver"
    elif kind == "card_update":
        update = payload["update"]
        data: dict[str, Any] = update.get("cardData") or next(iter(update.get("privateData", {}).values()), {})
        shown, route = _card(data.get("cardParamMap", {})), "互动卡片更新 PUT /v1.0/card/instances"
    else:
        shown, route = "<div>(unknown payload)</div>", "?"
    sent = escape(indented(payload))
    # The JSON sits under the card, not in it: the client draws only the card.
    return (f'<div class="dt-preview"><div class="card card-dingtalk dt-card dt-{escape(str(kind))}">{shown}</div>'
            f'<details class="platform-json"><summary>{escape(route)} JSON</summary><pre>{sent}</pre></details></div>')
