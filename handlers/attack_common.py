"""What the attack handlers share: the playbook in use, a deal's open card per scenario, the card's content,
starting a scenario and creating a card."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.cards import Card, Level
from bot.core.context import Context
from bot.core.events import Reply
from cards.views import AttackLine, AttackView, StrategyOption, attack_card, attack_strategies_card, notice_card
from handlers.opp_common import local
from sales.playbook import parse_pack
from sales.playbook_model import Playbook, Scenario, Strategy
from storage.models import AttackCard, Opportunity
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


async def create(ctx: Context, opp: Opportunity, scenario_key: str, scenario_name: str, strategy: Strategy,
                 source: str) -> AttackCard:
    """Create a card for the deal's owner: one task per action, due `due_days` after now."""
    now = ctx.now()
    customer = await opp_repo.get_customer(ctx.session, opp.customer_id)
    card = AttackCard(opportunity_id=opp.id, owner_id=opp.owner_id or (ctx.member.id if ctx.member else None),
                      scenario=scenario_key, scenario_name=scenario_name, strategy=strategy.key,
                      strategy_name=strategy.name, source=source, created_by=ctx.member.id if ctx.member else None,
                      created_at=now)
    steps = [(s.title, now + timedelta(days=s.due_days)) for s in strategy.steps]
    return await repo.create_card(ctx.session, card, steps, customer.name if customer else f"商机 #{opp.id}")


async def start_card(ctx: Context, opp: Opportunity, scenario: Scenario, intro: str = "") -> Card:
    """The deal's open card for the scenario, else the choice of its strategies (with an intro line)."""
    existing = await open_card(ctx, opp.id, scenario.key)
    if existing is not None:
        return attack_card(await card_view(ctx, existing), "进行中：")
    customer = await opp_repo.get_customer(ctx.session, opp.customer_id)
    assert customer is not None  # customer_id is a foreign key
    return attack_strategies_card(opp.id, customer.name, scenario.key, scenario.name, strategy_options(scenario),
                                  intro)
