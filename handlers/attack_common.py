"""What the attack handlers share: the playbook in use, a deal's open card per scenario, the card's content."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.cards import Level
from bot.core.context import Context
from bot.core.events import Reply
from cards.views import AttackLine, AttackView, StrategyOption, notice_card
from handlers.opp_common import local
from sales.playbook import parse_pack
from sales.playbook_model import Playbook, Scenario
from storage.models import AttackCard
from storage.repos import attack as repo
from storage.repos import members as members_repo
from storage.repos import opportunities as opp_repo

DEFAULT_PACK = Path(__file__).resolve().parent.parent / "packs" / "playbooks" / "default.toml"


@lru_cache(maxsize=1)
def _default_source() -> str:
    return DEFAULT_PACK.read_text("utf-8")


def default_playbook() -> Playbook:
    """The built-in pack (packs/playbooks/default.toml)."""
    return parse_pack(_default_source(), "packs/playbooks/default.toml")


async def playbook_in(session: AsyncSession) -> Playbook:
    """The pack imported last with `salesbot import playbook`, else the built-in one (parsed once per text)."""
    row = await repo.latest_pack(session)
    return parse_pack(row.source, row.name) if row else default_playbook()


async def playbook(ctx: Context) -> Playbook:
    """The playbook in use."""
    return await playbook_in(ctx.session)


async def open_card(ctx: Context, opp_id: int, scenario: str) -> AttackCard | None:
    """The deal's open card for a scenario (a card whose tasks were all finished elsewhere is closed first)."""
    for card in await repo.open_cards(ctx.session, opp_id):
        if card.scenario == scenario and not await repo.close_if_complete(ctx.session, card, ctx.now()):
            return card
    return None


def strategy_options(scenario: Scenario) -> list[StrategyOption]:
    """A scenario's strategies as the choice card shows them."""
    return [StrategyOption(s.key, s.name, s.why, [a.title for a in s.steps]) for s in scenario.strategies]


def not_here() -> Reply:
    """The card or playbook entry behind a button is gone."""
    return Reply(card=notice_card("这张攻坚卡找不到了", "剧本可能更新过。发“攻坚”重新选场景。", Level.WARNING))


def _line(ctx: Context, line: repo.Line, now: datetime) -> AttackLine:
    if line.done_at is not None:
        note = f"{line.done_by or '已完成'} {local(ctx, line.done_at)}"
        return AttackLine(line.id, line.title, "", True, note=note + (f" · 凭证：{line.evidence[:60]}"
                                                                       if line.evidence else ""),
                          number=line.position)
    overdue = line.due_at is not None and line.due_at < now
    due = f"{local(ctx, line.due_at)} 前" + ("，已超时" if overdue else "")
    return AttackLine(line.id, line.title, due, overdue=overdue, number=line.position)


async def card_view(ctx: Context, card: AttackCard) -> AttackView:
    """Compute what the attack card shows: undone actions first in checklist order, then the done ones."""
    now, book = ctx.now(), await playbook(ctx)
    lines = [_line(ctx, x, now) for x in await repo.checklist(ctx.session, card.id)]
    lines = [x for x in lines if not x.done] + [x for x in lines if x.done]
    opp = await opp_repo.get(ctx.session, card.opportunity_id)
    customer = await opp_repo.get_customer(ctx.session, opp.customer_id) if opp else None
    owner = await members_repo.get(ctx.session, card.owner_id) if card.owner_id else None
    scenario = book.scenario(card.scenario)
    strategy = book.standard if card.scenario == "standard" else scenario.strategy(card.strategy) if scenario else None
    return AttackView(card.id, card.opportunity_id, customer.name if customer else "", card.scenario_name,
                      card.strategy_name, strategy.why if strategy else "", owner.name if owner else "未分配", lines)
