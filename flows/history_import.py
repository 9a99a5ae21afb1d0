"""`salesbot import customers|orders|interactions FILE`: a team's history in one go, CSV or XLSX, streamed.

One transaction for the whole file, written in batches: a valid row is applied whole, a bad row is rejected
with its line and reason (the command exits 3), and a file that breaks half-way (a damaged XLSX, a database
error) rolls everything back. Re-importing the same file changes nothing: customers match by normalized name,
orders and interactions by a hash of the row (`import_key`), which the insert itself skips when it is there.
Rows travel as plain tuples through `storage/repos/bulk_write.py` (figures: bench/README.md, history import).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.core.vocab import CustomerEventKind
from flows import tabular
from sales import history_rows as rows
from storage.repos import bulk, bulk_write
from storage.repos import history as repo

BATCH = 5000  # rows per statement group: fewer round trips; the batch is all that is held beside the dicts
SHOWN_REJECTS = 1000  # more are counted, not listed (a 50 MB file of bad rows stays readable)


@dataclass
class Report:
    """created / updated / rejected counts and the first rejects with their lines."""

    created: int = 0
    updated: int = 0
    rejected: int = 0
    reasons: list[tuple[int, str]] = field(default_factory=list)

    def reject(self, line: int, reason: str) -> None:
        """Count a rejected row (listing it while the list is short)."""
        self.rejected += 1
        if len(self.reasons) < SHOWN_REJECTS:
            self.reasons.append((line, reason))

    def lines(self) -> list[str]:
        """What the command prints."""
        out = [f"created {self.created}, updated {self.updated}, rejected {self.rejected}"]
        out += [f"  line {line}: {reason}" for line, reason in sorted(self.reasons)]
        if self.rejected > len(self.reasons):
            out.append(f"  … and {self.rejected - len(self.reasons)} more rejected rows (fix the ones above first)")
        return out


def _batches(it: Iterator[tabular.Row]) -> Iterator[list[tabular.Row]]:
    while batch := list(islice(it, BATCH)):
        yield batch


class Importer:
    """One file's import inside one session."""

    def __init__(self, session: AsyncSession, settings: Settings, kind: str, now: datetime) -> None:
        self.s, self.tz, self.kind, self.now = session, settings.tz, kind, now
        self.report = Report()
        self.seen: dict[str, int] = {}  # row key -> the line it first appeared on
        self.members: dict[str, int] = {}
        self.index: dict[str, tuple[int, int | None]] = {}
        assert session.bind is not None  # sessions come from Database, always bound to its engine
        self._time = partial(bulk_write.driver_time, sqlite=session.bind.dialect.name == "sqlite")

    async def run(self, path: Path) -> Report:
        """Read the file and apply every valid row."""
        header, it = tabular.read(path)
        problem = rows.check_header(self.kind, header)
        if problem:
            self.report.reject(1, problem)
            return self.report
        self.members = await repo.members(self.s)
        self.index = await repo.customer_index(self.s) if self.kind != "customers" else {}
        step = {"customers": self._customers, "orders": self._orders, "interactions": self._interactions}[self.kind]
        async with bulk.big_cache(self.s, mib=256):
            for batch in _batches(it):
                await step(batch)
        return self.report

    def _parse(self, batch: list[tabular.Row], parse: Any) -> list[tuple[int, Any]]:
        """Check each row; a row repeating an earlier row's key in this file is rejected."""
        out = []
        for line, raw in batch:
            try:
                row = parse(raw, self.tz)
            except rows.Reject as exc:
                self.report.reject(line, str(exc))
                continue
            first = self.seen.setdefault(row.key, line)
            if first != line:
                self.report.reject(line, f"duplicate of line {first} (the same {self.kind[:-1]} twice)")
                continue
            out.append((line, row))
        return out

    async def _customers(self, batch: list[tabular.Row]) -> None:
        valid = self._parse(batch, rows.customer_row)
        existing = await repo.customers(self.s, (r.key for _, r in valid))
        fresh, updates, events, touched = [], [], [], []
        for line, r in valid:
            owner = self.members.get(r.owner) if r.owner else None
            if r.owner and owner is None:
                self.report.reject(line, f"owner {r.owner!r} is not a member; import members first or leave it empty "
                                         "for the pool")
                continue
            if r.key not in existing:
                fresh.append((r, owner))
                continue
            cid, current, industry, region = existing[r.key]
            if owner and current and current != owner:
                self.report.reject(line, f"{r.name} already has another owner (one customer, one owner); "
                                         "use salesbot handover or leave owner empty")
                continue
            changed = [f for f, new, old in (("industry", r.industry, industry), ("region", r.region, region),
                                             ("owner", owner, current)) if new and new != old]
            if changed:
                updates.append({"cid": cid, "industry": r.industry or industry, "region": r.region or region,
                                "owner": current or owner, "pooled": (current or owner) is None})
                events.append(self._event(cid, CustomerEventKind.UPDATED, current, {"fields": changed}))
            touched.append((cid, r))
            self.report.updated += 1
        ids = await repo.insert_customers(self.s, [self._customer(r, owner) for r, owner in fresh])
        events += [self._event(ids[r.key], CustomerEventKind.CREATED, owner, {"source": r.source})
                   for r, owner in fresh]
        self.report.created += len(fresh)
        await repo.update_customers(self.s, updates)
        await bulk_write.insert_rows(self.s, "customer_event", repo.EVENT_COLUMNS, events)
        await self._contacts(touched, [(ids[r.key], r) for r, _ in fresh])

    def _customer(self, r: rows.CustomerRow, owner: int | None) -> tuple[Any, ...]:
        """A new customer in CUSTOMER_COLUMNS order (owned, or in the pool when the file names no owner)."""
        now = self._time(self.now)
        return (r.name, r.key, r.industry, r.region, owner, "", self._time(r.created_at) or now, owner is None,
                None if owner else now, now if owner else None)

    def _event(self, cid: int, kind: CustomerEventKind, owner: int | None, detail: dict) -> tuple[Any, ...]:
        """A customer_event row in EVENT_COLUMNS order."""
        return (cid, kind.value, None, None, owner, "历史导入", json.dumps(detail, ensure_ascii=False),
                self._time(self.now))

    async def _contacts(self, existing: list[tuple[int, rows.CustomerRow]],
                        fresh: list[tuple[int, rows.CustomerRow]]) -> None:
        """Add each row's contact unless the customer has that mobile (only existing customers are looked up)."""
        have = await repo.contacts(self.s, (cid for cid, r in existing if r.mobile))
        new = [(cid, r.contact, r.mobile, None, "") for cid, r in existing + fresh
               if r.mobile and (cid, r.mobile) not in have]
        await bulk_write.insert_rows(self.s, "contact", repo.CONTACT_COLUMNS, new)

    async def _orders(self, batch: list[tabular.Row]) -> None:
        now, new = self._time(self.now), []
        for line, r in self._parse(batch, rows.order_row):
            hit = self._customer_of(line, r.customer_key)
            if hit:  # a plain tuple in ORDER_COLUMNS order: no per-row dict or ORM object
                new.append((hit[0], hit[1], r.amount, r.product, self._time(r.ordered_at), self._time(r.accepted_at),
                            "import", r.key, now))
        added = await bulk_write.insert_rows(self.s, "customer_order", repo.ORDER_COLUMNS, new, "import_key")
        self._count(len(new), added)

    async def _interactions(self, batch: list[tabular.Row]) -> None:
        new = []
        latest: dict[int, datetime] = {}  # customer id -> newest interaction imported
        for line, r in self._parse(batch, rows.interaction_row):
            hit = self._customer_of(line, r.customer_key)
            member = self.members.get(r.member) if r.member else None
            if hit and r.member and member is None:
                self.report.reject(line, f"member {r.member!r} is not a member; import members first")
            elif hit:
                new.append((hit[0], member, r.kind.value, r.note, self._time(r.at), r.key))
                latest[hit[0]] = max(latest.get(hit[0], r.at), r.at)
        added = await bulk_write.insert_rows(self.s, "interaction", repo.INTERACTION_COLUMNS, new, "import_key")
        self._count(len(new), added)
        await repo.touch(self.s, latest)

    def _customer_of(self, line: int, key: str) -> tuple[int, int | None] | None:
        """The (id, owner) of a named customer, or None with the row rejected."""
        hit = self.index.get(key)
        if hit is None:
            self.report.reject(line, "customer is not in salesbot; import customers first (same name)")
        return hit

    def _count(self, sent: int, added: int) -> None:
        """Rows the database skipped were imported before (same import_key): nothing to change."""
        self.report.created += added
        self.report.updated += sent - added
