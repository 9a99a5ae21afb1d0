"""Every page in tests/browser/pages.py, opened in a real Chromium at a phone's and a desktop's width.

A page fails on a console error, a horizontal scrollbar (wider than the viewport), a wrong status, a missing
text or more than 200 KB at 375 px. Screenshots go to tests/browser/screenshots/ (git-ignored; CI keeps them).
Without Chromium the test is skipped with the reason (`apt-get install -y chromium`; see README).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bot.core.cards import Card, Level, Section
from bot.core.viewlinks import full_view
from flows.scorecard_links import survey_link
from storage.models import Customer, NpsSurvey
from storage.repos import card_views
from tests.browser.cdp import Browser, chromium_path
from tests.browser.pages import PAGES
from tests.handlers.opp_helpers import Chat, button
from tests.helpers import add_member

SHOTS = Path(__file__).with_name("screenshots")
VIEWPORTS = [(375, 812, True), (1280, 900, False)]
MAX_BYTES = 200 * 1024
ROI = "算清账：让财务看到回报"

pytestmark = pytest.mark.skipif(chromium_path() is None, reason="Chromium is not installed: run "
                                "`apt-get install -y chromium` (Debian) to run the real-browser page checks")


async def _attack_card(client, rt) -> None:
    """唐宁 (华东一部) opens an attack card and ticks one action, so the attack pages have cells."""
    rep = await add_member(rt, "唐宁", team="华东一部")
    chat = Chat(client, rt)
    await chat.say(rep, "新建商机 唐氏机械")
    (choice,) = await chat.say(rep, "攻坚 预算")
    (card,) = await chat.click(rep, button(choice, ROI))
    await chat.click(rep, card["buttons"][0]["value"])


async def _tokens(rt) -> dict[str, str]:
    """An open and an expired NPS survey and a stored card view, for the pages that need rows of their own."""
    now = rt.clock.now()
    async with rt.db.session() as s:
        customers = [Customer(name=n, normalized_name=n) for n in ("远航物流", "远航机械")]  # one survey each
        s.add_all(customers)
        await s.flush()
        surveys = [NpsSurvey(customer_id=c.id, sent_at=now, expires_at=now + ttl)
                   for c, ttl in zip(customers, (timedelta(days=30), timedelta(days=-1)), strict=True)]
        s.add_all(surveys)
        await s.flush()
        section = Section("阶段", "方案演示后 3 天内报价", items=["补齐预算凭证"])
        card = Card("完整卡片：华东医疗", Level.WARNING, [section])
        url, views = full_view(card, rt.settings.server.public_url, rt.settings.server.secret_key, now, "wecom")
        await card_views.save(s, views, now)
    token = [survey_link(rt.settings, x.id, x.expires_at).split("/nps/")[1] for x in surveys]
    parts = urlsplit(url)
    return {"survey": token[0], "survey_expired": token[1], "full_view": f"{parts.path}?{parts.query}"}


@pytest.mark.parametrize(("width", "height", "mobile"), VIEWPORTS, ids=["375", "1280"])
async def test_every_page_reads_well_in_a_real_browser(client, rt, world, width, height, mobile):
    await _attack_card(client, rt)
    extra = {"team": world.team_a, **await _tokens(rt)}
    SHOTS.mkdir(exist_ok=True)
    problems = []
    async with Browser(chromium_path()) as browser:
        for page in PAGES:
            url = str(client.make_url(page.build(rt, world, extra)))
            got = await browser.check(url, width, height, mobile)
            (SHOTS / f"{page.name}-{width}.png").write_bytes(got.png)
            errors = [e for e in got.errors if page.status == 200 or "Failed to load resource" not in e]
            if got.status != page.status:
                problems.append(f"{page.name}@{width}: status {got.status}, expected {page.status}")
            if errors:
                problems.append(f"{page.name}@{width}: console errors {errors}")
            if page.expect not in got.text:
                problems.append(f"{page.name}@{width}: does not show {page.expect!r}")
            if got.overflows:
                problems.append(f"{page.name}@{width}: {got.scroll_width}px wide in a {got.view_width}px viewport")
            if mobile and got.bytes_loaded > MAX_BYTES:
                problems.append(f"{page.name}@{width}: {got.bytes_loaded} bytes, over {MAX_BYTES}")
    assert not problems, "\n".join(problems)
