"""Card -> WeCom markdown_v2 for group-robot pushes whose card is a list of rows (团队周报's 每个人, 断点 Top N).

markdown_v2 adds tables, lists, links, images and dividers to markdown but drops `<font color>` and
`<@userid>` (wecom.md §4 and the community syntax guides); the limit stays 4096 bytes. A card is
tabular when consecutive sections carry the same field labels (断点: one section per item, each with
卡在哪一阶/谁负责/停了多久/何时解 — a row per section), or when a section's items all read
`name：key value · key value …` with the same keys (周报: a row per person). Rows that do not fit the bytes
are dropped from the end and counted in a "…" line, so the table never breaks mid-row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.core.cards import Card, Section
from bot.platforms.wecom.extras import limits as L
from cards.facts import facts, norm, shown
from cards.render import plain

MIN_ROWS = 3  # fewer rows read as well as a list in plain markdown
CELL = 24     # characters per cell: a long cell would push the table off a phone screen
_ROW_ITEM = re.compile(r"^([^：]{1,20})：(.+)$")
_LABELLED_LINK = re.compile(r"([^\s：:]+)[：:]\s*(https?://\S+)")


@dataclass
class Table:
    """Column names and rows, every cell already one short line; `covers` = the card texts it shows."""

    columns: list[str]
    rows: list[list[str]]
    covers: list[str] = field(default_factory=list)
    cut: bool = False  # some cell was longer than CELL


def _cell(text: str) -> str:
    """One table cell: a single line without pipes, cut to CELL characters."""
    return L.cut(" ".join(plain(text).split()).replace("|", "｜"), CELL) or " "


def _pairs(cell: str) -> list[tuple[str, str]]:
    """`赢 1 输 0` → [(赢, 1), (输, 0)]; `转化 33%` → [(转化, 33%)]; an odd count keeps the rest as one value."""
    words = cell.split()
    if len(words) % 2 == 0:
        return list(zip(words[::2], words[1::2], strict=True))
    return [(words[0], " ".join(words[1:]))]


def _item_table(section: Section) -> Table | None:
    """`name：k v · k v` items with the same keys in the same order → a table, else None."""
    matches = [_ROW_ITEM.match(" ".join(i.split())) for i in section.items]
    found = [m for m in matches if m is not None]
    if len(matches) < MIN_ROWS or len(found) != len(matches):
        return None
    rows = [[p for cell in m[2].split(" · ") for p in _pairs(cell)] for m in found]
    keys = [k for k, _ in rows[0]]
    if len(keys) < 2 or any([k for k, _ in row] != keys for row in rows):
        return None
    cells = [[m[1], *(v for _, v in row)] for m, row in zip(found, rows, strict=True)]
    return Table([section.title or "名称", *keys], [[_cell(c) for c in r] for r in cells],
                 covers=list(section.items), cut=_any_cut(c for r in cells for c in r))


def _field_table(run: list[Section]) -> Table:
    """Sections sharing their field labels → one row per section (title, fields, then the text)."""
    labels = [f.label for f in run[0].fields]
    texts = [s.text for s in run if s.text]
    heads = {t.split("：", 1)[0] for t in texts if "：" in t}
    text_col = (heads.pop() if len(heads) == 1 and all("：" in t for t in texts) else "说明") if texts else ""
    raw = [[s.title, *(f.value for f in s.fields)]
           + ([s.text.split("：", 1)[1] if text_col != "说明" else s.text] if text_col else []) for s in run]
    covers = [x for s in run for x in (s.title, s.text, *(y for f in s.fields for y in (f.label, f.value)))]
    return Table(["事项", *labels, *([text_col] if text_col else [])], [[_cell(c) for c in r] for r in raw],
                 covers=covers, cut=_any_cut(c for r in raw for c in r))


def _any_cut(cells) -> bool:
    return any(len(" ".join(plain(c).split())) > CELL for c in cells)


def _row_key(s: Section) -> tuple[str, ...]:
    """The field labels of a section that could be one table row (no items), else ()."""
    return () if s.items else tuple(f.label for f in s.fields)


def blocks(card: Card) -> list[str | Table]:
    """The card's sections in order, as markdown text blocks and tables."""
    out: list[str | Table] = []
    sections, i = card.sections, 0
    while i < len(sections):
        key, j = _row_key(sections[i]), i + 1
        while key and j < len(sections) and _row_key(sections[j]) == key:
            j += 1
        if j - i >= MIN_ROWS:
            out.append(_field_table(sections[i:j]))
        else:
            for s in sections[i:j]:
                out.extend(_section(s))
        i = j
    return out


def _section(s: Section) -> list[str | Table]:
    """A section as text (heading, text, fields as a list) followed by its table, or its items as a list."""
    table = _item_table(s)
    body = ([s.text.strip()] if s.text else []) + [f"- **{plain(f.label)}**：{plain(f.value)}" for f in s.fields]
    if table is None:
        body += [f"- {' '.join(i.split())}" for i in s.items]
    lines = [f"**{plain(s.title)}**", *body] if s.title and (body or table is None) else body
    text: list[str | Table] = ["\n".join(lines)] if lines else []
    return text + ([table] if table is not None else [])


def complete(card: Card, text: str) -> bool:
    """Say whether `text` (this module's rendering of `card`) shows every fact: each table whole, uncut."""
    parts = blocks(card)
    tables = [p for p in parts if isinstance(p, Table)]
    if any(t.cut or any(f"| {' | '.join(r)} |" not in text for r in t.rows) for t in tables):
        return False
    covered = {norm(x) for t in tables for x in t.covers}
    blob = shown({"t": text})
    return all(f in blob or f in covered for f in facts(card))


def tabular(card: Card) -> bool:
    """Say whether the card has a table of at least MIN_ROWS rows (then markdown_v2 reads better)."""
    return any(isinstance(b, Table) for b in blocks(card))


def _links(text: str) -> str:
    """`完整周报：https://…` → `[完整周报](https://…)`."""
    return _LABELLED_LINK.sub(lambda m: f"[{m[1]}]({m[2]})", text)


def _table_lines(t: Table, keep: int) -> list[str]:
    head = [f"| {' | '.join(_cell(c) for c in t.columns)} |", "|" + " --- |" * len(t.columns)]
    rows = [f"| {' | '.join(r)} |" for r in t.rows[:keep]]
    rest = [f"{L.ELLIPSIS}另有 {len(t.rows) - keep} 行未列出"] if keep < len(t.rows) else []
    return head + rows + rest


def render(card: Card, icon: str = "", more: str = "") -> str:
    """Render a Card as markdown_v2 within 4096 bytes, dropping table rows from the end when it must.

    With `more` (the card's full-view URL) the text ends with a link to it; the caller then fits the
    text by whole lines (render.fit_markdown), so the link survives even when the fixed text is long.
    """
    parts = blocks(card)
    top = [f"# {icon}{plain(card.title)}"] + ([f"> {plain(card.subtitle)}"] if card.subtitle else [])
    tail = ["---", _links(plain(card.footer))] if card.footer else []
    if more:
        tail += [f"[{L.MORE_LINK}]({more})"]
    keep = {id(t): 0 for t in parts if isinstance(t, Table)}
    # The fixed text plus every table's header and "…" line is paid first; rows fill what is left, in order.
    text = _join(top, parts, keep, tail)
    budget = L.MARKDOWN_BYTES - len(text.encode())
    for t in (p for p in parts if isinstance(p, Table)):
        for row in t.rows:
            cost = len(f"| {' | '.join(row)} |\n".encode())
            if cost > budget:
                break
            budget -= cost
            keep[id(t)] += 1
    if more:
        return _join(top, parts, keep, tail)
    return L.cut_bytes(_join(top, parts, keep, tail), L.MARKDOWN_BYTES)


def _join(top: list[str], parts: list[str | Table], keep: dict[int, int], tail: list[str]) -> str:
    body = ["\n".join(_table_lines(p, keep[id(p)])) if isinstance(p, Table) else _links(p) for p in parts]
    return "\n\n".join(x for x in ["\n".join(top), *body, "\n".join(tail)] if x).strip()
