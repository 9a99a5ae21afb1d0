"""The demo company's first day: its people, its team groups, its script library and its history before the bot.

People come in through `salesbot import members` (bot/cli/importer.py) from the bundled data/members.csv; the
history through `salesbot import customers|orders|interactions` (flows/history_import.py) from the bundled
data/history_*.csv, whose dates are written as days before the demo's first day (`D-380`) and are turned
into dates in an XLSX file — the file a team exports from its old CRM or ERP — right before the import.
"""

from __future__ import annotations

import csv
import io
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from bot.cli.importer import import_members
from bot.cli.scripts import import_scripts
from bot.config import Settings
from bot.core.errors import UserError
from bot.demo.org import Org, Rep
from flows import history_import
from flows.tabular import XlsxWriter
from storage.db import Database
from storage.repos import members

DATA = Path(__file__).parent / "data"
STARTER_SCRIPTS = Path(__file__).resolve().parents[2] / "packs" / "scripts" / "starter.toml"
HISTORY = ("customers", "orders", "interactions")
DATE_COLUMNS = {"customers": ("created_at",), "orders": ("ordered_at", "accepted_at"), "interactions": ("at",)}


async def people(db: Database) -> Org:
    """Import the members CSV and give each team its playground group; return who is who."""
    report = await import_members(db, DATA / "members.csv")
    if report.rejected:
        raise UserError("the demo's members.csv was refused: " + "; ".join(r for _, r in report.rejected))
    async with db.session() as s:
        for team in await members.all_teams(s):
            # No command sets a team's group yet: an operator sets these two columns (docs/pushes.md).
            team.group_platform, team.group_chat_id = "playground", f"group:{team.id}"
        found = await members.all_members(s)
    return Org({m.id: Rep(m.id, m.name, m.role, m.team_id, m.manager_id) for m in found})


async def scripts(db: Database, settings: Settings) -> int:
    """Load the starter script library (话术), so deal cards offer scripts from the first deal on."""
    if not STARTER_SCRIPTS.exists():
        return 0
    report = await import_scripts(db, settings, STARTER_SCRIPTS)
    return report.created + report.updated


async def history(db: Database, settings: Settings, first_day: datetime) -> dict[str, int]:
    """Import customers, orders and interactions of the years before the bot; return rows created per kind."""
    created = {}
    with tempfile.TemporaryDirectory(prefix="salesbot-demo-") as tmp:
        for kind in HISTORY:
            path = _dated(DATA / f"history_{kind}.csv", Path(tmp) / f"{kind}.xlsx", kind, first_day, settings)
            async with db.session() as s:
                report = await history_import.Importer(s, settings, kind, first_day).run(path)
            if report.rejected:
                raise UserError(f"the demo's history_{kind}.csv was refused: {report.lines()[1:4]}")
            created[kind] = report.created
    return created


def _dated(template: Path, out: Path, kind: str, first_day: datetime, settings: Settings) -> Path:
    """Write the template as an XLSX file with each `D-<days>` turned into that day before the first day."""
    day0 = first_day.astimezone(settings.tz).date()
    with template.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    header = list(rows[0]) if rows else []
    book = XlsxWriter(header)
    for row in rows:
        for col in DATE_COLUMNS[kind]:
            if row[col].startswith("D-"):
                row[col] = (day0 - timedelta(days=int(row[col][2:]))).isoformat()
        book.append([row[c] for c in header])
    book.save(out)
    return out


def member_row(name: str, changes: dict[str, str]) -> str:
    """A members CSV holding one bundled member's row with some columns changed (e.g. active = 0)."""
    with (DATA / "members.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    row = {**next(r for r in rows if r["name"] == name), **changes}
    out = io.StringIO()
    writer = csv.DictWriter(out, list(row))
    writer.writeheader()
    writer.writerow(row)
    return out.getvalue()
