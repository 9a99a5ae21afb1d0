"""Pages at 375 px in headless Chromium: the playground's composer in view without hover, the expo form."""

from __future__ import annotations

import pytest

from tests.browser.chromium import CHROMIUM, SKIP, Browser
from tests.helpers import add_member

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason=SKIP)


async def test_the_playground_at_375px_shows_the_composer_without_scrolling(client, rt):
    await add_member(rt, "李娜")
    async with Browser(375, 667) as page:
        await page.open(str(client.make_url("/playground")))
        await page.wait_for("document.querySelector('#people .person')")
        box = await page.evaluate("(() => { const r = document.querySelector('.composer').getBoundingClientRect();"
                                  " return [r.top, r.bottom, innerHeight, document.documentElement.scrollWidth]; })()")
        top, bottom, height, scroll_width = box
        assert top >= 0 and bottom <= height, box  # in view at load
        assert scroll_width <= 375  # no sideways scrolling
        hover_only = await page.evaluate("[...document.querySelectorAll('[title]')].filter(e => !e.textContent"
                                         ".trim() && !e.getAttribute('aria-label')).length")
        assert hover_only == 0


async def test_the_expo_form_error_page_fits_375px(client, rt):
    fmap = {"手机号": "mobile_phone", "姓名": "contact_name", "_csrf": "ignore"}
    rt.settings.intake.channels = {"expo": {"form": True, "field_map": fmap}}
    async with Browser(375, 667) as page:
        await page.open(str(client.make_url("/intake/expo/form")))
        await page.evaluate("document.querySelector('#mobile').value='123';document.querySelector('#name').value='林'")
        await page.evaluate("document.querySelector('form').submit()")
        await page.wait_for("document.querySelector('.err')")
        assert await page.evaluate("document.documentElement.scrollWidth") <= 375
        text = await page.evaluate("document.body.innerText")
        assert "手机号不对" in text and "{" not in text  # words, not JSON
        assert await page.evaluate("document.querySelector('#name').value") == "林"
