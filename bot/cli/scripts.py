"""`salesbot import scripts FILE`: load a script-library pack (TOML `[[script]]` tables or CSV)."""

from __future__ import annotations

import csv
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from bot.config import Settings
from bot.core.clock import SystemClock
from bot.core.errors import UserError
from sales.script_pack import COLUMNS, check_rows
from sales.stages import pipeline_from_config
from storage.db import Database
from storage.repos import scripts


@dataclass
class PackReport:
    """Counts and the reason for every rejected row."""

    created: int = 0
    updated: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    unit: str = "script"

    def lines(self) -> list[str]:
        """Human-readable summary lines."""
        out = [f"created {self.created}, updated {self.updated}, rejected {len(self.rejected)}"]
        out += [f"  {self.unit} {n}: {reason}" for n, reason in self.rejected]
        return out


def read_pack(path: Path) -> tuple[str, list, str, int]:
    """Return (pack name, raw rows, what a row number counts, first row number) of a .toml or .csv file."""
    if path.suffix.lower() == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in ("key", "title", "text") if c not in (reader.fieldnames or [])]
            if missing:
                raise UserError(f"{path}: missing columns {', '.join(missing)} (header: {','.join(COLUMNS)})")
            return path.stem, [{k: v for k, v in row.items() if k} for row in reader], "line", 2
    if path.suffix.lower() != ".toml":
        raise UserError(f"{path}: use a .toml file with [[script]] tables or a .csv file")
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{path}: not valid TOML: {exc}") from exc
    rows = data.get("script")
    if not isinstance(rows, list) or not rows:
        raise UserError(f"{path}: no [[script]] tables found; see packs/scripts/starter.toml")
    return str(data.get("pack") or path.stem), rows, "script", 1


async def import_scripts(db: Database, settings: Settings, path: Path) -> PackReport:
    """Validate every row, then upsert the valid ones by key in one transaction."""
    if not path.exists():
        raise UserError(f"{path}: file not found")
    pack, rows, unit, first = read_pack(path)
    valid, rejected = check_rows(rows, pipeline_from_config(settings.opportunities.stages), first)
    report = PackReport(rejected=rejected, unit=unit)
    async with db.session() as s:
        if valid:
            report.created, report.updated = await scripts.upsert(s, valid, pack, SystemClock().now())
    return report
