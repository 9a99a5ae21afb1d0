"""A server-rendered SVG heatmap whose cells are links: a tap opens the cell's records (no hover, no script)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

CELL_W, CELL_H, LEFT, TOP = 58, 30, 86, 64


def shade(value: int, peak: int) -> str:
    """White for nothing, through orange to deep red at the peak value."""
    if not value or not peak:
        return "#f4f6f8"
    t = min(value / peak, 1.0)
    low, high = (255, 224, 178), (198, 40, 40)
    return "#" + "".join(f"{round(a + (b - a) * t):02x}" for a, b in zip(low, high, strict=True))


def heatmap(rows: Sequence[str], cols: Sequence[str], value: Callable[[int, int], int], anchor: str,
            row_link: Callable[[str], str] | None = None, label: str = "") -> str:
    """Draw rows × cols; each non-empty cell links to `#<anchor>-<row>-<col>`; row labels may link elsewhere."""
    peak = max((value(i, j) for i in range(len(rows)) for j in range(len(cols))), default=0)
    width, height = LEFT + CELL_W * max(len(cols), 1) + 4, TOP + CELL_H * max(len(rows), 1) + 4
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
           f'height="{height}" font-size="12" font-family="sans-serif" role="img" aria-label="{escape(label)}">']
    for j, col in enumerate(cols):
        x = LEFT + CELL_W * j + CELL_W // 2
        out.append(f'<text transform="translate({x},{TOP - 6}) rotate(-40)">{escape(col[:7])}</text>')
    for i, row in enumerate(rows):
        y = TOP + CELL_H * i
        name = f'<text x="2" y="{y + 19}">{escape(row[:6])}</text>'
        out.append(f'<a href="{escape(row_link(row))}">{name}</a>' if row_link else name)
        for j in range(len(cols)):
            out.append(_cell(i, j, value(i, j), peak, anchor, LEFT + CELL_W * j, y))
    return "".join(out) + "</svg>"


def _cell(i: int, j: int, v: int, peak: int, anchor: str, x: int, y: int) -> str:
    rect = f'<rect x="{x}" y="{y}" width="{CELL_W - 2}" height="{CELL_H - 2}" rx="3" fill="{shade(v, peak)}"/>'
    if not v:
        return rect
    colour = "#fff" if peak and v / peak > 0.6 else "#222"
    text = f'<text x="{x + CELL_W // 2 - 1}" y="{y + 19}" text-anchor="middle" fill="{colour}">{v}</text>'
    return f'<a href="#{anchor}-{i}-{j}">{rect}{text}</a>'
