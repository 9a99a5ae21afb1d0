"""Which record a rep means: a customer named, a lead number, or a lead's contact name."""

from __future__ import annotations

from bot.core.context import Context
from sales.names import normalize_company
from storage.models import Customer, Lead, Member
from storage.repos import lead_life as repo
from storage.repos import leads as leads_repo
from storage.repos import members as members_repo


def split_target(text: str) -> tuple[str, str]:
    """Split "<客户> <rest>" at the first space."""
    head, _, rest = text.strip().partition(" ")
    return head.strip(), rest.strip()


async def customers(ctx: Context, word: str) -> list[Customer]:
    """The customers a word names."""
    return await repo.customers_named(ctx.session, normalize_company(word), word) if word else []


async def open_leads(ctx: Context, word: str) -> list[Lead]:
    """Open leads a word means: `#12` / `12`, a customer's name, or a lead's contact name."""
    ident = word.lstrip("#＃")
    if ident.isdigit():
        lead = await leads_repo.get(ctx.session, int(ident))
        return [lead] if lead is not None else []
    out: list[Lead] = []
    for customer in await customers(ctx, word):
        out += await repo.open_of_customer(ctx.session, customer.id)
    return out or await repo.open_by_contact(ctx.session, word)


async def may_act(member: Member, owner_id: int | None, ctx: Context) -> bool:
    """True for the owner, an admin, or the owner's manager (direct, or a manager of the owner's team)."""
    if member.role == "admin" or (owner_id is not None and member.id == owner_id):
        return True
    if member.role != "manager" or owner_id is None:
        return False
    owner = await members_repo.get(ctx.session, owner_id)
    return owner is not None and (owner.manager_id == member.id or
                                  (owner.team_id is not None and owner.team_id == member.team_id))
