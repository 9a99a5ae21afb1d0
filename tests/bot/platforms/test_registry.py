"""The registry builds what the shell needs from the Platform objects: renderers, APIs, routes, approvals."""

from __future__ import annotations

import pytest

from bot.core.cards import Card
from bot.core.events import ChatRef
from bot.platforms import registry
from bot.platforms.dingtalk.extras.preview import preview_html as dingtalk_preview
from bot.platforms.playground.render import PlaygroundRenderer
from bot.runtime import Runtime
from tests.conftest import make_settings


def test_every_renderer_is_built_and_the_playground_gets_the_others_as_skins(clock):
    renderers = registry.Renderers(make_settings("sqlite://"), clock)
    assert set(renderers.by_name) == {"wecom", "dingtalk", "feishu", "playground"}  # intake renders no chat message
    playground = renderers["playground"]
    assert isinstance(playground, PlaygroundRenderer) and list(playground.skins) == ["wecom", "dingtalk", "feishu"]
    assert playground.skins["dingtalk"].renderer is renderers["dingtalk"]
    assert playground.skins["dingtalk"].preview is dingtalk_preview
    with pytest.raises(ValueError, match="no renderer for platform 'sms'"):
        renderers.render(ChatRef("sms", "x", False), Card("hi"), "", {})


async def test_apis_are_built_for_enabled_platforms_with_their_renderer(sqlite_url, clock):
    settings = make_settings(sqlite_url, wecom={"enabled": True}, feishu={"enabled": True})
    rt = Runtime(settings, clock=clock)
    try:
        assert list(rt.apis) == ["wecom", "feishu", "playground"]
        assert rt.apis["wecom"].renderer is rt.renderers["wecom"]
        assert rt.apis["feishu"].approvals.renderer is rt.renderers["feishu"]
        assert [p.name for p in registry.enabled(settings)] == ["wecom", "feishu", "playground", "intake"]
    finally:
        await rt.db.close()


def test_approvals_run_in_a_platform_only_when_it_says_so():
    settings = make_settings("sqlite://", dingtalk={"enabled": True, "approval_process_code": "PROC-1"})
    assert registry.runs_approvals(settings, "dingtalk")
    assert not registry.runs_approvals(settings, "feishu")  # off
    assert not registry.runs_approvals(settings, "playground")  # no approval app
    assert not registry.runs_approvals(settings, "sms")  # unknown
