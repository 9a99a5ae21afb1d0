"""`salesbot import members FILE.csv`: upsert members with a reason for every rejected row."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from sales import roster
from storage.db import Database
from storage.repos import members


@dataclass
class ImportReport:
    """Counts and per-row reasons."""

    created: int = 0
    updated: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)

    def lines(self) -> list[str]:
        """Human-readable summary lines."""
        out = [f"created {self.created}, updated {self.updated}, rejected {len(self.rejected)}"]
        out += [f"  line {line}: {reason}" for line, reason in self.rejected]
        return out


def _validate(raw_rows: list[dict], existing: set[str], report: ImportReport) -> list[roster.MemberRow]:
    """Parse rows; a row whose manager exists only in a rejected row is rejected too (never a silent NULL)."""
    known = existing | {(r.get("name") or "").strip() for r in raw_rows}
    parsed = {}
    for line, raw in enumerate(raw_rows, start=2):
        row = roster.parse_row(raw, known)
        if isinstance(row, str):
            report.rejected.append((line, row))
        else:
            parsed[line] = row
    changed = True
    while changed:  # rejecting a manager can orphan their reports, so repeat until stable
        names = existing | {r.name for r in parsed.values()}
        orphans = [line for line, r in parsed.items() if r.manager and r.manager not in names]
        for line in orphans:
            report.rejected.append((line, f"manager {parsed.pop(line).manager!r} was rejected above; fix that row"))
        changed = bool(orphans)
    report.rejected.sort()
    return list(parsed.values())


async def import_members(db: Database, path: Path) -> ImportReport:
    """Validate every row first, then upsert the valid ones in one transaction."""
    report = ImportReport()
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        problem = roster.check_header(list(reader.fieldnames or []))
        if problem:
            report.rejected.append((1, problem))
            return report
        raw_rows = list(reader)
    async with db.session() as s:
        existing = {m.name for m in await members.all_members(s)}
        valid = _validate(raw_rows, existing, report)
        for row in valid:
            fields = {"role": row.role, "region": row.region, "industries": list(row.industries),
                      "capacity": row.capacity, "mobile": row.mobile, **row.flags}
            created = await members.upsert(s, row.name, fields, row.team, row.identities)
            report.created += created
            report.updated += not created
        for row in valid:
            await members.set_manager(s, row.name, row.manager)
    return report
