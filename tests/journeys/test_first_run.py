"""First run: the demo's channels, 404 for unknown ones, the public expo form (and its friendly error page),
public_url following the port, a plain migration message."""

from __future__ import annotations

from pathlib import Path

from bot.config import load_settings
from tests.helpers import add_member

ROOT = Path(__file__).parents[2]


def test_public_url_follows_the_port_unless_set():
    assert load_settings(env={"SALESBOT__SERVER__PORT": "8105"}).server.public_url == "http://127.0.0.1:8105"
    given = {"SALESBOT__SERVER__PORT": "8105", "SALESBOT__SERVER__PUBLIC_URL": "https://bot.example.com"}
    assert load_settings(env=given).server.public_url == "https://bot.example.com"


def test_the_demo_config_has_the_demos_channels_and_the_expo_form_needs_no_token():
    s = load_settings(ROOT / "config.demo.toml", env={})
    assert set(s.intake.channels) >= {"expo", "web_form", "phone_400", "douyin"}
    assert s.intake.channels["expo"]["form"] is True and "token" not in s.intake.channels["expo"]


def _demo_channels(rt) -> None:
    rt.settings.intake.channels = load_settings(ROOT / "config.demo.toml", env={}).intake.channels


async def test_unknown_channel_is_404_with_the_fix(client, rt):
    resp = await client.post("/intake/nope", json={"手机号": "13800000000"})
    assert resp.status == 404 and "[intake.channels.nope]" in (await resp.json())["error"]
    assert (await client.get("/intake/nope/form")).status == 404


async def test_the_expo_form_takes_a_lead_and_a_typo_gets_a_friendly_page(client, rt):
    _demo_channels(rt)
    await add_member(rt, "蒋涛")
    html = await (await client.get("/intake/expo/form")).text()
    token = html.split('name="_csrf" value="')[1].split('"')[0]
    bad = await client.post("/intake/expo", data={"_csrf": token, "手机号": "1380000", "姓名": "林先生"})
    page = await bad.text()
    assert bad.status == 400 and bad.content_type == "text/html"
    assert "手机号不对" in page and 'value="林先生"' in page and "<form" in page  # typed values kept, a way back
    assert "\\u" not in page and 'name="viewport" content="width=device-width' in page
    ok = await client.post("/intake/expo", data={"_csrf": token, "手机号": "13800001111", "姓名": "林先生"})
    assert ok.status == 201 and "提交成功" in await ok.text()


async def test_a_stale_form_shows_the_form_again_not_json(client, rt):
    _demo_channels(rt)
    resp = await client.post("/intake/expo", data={"_csrf": "1.00", "手机号": "13800001111"})
    assert resp.status == 401 and "重新扫码" in await resp.text()
