"""分级 (a customer's grade and why), the activation checklist, and 分级复核 (the managers' quarterly review)."""

from __future__ import annotations

from bot.core.actions import ApproveAllGrades, ApproveGrade, RejectGrade, ShowGrade, ShowGradeReview
from bot.core.context import Context
from bot.core.errors import NotAllowed
from bot.core.events import Reply
from bot.core.inbound import CardClick, Message
from bot.core.links import grading_board_link
from bot.core.routing import Router
from cards.views import ProposalLine, grade_card, my_grades_card, notice_card, outcome_card, review_card
from flows import regrade
from flows.grading_view import grade_view
from flows.targets import personal_chats
from storage.repos import grade_reviews, grading, grading_tasks, pushes

router = Router("grading", feature="grading")
MANAGERS = ("manager", "admin")


def _board(ctx: Context) -> str:
    assert ctx.member is not None  # a command or click: dispatch found the member
    if ctx.member.role not in MANAGERS:
        return ""
    return grading_board_link(ctx.settings, ctx.member.id, ctx.member.team_id, ctx.now())


@router.command("分级", "grade", summary="客户的级别、活跃度构成、预计价值和这个级别要做的事", usage="分级 [客户]")
async def show(msg: Message, ctx: Context) -> Reply:
    """分级 lists my customers per grade; 分级 <客户> explains one customer's grade."""
    assert ctx.member is not None  # a command or click: dispatch found the member
    name = msg.text.strip()
    if not name:
        counts = await grading.grade_counts(ctx.session, ctx.member.id)
        return Reply(card=my_grades_card(ctx.member.name, counts, _board(ctx)))
    found = await grading.find_customers(ctx.session, name, ctx.member.id)
    if not found:
        return Reply(card=notice_card(f"没找到客户“{name[:30]}”", "换个叫法试试，比如公司简称：分级 华东医疗"))
    if len(found) > 1 and found[0].name != name:
        return Reply(card=notice_card("找到几位名字相近的客户", "发完整名字再看一次：", items=[c.name for c in found]))
    return await _customer(ctx, found[0].id)


@router.action(ShowGrade)
async def click_show(click: CardClick[ShowGrade], ctx: Context) -> Reply:
    """The 分级 button on other cards."""
    return await _customer(ctx, click.action.customer_id)


async def _customer(ctx: Context, customer_id: int) -> Reply:
    assert ctx.member is not None  # a command or click: dispatch found the member
    found = await grade_view(ctx.session, ctx.settings.grading, customer_id, ctx.settings.tz, ctx.now())
    if found is None:
        return Reply(card=notice_card("没找到这位客户", "可能已合并或删除，发“分级 客户名”再查。"))
    owner, view = found
    if ctx.member.role not in MANAGERS and owner not in (None, ctx.member.id):
        raise NotAllowed("这位客户不归你跟进：只有客户的负责人、主管或管理员能看它的分级；需要的话请主管转给你。")
    view.board = _board(ctx)
    return Reply(card=grade_card(view))


@router.command("分级复核", "regrade", summary="（主管）季度分级调整建议：全部通过、逐条通过或驳回",
                usage="分级复核 [通过 全部|通过 编号…|驳回 编号 原因]", roles=MANAGERS)
async def review(msg: Message, ctx: Context) -> Reply:
    """Show the pending proposals, or decide them: 通过 全部 / 通过 12 13 / 驳回 12 原因."""
    verb, _, rest = msg.text.strip().partition(" ")
    rest = rest.strip()
    if verb in ("通过", "approve"):
        if rest in ("全部", "all"):
            return await _decided(ctx, await regrade.approve(ctx.session, *_who(ctx), ctx.now()))
        ids = [int(x) for x in rest.replace("#", " ").replace("，", " ").split() if x.isdigit()]
        if not ids:
            return Reply(card=notice_card("通过哪几条？", "发“分级复核 通过 全部”或“分级复核 通过 12 13”"))
        return await _decided(ctx, await regrade.approve(ctx.session, *_who(ctx), ctx.now(), ids=ids))
    if verb in ("驳回", "reject"):
        number, _, note = rest.replace("#", "").partition(" ")
        if not number.isdigit() or not note.strip():
            return Reply(card=notice_card("驳回要写编号和原因", "例如：分级复核 驳回 12 客户下季度有大单在谈"))
        return await _decided(ctx, await regrade.reject(ctx.session, *_who(ctx), ctx.now(), int(number), note.strip()))
    if verb:
        return Reply(card=notice_card("没看懂", "发“分级复核”看建议；“分级复核 通过 全部”；“分级复核 驳回 12 原因”"))
    return Reply(card=await _review_card(ctx))


@router.action(ShowGradeReview, roles=MANAGERS)
async def click_review(click: CardClick[ShowGradeReview], ctx: Context) -> Reply:
    """The review card, fresh."""
    return Reply(card=await _review_card(ctx))


@router.action(ApproveAllGrades, roles=MANAGERS)
async def click_all(click: CardClick[ApproveAllGrades], ctx: Context) -> Reply:
    """全部通过: every pending proposal of that quarter in the manager's team."""
    return await _decided(ctx, await regrade.approve(ctx.session, *_who(ctx), ctx.now(), quarter=click.action.quarter),
                          update=True)


@router.action(ApproveGrade, roles=MANAGERS)
async def click_one(click: CardClick[ApproveGrade], ctx: Context) -> Reply:
    """通过#N: one proposal."""
    await _check_team(ctx, click.action.proposal_id)
    decided = await regrade.approve(ctx.session, *_who(ctx), ctx.now(), ids=[click.action.proposal_id])
    return await _decided(ctx, decided, update=True)


@router.action(RejectGrade, roles=MANAGERS)
async def click_reject(click: CardClick[RejectGrade], ctx: Context) -> Reply:
    """驳回 with the form's text as the reason (a reason is required)."""
    await _check_team(ctx, click.action.proposal_id)
    note = click.text.strip()
    if not note:
        return Reply(toast="请写驳回原因",
                     card=notice_card("驳回要写原因", "在输入框写原因再点驳回，或发“分级复核 驳回 编号 原因”"))
    decided = await regrade.reject(ctx.session, *_who(ctx), ctx.now(), click.action.proposal_id, note)
    return await _decided(ctx, decided, update=True)


async def _check_team(ctx: Context, proposal_id: int) -> None:
    """Refuse (not "nothing to do") a pending proposal of another team's customer."""
    assert ctx.member is not None  # a command or click: dispatch found the member
    if ctx.member.role == "admin" or not await grade_reviews.pending_rows(ctx.session, None, True, [proposal_id]):
        return
    if not await grade_reviews.pending_rows(ctx.session, ctx.member.team_id, False, [proposal_id]):
        raise NotAllowed("这条建议不是你团队的：只有客户负责人所在团队的主管或管理员能处理。")


def _who(ctx: Context) -> tuple[int, int | None, bool]:
    assert ctx.member is not None  # a command or click: dispatch found the member
    return ctx.member.id, ctx.member.team_id, ctx.member.role == "admin"


async def _review_card(ctx: Context):
    assert ctx.member is not None  # a command or click: dispatch found the member
    rows, total = await grade_reviews.pending(ctx.session, ctx.member.team_id, ctx.member.role == "admin",
                                              ctx.settings.grading.review_show)
    quarter = rows[0][6] if rows else regrade.quarter_before(ctx.now(), ctx.settings.tz)
    team = "全公司" if ctx.member.role == "admin" else await pushes.team_name(ctx.session, ctx.member.team_id)
    return review_card(quarter, team, [ProposalLine(*r[:6]) for r in rows], total)


async def _decided(ctx: Context, decided: list[regrade.Decided], update: bool = False) -> Reply:
    """Tell each rep the outcome of their customers' proposals (once per proposal), then show what is left."""
    if not decided:
        return Reply(card=notice_card("没有可处理的建议", "这些建议已经处理过，或不属于你的团队。"), toast="没有变化")
    owners = [d.proposal.owner_id for d in decided if d.proposal.owner_id]
    chats = await personal_chats(ctx.session, ctx.settings, owners)
    names = await grading_tasks.names(ctx.session, [d.proposal.customer_id for d in decided])
    for d in decided:
        p = d.proposal
        if p.owner_id in chats.chats:
            await ctx.outbox.send(chats.chats[p.owner_id], outcome_card(names.get(p.customer_id, ""), p.from_grade,
                                                                 p.to_grade, d.approved, p.decision_note),
                           f"regrade_outcome:{p.id}")
    done = sum(d.approved for d in decided)
    toast = f"已通过 {done} 条" if done else "已驳回，已告诉负责的同事"
    return Reply(card=await _review_card(ctx), update=update, toast=toast)

