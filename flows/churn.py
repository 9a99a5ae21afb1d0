"""流失分析 / `salesbot export churn-features`: what the customers lost in the last N days share.

A customer counts as lost in [now − days, now] when its latest deal was lost then, a pool reclaim or a
deleted WeCom contact happened then (customer_event `reclaimed` / `contact_deleted`), or its usual order cycle
ran out then (2+ orders and 1.5 × the average gap since the last one). Every other customer is kept.
The statistics are sales/churn.py's; this module turns facts into factor values, writes CSV/XLSX, prints.
"""

from __future__ import annotations

import csv
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.lazy import library
from sales import churn
from sales.stages import DEFAULT, Pipeline
from storage.db import Database
from storage.repos import churn as repo
from storage.repos.churn import Facts

if TYPE_CHECKING:
    import openpyxl
else:
    openpyxl = library("openpyxl")

HEADER = ("因素", "取值", "流失客户数", "保留客户数", "流失率", "流失客户占比", "保留客户占比", "提升倍数")


def lost_way(f: Facts, since: datetime, now: datetime) -> str:
    """Return how the customer was lost in the window ("deal_lost", "reclaimed", …) or "" when kept."""
    if f.opp and f.opp[0] == "lost" and f.opp[3] and since <= f.opp[3] <= now:
        return "deal_lost"
    if f.churn_event:
        return f.churn_event[0]
    n, first, last = f.orders
    if n >= 2 and first and last and since <= last + (last - first) / (n - 1) * 1.5 <= now:
        return "order_overdue"
    return ""


def _touch(last: datetime | None, now: datetime) -> str:
    if last is None:
        return "从没互动过"
    days = (now - last).days
    return "7天内有互动" if days <= 7 else "8-30天没互动" if days <= 30 else "31-90天没互动" if days <= 90 \
        else "超过90天没互动"


def _stage(f: Facts, now: datetime, stages: dict[str, tuple[str, int]]) -> str:
    if f.opp is None:
        return "没有商机"
    status, stage, entered, _ = f.opp
    name, bench = stages.get(stage, (stage, None))
    if status == "lost":
        return f"卡在{name}"
    if status == "open" and entered and bench is not None and (now - entered).days > bench:
        return f"卡在{name}"
    return "已赢单" if status == "won" else "推进正常"


def stage_table(pipe: Pipeline) -> dict[str, tuple[str, int]]:
    """Each stage key's (Chinese name, benchmark days), looked up once per customer."""
    return {s.key: (s.name, s.benchmark_days) for s in pipe.stages}


def values(f: Facts, now: datetime, owners: dict[int, tuple[int, int, bool]],
           stages: dict[str, tuple[str, int]]) -> dict[str, str]:
    """Turn one customer's facts into its factor values (the keys of sales.churn.FACTORS)."""
    owner = f.owner_id if f.owner_id is not None else (f.churn_event[2] if f.churn_event else None)
    load, cap, new = owners.get(owner, (0, 0, False)) if owner is not None else (0, 0, False)
    share = load / cap if cap else 0
    n = f.orders[0]
    return {"industry": f.industry or "未填行业", "region": f.region or "未填地区", "source": f.source or "无线索记录",
            "grade": f.grade or "未评级",
            "load": "无负责人" if owner is None else "过半以下" if share < 0.5 else "五到九成" if share < 0.9
            else "接近满载",
            "breach": "首次响应超时过" if f.breached else "首次响应及时", "stage": _stage(f, now, stages),
            "touch": _touch(f.last_touch, now),
            "new_owner": "无负责人" if owner is None else "新人" if new else "老销售",
            "orders": "没下过单" if n == 0 else "下过1单" if n == 1 else "下过2单以上"}


async def analyse(db: Database, days: int, now: datetime, pipe: Pipeline = DEFAULT,
                  member_ids: list[int] | None = None) -> churn.Analysis:
    """Read the facts and compute the churn features of the last `days` days (of these owners' customers)."""
    async with db.sessions() as s:
        return await analyse_in(s, days, now, pipe, member_ids)


async def analyse_in(session: AsyncSession, days: int, now: datetime, pipe: Pipeline = DEFAULT,
                     member_ids: list[int] | None = None) -> churn.Analysis:
    """The same as analyse, inside an open session (a handler's)."""
    since = now - timedelta(days=days)
    facts = await repo.facts(session, since, now)
    owners = await repo.owners(session)
    rows, lost = [], []
    stages = stage_table(pipe)
    mine = set(member_ids) if member_ids is not None else None
    for f in facts.values():
        if mine is not None and f.owner_id not in mine and not (f.churn_event and f.churn_event[2] in mine):
            continue
        way = lost_way(f, since, now)
        rows.append(churn.Row(bool(way), way, values(f, now, owners, stages)))
        if way:
            lost.append((f.id, f.name, churn.WAYS.get(way, way)))
    return replace(churn.analyse(rows), lost_list=lost)


def table(a: churn.Analysis) -> list[tuple]:
    """The export's rows: every factor value, then the strongest combinations."""
    return [(s.factor, s.value, s.lost, s.kept, round(s.rate, 4), round(s.lost_share, 4), round(s.kept_share, 4),
             s.lift) for s in [*a.singles, *a.pairs]]


def write(a: churn.Analysis, out: Path, fmt: str) -> Path:
    """Write the factors as CSV (UTF-8 with BOM, opens in Excel) or XLSX; return the path."""
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "xlsx":
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = "流失因素"
        for row in [HEADER, *table(a)]:
            sheet.append(list(row))
        notes = book.create_sheet("结论")
        for line in a.conclusions:
            notes.append([line])
        book.save(out)
        return out
    with out.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows([HEADER, *table(a)])
    return out


async def print_churn_features(db: Database, days: int = 30, out: str | Path | None = None, fmt: str = "csv",
                               now: datetime | None = None, stream: TextIO | None = None,
                               pipe: Pipeline = DEFAULT) -> churn.Analysis:
    """Print the conclusions, then one factor per line with counts and lift; write the file to `out` if given."""
    stream = stream or sys.stdout
    a = await analyse(db, days, now or datetime.now(UTC), pipe)
    print(f"近 {days} 天流失 {a.lost} 个客户，保留 {a.kept} 个。", file=stream)
    for line in a.conclusions or ["数据还不够：看不出流失客户的共同点。"]:
        print(line, file=stream)
    for s in [*a.singles, *a.pairs]:
        print(s.line(), file=stream)
    if out:
        print(f"已写入 {write(a, Path(out), fmt)}", file=stream)
    return a
