"""Who is who in the demo company: the members the importer created, by id, and who has left."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Rep:
    """A member as the demo needs them: id, name, role, team and manager."""

    id: int
    name: str
    role: str
    team_id: int | None
    manager_id: int | None

    @property
    def group(self) -> str:
        """The team's playground group."""
        return f"group:{self.team_id}"


@dataclass
class Org:
    """The imported members, by id, and each team's reps."""

    people: dict[int, Rep]
    leaving: set[int] = field(default_factory=set)

    def teammates(self, rep_id: int) -> list[Rep]:
        """The other active reps of a rep's team."""
        team = self.people[rep_id].team_id
        return [p for p in self.people.values() if p.role == "rep" and p.team_id == team and p.id != rep_id
                and p.id not in self.leaving]
