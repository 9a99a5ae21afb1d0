"""The monthly scorecard and bonus statement of every rep as CSV (UTF-8 with BOM, opens in Excel) or XLSX.

`export_scorecards` is a plain async function; `salesbot export scorecards` reaches it through the export
registry (flows/exports.py). It only reads: the deferrals are recorded by the monthly_dashboard job.
"""

from __future__ import annotations

import csv
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.core.lazy import library
from flows.bonus import previous_month, statements
from storage.db import Database
from storage.repos import scorecards as repo

if TYPE_CHECKING:
    import openpyxl
else:
    openpyxl = library("openpyxl")

HEADER = ["成员", "月份", "签单额", "提成比例", "提成", "新客户数", "每个新客户奖金", "新客户奖金", "结果分", "健康分",
          "健康系数", "奖金合计", "递延金额", "递延客户", "本月释放", "释放客户", "本月应发", "总分"]


def _cell(value: float | None) -> float | str:
    return "暂无数据" if value is None else round(value, 1)


async def rows(db: Database, settings: Settings, month: str) -> list[list]:
    """Return one statement row per active rep, every term of the bonus formula in its own column."""
    async with db.sessions() as session:
        return await _rows(session, settings, month)


async def _rows(session: AsyncSession, settings: Settings, month: str) -> list[list]:
    reps = await repo.reps(session)
    stm, scored = await statements(session, settings, month, reps)
    out = []
    for r in reps:
        s, card = stm[r.id], scored.cards[r.id]
        out.append([r.name, month, s.signed_amount, s.rules.commission_rate, round(s.commission, 2), s.new_customers,
                    s.rules.new_customer_bonus, s.new_part, _cell(card.result_score), _cell(card.health_score),
                    s.multiplier, s.gross, s.deferred, "、".join(d.customer for d in s.pending), s.released_total,
                    "、".join(d.customer for d in s.released), s.payable, _cell(card.total)])
    return out


async def export_rows(session: AsyncSession, settings: Settings, options: dict[str, Any]) -> AsyncIterator[list]:
    """The export registry's exporter: last month's statements (or options["month"], YYYY-MM), header first."""
    month = options.get("month") or previous_month(datetime.now(settings.tz), settings.tz)
    yield HEADER
    for row in await _rows(session, settings, month):
        yield row


async def export_scorecards(db: Database, settings: Settings, out: Path, fmt: str = "csv",
                            month: str | None = None, now: datetime | None = None) -> Path:
    """Write the statements of `month` (default: last month) to `out` as csv or xlsx; return the path."""
    month = month or previous_month(now or datetime.now(settings.tz), settings.tz)
    data = await rows(db, settings, month)
    out = Path(out)
    if fmt == "xlsx":
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = f"计分卡{month}"
        sheet.append(HEADER)
        for row in data:
            sheet.append(row)
        book.save(out)
    elif fmt == "csv":
        with out.open("w", encoding="utf-8-sig", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(HEADER)
            writer.writerows(data)
    else:
        raise ValueError(f"unknown format {fmt!r}; use csv or xlsx")
    return out
