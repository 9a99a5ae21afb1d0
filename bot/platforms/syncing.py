"""Link a platform's users to members, shared by `salesbot sync members --platform wecom|dingtalk|feishu`.

Each platform's extras/sync.py only reads its directory and hands the users over as PlatformUser. A user is
linked to the member with the same mobile, else to the member with the same name — but only when exactly
one user carries that name: two 张伟s in the directory must never be guessed apart. Whoever is left is
listed so an admin can put the id into the members CSV instead.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sales.names import normalize_mobile
from storage.repos import members

if TYPE_CHECKING:
    from storage.db import Database
    from storage.models import Member

SHOWN = 100  # unmatched users listed by name; the count covers the rest


@dataclass(frozen=True)
class PlatformUser:
    """One directory entry: the id the platform's events carry, the display name and (if granted) the mobile."""

    user_id: str
    name: str = ""
    mobile: str = ""


@dataclass
class SyncReport:
    """What a sync did: `unmatched` holds every user left unlinked, `ambiguous` those another user competed with."""

    platform: str
    label: str   # the platform's name in messages ("WeCom")
    column: str  # the members CSV column to fill by hand
    linked: int = 0
    unchanged: int = 0
    unmatched: list[str] = field(default_factory=list)
    ambiguous: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """Human-readable summary lines."""
        out = [f"{self.platform}: linked {self.linked}, already linked {self.unchanged}, "
               f"unmatched {len(self.unmatched)}"]
        for user in self.unmatched[:SHOWN]:
            why = ("another user matches the same member, so it was not guessed" if user in self.ambiguous
                   else "no member has the same mobile or name")
            out.append(f"  {self.label} user {user}: {why}; add {self.column} to the members CSV")
        if len(self.unmatched) > SHOWN:
            out.append(f"  … and {len(self.unmatched) - SHOWN} more")
        return out


class _Matcher:
    """Members indexed by mobile and by name (member names are unique), against one directory's name counts."""

    def __init__(self, everyone: list[Member], users: list[PlatformUser]) -> None:
        self.by_mobile = {normalize_mobile(m.mobile): m for m in everyone if normalize_mobile(m.mobile)}
        self.by_name = {m.name: m for m in everyone}
        self.user_names = Counter(u.name for u in users)

    def match(self, user: PlatformUser) -> tuple[Member | None, bool]:
        """Return (member, stopped only because several users share the name)."""
        mobile = normalize_mobile(user.mobile)
        if mobile and mobile in self.by_mobile:
            return self.by_mobile[mobile], False
        member = self.by_name.get(user.name) if user.name else None
        if member is not None and self.user_names[user.name] > 1:
            return None, True
        return member, False


async def link_members(db: Database, report: SyncReport, users: list[PlatformUser]) -> SyncReport:
    """Link each user to its member in one transaction; fill and return the report."""
    async with db.session() as s:
        everyone = await members.all_members(s)
        matcher = _Matcher(everyone, users)
        linked = await members.identities_of(s, [m.id for m in everyone])
        taken: dict[int, str] = {}  # member id -> the user linked to it in this run
        for user in users:
            member, shared = matcher.match(user)
            if member is not None and taken.setdefault(member.id, user.user_id) != user.user_id:
                member, shared = None, True  # a second user for the same member: the first keeps the link
            if member is None:
                report.unmatched.append(user.user_id)
                if shared:
                    report.ambiguous.append(user.user_id)
            elif linked.get(member.id, {}).get(report.platform) == user.user_id:
                report.unchanged += 1
            else:
                await members.link_identity(s, member.id, report.platform, user.user_id)
                report.linked += 1
    return report
