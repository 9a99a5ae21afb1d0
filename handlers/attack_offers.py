"""Attack offers: a deal-chat remark that reveals an objection (“客户说预算不够”) gets the matching strategy
choice, and a new rep's new deal gets the standard first-week checklist.

Hooks other modules call: `offer_after_note` (跟进 notes), `new_rep_checklist` (opportunity creation); the
dispatcher tries `on_unmatched` handlers before the short help, which is where a remark gets its offer.
"""

from __future__ import annotations

from bot.core.cards import Card
from bot.core.context import Context
from bot.core.events import Reply
from bot.core.inbound import Message
from bot.core.routing import Router
from cards.views import attack_card
from handlers.attack_common import card_view, create, playbook, start_card
from handlers.opp_common import owner_of
from sales.objections import detect
from sales.playbook_model import STANDARD
from storage.models import Opportunity
from storage.repos import opportunities as opp_repo

router = Router("attack_offers", feature="attack")


async def offer_for(ctx: Context, opp: Opportunity | None, text: str) -> Card | None:
    """The attack offer a remark deserves: the strategy choice (or the open card) for the scenario it reveals."""
    if opp is None or opp.status != "open" or not text or not ctx.settings.features.attack:
        return None
    found = detect(text, await playbook(ctx))
    if found is None:
        return None
    intro = f"你提到“{found.heard}”，听起来客户卡在“{found.scenario.name}”。选一个打法，我把要做的动作列成清单："
    return await start_card(ctx, opp, found.scenario, intro)


@router.on_unmatched
async def offer(msg: Message, ctx: Context) -> Reply | None:
    """A deal-chat remark the bot has no command for: offer the matching attack card, else let help answer."""
    if ctx.member is None or msg.chat is None or detect(msg.text, await playbook(ctx)) is None:
        return None
    opp = await opp_repo.latest_in_chat(ctx.session, msg.chat.platform, msg.chat.chat_id)
    if opp is None and not msg.chat.is_group:
        opp = await opp_repo.latest_of_owner(ctx.session, ctx.member.id)
    card = await offer_for(ctx, opp, msg.text)
    return Reply(card=card) if card else None


async def offer_after_note(ctx: Context, opp: Opportunity, text: str, reply: Reply) -> Reply:
    """After a 跟进 note: send its answer, then the attack offer when the note reveals an objection."""
    card = await offer_for(ctx, opp, text)
    if card is None:
        return reply
    await ctx.reply(reply)
    return Reply(card=card)


async def new_rep_checklist(ctx: Context, opp: Opportunity, reply: Reply) -> Reply:
    """A new rep's new deal: send the deal card, then the standard first-week checklist (already on the card)."""
    if not ctx.settings.features.attack:
        return reply
    owner = await owner_of(ctx, opp)
    if owner is None or not owner.is_new:
        return reply
    book = await playbook(ctx)
    if book.standard is None:
        return reply
    card = await create(ctx, opp, STANDARD, book.standard.name, book.standard, "new_rep")
    await ctx.reply(reply)
    return Reply(card=attack_card(await card_view(ctx, card), "新人清单："))
