"""The scorecard in words: each indicator with the member's own numbers, and the formula filled in (no I/O)."""

from __future__ import annotations

from sales.scorecard import HEALTH, LABELS, NO_DATA, RESULTS, Indicator, Scorecard


def value_text(ind: Indicator) -> str:
    """Say an indicator's value and what it is compared with, in the member's own numbers."""
    v, ref = ind.value, ind.reference
    if ind.key == "stage_progress":
        return NO_DATA if v is None else f"平均每阶段 {v:.1f} 天（对照行业标准天数）"
    if ind.score is None or v is None or ref is None:  # a score is only ever computed from a value and a reference
        return NO_DATA
    match ind.key:
        case "signed_amount":
            return f"¥{v:,.0f}（团队均值 ¥{ref:,.0f}）"
        case "new_customers" | "wins":
            return f"{v:.0f} 个（团队均值 {ref:.1f}）"
        case "conversion":
            return f"{v:.1%}（行业基准 {ref:.1%}）"
        case "nps":
            return f"{v:.0f}（行业基准 {ref:.0f}）"
        case "new_customer_development":
            return f"{v:.0%}（目标 {ref:.0%}）"
        case "retention":
            return f"{v:.0%}（上期 {ref:.0f} 个老客户，流失 {round((1 - v) * ref)} 个）"
    return f"{v}"


def indicator_lines(card: Scorecard) -> list[str]:
    """Return one line per indicator: value, score and weight (or 暂无数据)."""
    out = []
    for key in RESULTS + HEALTH:
        ind = card.indicators[key]
        group = "结果" if key in RESULTS else "健康"
        score = NO_DATA if ind.score is None else f"{ind.score:.1f} 分"
        out.append(f"[{group}] {LABELS[key]}：{value_text(ind)} → {score} × 权重 {ind.weight:.2f}")
    return out


def formula_lines(card: Scorecard) -> list[str]:
    """Return the formula with the member's numbers: R, H and the total (or why there is none)."""
    hw = card.health_weight
    r = NO_DATA if card.result_score is None else f"{card.result_score:.1f}"
    h = NO_DATA if card.health_score is None else f"{card.health_score:.1f}"
    lines = [f"结果分 = 结果指标按权重的加权平均 = {r}", f"健康分 = 健康指标按权重的加权平均 = {h}"]
    if card.total is None:
        return [*lines, f"总分 = 结果分 × {1 - hw:.2f} + 健康分 × {hw:.2f} = {NO_DATA}"]
    return [*lines, f"总分 = 结果分 × {1 - hw:.2f} + 健康分 × {hw:.2f} = {card.result_score:.1f} × {1 - hw:.2f} + "
                    f"{card.health_score:.1f} × {hw:.2f} = {card.total:.1f}"]
