"""帮助: what the bot can do here (only the features that are switched on)."""

from __future__ import annotations

from bot.core.actions import ShowHelp
from bot.core.context import Context
from bot.core.events import Reply
from bot.core.inbound import CardClick, Message
from bot.core.routing import Router
from cards.views import HelpEntry, help_card

router = Router("help")


def entries(ctx: Context) -> list[HelpEntry]:
    """Build help lines from the enabled commands."""
    return [HelpEntry(c.usage, c.summary, c.names[1:]) for c in ctx.help_commands]


@router.command("帮助", "help", "?", "？", summary="看我能做什么", needs_member=False)
async def show_help(msg: Message, ctx: Context) -> Reply:
    """Answer with the full help card."""
    return Reply(card=help_card(entries(ctx), ctx.settings.org.bot_name))


@router.action(ShowHelp)
async def click_help(click: CardClick[ShowHelp], ctx: Context) -> Reply:
    """Answer a help button with the full help card."""
    return Reply(card=help_card(entries(ctx), ctx.settings.org.bot_name))


def short_help(ctx: Context, heard: str) -> Reply:
    """The short help card for text the bot did not understand."""
    return Reply(card=help_card(entries(ctx), ctx.settings.org.bot_name, short=True, heard=heard))
