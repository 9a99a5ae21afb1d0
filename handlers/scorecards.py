"""健康度 / 计分卡 (mine; a manager's: the team's lights) and 辅导 (log the 1:1 that closes a coaching task)."""

from __future__ import annotations

from bot.core.actions import LogCoaching
from bot.core.cards import Level
from bot.core.context import Context
from bot.core.errors import NotAllowed
from bot.core.events import Reply
from bot.core.inbound import CardClick, Message
from bot.core.routing import Router
from cards.views import notice_card, scorecard_card, team_lights_card
from flows.scorecard_links import scorecard_link
from flows.scorecards import score, windows
from sales.lights import LIGHT_ORDER
from storage.repos import members
from storage.repos import scorecards as repo
from storage.repos.pushes import team_name

router = Router("scorecards", feature="scorecards")
MANAGERS = ("manager", "admin")
MIN_NOTES = 4  # a 1:1 "logged with notes" needs a few words, not an empty tick


@router.command("健康度", "计分卡", "scorecard", summary="我的平衡计分卡（主管：团队红黄绿灯）",
                usage="健康度 [成员]")
async def show(msg: Message, ctx: Context) -> Reply:
    """A rep gets their scorecard; a manager the team's lights, or one member's card when named."""
    me, name = ctx.member, msg.text.strip()
    assert me is not None  # a command or click: dispatch found the member
    if me.role in MANAGERS and not name:
        return Reply(card=await _team(ctx))
    target = me
    if name and name != me.name:
        other = await members.by_name(ctx.session, name)
        if other is None or not await _may_see(ctx, other.id):
            return Reply(card=notice_card("看不了这位成员", f"没有找到你团队里叫“{name}”的销售。"
                                          "发“健康度”看自己的，主管发“健康度”看团队。", Level.WARNING))
        target = other
    return Reply(card=await _card(ctx, target.id, target.name, target.team_id))


async def _card(ctx: Context, member_id: int, name: str, team_id: int | None):
    assert ctx.member is not None  # a command or click: dispatch found the member
    now = ctx.now()
    team = await repo.reps(ctx.session, team_id=team_id) if team_id else []
    reps = team if any(r.id == member_id for r in team) else await repo.reps(ctx.session, ids=[member_id])
    if not reps:
        return notice_card(f"计分卡：{name}", "计分卡只给销售成员（role = rep）计算；主管发“健康度”看团队红黄绿灯。")
    w = windows(ctx.settings, now)
    scored = await score(ctx.session, ctx.settings, w, reps)
    last = (await repo.latest(ctx.session, [member_id])).get(member_id)
    tz = ctx.settings.tz
    span = (f"结果：近 {ctx.settings.scorecard.result_window_days} 天；健康：近 "
            f"{ctx.settings.scorecard.health_window_days} 天（截至 {now.astimezone(tz):%m-%d}）")
    return scorecard_card(name, scored.cards[member_id], last.light if last else "", span,
                          scorecard_link(ctx.settings, member_id, now, viewer_id=ctx.member.id))


async def _team(ctx: Context):
    assert ctx.member is not None  # a command or click: dispatch found the member
    team_id = None if ctx.member.role == "admin" else ctx.member.team_id
    reps = await repo.reps(ctx.session, team_id=team_id)
    rows = await repo.latest(ctx.session, [r.id for r in reps])
    lines = sorted(((r.name, rows[r.id].total if r.id in rows else None, rows[r.id].light if r.id in rows else "")
                    for r in reps), key=lambda x: (LIGHT_ORDER[x[2]], x[1] if x[1] is not None else 999, x[0]))
    period = max((row.period for row in rows.values()), default="")
    team = "全公司" if team_id is None else await team_name(ctx.session, team_id)
    return team_lights_card(team, f"最近一次周评：{period}" if period else "", lines)


async def _may_see(ctx: Context, member_id: int) -> bool:
    """A manager sees their own reps (or their team's); an admin sees everyone; a rep only themself."""
    assert ctx.member is not None  # a command or click: dispatch found the member
    if ctx.member.role == "admin":
        return True
    if ctx.member.role != "manager":
        return member_id == ctx.member.id
    rep = next(iter(await repo.reps(ctx.session, ids=[member_id])), None)
    return rep is not None and (rep.manager_id == ctx.member.id or rep.team_id == ctx.member.team_id)


@router.command("辅导", "coach", summary="（主管）记录一对一辅导，完成辅导任务", usage="辅导 <成员> <记录>",
                roles=MANAGERS)
async def coach(msg: Message, ctx: Context) -> Reply:
    """辅导 张三 聊了新客户开发，约定每周拜访两家新客户: log the 1:1 and close the coaching task."""
    name, _, notes = msg.text.strip().partition(" ")
    rep = await members.by_name(ctx.session, name) if name else None
    if rep is None:
        return Reply(card=notice_card("辅导谁？", "这样发：辅导 张三 聊了新客户开发，约定每周拜访两家新客户"))
    return await _log(ctx, rep.id, rep.name, notes.strip())


@router.action(LogCoaching, roles=MANAGERS)
async def click_coach(click: CardClick[LogCoaching], ctx: Context) -> Reply:
    """The 记录一对一 form of the coaching card: the typed text is the notes."""
    rep = await members.get(ctx.session, click.action.member_id)
    if rep is None:
        return Reply(card=notice_card("这位成员已不在名单里", "不需要再记录了。"))
    return await _log(ctx, rep.id, rep.name, (click.text or "").strip())


async def _log(ctx: Context, rep_id: int, rep_name: str, notes: str) -> Reply:
    assert ctx.member is not None  # a command or click: dispatch found the member
    if not await _may_see(ctx, rep_id) or rep_id == ctx.member.id:
        raise NotAllowed(f"{rep_name} 不是你团队的销售：只有 TA 的主管或管理员能记录一对一辅导。")
    if len(notes) < MIN_NOTES:
        return Reply(card=notice_card("记录写几句", f"写下这次一对一谈了什么、约定了什么，例如：辅导 {rep_name} "
                                      "聊了新客户开发，约定每周拜访两家新客户", Level.WARNING))
    task = await repo.coaching_task(ctx.session, rep_id)
    await repo.log_coaching(ctx.session, task, ctx.member.id, rep_id, notes[:2000], ctx.now())
    done = "辅导任务已完成，不会再出现在今日必做里。" if task else "（TA 当前没有待办的辅导任务，记录已保存。）"
    return Reply(card=notice_card(f"已记录与 {rep_name} 的一对一", done, Level.SUCCESS, items=[notes[:200]]))
