"""make prove's fuzz (issue 19): hostile links, cookies and tokens are refused, never a 503.

A non-ASCII signature made `hmac.compare_digest` raise TypeError, "²" passed `isdigit()` and then broke
`int()`, and a 30-digit id overflowed the database: each was an unexpected error answered 503.
"""

from __future__ import annotations

import pytest

from bot.core.checks import as_id, same_secret

ADMIN = {"Authorization": "Bearer test-admin-token"}
HUGE = "9" * 30
LINKS = [  # (path, extra headers)
    ("/dash/grading?sig=%C3%9A%C3%86&exp=%C2%B2&member=+7", {}),
    ("/dash/attack/heatmap?timeStamp=241&sig=%C2%8E%F4%85%B5%B0%C3%8Da", {}),
    ("/dash/weekly/1/2026-W01?sig=%C3%A9", {}),
    ("/dash/me?sig=%C3%A9&exp=1", {}),
    ("/dash/attack/heatmap?days=%C2%B2", ADMIN),
    ("/dash/churn?days=%C2%B2", ADMIN),
    ("/dash/grading?member=%C2%B2&team=1", ADMIN),
    (f"/dash/grading?member={HUGE}&team={HUGE}", ADMIN),
    (f"/dash/me?member={HUGE}", ADMIN),
    ("/dash/scorecard?member=%C2%B2", ADMIN),
    ("/nps/%C2%B2.1.x", {}),
    (f"/nps/{HUGE}.{HUGE}.x", {}),
    ("/api/v1/customers", {"Authorization": "Bearer é"}),
    ("/dash/grading", {"Authorization": "Bearer é"}),
]


@pytest.mark.parametrize(("path", "headers"), LINKS)
async def test_a_hostile_link_is_refused_not_a_503(client, path, headers):
    resp = await client.get(path, headers=headers)
    assert resp.status < 500, (path, resp.status, (await resp.text())[:200])


async def test_a_hostile_session_cookie_is_no_session(client):
    for value in ("1.2.é", "².9999999999.x", f"{HUGE}.{HUGE}.x"):
        resp = await client.get("/dash/me", cookies={"salesbot_session": value})
        assert resp.status == 403, value


def test_the_checks_hold_for_any_text():
    assert not same_secret("é", "abc") and not same_secret("\udcff", "abc") and same_secret("abc", "abc")
    assert as_id("42") == 42 and as_id("²") is None and as_id(HUGE) is None and as_id("") is None
    assert as_id("-1") is None and as_id(" 1") is None
