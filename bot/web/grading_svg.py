"""The grading board's quadrant scatter as server-rendered SVG (activity → right, predicted value → up)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from html import escape

from storage.repos.grading_board import Dot

W, H, PAD = 340, 300, 30  # fits a 375 px phone screen with the page margins
COLOURS = {"战略伙伴": "#1a9850", "高潜成长": "#4575b4", "稳定续费": "#fdae61", "休眠唤醒": "#d73027", "": "#999999"}


def _scale(value: float, top: float, span: int) -> float:
    """Log-scale a value into 0..span (values span orders of magnitude)."""
    return span * math.log1p(max(value, 0)) / math.log1p(top) if top > 0 else 0.0


def scatter(dots: Sequence[Dot], value_line: float, activity_line: float, link: Callable[[int], str]) -> str:
    """Draw one team's customers; the dashed lines are the value and activity thresholds."""
    top_a = max([d.activity for d in dots] + [activity_line, 1.0])
    top_v = max([d.ltv for d in dots] + [value_line, 1.0])
    x = lambda a: PAD + _scale(a, top_a, W - PAD - 10)  # noqa: E731
    y = lambda v: H - PAD - _scale(v, top_v, H - PAD - 10)  # noqa: E731
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="100%" style="max-width:{W}px" '
           'font-size="11" font-family="sans-serif" role="img" aria-label="客户分级象限图">',
           f'<line x1="{PAD}" y1="{H - PAD}" x2="{W - 5}" y2="{H - PAD}" stroke="#333"/>',
           f'<line x1="{PAD}" y1="5" x2="{PAD}" y2="{H - PAD}" stroke="#333"/>',
           f'<line x1="{x(activity_line):.1f}" y1="5" x2="{x(activity_line):.1f}" y2="{H - PAD}" stroke="#888" '
           'stroke-dasharray="4 3"/>',
           f'<line x1="{PAD}" y1="{y(value_line):.1f}" x2="{W - 5}" y2="{y(value_line):.1f}" stroke="#888" '
           'stroke-dasharray="4 3"/>',
           f'<text x="{W - 5}" y="{H - 8}" text-anchor="end">活跃度 →</text>',
           '<text x="4" y="14">价值 ↑</text>']
    for d in dots:
        tip = escape(f"{d.name}（{d.owner}）{d.grade or '未分级'}：价值 {d.ltv:,.0f} 元，活跃度 {d.activity:.1f}")
        out.append(f'<a href="{escape(link(d.id))}"><circle cx="{x(d.activity):.1f}" cy="{y(d.ltv):.1f}" r="4" '
                   f'fill="{COLOURS.get(d.grade, "#999999")}" fill-opacity="0.8"><title>{tip}</title></circle></a>')
    out.append("</svg>")
    return "".join(out)
