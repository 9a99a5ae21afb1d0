"""Signed links to the personal page, evidence files (pages in bot/web/me.py) and customer pages (customer.py).

Kept apart from the page modules so handlers and jobs can build links without importing the web app.
Personal links are member-bound (bot/web/access.py): they open only as that member.
"""

from __future__ import annotations

import base64
import json
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from bot.core.signing import member_link, signed_url

if TYPE_CHECKING:
    from bot.config import Settings

LINK_TTL = timedelta(days=7)


def me_link(settings: Settings, member_id: int, now: datetime) -> str:
    """Return the member-bound link to a member's personal page (今日必做, 已超时, 待跟进线索)."""
    return member_link(settings, "/dash/me", {"member": str(member_id)}, member_id, now, LINK_TTL)


def evidence_link(settings: Settings, evidence_id: int, now: datetime) -> str:
    """Return the signed link that opens one evidence item (its stored file, or where it is)."""
    return signed_url(settings, f"/dash/evidence/{evidence_id}", {}, now, LINK_TTL)


def customer_link(settings: Settings, customer_id: int, now: datetime, viewer: int | None = None) -> str:
    """Return the signed link to a customer's page; bound to `viewer` when the card goes to one member.

    Approval forms carry an unbound link (whoever approves opens exactly this customer).
    """
    if viewer is not None:
        return member_link(settings, f"/dash/customer/{customer_id}", {}, viewer, now, LINK_TTL)
    return signed_url(settings, f"/dash/customer/{customer_id}", {}, now, LINK_TTL)


MATERIAL_TTL = timedelta(days=90)  # a material sent to a customer stays openable for a quarter


def material_link(settings: Settings, customer_id: int, member_id: int | None, url: str, title: str,
                  now: datetime) -> str:
    """Return the tracked link `/m/<token>` to a material: opening it logs a download, then redirects to `url`."""
    payload = json.dumps([customer_id, member_id, url, title[:60]], ensure_ascii=False, separators=(",", ":"))
    token = base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")
    return signed_url(settings, f"/m/{token}", {}, now, MATERIAL_TTL)


def grading_board_link(settings: Settings, member_id: int, team_id: int | None, now: datetime) -> str:
    """Return the link to a team's grading board that opens only as `member_id` (checked against the team)."""
    return member_link(settings, "/dash/grading", {"team": str(team_id or 0)}, member_id, now, LINK_TTL)


WEEKLY_TTL = timedelta(days=14)  # the weekly card stays openable through the next week


def weekly_link(settings: Settings, team_id: int, week: str, now: datetime | None = None) -> str:
    """Return the signed, expiring address of a team's weekly page (`week` = the Monday, YYYY-MM-DD).

    The card goes to the team's group, so the link is not bound to one member; a logged-in member who opens
    it is still checked against their role.
    """
    sent = now or datetime.combine(date.fromisoformat(week), datetime.min.time(), settings.tz) + timedelta(days=7)
    return signed_url(settings, f"/dash/weekly/{team_id}/{week}", {}, sent, WEEKLY_TTL)
