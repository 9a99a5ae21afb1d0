"""开群: a deal room per opportunity — an internal group with the owner, their manager and the bot.

The room is created by the platform's `create_room` task (key `room:<platform>:<opportunity>`): WeCom
appchat, a DingTalk scene group, a Feishu chat. The task binds the new group to the opportunity and posts
its card there, so every message in the room acts on that deal without naming it.
"""

from __future__ import annotations

from bot.core.cards import Level
from bot.core.context import Context
from bot.core.events import ChatRef, Reply
from bot.core.inbound import Message
from bot.core.routing import Router
from cards.views import notice_card, opportunity_card
from handlers.opp_common import check_may_change, find, not_found, owner_of
from handlers.opp_view import view_of
from storage.repos import deal_rooms
from storage.repos import members as members_repo

router = Router("deal_rooms", feature="opportunities")
PLATFORMS = {"wecom": "企业微信", "dingtalk": "钉钉", "feishu": "飞书"}


@router.command("开群", "room", summary="给这个商机建一个内部群（负责人、主管和我），群里说话就是说这个商机",
                usage="开群 [客户]")
async def open_room(msg: Message, ctx: Context) -> Reply:
    """Queue the room's creation on this platform; the card arrives in the new group."""
    opp = await find(msg, ctx, msg.text)
    if opp is None:
        return not_found(msg.text)
    await check_may_change(ctx, opp)
    if msg.platform == "playground":
        return await _playground_room(msg, ctx, opp)
    if msg.platform not in PLATFORMS:
        return Reply(card=notice_card("这里建不了群", "商机群建在企业微信、钉钉或飞书里：在那边对我发“开群”。"))
    if msg.platform == "dingtalk" and not ctx.settings.dingtalk.scene_group_template_id:
        return Reply(card=notice_card("还不能建钉钉群", "管理员需要先在 [dingtalk] scene_group_template_id "
                                      "填上场景群模板（开放平台 → 场景群 → 模板，模板里要有机器人）。", Level.WARNING))
    assert ctx.member is not None  # a command or click: dispatch found the member
    owner = await owner_of(ctx, opp) or ctx.member
    people = [owner, *await deal_rooms.managers_of(ctx.session, owner), ctx.member]
    ids = await members_repo.identities_of(ctx.session, [p.id for p in people])
    users = list(dict.fromkeys(ids.get(p.id, {}).get(msg.platform) for p in people if msg.platform in
                               ids.get(p.id, {})))
    view = await view_of(ctx, opp)
    if len(users) < 2 and msg.platform == "wecom":
        return Reply(card=notice_card("人不够建群", "企业微信的群至少要两个人：负责人的主管还没有关联企业微信账号。",
                                      Level.WARNING))
    payload = {"opportunity_id": opp.id, "name": f"商机群·{view.customer}"[:50],
               "owner": users[0], "users": users, "card": opportunity_card(view, "商机群：").to_dict()}
    queued = await ctx.tasks.add("create_room", msg.platform, f"room:{msg.platform}:{opp.id}", payload)
    text = (f"正在建“{payload['name']}”（{len(users)} 人），建好后商机卡会发到群里；在群里说的话都算这个商机。"
            if queued else "这个商机已经建过群了，去群里看看。")
    return Reply(card=notice_card(f"开群：{view.customer}", text, Level.SUCCESS if queued else Level.INFO))


async def _playground_room(msg: Message, ctx: Context, opp) -> Reply:
    """The playground has no platform to ask: the room is a new playground group, listed with the others."""
    room = f"{deal_rooms.PLAYGROUND_PREFIX}{opp.id}"
    view = await view_of(ctx, opp)
    await deal_rooms.bind_in(ctx.session, opp.id, "playground", room)
    await ctx.outbox.send(ChatRef("playground", room, True, {}), opportunity_card(view, "商机群："),
                          f"room:playground:{opp.id}")
    return Reply(card=notice_card(f"开群：{view.customer}", "建好了：群列表里多了“商机群·"
                                  f"{view.customer}”，在那里说的话都算这个商机。", Level.SUCCESS))
