"""`salesbot export NAME`: the exporter registry (name → exporter) and the streamed CSV / XLSX writers.

An exporter is a plain async generator function `exporter(session, settings, options) -> AsyncIterator[Sequence]`
that yields the header first, then one row per record, read from a streamed query — so 1M rows never sit in
memory. Other modules add theirs with one line in EXPORTERS. `churn-features` is not a table export but an
analysis with conclusions on stdout; bot/cli/lifecycle.py sends it to flows/churn.py.
"""

from __future__ import annotations

import csv
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from flows import scorecard_export, tabular
from sales.lead_life import status_label
from sales.stages import pipeline_from_config
from storage.repos import exports as repo

Exporter = Callable[[AsyncSession, Settings, dict[str, Any]], AsyncIterator[Sequence[Any]]]


def _iso(at: datetime | None, settings: Settings) -> str:
    return at.astimezone(settings.tz).isoformat(timespec="seconds") if at else ""


async def customers(session: AsyncSession, settings: Settings, options: dict[str, Any]) -> AsyncIterator[list]:
    """Customers in the columns `salesbot import customers` reads (plus grade and in_pool)."""
    names = await repo.member_names(session)
    yield ["customer", "industry", "region", "owner", "mobile", "contact", "source", "created_at", "grade", "in_pool"]
    async for r in repo.customers(session):
        yield [r.name, r.industry, r.region, names.get(r.owner_id, ""), r.mobile or "", r.contact or "", "",
               _iso(r.created_at, settings), r.grade, 1 if r.in_pool else 0]


async def orders(session: AsyncSession, settings: Settings, options: dict[str, Any]) -> AsyncIterator[list]:
    """Orders in the columns `salesbot import orders` reads (plus the credited owner)."""
    names = await repo.member_names(session)
    yield ["customer", "amount", "ordered_at", "product", "accepted_at", "owner"]
    async for r in repo.orders(session):
        yield [r.name, r.amount, _iso(r.ordered_at, settings), r.product, _iso(r.accepted_at, settings),
               names.get(r.owner_id, "")]


async def leads(session: AsyncSession, settings: Settings, options: dict[str, Any]) -> AsyncIterator[list]:
    """Leads with status (value and Chinese word), owner, customer and the first-response clock."""
    names = await repo.member_names(session)
    yield ["id", "status", "status_label", "owner", "customer", "channel", "source", "contact", "mobile", "need",
           "received_at", "first_response_due_at", "first_response_at"]
    async for r in repo.leads(session):
        yield [r.id, r.status, status_label(r.status), names.get(r.owner_id, ""), r.name or "", r.channel,
               r.source, r.contact_name, r.mobile, r.need, _iso(r.received_at, settings),
               _iso(r.first_response_due_at, settings), _iso(r.first_response_at, settings)]


async def opportunities(session: AsyncSession, settings: Settings, options: dict[str, Any]) -> AsyncIterator[list]:
    """Opportunities with the stage's Chinese name."""
    names, pipe = await repo.member_names(session), pipeline_from_config(settings.opportunities.stages)
    yield ["id", "customer", "stage", "owner", "budget", "amount", "status", "created_at", "closed_at"]
    async for r in repo.opportunities(session):
        stage = pipe.stage_name(r.status if r.status != "open" else r.stage)
        yield [r.id, r.name, stage, names.get(r.owner_id, ""), r.budget_text, r.amount, r.status,
               _iso(r.created_at, settings), _iso(r.closed_at, settings)]


EXPORTERS: dict[str, Exporter] = {"customers": customers, "leads": leads, "opportunities": opportunities,
                                  "orders": orders, "scorecards": scorecard_export.export_rows}


async def export(session: AsyncSession, settings: Settings, name: str, fmt: str, out: Path,
                 options: dict[str, Any] | None = None) -> int:
    """Stream one exporter into a CSV (UTF-8 with BOM) or XLSX file; return the row count."""
    rows = EXPORTERS[name](session, settings, options or {})
    header = await anext(rows)
    if fmt == "xlsx":
        book, n = tabular.XlsxWriter(header), 0
        async for row in rows:
            book.append(row)
            n += 1
        book.save(out)
        return n
    with out.open("w", encoding="utf-8", newline="") as fh:
        fh.write("\ufeff")
        writer = csv.writer(fh)
        writer.writerow(header)
        n = 0
        async for row in rows:
            writer.writerow(["" if v is None else v for v in row])
            n += 1
    return n
