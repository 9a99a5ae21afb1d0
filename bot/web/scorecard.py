"""A member's scorecard page `GET /dash/scorecard?member=&month=` (signed link): the month's scores with the
formula, SVG charts against the team, the deviations in words, the weekly trend and the bonus statement."""

from __future__ import annotations

import re
from pathlib import Path

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, select_autoescape

from bot.config import Settings
from bot.errors import BadRequest
from bot.web.charts import bars, trend
from bot.web.common import runtime
from bot.web.dash import verify
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
_PAGES = Environment(loader=FileSystemLoader(Path(__file__).with_name("templates")),
                     autoescape=select_autoescape(["html"]))


def setup(app: web.Application) -> None:
    """Register the scorecard page."""
    app.router.add_get("/dash/scorecard", scorecard_page)


async def scorecard_page(request: web.Request) -> web.Response:
    """Render one member's monthly scorecard, charts and bonus statement."""
    rt = runtime(request)
    now = rt.clock.now()
    params = verify(request, rt.settings, now)
    member_id, month = params.get("member", ""), params.get("month") or previous_month(now, rt.settings.tz)
    if not member_id.isdigit() or not _MONTH.match(month):
        raise BadRequest("the link names no member or a bad month (YYYY-MM); open it from the latest card",
                         {"member": member_id, "month": month})
    async with rt.db.sessions() as s:
        member = await members.get(s, int(member_id))
        if member is None:
            return web.json_response({"error": "no such member; the link is older than the member list"}, status=404)
        team = await repo.reps(s, team_id=member.team_id) if member.team_id else []
        reps = [r for r in team if r.id == member.id] or await repo.reps(s, ids=[member.id])
        if not reps:
            return _html("scorecard.html", name=member.name, month=month, empty=True, no_data=NO_DATA)
        stm, scored = await statements(s, rt.settings, month, team if member.team_id else reps)
        weeks = await repo.history(s, member.id)
    return _html("scorecard.html", **_values(rt.settings, member.id, member.name, month, stm, scored, weeks))


def _values(settings: Settings, mid: int, name: str, month: str, stm, scored, weeks) -> dict:
    card, team = scored.cards[mid], [c for m, c in scored.cards.items() if scored.team_of[m] == scored.team_of[mid]]
    values = comparables(scored, settings)
    devs = deviations(values[mid], team_means(values, scored.team_of)[scored.team_of[mid]]) if mid in values else []
    avg = {k: _mean([c.indicators[k].score for c in team]) for k in RESULTS + HEALTH}
    c = settings.scorecard
    return {"name": name, "month": month, "empty": False, "no_data": NO_DATA, "card": card,
            "light": LIGHT_LABELS[weeks[-1].light if weeks else ""], "sentence": sentence(devs),
            "biggest": biggest(devs), "indicators": indicator_lines(card), "formula": formula_lines(card),
            "chart": bars([(LABELS[k], card.indicators[k].score, avg[k]) for k in RESULTS + HEALTH], "各项得分"),
            "trend": trend([(w.period, w.total) for w in weeks], "每周总分", (c.yellow_below, c.red_below)),
            "terms": terms(stm[mid]), "pending": stm[mid].pending, "released": stm[mid].released}


def _mean(xs: list[float | None]) -> float | None:
    present = [x for x in xs if x is not None]
    return sum(present) / len(present) if present else None


def _html(template: str, **values) -> web.Response:
    return web.Response(text=_PAGES.get_template(template).render(**values), content_type="text/html",
                        charset="utf-8")
