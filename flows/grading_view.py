"""Assemble what 分级 <客户> and the customer page show: the stored score, its reason and the grade's ask."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config.sales_sections import GradingConfig
from cards.views import GradeView
from flows.grading_compute import explain, weights
from flows.grading_tasks import cadence_rules
from storage.models import Customer
from storage.repos import grading as repo

NOT_YET = "还没算过分级：每天早上自动计算。"


def asks(cfg: GradingConfig, grade: str) -> str:
    """Say what a grade asks of the rep, from the cadence rules."""
    rule = cadence_rules(cfg).get(grade)
    if not rule:
        return "还没有分级：每天早上自动分级后，这里会写明要做的事。"
    return f"每 {rule['days']} 天至少 {rule['count']} 次{rule['what']}；做不到时会进你的今日必做。"


async def grade_view(session: AsyncSession, cfg: GradingConfig, customer_id: int, tz: ZoneInfo,
                     now: datetime) -> tuple[int | None, GradeView] | None:
    """Return (owner id, view) of a customer's grade, or None when there is no such customer."""
    customer = await session.get(Customer, customer_id)
    if customer is None:
        return None
    score = await repo.score_of(session, customer_id)
    history = await repo.history_of(session, customer_id, 1)
    reason = history[0].reason if history else ""
    if score is None:
        view = GradeView(customer.name, customer.grade, "", reason, 0, {}, {}, 0, 0, 0, "none", 0, 0, 0,
                         asks(cfg, customer.grade), "—", skipped="" if customer.grade else NOT_YET)
        return customer.owner_id, view
    computed = score.computed_at.astimezone(tz).strftime("%m-%d %H:%M") if score.computed_at else "—"
    parts = await explain(session, cfg, now, customer_id)
    view = GradeView(customer.name, customer.grade, score.quadrant, reason, score.activity, parts, weights(cfg),
                     score.ltv, score.ltv_orders, score.ltv_pipeline, score.model, score.expected_orders,
                     score.p_alive, score.growth, asks(cfg, customer.grade), computed,
                     [n for n in score.notes.split("；") if n], score.skipped)
    return customer.owner_id, view
