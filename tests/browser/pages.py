"""Every page the browser checks, in one list: add a page here and the browser test opens it at 375×812 and
1280×900.

Each entry builds the page's address for the seeded company (tests/bot/web/conftest.py World) and names a
text the page must show. Links are the member-bound ones cards carry. Pages that need rows beyond the seeded
company (an NPS survey, a stored card view) find their token or path in `extra`, filled by the test. The
workbench entries and the WeCom sidebar load their platform's JS SDK from the platform's CDN (no network
here), so they are checked by their own tests instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from bot.core.links import weekly_link
from bot.core.signing import member_link, signed_url
from bot.runtime import Runtime


@dataclass(frozen=True)
class Page:
    """One page to open: a name (the screenshot's), how to build its path, a text it must show, its status."""

    name: str
    build: Callable[[Runtime, object, dict], str]
    expect: str
    status: int = 200


def _rel(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def _as(path: str, who: str, **params: str) -> Callable[[Runtime, object, dict], str]:
    def build(rt: Runtime, world, extra: dict) -> str:
        names = {**extra, **vars(world)}
        filled = {k: v.format(**names) for k, v in params.items()}
        return _rel(member_link(rt.settings, path.format(**names), filled, getattr(world, who), rt.clock.now()))
    return build


def _weekly(rt: Runtime, world, extra: dict) -> str:
    now: datetime = rt.clock.now().astimezone(rt.settings.tz)
    monday = (now - timedelta(days=now.weekday() + 7)).date().isoformat()
    return _rel(weekly_link(rt.settings, extra["team"], monday))


def _signed(path: str, **params: str) -> Callable[[Runtime, object, dict], str]:
    def build(rt: Runtime, world, extra: dict) -> str:
        names = {**extra, **vars(world)}
        return _rel(signed_url(rt.settings, path, {k: v.format(**names) for k, v in params.items()}, rt.clock.now(),
                               timedelta(days=1)))
    return build


def _plain(path: str) -> Callable[[Runtime, object, dict], str]:
    def build(rt: Runtime, world, extra: dict) -> str:
        return path.format(**extra)
    return build


def _expired(rt: Runtime, world, extra: dict) -> str:
    return _rel(signed_url(rt.settings, "/dash/map", {"viewer": str(world.mgr_a)}, rt.clock.now(),
                           timedelta(seconds=-1)))


PAGES: list[Page] = [
    Page("battle-map-manager", _as("/dash/map", "mgr_a"), "最大风险在"),
    Page("battle-map-risk", _as("/dash/map", "mgr_a", m="risk"), "风险客户"),
    Page("battle-map-admin", _as("/dash/map", "admin"), "大区"),
    Page("churn", _as("/dash/churn", "mgr_a", days="30"), "流失分析"),
    Page("personal", _as("/dash/me", "li", member="{li}"), "作战指令"),
    Page("customer", _as("/dash/customer/{stalled_customer}", "mgr_a"), "华东医疗"),
    Page("weekly", _weekly, "周报"),
    Page("attack-heatmap", _as("/dash/attack/heatmap", "mgr_a", days="30"), "攻坚动作热力图"),
    Page("attack-report", _as("/dash/attack/report", "mgr_a"), "攻坚月报"),
    Page("grading-board", _as("/dash/grading", "mgr_a", team="{team_a}"), "客户分级看板"),
    Page("scorecard", _as("/dash/scorecard", "li", member="{li}"), "计分卡"),
    Page("scorecard-manager", _as("/dash/scorecard", "mgr_a", member="{li}"), "计分卡"),
    Page("nps-survey", _plain("/nps/{survey}"), "推荐"),
    Page("full-view", _plain("{full_view}"), "完整卡片：华东医疗"),
    Page("refusal-expired", _expired, "链接已过期", status=410),
    Page("refusal-someone-else", _as("/dash/scorecard", "wang", member="{li}"), "没有权限", status=403),
    Page("refusal-nps-expired", _plain("/nps/{survey_expired}"), "调查已经结束", status=410),
]
