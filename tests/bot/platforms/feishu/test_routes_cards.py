"""Checkers, forms and delayed updates through POST /feishu/events (real route, real API, fake Feishu)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select

from bot import handling
from bot.platforms.feishu import routes
from storage.models import AttackAction, Evidence
from storage.repos import members
from tests.bot.platforms.feishu.conftest import click, envelope, mention, signed, text_message
from tests.fakes.feishu import BOT_OPEN_ID
from tests.helpers import add_member

REP = "ou_rep_lina"


async def _post(client, rt, payload: dict):
    body, headers = signed(payload, int(rt.clock.now().timestamp()))
    return await client.post("/feishu/events", data=body, headers=headers)


async def _say(client, rt, fake, text: str, n: int) -> dict:
    """@ the bot in the group and return the card it answers with."""
    msg = text_message(f"@_user_1 {text}", REP, message_id=f"om_{n}", mentions=[mention("@_user_1", BOT_OPEN_ID)])
    await _post(client, rt, envelope("im.message.receive_v1", msg, f"ev-{n}"))
    await rt.dispatcher.drain()
    while await rt.sender.run_once():
        pass
    return fake.cards()[-1]


async def _deal(client, rt, fake) -> None:
    rt.apis["feishu"].throttle.per_target = 100
    member_id = await add_member(rt, "李娜")
    async with rt.db.session() as s:
        await members.link_identity(s, member_id, "feishu", REP)
    await _say(client, rt, fake, "新建商机 华东医疗 预算 30万", 0)


def _elements(card: dict, tag: str) -> list[dict]:
    return [el for el in card["body"]["elements"] if el["tag"] == tag]


def _button(card: dict, label: str) -> str:
    found = [c["elements"][0] for row in _elements(card, "column_set") for c in row["columns"]
             if c["elements"][0].get("tag") == "button" and c["elements"][0]["text"]["content"] == label]
    return found[0]["behaviors"][0]["value"]["a"]


def _tick(checker: dict, event_id: str) -> dict:
    payload = click(checker["behaviors"][0]["value"]["a"], REP, event_id)
    payload["event"]["action"].update(tag="checker", checked=True, name=checker["name"])
    return payload


async def test_the_attack_checklist_is_checkers_and_ticking_one_completes_that_action(fclient, frt, fake):
    await _deal(fclient, frt, fake)
    choice = await _say(fclient, frt, fake, "攻坚 预算不足", 1)
    answer = await (await _post(fclient, frt, click(_button(choice, "算清账：让财务看到回报"), REP, "cb-1"))).json()
    checkers = _elements(answer["card"]["data"], "checker")
    assert [c["checked"] for c in checkers] == [False, False, False]
    assert checkers[1]["text"]["content"].startswith("2. 预约财务负责人线上答疑")

    answer = await (await _post(fclient, frt, _tick(checkers[1], "cb-2"))).json()  # out of order: the second
    ticked = _elements(answer["card"]["data"], "checker")
    assert [(c["text"]["content"][:2], c["checked"]) for c in ticked] == [("1.", False), ("3.", False), ("2.", True)]
    assert ticked[2].get("disabled") is True and answer["toast"]["content"] == "已完成，下一项在最上面"
    async with frt.db.session() as s:
        done = (await s.execute(select(AttackAction.position).where(AttackAction.done_by.is_not(None)))).all()
    assert done == [(2,)]
    again = await (await _post(fclient, frt, _tick(checkers[1], "cb-3"))).json()  # a stale card ticks once only
    assert again["toast"]["content"] == "这一项之前已经完成了"


async def test_the_evidence_prompt_has_a_form_whose_submit_attaches_the_text(fclient, frt, fake):
    await _deal(fclient, frt, fake)
    card = fake.cards()[-1]
    answer = await (await _post(fclient, frt, click(_button(card, "补凭证"), REP, "cb-1"))).json()
    prompt = answer["card"]["data"]
    assert prompt["header"]["title"]["content"] == "怎么补凭证"
    [form] = _elements(prompt, "form")
    box, submit = form["elements"]
    payload = click(submit["behaviors"][0]["value"]["a"], REP, "cb-2")
    payload["event"]["action"].update(name=submit["name"], form_value={box["name"]: "会议纪要 https://m.example.com/1"})
    answer = await (await _post(fclient, frt, payload)).json()
    assert answer["card"]["data"]["header"]["title"]["content"] == "已记下会议纪要：华东医疗"
    async with frt.db.session() as s:
        [evidence] = (await s.execute(select(Evidence))).scalars().all()
    assert (evidence.kind, evidence.content, evidence.media_kind) == ("会议纪要", "https://m.example.com/1", "link")


async def _slow_click(client, rt, fake, monkeypatch, age: timedelta) -> dict:
    """A click whose reply misses the inline answer; the sender delivers it `age` after the click."""
    rt.apis["feishu"].throttle.per_target = 100
    member_id = await add_member(rt, "李娜")
    async with rt.db.session() as s:
        await members.link_identity(s, member_id, "feishu", REP)
    gate, route = asyncio.Event(), handling.route

    async def slow_route(table, event, ctx):
        await gate.wait()
        return await route(table, event, ctx)

    monkeypatch.setattr(handling, "route", slow_route)
    monkeypatch.setattr(routes, "CARD_WAIT", 0.1)
    payload = click("help|all", REP, "cb-slow")
    payload["header"]["create_time"] = str(int(rt.clock.now().timestamp() * 1_000_000))  # µs, as Feishu sends
    assert await (await _post(client, rt, payload)).json() == {}
    gate.set()
    await rt.dispatcher.drain()
    rt.clock.advance(age)
    while await rt.sender.run_once():
        pass
    return fake.messages[-1]


async def test_a_slow_click_reply_replaces_the_clicked_card_with_the_delayed_update_token(fclient, frt, fake,
                                                                                             monkeypatch):
    sent = await _slow_click(fclient, frt, fake, monkeypatch, timedelta(minutes=1))
    assert sent["op"] == "delayed_update" and sent["token"] == "c-delayed"
    assert sent["card"]["header"]["title"]["content"] == "销售助手能做什么" and len(fake.messages) == 1


async def test_an_old_token_is_not_used_and_the_reply_is_sent_as_a_message(fclient, frt, fake, monkeypatch):
    sent = await _slow_click(fclient, frt, fake, monkeypatch, timedelta(minutes=26))
    assert sent["op"] == "create" and sent["receive_id"] == "oc_group1" and fake.token_uses == {}
