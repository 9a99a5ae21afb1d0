"""The monthly dashboard's plain-Chinese deviations from the team average (no I/O).

Each comparable value of a rep is set against the team's average of the same value: pct = (mine − avg) / avg.
The sentence names the biggest deviation above and the biggest below, e.g.
"您的签单额高于团队均值37%，但新客户开发量低于均值52%".
"""

from __future__ import annotations

from dataclasses import dataclass

from sales.scorecard import HEALTH, LABELS, NO_DATA, RESULTS

MIN_GAP = 0.05  # deviations under 5% are "about average", not worth a sentence


@dataclass(frozen=True)
class Deviation:
    """One value's distance from the team average, as a share of the average."""

    key: str
    mine: float
    average: float
    pct: float

    @property
    def label(self) -> str:
        """Return the indicator's Chinese name."""
        return LABELS[self.key]


def deviations(mine: dict[str, float | None], average: dict[str, float | None]) -> list[Deviation]:
    """Return the deviations of every value both sides have, biggest first."""
    out = []
    for key, value in mine.items():
        avg = average.get(key)
        if value is None or avg is None or avg == 0 or key not in LABELS:
            continue
        out.append(Deviation(key, value, avg, (value - avg) / abs(avg)))
    order = {k: i for i, k in enumerate(RESULTS + HEALTH)}  # ties: results first, in the scorecard's order
    return sorted(out, key=lambda d: (-round(abs(d.pct), 6), order[d.key]))


def sentence(devs: list[Deviation]) -> str:
    """Say the biggest deviation above and below the team average in one sentence."""
    big = [d for d in devs if abs(d.pct) >= MIN_GAP]
    if not devs:
        return f"本月{NO_DATA}，下个月有了签单、线索或客户反馈后再来对比。"
    if not big:
        return "您的各项指标都和团队均值相差不到5%。"
    up = next((d for d in big if d.pct > 0), None)
    down = next((d for d in big if d.pct < 0), None)
    if up and down:
        return f"您的{up.label}高于团队均值{_pct(up)}，但{down.label}低于均值{_pct(down)}。"
    first, second = big[0], (big[1] if len(big) > 1 else None)
    word = "高于" if first.pct > 0 else "低于"
    tail = f"，{second.label}也{word}均值{_pct(second)}" if second else ""
    return f"您的{first.label}{word}团队均值{_pct(first)}{tail}。"


def biggest(devs: list[Deviation]) -> str:
    """Name the single biggest deviation, e.g. "最大偏差：新客户开发量低于团队均值52%"."""
    if not devs:
        return f"最大偏差：{NO_DATA}"
    d = devs[0]
    return f"最大偏差：{d.label}{'高于' if d.pct > 0 else '低于'}团队均值{_pct(d)}"


def _pct(d: Deviation) -> str:
    return f"{round(abs(d.pct) * 100)}%"
