"""Reps' loads while one transaction assigns leads: in-memory counts and what the counter write must check (no I/O).

A transaction reads each member's counters once (the snapshot), assigns any number of leads against the counts
kept here, and writes one delta per member. The write adds the deltas only where the stored counts still leave
room for every capacity-bounded assignment made here — so concurrent transactions can never push a rep past
`capacity` or the daily cap; the loser retries against fresh counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from sales.distribution import Rotation
from sales.lead_rules import Rep

UNBOUNDED = 2**31 - 1  # a limit no counter reaches: for takes that skip the caps (customer's owner, fallback)


@dataclass(frozen=True)
class LoadMove:
    """One member's counter change, and the room the stored counts must still have for it to be valid."""

    member_id: int
    d_open: int
    d_today: int
    need_open: int = 0  # stored open + need_open must stay below open_limit
    need_today: int = 0
    open_limit: int = UNBOUNDED
    today_limit: int = UNBOUNDED


class Ledger:
    """The members' loads and the pools' turns as this transaction changes them."""

    def __init__(self, reps: Iterable[Rep], rotations: Mapping[str, Rotation], max_new_per_day: int) -> None:
        self.members: dict[int, Rep] = {}
        self.seen: dict[int, Rep] = {}
        self.roster: list[Rep] = []  # the reps distribution chooses from, sorted by id
        self.rotations = dict(rotations)
        self.changed_pools: set[str] = set()
        self.max_new = max_new_per_day
        self._need: dict[int, tuple[int, int]] = {}
        self._at: dict[int, int] = {}  # member id -> index in roster
        self.add(reps, roster=True)

    def add(self, reps: Iterable[Rep], roster: bool = False) -> None:
        """Know more members (owners who are not reps join with roster=False)."""
        for rep in reps:
            if rep.id not in self.members:
                self.members[rep.id] = self.seen[rep.id] = rep
                if roster:
                    self.roster.append(rep)
        self.roster.sort(key=lambda r: r.id)
        self._at = {r.id: i for i, r in enumerate(self.roster)}

    def take(self, member_id: int, bounded: bool = True) -> None:
        """Count one more open lead and one more assignment today for the member."""
        rep, seen = self.members[member_id], self.seen[member_id]
        if bounded:
            need_open, need_today = self._need.get(member_id, (-UNBOUNDED, -UNBOUNDED))
            self._need[member_id] = (max(need_open, rep.open_leads - seen.open_leads),
                                     max(need_today, rep.new_today - seen.new_today))
        self._set(replace(rep, open_leads=rep.open_leads + 1, new_today=rep.new_today + 1))

    def release(self, member_id: int, assigned_at: datetime | None, day_start: datetime) -> None:
        """Count one open lead less (a reclaim); today's count drops too when it was assigned today."""
        rep = self.members[member_id]
        today = int(assigned_at is not None and assigned_at >= day_start)
        self._set(replace(rep, open_leads=rep.open_leads - 1, new_today=rep.new_today - today))

    def rotate(self, pool_key: str, rotation: Rotation) -> None:
        """Record a pool's new turn."""
        self.rotations[pool_key] = rotation
        self.changed_pools.add(pool_key)

    def moves(self) -> list[LoadMove]:
        """Every member whose counts changed, with the room each bounded take needs, ordered by member id."""
        out = []
        for mid in sorted(self.members):
            rep, seen = self.members[mid], self.seen[mid]
            d_open, d_today = rep.open_leads - seen.open_leads, rep.new_today - seen.new_today
            if not d_open and not d_today and mid not in self._need:
                continue
            move = LoadMove(mid, d_open, d_today)
            if mid in self._need:
                need_open, need_today = self._need[mid]
                move = replace(move, need_open=need_open, need_today=need_today, open_limit=seen.capacity,
                               today_limit=self.max_new)
            out.append(move)
        return out

    def _set(self, rep: Rep) -> None:
        self.members[rep.id] = rep
        if rep.id in self._at:
            self.roster[self._at[rep.id]] = rep
