"""Who may change, override and approve an opportunity: its owner, their manager, or an admin."""

from __future__ import annotations

from dataclasses import dataclass

NOT_YOURS = "这不是你的商机。只有负责人、负责人的主管或管理员能操作。"
OWN_QUOTE = "不能审批自己的报价：只有你的主管或管理员能审批（已经发给他们了）。"
NOT_APPROVER = "只有负责人的主管或管理员能审批这个报价。"


@dataclass(frozen=True)
class Person:
    """The plain facts the rules need about a member."""

    id: int
    role: str
    team_id: int | None = None
    manager_id: int | None = None


def manages(actor: Person, owner: Person) -> bool:
    """True when actor is owner's manager: named as such, or a manager of owner's team."""
    if actor.role != "manager" or actor.id == owner.id:
        return False
    return owner.manager_id == actor.id or (owner.team_id is not None and owner.team_id == actor.team_id)


def may_change(actor: Person, owner: Person | None) -> bool:
    """Advance, attach evidence, quote, close: the owner, their manager or an admin (anyone if unowned)."""
    if owner is None or actor.role == "admin" or actor.id == owner.id:
        return True
    return manages(actor, owner)


def may_override(actor: Person, owner: Person | None) -> bool:
    """Skip the evidence gate: a manager of the owner (or a manager owning it) or an admin."""
    if actor.role == "admin":
        return True
    return actor.role == "manager" and (owner is None or owner.id == actor.id or manages(actor, owner))


def may_approve(actor: Person, owner: Person | None) -> bool:
    """Decide a quote approval: the owner's manager or an admin."""
    if actor.role == "admin":
        return True
    return owner is not None and manages(actor, owner)


def approval_refusal(actor: Person, owner: Person | None, requester_id: int | None) -> str | None:
    """Why `actor` may not decide this approval (None when they may): one's own quote is never one's to approve."""
    if actor.id == requester_id or (owner is not None and actor.id == owner.id):
        return OWN_QUOTE
    return None if may_approve(actor, owner) else NOT_APPROVER
