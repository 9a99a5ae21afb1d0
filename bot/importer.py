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


async def import_members(db: Database, path: Path) -> ImportReport:
    """Validate every row first, then upsert the valid ones in one transaction."""
    report = ImportReport()
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        problem = roster.check_header(reader.fieldnames or [])
        if problem:
            report.rejected.append((1, problem))
            return report
        raw_rows = list(reader)
    async with db.session() as s:
        existing = {m.name for m in await members.all_members(s)}
        known = existing | {(r.get("name") or "").strip() for r in raw_rows}
        valid = []
        for line, raw in enumerate(raw_rows, start=2):
            parsed = roster.parse_row(raw, known)
            if isinstance(parsed, str):
                report.rejected.append((line, parsed))
            else:
                valid.append(parsed)
        for row in valid:
            fields = {"role": row.role, "region": row.region, "industries": list(row.industries),
                      "capacity": row.capacity, "mobile": row.mobile}
            created = await members.upsert(s, row.name, fields, row.team, row.identities)
            report.created += created
            report.updated += not created
        for row in valid:
            await members.set_manager(s, row.name, row.manager)
    return report
