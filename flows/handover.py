"""`salesbot handover FROM TO [--dry-run]`: a leaving rep's open book moves to a colleague, everyone is told."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.cards import Level
from bot.core.context import Context
from bot.core.errors import UserError
from cards.views import notice_card
from flows.targets import personal_chats
from storage.repos import handover as repo
from storage.repos import lead_life
from storage.repos import leads as leads_repo
from storage.repos import members as members_repo

LABELS = {"leads": "线索", "opportunities": "商机", "customers": "客户", "tasks": "待办"}


@dataclass(frozen=True)
class Handover:
    """What moved (or would move)."""

    source: str
    target: str
    counts: dict[str, int]
    dry_run: bool

    def line(self) -> str:
        """The one line the command prints."""
        what = ", ".join(f"{k} {v}" for k, v in self.counts.items())
        verb = "would move" if self.dry_run else "moved"
        return f"handover {self.source} -> {self.target}: {verb} {what}"


async def handover(ctx: Context, source_name: str, target_name: str, dry_run: bool) -> Handover:
    """Check both members, count (and unless dry_run move) the open book, record it, tell both and the manager."""
    s = ctx.session
    source, target = await members_repo.by_name(s, source_name), await members_repo.by_name(s, target_name)
    if source is None or target is None:
        missing = source_name if source is None else target_name
        raise UserError(f"没有叫 {missing!r} 的成员 (unknown member); check the name with the members CSV")
    if source.id == target.id:
        raise UserError("FROM and TO are the same member; name the colleague who takes over")
    if not target.active:
        raise UserError(f"{target.name} 已停用 (inactive): hand over to an active member, or set active=1 first")
    counts = await repo.counts(s, source.id)
    if dry_run:
        return Handover(source.name, target.name, counts, True)
    owned = await repo.owned_leads(s, source.id)
    await repo.move(s, source.id, target.id, f"{source.name} 交接给 {target.name}", ctx.now())
    await lead_life.release_loads(s, {source.id: owned})
    await lead_life.add_loads(s, {target.id: owned})
    await _tell(ctx, source.id, target.id, f"{source.name} → {target.name}", counts)
    return Handover(source.name, target.name, counts, False)


async def _tell(ctx: Context, source: int, target: int, title: str, counts: dict[str, int]) -> None:
    """One card each to the leaving member, the new owner and their managers."""
    bosses = await leads_repo.team_managers(ctx.session, [source, target])
    people = sorted({source, target, *bosses.get(source, []), *bosses.get(target, [])})
    chats = await personal_chats(ctx.session, ctx.settings, people)
    items = [f"{LABELS[k]} {v} 个" for k, v in counts.items()]
    card = notice_card(f"工作交接：{title}", "这些进行中的工作已交给新负责人，客户和线索的历史里都有记录：",
                       Level.INFO, items=items)
    stamp = int(ctx.now().timestamp())
    for member in people:
        if member in chats.chats:
            await ctx.outbox.send(chats.chats[member], card, f"handover:{source}:{target}:{stamp}:{member}")
