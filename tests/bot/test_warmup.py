"""The start-up warm-up: models mapped and every enabled platform's card rendered, on a thread, never failing."""

from __future__ import annotations

import asyncio
import logging
import threading
from types import SimpleNamespace

from sqlalchemy import inspect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bot import warmup
from bot.platforms import registry


def _fake_rt(fail: str = "") -> tuple[SimpleNamespace, list[str]]:
    rendered: list[str] = []

    def render(chat, card, text, extra):
        if chat.platform == fail:
            raise ValueError("template broken")
        rendered.append(chat.platform)
        return {}

    return SimpleNamespace(settings=SimpleNamespace(), renderers=SimpleNamespace(render=render)), rendered


def _enabled(monkeypatch, *names: str) -> None:
    platforms = [SimpleNamespace(name=n, renderer=object) for n in names]
    platforms.append(SimpleNamespace(name="intake", renderer=None))  # callbacks only: nothing to render
    monkeypatch.setattr(registry, "enabled", lambda settings: platforms)


def test_warm_maps_the_models_and_renders_a_card_per_enabled_platform(monkeypatch):
    class Base(DeclarativeBase):
        pass

    class Probe(Base):  # a model nothing has queried yet (ours may be mapped by earlier tests)
        __tablename__ = "warmup_probe"
        id: Mapped[int] = mapped_column(primary_key=True)

    _enabled(monkeypatch, "feishu", "wecom")
    rt, rendered = _fake_rt()
    assert not inspect(Probe).configured
    warmup.warm(rt)  # type: ignore[arg-type]  # a stand-in with what warm reads
    assert rendered == ["feishu", "wecom"]
    assert inspect(Probe).configured


def test_a_renderer_that_fails_is_logged_and_the_others_still_warm(monkeypatch, caplog):
    _enabled(monkeypatch, "wecom", "feishu")
    rt, rendered = _fake_rt(fail="wecom")
    with caplog.at_level(logging.ERROR, logger="salesbot"):
        warmup.warm(rt)  # type: ignore[arg-type]
    assert rendered == ["feishu"]
    assert [r.getMessage() for r in caplog.records] == ["warm-up: a card could not be rendered"]
    assert caplog.records[0].platform == "wecom"


def test_every_real_renderer_takes_the_warm_up_card(monkeypatch, rt, caplog):
    monkeypatch.setattr(registry, "enabled", lambda settings: list(registry.PLATFORMS))
    with caplog.at_level(logging.ERROR, logger="salesbot"):
        warmup.warm(rt)
    assert not caplog.records


async def test_warming_runs_on_a_thread_while_the_block_runs_and_waits_for_it_at_the_end(monkeypatch):
    started, release, threads = threading.Event(), threading.Event(), []

    def slow_warm(rt) -> None:
        started.set()
        release.wait(5)
        threads.append(threading.current_thread())

    monkeypatch.setattr(warmup, "warm", slow_warm)
    async with warmup.warming(SimpleNamespace()):  # type: ignore[arg-type]
        assert await asyncio.to_thread(started.wait, 5)  # the loop is free while it warms
        assert not threads
        release.set()
    assert threads and threads[0] is not threading.main_thread()
