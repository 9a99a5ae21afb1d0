"""话术: the three best scripts for this customer and stage, "用了这条", and 话术统计 for managers."""

from __future__ import annotations

from bot.core.actions import ShowScripts, UseScript
from bot.core.cards import Level
from bot.core.context import Context
from bot.core.events import Reply
from bot.core.inbound import CardClick, Message
from bot.core.routing import Router
from cards.views import ScriptLine, notice_card, script_stats_card, scripts_card
from handlers.opp_common import check_may_change, find, not_found, pipeline
from handlers.opp_view import top_matches
from storage.models import Opportunity
from storage.repos import opportunities as opp_repo
from storage.repos import script_cache
from storage.repos import scripts as repo

router = Router("scripts", feature="opportunities")


@router.command("话术", "scripts", summary="这个客户、这个阶段最合适的三条话术", usage="话术 [客户]")
async def show(msg: Message, ctx: Context) -> Reply:
    """Answer with the top-3 scripts and why each was picked."""
    opp = await find(msg, ctx, msg.text)
    return await _scripts(ctx, opp) if opp else not_found(msg.text)


@router.action(ShowScripts)
async def click_show(click: CardClick[ShowScripts], ctx: Context) -> Reply:
    """The 看话术 button of the opportunity card."""
    opp = await opp_repo.get(ctx.session, click.action.opportunity_id)
    return await _scripts(ctx, opp) if opp else not_found()


async def _scripts(ctx: Context, opp: Opportunity) -> Reply:
    customer = await opp_repo.get_customer(ctx.session, opp.customer_id)
    assert customer is not None  # customer_id is a foreign key
    matches = await top_matches(ctx, opp, customer)
    full = await repo.by_ids(ctx.session, [m.script.id for m in matches])
    lines = [ScriptLine(m.script.id, m.script.title, full[m.script.id].text, m.explain()) for m in matches]
    return Reply(card=scripts_card(opp.id, customer.name, pipeline(ctx).stage_name(opp.stage), lines))


@router.action(UseScript)
async def click_use(click: CardClick[UseScript], ctx: Context) -> Reply:
    """用了这条: record adoption by this rep for this deal (once per day)."""
    assert ctx.member is not None  # a command or click: dispatch found the member
    opp = await opp_repo.get(ctx.session, click.action.opportunity_id)
    if opp is None:
        return not_found()
    await check_may_change(ctx, opp)
    script = (await repo.by_ids(ctx.session, [click.action.script_id])).get(click.action.script_id)
    if script is None:
        return Reply(card=notice_card("这条话术已下架", "发“话术”看最新推荐。", Level.WARNING))
    now = ctx.now()
    await repo.record(ctx.session, "used", [script.id], opp.id, ctx.member.id, now,
                      now.astimezone(ctx.settings.tz).date().isoformat())
    script_cache.invalidate()  # the rep's choice counts in the next card's ranking, not after the cache's TTL
    return Reply(card=notice_card("已记下", f"你用了《{script.title}》。用得好的话术会排得更靠前。", Level.SUCCESS),
                 toast="已记下")


@router.command("话术统计", "scriptstats", summary="（主管）各条话术和各位销售的话术采用率", usage="话术统计",
                roles=("manager", "admin"))
async def stats(msg: Message, ctx: Context) -> Reply:
    """Adoption per script and per rep; a manager sees their own team's reps."""
    assert ctx.member is not None  # a command or click: dispatch found the member
    team = ctx.member.team_id if ctx.member.role == "manager" else None
    return Reply(card=script_stats_card(await repo.stats_by_script(ctx.session),
                                        await repo.stats_by_rep(ctx.session, team)))
