"""Playground preview: the exact WeCom payload this adapter sends, drawn as HTML, plus its JSON."""

from __future__ import annotations

import re
from html import escape
from typing import Any

from bot.platforms.jsontext import indented

_FONT = re.compile(r'&lt;font color=&quot;(\w+)&quot;&gt;(.*?)&lt;/font&gt;')
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)")
_RULE = re.compile(r"^\|(\s*:?-{3,}:?\s*\|)+\s*$")
_FONT_COLOURS = {"info": "#07c160", "comment": "#888888", "warning": "#fa9d3b"}
_SOURCE_COLOURS = {0: "#888888", 1: "#333333", 2: "#e64340", 3: "#07c160"}
_STYLES = {1: "primary", 2: "default", 3: "danger", 4: "default"}  # render.STYLES reversed
ROUTES = {"app": "应用消息 message/send", "app_update": "更新模板卡片 update_template_card",
          "robot": "智能机器人 被动回复 / response_url", "webhook": "群机器人 webhook/send"}


def _inline(line: str) -> str:
    html = _BOLD.sub(r"<b>\1</b>", escape(line.rstrip()))
    html = _LINK.sub(r'<a href="\2" target="_blank" rel="noopener">\1</a>', html)
    return _FONT.sub(lambda m: f'<span style="color:{_FONT_COLOURS.get(m[1], "#333")}">{m[2]}</span>', html)


def _table_html(rows: list[str]) -> str:
    """A markdown_v2 table: the header row, the separator (skipped), the body rows."""
    cells = [[_inline(c.strip()) for c in r.strip().strip("|").split("|")] for r in rows if not _RULE.match(r)]
    head = "".join(f"<th>{c}</th>" for c in cells[0]) if cells else ""
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in cells[1:])
    return f"<table class='wc-md-table'><tr>{head}</tr>{body}</table>"


def markdown_html(text: str) -> str:
    """Render the WeCom markdown(_v2) subset our renderers emit (headings, bold, quotes, items, colours, tables)."""
    out: list[str] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line, i = lines[i], i + 1
        if line.startswith("|"):
            rows = [line]
            while i < len(lines) and lines[i].startswith("|"):
                rows.append(lines[i])
                i += 1
            out.append(_table_html(rows))
            continue
        html = _inline(line)
        if line.startswith("# "):
            out.append(f"<h3 class='wc-md-title'>{html[2:]}</h3>")
        elif line.startswith("### "):
            out.append(f"<h3 class='wc-md-title'>{html[4:]}</h3>")
        elif line.strip() == "---":
            out.append("<hr>")
        elif line.startswith("&gt; ") or line.startswith("> "):
            out.append(f"<div class='quote wc-quote'>{html[5:]}</div>")
        elif line.startswith("- "):
            out.append(f"<li class='wc-md-item'>{html[2:]}</li>")
        elif html:
            out.append(f"<div>{html}</div>")
    return "\n".join(out)


def card_html(tc: dict[str, Any]) -> str:
    """Draw a template_card: source, title, sub-title, key/value rows and buttons (keys as tooltips)."""
    source = tc.get("source") or {}
    colour = _SOURCE_COLOURS.get(source.get("desc_color", 0), "#888")
    title = tc.get("main_title") or {}
    parts = [f'<div class="source wc-source" style="color:{colour}">{escape(str(source.get("desc", "")))}</div>',
             f'<h3 class="wc-title">{escape(str(title.get("title", "")))}</h3>']
    if title.get("desc"):
        parts.append(f'<div class="desc wc-desc">{escape(title["desc"])}</div>')
    if tc.get("sub_title_text"):
        parts.append(f'<div class="sub wc-sub">{escape(tc["sub_title_text"]).replace(chr(10), "<br>")}</div>')
    rows = "".join(f'<div class="kv wc-kv"><span class="wc-key">{escape(row["keyname"])}</span> '
                   f'<span class="wc-value">{escape(row["value"])}</span></div>'
                   for row in tc.get("horizontal_content_list", []))
    if rows:
        parts.append(f'<div class="wc-kvs">{rows}</div>')
    buttons = "".join(f'<button class="btn btn-{_STYLES.get(b.get("style", 1), "default")}" '
                      f'data-action="{escape(b.get("key", ""))}">{escape(b["text"])}</button>'
                      for b in tc.get("button_list", []))
    if buttons:
        parts.append(f'<div class="card-buttons wc-buttons">{buttons}</div>')
    url = (tc.get("card_action") or {}).get("url", "")
    if url:  # tapping the card opens this (its full view when anything did not fit)
        parts.append(f'<a class="wc-open" href="{escape(url)}" target="_blank" rel="noopener">查看详情</a>')
    return "\n".join(parts)


def _body_html(body: dict[str, Any]) -> str:
    kind = body.get("msgtype")
    if kind == "template_card":
        return card_html(body["template_card"])
    if kind in ("markdown", "markdown_v2"):
        return markdown_html(body[kind]["content"])
    if kind == "text":
        return f"<div>{escape(body['text']['content'])}</div>"
    return "<div>(unknown message type)</div>"


def preview_html(payload: dict[str, Any]) -> str:
    """Return HTML showing the payload as WeCom would, with the sent JSON underneath."""
    kind = payload.get("kind", "")
    msgtype = "template_card" if kind == "app_update" else str((payload.get("body") or {}).get("msgtype", ""))
    if kind == "app_update":
        shown = card_html(payload["template_card"])
    elif "body" in payload:
        shown = _body_html(payload["body"])
    else:
        shown = "<div>(unknown payload)</div>"
    sent = escape(indented(payload))
    # The JSON sits under the card, not in it: the client draws only the card.
    return (f'<div class="wc-preview"><div class="card card-wecom wc-{escape(msgtype.replace("_", "-"))}">{shown}</div>'
            f'<details class="platform-json"><summary>{escape(ROUTES.get(kind, kind))} JSON</summary>'
            f'<pre>{sent}</pre></details></div>')
