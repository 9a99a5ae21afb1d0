"""Who may change, override and approve: the permission matrix on plain data."""

from __future__ import annotations

import pytest

from sales.opportunity_access import Person, manages, may_approve, may_change, may_override

OWNER = Person(1, "rep", team_id=10, manager_id=3)
PEER = Person(2, "rep", team_id=10)
BOSS = Person(3, "manager", team_id=10)            # named manager, same team
TEAM_MANAGER = Person(4, "manager", team_id=10)     # manages the team, not named
OTHER_MANAGER = Person(5, "manager", team_id=20)
ADMIN = Person(6, "admin", team_id=None)
NAMED_ELSEWHERE = Person(7, "manager", team_id=30)  # named as manager although in another team
OWNER_2 = Person(8, "rep", team_id=10, manager_id=7)

MATRIX = [  # actor, may_change, may_override, may_approve
    (OWNER, True, False, False),
    (PEER, False, False, False),
    (BOSS, True, True, True),
    (TEAM_MANAGER, True, True, True),
    (OTHER_MANAGER, False, False, False),
    (ADMIN, True, True, True),
]


@pytest.mark.parametrize(("actor", "change", "override", "approve"), MATRIX)
def test_permission_matrix(actor, change, override, approve):
    assert may_change(actor, OWNER) is change
    assert may_override(actor, OWNER) is override
    assert may_approve(actor, OWNER) is approve


def test_named_manager_in_another_team_still_manages():
    assert manages(NAMED_ELSEWHERE, OWNER_2) and may_approve(NAMED_ELSEWHERE, OWNER_2)
    assert not manages(NAMED_ELSEWHERE, OWNER)


def test_unowned_deals_and_managers_owning_deals():
    assert may_change(PEER, None) and not may_approve(PEER, None)
    assert may_override(BOSS, BOSS) and not may_approve(BOSS, BOSS)  # no self-approval for managers
    assert not manages(BOSS, BOSS)
