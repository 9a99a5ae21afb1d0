"""A batch larger than a chunk: written a chunk at a time while the next renders, with the same rows and order."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from bot import outbox as out
from bot.core.cards import Card
from bot.core.events import ChatRef
from bot.core.ports import Outgoing
from storage.models import CardView, OutboxMessage

N = out.CHUNK * 2 + 7


def _items() -> list[Outgoing]:
    items = [Outgoing(f"push:{i}", ChatRef("wecom", f"dm:{i}", False, {}),  # WeCom shortens the long ones: views
                      Card(title=f"卡片 {i}", subtitle="x" * 3000 if i % 97 == 0 else "")) for i in range(N)]
    return [*items, items[3]._replace(card=Card(title="later, same key"))]  # a key seen in the first chunk


async def test_rows_views_and_new_keys_are_those_of_one_statement(rt_any):
    async with rt_any.db.session() as s:
        box = out.RenderingOutbox(s, rt_any.clock.now, rt_any.renderers.render)
        new = await box.send_many(_items())
        again = await box.send_many(_items()[:5])
    assert new == {f"push:{i}" for i in range(N)} and again == set()
    async with rt_any.db.sessions() as s:
        rows = (await s.execute(select(OutboxMessage.idempotency_key, OutboxMessage.payload)
                                .order_by(OutboxMessage.id))).all()  # type: ignore[arg-type]
        views = await s.scalar(select(func.count()).select_from(CardView))
    assert [k for k, _ in rows] == [f"push:{i}" for i in range(N)]  # in the order given, first of a key wins
    assert "卡片 3" in json.dumps(rows[3][1], ensure_ascii=False) and views


async def test_a_render_error_in_a_later_chunk_rolls_everything_back(rt_any):
    def render(chat, card, text, extra):
        if extra["idempotency_key"] == f"push:{out.CHUNK + 3}":
            raise ValueError("cannot render")
        return rt_any.renderers.render(chat, card, text, extra)

    with pytest.raises(ValueError, match="cannot render"):
        async with rt_any.db.session() as s:
            await out.RenderingOutbox(s, rt_any.clock.now, render).send_many(_items())
    async with rt_any.db.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(OutboxMessage)) == 0
