"""Handle one stored event: route it to its handler with its typed payload (bot/core/inbound.py), in one
transaction with its replies and done mark; database errors retried, any other error through the funnel."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.core.cards import Level
from bot.core.context import Context
from bot.core.errors import UserError
from bot.core.events import Event, Reply
from bot.core.inbound import CardClick, Message
from bot.core.routing import RouteTable
from bot.core.vocab import role_words
from cards.views import error_card, notice_card
from handlers.help import short_help
from storage.db import transient
from storage.repos import inbox

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger("salesbot.dispatch")
DB_PAUSES = (0.5, 1.0, 2.0)  # seconds between tries of a handler that hit a database error (a restart, a lock)
RETRY_LATER = timedelta(seconds=15)  # then the row goes back to the inbox, claimable again after this


async def route(table: RouteTable, event: Event, ctx: Context) -> Reply | None:
    """Pick the handler for an event and run it with the event's typed payload."""
    if event.kind == "message":
        return await _message(table, event, ctx)
    if event.kind == "card_action":
        return await _click(table, event, ctx)
    if not await _payloads(table, event, ctx):
        log.warning("%s event ignored: no handler takes what it carries", event.kind,
                    extra={"platform": event.platform, "dedupe_key": event.dedupe_key})
    return None


async def _message(table: RouteTable, event: Event, ctx: Context) -> Reply | None:
    """A command with its arguments; else attachments with a few words, an unmatched-remark handler, or help."""
    found = table.match(event.text)
    if found is None:
        if event.raw.get("attachments") and await _payloads(table, event, ctx):
            return None  # an image or file with a few words
        msg = Message.of(event)
        for handler in table.unmatched:  # e.g. an objection in a deal chat gets an offer
            if (reply := await handler(msg, ctx)) is not None:
                return reply
        return short_help(ctx, event.text)
    cmd, args = found
    if cmd.needs_member and ctx.member is None:
        return _unknown_member()
    if cmd.roles and (ctx.member is None or ctx.member.role not in cmd.roles):
        raise UserError("这个指令只有" + role_words(cmd.roles) + "能用。")
    return await cmd.handler(Message.of(event, args), ctx)


async def _payloads(table: RouteTable, event: Event, ctx: Context) -> bool:
    """Run the handlers of every payload the event can be read as (platform: kind); return whether any ran."""
    ran = False
    for ptype, handler in table.for_kind("platform" if event.kind == "message" else event.kind):
        payload = ptype.of(event)
        if payload is not None:
            await handler(payload, ctx)
            ran = True
    return ran


async def _click(table: RouteTable, event: Event, ctx: Context) -> Reply | None:
    """A click goes to its action's handler, for a known member allowed to click it."""
    found = table.action(event.action) if event.action else None
    if found is None or event.action is None:
        return Reply(card=notice_card("这个按钮已失效", "功能可能已关闭或卡片太旧了，发“帮助”拿新卡片。"))
    handler, roles = found
    if ctx.member is None:
        return _unknown_member()
    if roles and ctx.member.role not in roles:
        raise UserError("这个按钮只有" + role_words(roles) + "能点。")
    return await handler(CardClick.of(event, event.action), ctx)


def _unknown_member() -> Reply:
    return Reply(card=notice_card("还不认识你", "管理员还没把你的账号加进销售团队。请把这条消息转给管理员，"
                                  "或让管理员执行 salesbot import members。", Level.WARNING))


async def attempt(rt: Runtime, inbox_id: int, event: Event,
                  sleep: Callable[[float], Awaitable[None]]) -> tuple[str, list[str]]:
    """Handle the event: (outcome, reply keys). A database error rolled the whole attempt back, so it is
    tried again after a pause, then handed back to the inbox ("retried"); any other error goes to the error
    funnel."""
    for pause in (*DB_PAUSES, None):
        try:
            return "ok", await _handle(rt, inbox_id, event)
        except UserError as exc:
            return "refused", await _answer(rt, inbox_id, event, notice_card(exc.title, exc.user_message,
                                                                              Level.WARNING))
        except Exception as exc:
            if not transient(exc):
                return "failed", await _fail(rt, inbox_id, event, exc)
            if pause is None:
                return await _hand_back(rt, inbox_id, event, exc)
            await sleep(pause)
    raise AssertionError("unreachable: the last pause is None")

async def _handle(rt: Runtime, inbox_id: int, event: Event) -> list[str]:
    async with rt.db.session() as session:
        ctx = await rt.context(session, event)
        reply = await route(rt.routes, event, ctx)
        if reply is not None:
            await ctx.reply(reply)
        await inbox.mark_done(session, inbox_id, rt.clock.now())
    return ctx.reply_keys

async def _hand_back(rt: Runtime, inbox_id: int, event: Event, exc: Exception) -> tuple[str, list[str]]:
    """The database is still failing: leave the event for a later attempt, or fail it when none is left."""
    try:
        again = await inbox.retry_later(rt.db, inbox_id, rt.clock.now() + RETRY_LATER, _reason(exc))
    except Exception:  # still away: the claim's lease lapses and a sweeper claims the row again
        again = True
    if not again:
        return "failed", await _fail(rt, inbox_id, event, exc)
    log.warning("handler kept hitting database errors; the event will be tried again",
                extra={"platform": event.platform, "dedupe_key": event.dedupe_key, "error": _reason(exc)[:300]})
    return "retried", []

async def _answer(rt: Runtime, inbox_id: int, event: Event, card) -> list[str]:
    """Send a refusal card and close the event in a fresh transaction."""
    async with rt.db.session() as session:
        ctx = await rt.context(session, event)
        await ctx.reply(Reply(card=card))
        await inbox.mark_done(session, inbox_id, rt.clock.now())
    return ctx.reply_keys

async def _fail(rt: Runtime, inbox_id: int, event: Event, exc: Exception) -> list[str]:
    """The error funnel: log first, release the claim, then a friendly card (never a trace)."""
    log.error("handler failed", exc_info=exc,
              extra={"platform": event.platform, "dedupe_key": event.dedupe_key, "kind": event.kind})
    try:
        await inbox.mark_failed(rt.db, inbox_id, _reason(exc))
        if event.kind in ("message", "card_action"):
            async with rt.db.session() as session:
                ctx = await rt.context(session, event)
                await ctx.reply(Reply(card=error_card()), error=True)
            return ctx.reply_keys
    except Exception:
        log.exception("error funnel could not record the failure")
    return []


def _reason(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"
