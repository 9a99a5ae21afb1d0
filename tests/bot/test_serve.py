"""Start-up and shutdown in one place: the runtime, then each enabled platform's lifespan; back the other way."""

from __future__ import annotations

import contextlib
from types import SimpleNamespace

from bot import serve
from bot.platforms import registry
from bot.platforms.base import Platform


class _Runtime:
    def __init__(self, log: list[str]) -> None:
        self.log, self.settings = log, SimpleNamespace()

    async def start(self) -> None:
        self.log.append("runtime start")

    async def stop(self) -> None:
        self.log.append("runtime stop")


def _platform(name: str, log: list[str]) -> Platform:
    @contextlib.asynccontextmanager
    async def lifespan(rt):
        log.append(f"{name} up")
        try:
            yield
        finally:
            log.append(f"{name} down")

    return Platform(name=name, enabled=lambda s: True, routes=lambda app: None, renderer=None, api=None,
                    lifespan=lifespan)


async def test_platform_clients_start_after_the_runtime_and_stop_before_it_drains(monkeypatch):
    log: list[str] = []
    monkeypatch.setattr(registry, "enabled", lambda settings: [_platform("a", log), _platform("b", log)])
    async with serve.running(_Runtime(log), scheduler=False):
        log.append("serving")
    assert log == ["runtime start", "a up", "b up", "serving", "b down", "a down", "runtime stop"]


async def test_the_runtime_stops_even_when_a_platform_fails_to_start(monkeypatch):
    log: list[str] = []

    @contextlib.asynccontextmanager
    async def broken(rt):
        raise RuntimeError("no route to the platform")
        yield

    bad = Platform(name="bad", enabled=lambda s: True, routes=lambda app: None, renderer=None, api=None,
                   lifespan=broken)
    monkeypatch.setattr(registry, "enabled", lambda settings: [_platform("a", log), bad])
    with contextlib.suppress(RuntimeError):
        async with serve.running(_Runtime(log), scheduler=False):
            log.append("serving")
    assert log == ["runtime start", "a up", "a down", "runtime stop"]
