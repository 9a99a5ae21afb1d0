"""The activation checklist: ticking an item closes its task and records a follow-up with the customer."""

from __future__ import annotations

from bot.core.actions import TickActivation
from bot.core.context import Context
from bot.core.errors import NotAllowed
from bot.core.events import Reply
from bot.core.inbound import CardClick
from bot.core.links import material_link
from bot.core.routing import Router
from bot.core.vocab import InteractionKind
from cards.views import ActivationItem, activation_card, notice_card
from flows.grading_tasks import load_plan
from storage.models import Interaction, Task
from storage.repos import grading, grading_tasks

router = Router("grading_activation", feature="grading")


@router.action(TickActivation)
async def tick(click: CardClick[TickActivation], ctx: Context) -> Reply:
    """Close the plan item (the owner's own), count it as an interaction, show the plan with it ticked."""
    assert ctx.member is not None  # a command or click: dispatch found the member
    task = await ctx.session.get(Task, click.action.task_id)
    if task is None or task.kind != "activation" or not task.ref.startswith("customer:"):
        return Reply(card=notice_card("这一项找不到了", "唤醒计划可能已被移交，发“分级 客户名”看最新情况。"))
    if task.owner_id != ctx.member.id:
        raise NotAllowed("这是别人的唤醒计划：只有客户的负责人能勾选。")
    customer_id = int(task.ref.removeprefix("customer:"))
    if task.done_at is None:
        task.done_at = ctx.now()
        item = task.title.partition("：")[2] or task.title
        ctx.session.add(Interaction(customer_id=customer_id, member_id=ctx.member.id,
                                    kind=InteractionKind.FOLLOW_UP.value, note=f"唤醒计划：{item}", at=ctx.now()))
    assert task.created_at is not None  # stamped when the plan was written
    tasks = await grading_tasks.activation_tasks(ctx.session, customer_id, task.created_at)
    plan = load_plan(ctx.settings.grading)
    how = {it.name: it for it in plan.items}
    names = await grading_tasks.names(ctx.session, [customer_id])
    history = await grading.history_of(ctx.session, customer_id, 1)
    lines = []
    for t in tasks:
        name = t.title.partition("：")[2] or t.title
        it = how.get(name)
        link = material_link(ctx.settings, customer_id, ctx.member.id, it.url, it.name, ctx.now()) \
            if it and it.url else ""
        lines.append(ActivationItem(t.id, name, it.how if it else "", t.done_at is not None, link))
    card = activation_card(names.get(customer_id, ""), history[0].reason if history else "", plan.intro, lines)
    return Reply(card=card, update=True, toast="已记一次跟进")
