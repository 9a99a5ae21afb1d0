"""Signed links of the scorecards: the member's scorecard page and a customer's NPS survey.

Kept apart from the page modules so handlers and jobs can build links without importing the web app.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from bot.config import Settings
from bot.core.signing import member_link
from flows.bonus import previous_month

LINK_TTL = timedelta(days=35)  # the monthly card's link stays good until the next one arrives


def scorecard_link(settings: Settings, member_id: int, now: datetime, month: str | None = None,
                   viewer_id: int | None = None) -> str:
    """Return the link to a member's scorecard page (of `month`, else last month) that opens only as the viewer.

    The viewer defaults to the member themself (the monthly card goes to the rep); a manager asking for a rep's
    card gets a link bound to the manager.
    """
    params = {"member": str(member_id), "month": month or previous_month(now, settings.tz)}
    return member_link(settings, "/dash/scorecard", params, viewer_id or member_id, now, LINK_TTL)


def nps_mac(settings: Settings, survey_id: int, expires: int) -> str:
    """Return the signature of a survey token."""
    body = f"nps.{survey_id}.{expires}".encode()
    return hmac.new(settings.server.secret_key.encode(), body, hashlib.sha256).hexdigest()[:24]


def survey_link(settings: Settings, survey_id: int, expires_at: datetime) -> str:
    """Return the customer's survey link `/nps/<id>.<expiry>.<signature>`."""
    exp = int(expires_at.timestamp())
    return f"{settings.server.public_url.rstrip('/')}/nps/{survey_id}.{exp}.{nps_mac(settings, survey_id, exp)}"
