"""`salesbot grading backtest`: train the LTV model on the first part of the order history, compare with what followed.

The cut-off splits the span between the first and the last usable order (`split`, default 0.7). The model
(and, for comparison, the trend model alone) predicts every customer's orders and spend over the rest of the
span from what was known at the cut-off; the figures compare the predictions with the orders that came.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot.config.sales_sections import GradingConfig
from bot.core.lazy import library
from sales.ltv_model import OrderStats, predict
from storage.models import Order
from storage.repos import grading_inputs as inputs

if TYPE_CHECKING:
    import numpy as np
else:
    np = library("numpy")

WEEK = 7 * 86400


@dataclass
class Backtest:
    """Error figures of one backtest (spend in yuan)."""

    cutoff: datetime
    end: datetime
    customers: int
    model: str
    actual_orders: float
    predicted_orders: float
    actual_spend: float
    predicted_spend: float
    mae_orders: float
    mae_spend: float
    trend_predicted_spend: float
    trend_mae_spend: float

    def lines(self) -> list[str]:
        """Say the figures in plain words, one per line."""
        def pct(p: float, a: float) -> str:
            return f"{(p - a) / a:+.1%}" if a else "—"
        return [f"训练截止 {self.cutoff:%Y-%m-%d}，对比 {self.cutoff:%Y-%m-%d} 至 {self.end:%Y-%m-%d} 的实际订单；"
                f"{self.customers} 位截止前有订单的客户；模型：{self.model}",
                f"订单数：预测 {self.predicted_orders:,.1f}，实际 {self.actual_orders:,.0f}，"
                f"总量误差 {pct(self.predicted_orders, self.actual_orders)}，"
                f"每位客户平均绝对误差 {self.mae_orders:.2f} 单",
                f"金额：预测 {self.predicted_spend:,.0f} 元，实际 {self.actual_spend:,.0f} 元，"
                f"总量误差 {pct(self.predicted_spend, self.actual_spend)}，"
                f"每位客户平均绝对误差 {self.mae_spend:,.0f} 元",
                f"对照（只用趋势模型）：预测 {self.trend_predicted_spend:,.0f} 元，"
                f"总量误差 {pct(self.trend_predicted_spend, self.actual_spend)}，"
                f"每位客户平均绝对误差 {self.trend_mae_spend:,.0f} 元"]


async def _span(session: AsyncSession, now: datetime) -> tuple[datetime | None, datetime | None]:
    at = col(Order.ordered_at)
    ok = and_(col(Order.amount) > 0, at <= now)
    first, last = (await session.execute(select(func.min(at), func.max(at)).where(ok))).one()
    return first, last


async def run(session: AsyncSession, cfg: GradingConfig, now: datetime, split: float = 0.7) -> Backtest | str:
    """Run the backtest; return its figures, or a sentence saying why it cannot run yet."""
    first, last = await _span(session, now)
    if first is None or last is None or (last - first).days < 60:  # both are None, or neither
        return "订单历史太短（少于两个月）或还没有订单：先导入订单（salesbot import orders FILE），再做回测。"
    cutoff = first + (last - first) * split
    rows = [r for r in await inputs.orders(session, cutoff) if r[1]]
    if len(rows) < 5:
        return "截止日前下过单的客户少于 5 位，回测没有意义：导入更长的订单历史后再试。"
    ids = [r[0] for r in rows]
    col = lambda k: np.array([float(r[k] or 0) for r in rows])  # noqa: E731
    age = lambda k: np.array([(cutoff.timestamp() - r[k]) / WEEK for r in rows])  # noqa: E731
    stats = OrderStats(col(1), age(2), age(3), col(4), col(5), col(6), np.zeros(len(rows)))
    horizon = (last - cutoff).total_seconds() / WEEK
    actual = await _after(session, cutoff, last)
    a_orders = np.array([actual.get(c, (0, 0))[0] for c in ids], dtype=float)
    a_spend = np.array([actual.get(c, (0, 0))[1] for c in ids], dtype=float)
    model = predict(stats, horizon, 0.0, cfg.min_fit_customers, cfg.trend_cap)
    trend = predict(stats, horizon, 0.0, 10**9, cfg.trend_cap)
    name = "BG/NBD + Gamma-Gamma" if "bgnbd" in model.params else "趋势模型（客户太少，未拟合）"
    return Backtest(cutoff, last, len(ids), name, float(a_orders.sum()), float(model.expected_orders.sum()),
                    float(a_spend.sum()), float(model.ltv.sum()),
                    float(np.abs(model.expected_orders - a_orders).mean()), float(np.abs(model.ltv - a_spend).mean()),
                    float(trend.ltv.sum()), float(np.abs(trend.ltv - a_spend).mean()))


async def _after(session: AsyncSession, cutoff: datetime, end: datetime) -> dict[int, tuple[int, float]]:
    customer, amount, at = col(Order.customer_id), col(Order.amount), col(Order.ordered_at)
    stmt = (select(customer, func.count(), func.sum(amount))
            .where(amount > 0, at > cutoff, at <= end).group_by(customer))
    return {c: (int(k), float(v or 0)) for c, k, v in (await session.execute(stmt)).all()}
