"""Score reps: gather every rep's facts in a few set-based queries, compare with the team and the benchmarks."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from flows import benchmarks
from sales.scorecard import Facts, Rules, Scorecard, raw_values, score_rep, stage_score, team_averages
from storage.repos import scorecard_facts as q
from storage.repos.scorecards import Rep


@dataclass(frozen=True)
class Windows:
    """Results count over [result_start, end), health over [health_start, end)."""

    result_start: datetime
    health_start: datetime
    end: datetime


def windows(settings: Settings, end: datetime, result_start: datetime | None = None) -> Windows:
    """Return the windows ending at `end` (results: the configured days, or from `result_start`, e.g. a month)."""
    c = settings.scorecard
    return Windows(result_start or end - timedelta(days=c.result_window_days),
                   end - timedelta(days=c.health_window_days), end)


def rules(settings: Settings) -> Rules:
    """Return the formula settings of `[scorecard]`."""
    c = settings.scorecard
    return Rules(dict(c.weights), c.ratio_cap, c.new_share_target)


async def gather(session: AsyncSession, w: Windows, ids: Sequence[int] | None = None) -> dict[int, Facts]:
    """Return every rep's Facts over the windows in seven queries (whatever the number of reps)."""
    out: dict[int, Facts] = defaultdict(Facts)
    await q.tune(session)
    for m, (amount, _new_amount, new) in (await q.orders(session, w.result_start, w.end, ids)).items():
        out[m].signed_amount, out[m].new_customers = amount, new
    for m, (amount, new_amount, _new) in (await q.orders(session, w.health_start, w.end, ids)).items():
        out[m].health_amount, out[m].new_amount = amount, new_amount
    for m, n in (await q.wins(session, w.result_start, w.end, ids)).items():
        out[m].wins = n
    for m, leads in (await q.conversions(session, w.health_start, w.end, ids)).items():
        out[m].leads = leads
    for m, stages in (await q.dwell(session, w.health_start, w.end, ids)).items():
        out[m].stages = stages
    for m, nps in (await q.nps(session, w.health_start, w.end, ids)).items():
        out[m].nps = nps
    for m, (base, lost) in (await q.retention(session, w.health_start, w.end, ids)).items():
        out[m].base_customers, out[m].lost_customers = base, lost
    return out


@dataclass
class Scored:
    """Scorecards of a set of reps with what they were compared with."""

    cards: dict[int, Scorecard]
    facts: dict[int, Facts]
    team_of: dict[int, int | None]
    team_avg: dict[int | None, dict[str, float]]


async def score(session: AsyncSession, settings: Settings, w: Windows, reps: Sequence[Rep]) -> Scored:
    """Score these reps against their own team's averages."""
    ids = [r.id for r in reps]
    facts = await gather(session, w, ids if len(ids) <= 500 else None)  # a huge IN list costs more than a scan
    teams: dict[int | None, list[int]] = defaultdict(list)
    for r in reps:
        teams[r.team_id].append(r.id)
    avg = {t: team_averages(facts, members) for t, members in teams.items()}
    bench, rl = benchmarks.load(settings), rules(settings)
    cards = {r.id: score_rep(r.id, facts.get(r.id, Facts()), avg[r.team_id], bench, rl) for r in reps}
    return Scored(cards, {r.id: facts.get(r.id, Facts()) for r in reps}, {r.id: r.team_id for r in reps}, avg)


def comparables(scored: Scored, settings: Settings) -> dict[int, dict[str, float | None]]:
    """Return the values the dashboard compares, of every rep with any data (stage progress as its score, NPS
    shifted to 0–200 so that a percentage of it means something)."""
    bench, out = benchmarks.load(settings), {}
    for mid, facts in scored.facts.items():
        if facts.empty():
            continue
        values = raw_values(facts)
        values["stage_progress"] = stage_score(facts, bench)[1]
        values["nps"] = None if values["nps"] is None else values["nps"] + 100
        out[mid] = values
    return out


def team_means(values: dict[int, dict[str, float | None]],
               team_of: dict[int, int | None]) -> dict[int | None, dict[str, float | None]]:
    """Return each team's average of each value (members without that value left out)."""
    teams: dict[int | None, list[dict[str, float | None]]] = defaultdict(list)
    for mid, row in values.items():
        teams[team_of[mid]].append(row)
    out: dict[int | None, dict[str, float | None]] = {}
    for team, rows in teams.items():
        out[team] = {}
        for key in rows[0]:
            present = [v for r in rows if (v := r[key]) is not None]
            out[team][key] = sum(present) / len(present) if present else None
    return out
