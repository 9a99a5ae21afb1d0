"""Rendering: ActionCard markdown with signed links, robot msgKey forms, template cardParamMap, preview."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, unquote, urlparse

import pytest

from bot.core.actions import AdvanceStage, ShowHelp, ShowOpportunity
from bot.core.cards import Button, Card, Field, Section
from bot.core.events import ChatRef
from bot.core.signing import make_token, peek_action, read_token
from bot.platforms.dingtalk import render
from bot.platforms.dingtalk.adapter import target_of_track, track_id
from bot.platforms.dingtalk.extras import template_cards
from bot.platforms.dingtalk.extras.preview import preview_html
from bot.platforms.dingtalk.render import DingTalkRenderer
from bot.platforms.registry import BY_NAME
from bot.runtime import Runtime
from tests.conftest import make_settings

CARD = Card("华东医疗", subtitle="商机 #7", sections=[Section(fields=[Field("客户现在卡在哪", "需求确认")],
                                                            items=["**凭证** — 补上"])],
            buttons=[Button("推进", AdvanceStage(opportunity_id=7), "primary"), Button("刷新", ShowOpportunity(7))],
            footer="页脚")
GROUP = ChatRef("dingtalk", "group:cid1==", True, {"sender": "u001", "session_webhook": "http://x/s",
                                                    "session_webhook_expires": 123})


@pytest.fixture
def configured(clock):
    return make_settings("sqlite+aiosqlite://", dingtalk={"enabled": True, "client_id": "robot1"},
                         server={"secret_key": "k" * 32, "public_url": "https://bot.example.com/"})


@pytest.fixture
def renderer(configured, clock) -> DingTalkRenderer:
    return DingTalkRenderer(configured, clock)


def test_action_card_buttons_are_signed_links_for_the_sender(renderer, clock):
    payload = renderer.render(GROUP, CARD, "", {})
    assert payload["kind"] == "message" and payload["session_webhook"] == "http://x/s"
    ac = payload["body"]["actionCard"]
    assert "### 华东医疗" in ac["text"] and "**客户现在卡在哪**：需求确认" in ac["text"]
    link = ac["btns"][0]["actionURL"]
    inner = parse_qs(urlparse(link).query)["url"][0]
    assert link.startswith("dingtalk://dingtalkclient/page/link?") and inner.startswith("https://bot.example.com/a/")
    platform, actor, packed, chat, expired = read_token("k" * 32, inner.rsplit("/", 1)[1], clock.now())
    assert (platform, actor, packed, chat, expired) == ("dingtalk", "u001", "opp.advance|7", "group:cid1==", False)


def test_robot_api_forms_match_the_webhook_body(renderer):
    body = renderer.render(GROUP, CARD, "", {})["robot"]
    assert body["msgKey"] == "sampleActionCard2"
    param = json.loads(body["msgParam"])
    assert param["actionTitle1"] == "推进" and param["actionURL2"].startswith("dingtalk://")
    one = render.robot_message(renderer.action_card(GROUP, Card("x", buttons=[Button("帮助", ShowHelp("all"))])))
    assert one["msgKey"] == "sampleActionCard" and json.loads(one["msgParam"])["singleTitle"] == "帮助"
    text = renderer.render(GROUP, None, "你好", {})
    assert text["body"] == {"msgtype": "text", "text": {"content": "你好"}} and text["robot"]["msgKey"] == "sampleText"


def test_webhook_pushes_have_no_links_because_nobody_to_act_as(renderer):
    payload = renderer.render(ChatRef("dingtalk", "webhook:east", True), CARD, "", {})
    assert payload["body"]["msgtype"] == "markdown" and payload["robot"]["msgKey"] == "sampleMarkdown"


def test_template_card_params_are_strings_and_clicks_update_in_place(configured, clock):
    configured.dingtalk.card_template_id = "tpl.1"
    renderer = DingTalkRenderer(configured, clock)
    created = renderer.render(GROUP, CARD, "", {})["create"]
    params = created["cardData"]["cardParamMap"]
    assert all(isinstance(v, str) for v in params.values())
    assert params["btn_count"] == "2" and params["btn1_action"] == "opp.advance|7" and params["btn3_label"] == ""
    assert created["imGroupOpenDeliverModel"] == {"robotCode": "robot1"}
    assert target_of_track(created["outTrackId"]) == "group:cid1=="
    clicked = ChatRef("dingtalk", "group:cid1==", True, {"out_track_id": created["outTrackId"], "sender": "u7"})
    shared = renderer.render(clicked, CARD, "", {"update": True})
    assert shared["kind"] == "card_update" and shared["update"]["outTrackId"] == created["outTrackId"]
    assert template_cards.inline_answer(shared)["cardData"] == shared["update"]["cardData"]
    private = renderer.render(clicked, CARD, "", {})["update"]
    assert list(private["privateData"]) == ["u7"] and "cardData" not in private
    assert template_cards.inline_answer({"update": private})["userPrivateData"] == private["privateData"]["u7"]
    assert "<h3>华东医疗</h3>" in preview_html({"kind": "card_update", "update": private})
    one = renderer.render(ChatRef("dingtalk", "user:u9"), CARD, "", {})["create"]
    assert one["openSpaceId"] == "dtv1.card//IM_ROBOT.u9" and one["imRobotOpenDeliverModel"]["spaceType"] == "IM_ROBOT"


def test_track_ids_round_trip_and_foreign_ones_are_refused():
    assert target_of_track(track_id("user:abc+/=")) == "user:abc+/="
    assert target_of_track("53d6dd-uuid") is None


def test_preview_shows_the_sent_json(renderer):
    for payload in (renderer.render(GROUP, CARD, "", {}), renderer.render(GROUP, None, "纯文本", {})):
        html = preview_html(payload)
        assert "<pre>" in html and "card-dingtalk" in html
    html = preview_html(renderer.render(GROUP, CARD, "", {}))
    assert "<h3>华东医疗</h3>" in html and "<b>客户现在卡在哪</b>" in html
    # each signed link becomes a button the playground clicks: the packed action read back from the token
    assert '<button class="btn btn-default" data-action="opp.advance|7"' in html and ">推进</button>" in html
    assert 'data-action="opp.show|7"' in html and 'class="platform-json"' in html


def test_preview_buttons_of_template_cards_and_foreign_links():
    params = template_cards.card_params(CARD, render.markdown(CARD))
    html = preview_html({"kind": "card", "create": {"cardData": {"cardParamMap": params}}})
    assert '<button class="btn btn-primary" data-action="opp.advance|7">推进</button>' in html
    foreign = {"msgtype": "actionCard", "actionCard": {"title": "t", "text": "x", "singleTitle": "看看",
                                                       "singleURL": "https://example.com/page"}}
    assert '<a class="btn btn-default" href="https://example.com/page"' in preview_html({"kind": "message",
                                                                                         "body": foreign})


def test_peek_action_reads_without_trusting_and_never_raises(clock):
    token = make_token("secret", "dingtalk", "u1", "opp.show|7", "group:c", clock.now())
    assert peek_action(token) == "opp.show|7" == peek_action(token.split(".")[0] + ".forged")
    for junk in ("", "!!!", "e30.x", token[:5]):
        assert peek_action(junk) is None


async def test_every_runtime_binds_the_renderers_so_playground_previews_have_buttons(clock):
    settings = make_settings("sqlite+aiosqlite://", server={"secret_key": "s" * 32, "public_url": "https://p.example/"})
    assert not settings.dingtalk.enabled and not settings.wecom.enabled
    rt = Runtime(settings, clock=clock, apis={})
    ding, wecom = rt.renderers["dingtalk"], rt.renderers["wecom"]
    assert ding.secret_key == "s" * 32 and ding.clock is clock and ding.public_url == "https://p.example"
    assert wecom.secret_key == "s" * 32  # the WeCom preview's full-view links, too
    assert BY_NAME["dingtalk"].preview is preview_html
    assert rt.renderers["playground"].skins["dingtalk"].renderer is ding  # the playground previews this one
    payload = ding.render(ChatRef("dingtalk", render.PREVIEW_CHAT, True), CARD, "", {})
    token = unquote(payload["body"]["actionCard"]["btns"][0]["actionURL"]).split("/a/")[1].split("&")[0]
    assert read_token("s" * 32, token, clock.now())[1:3] == ("preview", "opp.advance|7")
    await rt.db.close()
