"""攻坚任务卡 in chat: `攻坚 [场景]`, the strategy choice, the checklist and its ticks.

The offers a remark or a new rep's deal gets are in handlers/attack_offers.py.
"""

from __future__ import annotations

import re

from bot.core.actions import ChooseStrategy, ShowAttack, StartAttack, TickAttack
from bot.core.cards import Card, Level
from bot.core.context import Context
from bot.core.events import Reply
from bot.core.inbound import CardClick, Message
from bot.core.routing import Router
from cards.views import attack_card, attack_scenarios_card, notice_card
from handlers.attack_common import card_view, create, not_here, open_card, playbook, start_card
from handlers.opp_common import check_may_change, find, not_found
from sales.playbook_model import Playbook
from storage.models import AttackCard, Opportunity
from storage.repos import attack as repo
from storage.repos import opportunities as opp_repo

router = Router("attack", feature="attack")
_NUMBER = re.compile(r"^\s*(?:第)?(\d{1,2})(?:项)?(?:\s+|$)")


@router.command("攻坚", "attack", summary="客户卡住了：选场景和打法，按清单一步步攻下来", usage="攻坚 [场景]")
async def attack(msg: Message, ctx: Context) -> Reply:
    """No words: pick a scenario. With a scenario: its open card, or the strategy choice."""
    opp = await find(msg, ctx)
    if opp is None:
        return not_found()
    await check_may_change(ctx, opp)  # refuse before offering choices that a click would refuse
    book = await playbook(ctx)
    if not msg.text:
        return Reply(card=await _scenarios(ctx, opp, book))
    scenario = book.find(msg.text)
    if scenario is None:
        card = await _scenarios(ctx, opp, book)
        return Reply(card=notice_card("没有这个攻坚场景", f"“{msg.text[:20]}”对不上剧本里的场景，点一个：",
                                      Level.WARNING, items=[s.name for s in book.scenarios], buttons=card.buttons))
    return Reply(card=await start_card(ctx, opp, scenario))


@router.action(StartAttack)
async def clickstart_card(click: CardClick[StartAttack], ctx: Context) -> Reply:
    """A scenario button: its open card, or the strategy choice."""
    opp = await opp_repo.get(ctx.session, click.action.opportunity_id)
    scenario = (await playbook(ctx)).scenario(click.action.scenario)
    if opp is None or scenario is None:
        return not_here()
    await check_may_change(ctx, opp)  # as the 攻坚 command: no strategy choice a click would then refuse
    return Reply(card=await start_card(ctx, opp, scenario))


@router.action(ChooseStrategy)
async def click_strategy(click: CardClick[ChooseStrategy], ctx: Context) -> Reply:
    """A strategy button: create the card and its checklist (once per deal and scenario while it is open)."""
    a = click.action
    assert isinstance(a, ChooseStrategy)  # the router sends only this action here
    opp = await opp_repo.get(ctx.session, a.opportunity_id)
    scenario = (await playbook(ctx)).scenario(a.scenario)
    strategy = scenario.strategy(a.strategy) if scenario else None
    if opp is None or scenario is None or strategy is None:
        return not_here()
    await check_may_change(ctx, opp)
    if opp.status != "open":
        return Reply(card=notice_card("这单已经结束了", "已结束的商机不再开攻坚卡。", Level.WARNING))
    existing = await open_card(ctx, opp.id, scenario.key)
    if existing is not None:
        return Reply(card=attack_card(await card_view(ctx, existing), "进行中："), toast="这个场景已有攻坚卡")
    card = await create(ctx, opp, scenario.key, scenario.name, strategy, "chat")
    return Reply(card=attack_card(await card_view(ctx, card), "攻坚开始："))


@router.action(ShowAttack)
async def click_show(click: CardClick[ShowAttack], ctx: Context) -> Reply:
    """The 刷新 button."""
    card = await repo.get_card(ctx.session, click.action.card_id)
    if card is None:
        return not_here()
    await repo.close_if_complete(ctx.session, card, ctx.now())
    return Reply(card=attack_card(await card_view(ctx, card)), update=True)


@router.action(TickAttack)
async def click_tick(click: CardClick[TickAttack], ctx: Context) -> Reply:
    """完成: one click completes the action shown first; the card comes back with the next one first."""
    return await tick(ctx, click.action.card_id, click.action.action_id, "", update=True)


@router.command("攻坚完成", "attackdone", summary="勾掉攻坚清单的下一项，可附凭证", usage="攻坚完成 [序号] [凭证]")
async def done(msg: Message, ctx: Context) -> Reply:
    """Complete the next undone action (or action N) of this deal's most urgent open card, with evidence."""
    opp = await find(msg, ctx)
    if opp is None:
        return not_found()
    cards = [c for c in await repo.open_cards(ctx.session, opp.id)
             if not await repo.close_if_complete(ctx.session, c, ctx.now())]
    if not cards:
        return Reply(card=notice_card("没有进行中的攻坚卡", "先发“攻坚”选场景和打法。", Level.WARNING))
    found = _NUMBER.match(msg.text)
    number, evidence = (int(found.group(1)), msg.text[found.end():].strip()) if found else (0, msg.text)
    lines = {c.id: await repo.checklist(ctx.session, c.id) for c in cards}
    pick = _by_number(cards, lines, number) if number else _most_urgent(cards, lines)
    if pick is None:
        return Reply(card=notice_card("没有这一项", f"清单里没有第 {number} 项，看攻坚卡上的序号再发。", Level.WARNING))
    return await tick(ctx, *pick, evidence)


def _most_urgent(cards: list[AttackCard], lines: dict[int, list[repo.Line]]) -> tuple[int, int] | None:
    """(card id, action id) of the undone action due first across the deal's open cards."""
    undone = [(x.due_at, c.id, x.position, x.id) for c in cards for x in lines[c.id] if x.done_at is None]
    if not undone:
        return None
    _, card_id, _, action_id = min(undone)
    return card_id, action_id


def _by_number(cards: list[AttackCard], lines: dict[int, list[repo.Line]], number: int) -> tuple[int, int] | None:
    """(card id, action id) of item N: the oldest card where it is undone, else where it exists at all."""
    found = [(x.done_at is not None, c.id, x.id) for c in cards for x in lines[c.id] if x.position == number]
    return min(found)[1:] if found else None


async def tick(ctx: Context, card_id: int, action_id: int, evidence: str, update: bool = False) -> Reply:
    """Complete one action after the permission check; a repeated tick changes nothing and says so."""
    card = await repo.get_card(ctx.session, card_id)
    opp = await opp_repo.get(ctx.session, card.opportunity_id) if card else None
    if card is None or opp is None:
        return not_here()
    assert ctx.member is not None  # a command or click: dispatch found the member
    await check_may_change(ctx, opp)
    if opp.status != "open":
        return Reply(card=notice_card("这单已经结束了", "已结束的商机不再勾攻坚动作。", Level.WARNING))
    ticked = await repo.tick(ctx.session, card.id, action_id, ctx.member.id, ctx.now(), evidence)
    finished = await repo.close_if_complete(ctx.session, card, ctx.now())
    prefix = "攻坚完成：" if finished else ""
    toast = ("清单全部完成" if finished else "已完成，下一项在最上面") if ticked else "这一项之前已经完成了"
    return Reply(card=attack_card(await card_view(ctx, card), prefix), update=update, toast=toast)


async def _scenarios(ctx: Context, opp: Opportunity, book: Playbook) -> Card:
    customer = await opp_repo.get_customer(ctx.session, opp.customer_id)
    assert customer is not None  # customer_id is a foreign key
    active = []
    for c in await repo.open_cards(ctx.session, opp.id):
        lines = await repo.checklist(ctx.session, c.id)
        finished = sum(x.done_at is not None for x in lines)
        active.append(f"{c.scenario_name} · {c.strategy_name}（{finished}/{len(lines)}）")
    return attack_scenarios_card(opp.id, customer.name, [(s.key, s.name) for s in book.scenarios], active)
