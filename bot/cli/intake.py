"""`salesbot import mapping FILE.toml` and `salesbot intake replay --channel NAME`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bot.core.errors import UserError
from bot.runtime import Runtime
from flows import lead_intake
from sales.intake import IntakeInvalid, parse_pack
from storage.repos import lead_admin
from storage.repos import leads as repo


@dataclass
class ReplayReport:
    """What a replay did: how many became leads, and why the rest still fail."""

    replayed: int = 0
    still_failing: int = 0
    reasons: list[tuple[int, dict]] = field(default_factory=list)

    def lines(self) -> list[str]:
        """Human-readable summary lines."""
        out = [f"replayed {self.replayed}, still failing {self.still_failing}"]
        out += [f"  reject {rid}: {fields}" for rid, fields in self.reasons[:50]]
        return out


async def import_mapping(rt: Runtime, path: Path) -> str:
    """Load a mapping pack into the database; return a one-line summary."""
    if not path.exists():
        raise UserError(f"{path}: file not found")
    try:
        pack = parse_pack(path.read_text("utf-8"), str(path))
    except ValueError as exc:
        raise UserError(str(exc)) from exc
    async with rt.db.session() as s:
        created = await repo.save_mapping(s, pack.channel, pack.name, pack.field_map, pack.default_source,
                                          rt.clock.now())
    note = "" if pack.channel in rt.settings.intake.channels else (
        f" (note: [intake.channels.{pack.channel}] is not configured yet, so the channel refuses posts)")
    verb = "loaded" if created else "replaced"
    return f"{verb} mapping pack {pack.name!r} for channel {pack.channel}: {len(pack.field_map)} fields{note}"


async def replay(rt: Runtime, channel: str) -> ReplayReport:
    """Re-run a channel's open rejects through intake with the current field map."""
    report = ReplayReport()
    async with rt.db.sessions() as s:
        rejects = await lead_admin.open_rejects(s, channel)
    for row in rejects:
        try:
            async with rt.db.session() as s:
                ctx = await rt.context(s)
                result = await lead_intake.receive(ctx, channel, row.body.encode("utf-8"), row.content_type)
                await lead_admin.mark_replayed(s, row.id, result.lead_id, rt.clock.now())
            report.replayed += 1
        except IntakeInvalid as exc:
            async with rt.db.session() as s:
                await lead_admin.note_retry(s, row.id, exc.reason, exc.fields)
            report.still_failing += 1
            report.reasons.append((row.id, exc.fields))
    rt.sender_wake()
    return report


async def cli_import_mapping(args, settings, db) -> int:
    """`salesbot import mapping FILE.toml`."""
    print(await import_mapping(Runtime(settings, db=db), args.file))
    return 0


async def cli_replay(args, settings, db) -> int:
    """`salesbot intake replay --channel NAME`: exit 3 when some payloads still fail."""
    if args.channel not in settings.intake.channels:
        raise UserError(f"no [intake.channels.{args.channel}] in {settings.source}; add it first")
    report = await replay(Runtime(settings, db=db), args.channel)
    print("\n".join(report.lines()))
    return 3 if report.still_failing else 0
