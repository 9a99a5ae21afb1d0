"""反馈: reps tell us what gets in their way (the seed's 内部体验官); admins read them."""

from __future__ import annotations

from bot.core.cards import Level
from bot.core.context import Context
from bot.core.events import Reply
from bot.core.inbound import Message
from bot.core.routing import Router
from cards.views import notice_card
from storage.repos import opportunities as repo

router = Router("feedback")


@router.command("反馈", "feedback", summary="说说用起来哪里不顺手，我们每周看", usage="反馈 <内容>")
async def give(msg: Message, ctx: Context) -> Reply:
    """Store a pain point with who sent it and where."""
    if not msg.text:
        return Reply(card=notice_card("反馈写什么？", "这样说：反馈 新建商机时老要重复输行业"))
    chat = msg.chat
    assert ctx.member is not None  # a command or click: dispatch found the member
    await repo.add_feedback(ctx.session, ctx.member.id, msg.text[:2000], chat.platform if chat else "",
                            chat.chat_id if chat else "", ctx.now())
    return Reply(card=notice_card("收到，谢谢", "管理员每周会看到所有反馈。", Level.SUCCESS, items=[msg.text[:200]]))
