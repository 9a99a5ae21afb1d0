"""Fitting a card into WeCom's boxes: short fields in the horizontal list, the rest by whole lines; what is left
is counted and reached on the full view."""

from __future__ import annotations

from bot.core.cards import Card
from bot.platforms.wecom.extras import limits as L
from cards.render import plain


def split_fields(card: Card) -> tuple[list, list]:
    """Short labels fit horizontal_content_list (keyname ≤ 5 建议); long ones would lose their meaning there."""
    fields = [f for s in card.sections for f in s.fields]
    short = [f for f in fields if len(f.label) <= L.KEYNAME and len(f.value) <= L.VALUE][: L.HORIZONTAL]
    return short, [f for f in fields if not any(f is g for g in short)]


def _lines(card: Card, long_fields: list) -> list[str]:
    lines = [f"{f.label}：{' '.join(f.value.split())}" for f in long_fields]
    for s in card.sections:
        head = f"{s.title}：" if s.title else ""
        if s.text or head:
            lines.append(head + " ".join(s.text.split()))
        lines.extend("· " + " ".join(i.split()) for i in s.items)
    if card.footer:
        lines.append(card.footer)
    return [plain(x) for x in lines if x]


def sub_title(card: Card, long_fields: list) -> str:
    """Whole lines only, as many as fit; the rest is counted and reached by tapping the card (its full view)."""
    lines, kept = _lines(card, long_fields), list[str]()
    for i, line in enumerate(lines):
        room = L.SUB_TITLE - (len(L.more_line(len(lines) - i - 1)) + 1 if i < len(lines) - 1 else 0)
        if len("\n".join([*kept, line])) > room:
            break
        kept.append(line)
    if not kept and lines:  # one line longer than the whole box: show its start, the rest is on the full view
        kept = [L.cut(lines[0], L.SUB_TITLE - len(L.more_line(len(lines))) - 1)]
        return "\n".join([*kept, L.more_line(len(lines) - 1 or 1)])
    left = len(lines) - len(kept)
    return "\n".join([*kept, L.more_line(left)] if left else kept)


def fit_markdown(text: str, link: str) -> tuple[str, bool]:
    """Keep whole lines within 4096 bytes, ending with a link to the rest when lines had to go."""
    if len(text.encode()) <= L.MARKDOWN_BYTES and link in text:
        return text, False
    tail = f"\n[{L.MORE_LINK}]({link})"
    lines = text.splitlines()
    while lines and len(("\n".join(lines) + tail).encode()) > L.MARKDOWN_BYTES:
        lines.pop()
    return L.cut_bytes("\n".join(lines) + tail, L.MARKDOWN_BYTES), True
