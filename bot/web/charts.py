"""Small server-rendered SVG charts for the scorecard pages: no script, scale to any width (375 px phones)."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

WIDTH, ROW, LABEL_W = 340, 26, 104
MINE, TEAM = "#2f80ed", "#bdbdbd"


def bars(rows: Sequence[tuple[str, float | None, float | None]], title: str) -> Markup:
    """Horizontal bars 0–100 per row: mine (blue) over the team's average (grey); "暂无数据" where None."""
    height = ROW * len(rows) + 24
    span = WIDTH - LABEL_W - 34
    parts = [f'<svg viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(title)}" '
             f'xmlns="http://www.w3.org/2000/svg" font-size="11">']
    for i, (label, mine, team) in enumerate(rows):
        y = i * ROW + 4
        parts.append(f'<text x="0" y="{y + 13}">{escape(label)}</text>')
        if team is not None:
            w = span * team / 100
            parts.append(f'<rect x="{LABEL_W}" y="{y + 12}" width="{w:.1f}" height="6" fill="{TEAM}"/>')
        if mine is None:
            parts.append(f'<text x="{LABEL_W}" y="{y + 10}" fill="#999">暂无数据</text>')
        else:
            w = span * mine / 100
            parts.append(f'<rect x="{LABEL_W}" y="{y + 2}" width="{w:.1f}" height="9" fill="{MINE}"/>'
                         f'<text x="{LABEL_W + w + 3:.1f}" y="{y + 10}">{mine:.0f}</text>')
    legend = height - 6
    parts.append(f'<rect x="0" y="{legend - 8}" width="10" height="8" fill="{MINE}"/>'
                 f'<text x="14" y="{legend}">我</text>'
                 f'<rect x="40" y="{legend - 8}" width="10" height="8" fill="{TEAM}"/>'
                 f'<text x="54" y="{legend}">团队均值</text></svg>')
    return Markup("".join(parts))


def trend(points: Sequence[tuple[str, float | None]], title: str, lines: Sequence[float] = ()) -> Markup:
    """A 0–100 line of weekly totals with dashed threshold lines; gaps where a week had no data."""
    height, left, top, plot_h = 130, 26, 8, 96
    n = max(len(points), 2)
    step = (WIDTH - left - 8) / (n - 1)
    parts = [f'<svg viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(title)}" '
             f'xmlns="http://www.w3.org/2000/svg" font-size="10">']
    for v in (0, 50, 100):
        y = top + plot_h * (1 - v / 100)
        parts.append(f'<text x="0" y="{y + 3:.1f}">{v}</text><line x1="{left}" x2="{WIDTH}" y1="{y:.1f}" '
                     f'y2="{y:.1f}" stroke="#eee"/>')
    for level in lines:
        y = top + plot_h * (1 - level / 100)
        parts.append(f'<line x1="{left}" x2="{WIDTH}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e0a800" '
                     f'stroke-dasharray="4 3"/>')
    xy = [(left + i * step, top + plot_h * (1 - v / 100)) for i, (_, v) in enumerate(points) if v is not None]
    if xy:
        parts.append('<polyline fill="none" stroke="#2f80ed" stroke-width="2" points="'
                     + " ".join(f"{x:.1f},{y:.1f}" for x, y in xy) + '"/>')
        parts += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="#2f80ed"/>' for x, y in xy]
    else:
        parts.append(f'<text x="{left + 8}" y="{top + plot_h / 2}" fill="#999">暂无数据</text>')
    if points:
        parts.append(f'<text x="{left}" y="{height - 4}">{escape(points[0][0])}</text>'
                     f'<text x="{WIDTH}" y="{height - 4}" text-anchor="end">{escape(points[-1][0])}</text>')
    return Markup("".join(parts) + "</svg>")
