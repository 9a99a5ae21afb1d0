"""Find the line of a TOML pack a problem is on, so a load error can say "line 42" (tomllib keeps no positions).

A path walks the pack the way the checker does: ("scenario", 2, "strategy", 0, "actions", 1) is the
second action of the first strategy of the third `[[scenario]]`. The search is textual and tolerant:
when a step cannot be found, the line of the deepest step that was found is returned.
"""

from __future__ import annotations

import re

_HEADER = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_.\-]+)\s*\]\]?")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'[^\']*\'')


def _headers(lines: list[str]) -> list[tuple[int, str]]:
    return [(i, m.group(1)) for i, line in enumerate(lines) if (m := _HEADER.match(line))]


def _block_end(headers: list[tuple[int, str]], start: int, name: str, limit: int) -> int:
    """First header after `start` that is neither this table nor nested in it."""
    return next((i for i, h in headers if start < i < limit and not h.startswith(name + ".")), limit)


def _field_line(lines: list[str], headers: list[tuple[int, str]], start: int, end: int, field: str) -> int | None:
    """The line of `field = …` among the table's own keys (before its first sub-table)."""
    own_end = next((i for i, _ in headers if start < i < end), end)
    pattern = re.compile(rf"^\s*{re.escape(field)}\s*=")
    return next((i for i in range(start, own_end) if pattern.match(lines[i])), None)


def _item_line(lines: list[str], at: int, index: int) -> int:
    """The line holding item `index` of the array that starts on line `at`."""
    first = lines[at].split("=", 1)[-1]
    tables = "{" in "".join(lines[at:at + 3])
    seen = 0
    for i in range(at, len(lines)):
        text = first if i == at else lines[i]
        if i > at and (_HEADER.match(text) or re.match(r"^\s*[A-Za-z0-9_]+\s*=", text)):
            break
        seen += text.count("{") if tables else len(_STRING.findall(text))
        if seen > index:
            return i
    return at


def locate(source: str, path: tuple[str | int, ...]) -> int:
    """Return the 1-based line of the pack where `path` is (the nearest found ancestor when it is missing)."""
    lines = source.splitlines()
    headers = _headers(lines)
    start, end, prefix, best, i = 0, len(lines), "", 0, 0
    while i < len(path):
        step = path[i]
        name = f"{prefix}.{step}" if prefix else str(step)
        after = path[i + 1] if i + 1 < len(path) else None
        nth = after if isinstance(after, int) else None
        matches = [h for h, n in headers if n == name and start <= h < end]
        if matches:
            pick = matches[min(nth or 0, len(matches) - 1)]
            start, end, prefix, best = pick, _block_end(headers, pick, name, end), name, pick
            i += 2 if nth is not None else 1
            continue
        found = _field_line(lines, headers, start, end, str(step))
        if found is None:
            break
        best = _item_line(lines, found, nth) if nth is not None else found
        break
    return best + 1
