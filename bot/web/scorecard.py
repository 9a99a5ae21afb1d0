"""A member's scorecard page `GET /dash/scorecard?member=&month=` (member-bound signed link, bot/web/access.py):
the month's scores with the formula, SVG charts against the team, the deviations in words, the weekly trend and
the bonus statement. A rep sees their own, a manager their team's reps, an admin everyone; a bad, expired or
someone else's link gets a friendly 403/410 page (bot/web/pages.py)."""

from __future__ import annotations

import re

from aiohttp import web

from bot.config import Settings
from bot.core.checks import as_id
from bot.platforms.http import runtime
from bot.web.access import check_member, open_page
from bot.web.charts import bars, trend
from bot.web.pages import Refusal, refusal_page, render, stamp
from flows.bonus import previous_month, statements
from flows.scorecards import comparables, team_means
from sales.bonus import terms
from sales.deviation import biggest, deviations, sentence
from sales.lights import LIGHT_LABELS
from sales.scorecard import HEALTH, LABELS, NO_DATA, RESULTS
from sales.scorecard_text import formula_lines, indicator_lines
from storage.repos import members
from storage.repos import scorecards as repo

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_BAD = Refusal(403, "链接无效", "链接里没有指明是谁的计分卡，或月份不对（应为 YYYY-MM）。",
               "在聊天里发“健康度”拿新的链接。")


def setup(app: web.Application) -> None:
    """Register the scorecard page."""
    app.router.add_get("/dash/scorecard", scorecard_page)


async def scorecard_page(request: web.Request) -> web.Response:
    """Render one member's monthly scorecard, charts and bonus statement, if the viewer may see that member."""
    rt = runtime(request)
    now = rt.clock.now()
    try:
        async with rt.db.sessions() as s:
            access = await open_page(request, s, rt.settings, now)
            mid = access.params.get("member", "") or (str(access.viewer.id) if access.viewer else "")
            month = access.params.get("month") or previous_month(now, rt.settings.tz)
            if as_id(mid) is None or not _MONTH.match(month):
                raise _BAD
            await check_member(s, access, int(mid))
            member = await members.get(s, int(mid))
            if member is None:
                raise Refusal(403, "找不到这个人", "这个链接比成员名单旧，对应的成员已不在。")
            team = await repo.reps(s, team_id=member.team_id) if member.team_id else []
            reps = [r for r in team if r.id == member.id] or await repo.reps(s, ids=[member.id])
            if not reps:
                return render("scorecard.html", title=_title(member.name, month), empty=True, no_data=NO_DATA)
            stm, scored = await statements(s, rt.settings, month, team if member.team_id else reps)
            weeks = await repo.history(s, member.id)
    except Refusal as exc:
        return refusal_page(exc)
    values = _values(rt.settings, member.id, month, stm, scored, weeks)
    return render("scorecard.html", title=_title(member.name, month), updated=stamp(now, rt.settings.tz), **values)


def _title(name: str, month: str) -> str:
    return f"{name} 的计分卡 · {month}"


def _values(settings: Settings, mid: int, month: str, stm, scored, weeks) -> dict:
    """The page's numbers; a red light last week puts the deviation sentence in the red alarm frame."""
    card, team = scored.cards[mid], [c for m, c in scored.cards.items() if scored.team_of[m] == scored.team_of[mid]]
    values = comparables(scored, settings)
    devs = deviations(values[mid], team_means(values, scored.team_of)[scored.team_of[mid]]) if mid in values else []
    avg = {k: _mean([c.indicators[k].score for c in team]) for k in RESULTS + HEALTH}
    c = settings.scorecard
    red = bool(weeks) and weeks[-1].light == "red"
    return {"alarm": f"最近一周亮红灯：{sentence(devs)}" if red else "",
            "month": month, "empty": False, "no_data": NO_DATA, "card": card,
            "light": LIGHT_LABELS[weeks[-1].light if weeks else ""], "sentence": sentence(devs),
            "biggest": biggest(devs), "indicators": indicator_lines(card), "formula": formula_lines(card),
            "chart": bars([(LABELS[k], card.indicators[k].score, avg[k]) for k in RESULTS + HEALTH], "各项得分"),
            "trend": trend([(w.period, w.total) for w in weeks], "每周总分", (c.yellow_below, c.red_below)),
            "terms": terms(stm[mid]), "pending": stm[mid].pending, "released": stm[mid].released}


def _mean(xs: list[float | None]) -> float | None:
    present = [x for x in xs if x is not None]
    return sum(present) / len(present) if present else None

