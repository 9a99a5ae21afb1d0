"""Who is looking at a dashboard page, and what they may see.

A viewer arrives one of three ways:

1. a signed, expiring, member-bound link from a card (`viewer=<member id>` is inside the signature, so the
   link works only as that member: reps see their own, managers their team, admins everything);
2. the platform login (bot/web/login.py) that left a signed session cookie — then the query is not signed
   and the role check alone decides;
3. `Authorization: Bearer <server.admin_token>` (scripts).

Tampered links answer 403, expired ones 410, a link bound to another member than the logged-in one 403 —
all as friendly pages (bot/web/pages.py), never another team's data. Links signed before member binding
(no `viewer`) still open exactly the page they were signed for.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.core.checks import as_id, same_secret
from bot.core.signing import member_link, sign, signed_url
from bot.web.pages import Refusal
from storage.models import Member
from storage.repos.attack_stats import team_member_ids

COOKIE = "salesbot_session"
LINK_TTL = timedelta(days=7)
SESSION_TTL = timedelta(hours=12)
MANAGERS = ("manager", "admin")
_EXPIRED = ("链接已过期", "这个链接已经过期了（为了数据安全，链接只在几天内有效）。")
_TAMPERED = ("链接无效", "这个链接被改动过或不完整，打不开。")
_NOBODY = ("请先登录", "这个页面要从聊天卡片里的链接打开，或从工作台进入。")


@dataclass(frozen=True)
class Access:
    """The viewer (None: the admin token) and the page parameters."""

    viewer: Member | None
    params: dict[str, str]

    @property
    def is_admin(self) -> bool:
        """Return True for admins and the admin token."""
        return self.viewer is None or self.viewer.role == "admin"


def session_value(secret: str, member_id: int, expires: datetime) -> str:
    """Return the signed cookie value naming a logged-in member until `expires`."""
    body = f"{member_id}.{int(expires.timestamp())}"
    sig = hmac.new(secret.encode(), f"session.{body}".encode(), hashlib.sha256).hexdigest()[:32]
    return f"{body}.{sig}"


def session_member(secret: str, value: str, now: datetime) -> int | None:
    """Return the member id of a valid, unexpired session cookie, else None."""
    member, _, rest = value.partition(".")
    exp, _, sig = rest.partition(".")
    member_id, expires = as_id(member), as_id(exp)
    if member_id is None or expires is None:
        return None
    good = hmac.new(secret.encode(), f"session.{member}.{exp}".encode(), hashlib.sha256).hexdigest()[:32]
    if not same_secret(sig, good) or now.timestamp() > expires:
        return None
    return member_id


def _admin_token(request: web.Request, settings: Settings) -> bool:
    token, given = settings.server.admin_token, request.headers.get("Authorization", "")
    return bool(token) and given.startswith("Bearer ") and same_secret(given[7:], token)


def _signed_params(request: web.Request, settings: Settings, now: datetime) -> dict[str, str]:
    """Check a signed link's signature and expiry; raise Refusal (403/410) when it is not good."""
    keys = [k for k, _ in request.query.items()]
    signed = {k: v for k, v in request.query.items() if k != "sig"}
    if len(keys) != len(set(keys)) or not same_secret(
            request.query.get("sig", ""), sign(settings.server.secret_key, request.path, signed)):
        raise Refusal(403, *_TAMPERED)
    exp = as_id(signed.get("exp", ""))
    if exp is None:
        raise Refusal(403, *_TAMPERED)
    if now.timestamp() > exp:
        raise Refusal(410, *_EXPIRED)
    return {k: v for k, v in signed.items() if k != "exp"}


def signed_link(request: web.Request, settings: Settings, now: datetime) -> dict[str, str]:
    """Return a signed link's parameters (no admin token, no session); raise Refusal (403/410) when it is bad."""
    return _signed_params(request, settings, now)


async def open_page(request: web.Request, session: AsyncSession, settings: Settings, now: datetime) -> Access:
    """Return who is looking and the page parameters; raise Refusal for a bad, expired or foreign link."""
    if _admin_token(request, settings):
        return Access(None, {k: v for k, v in request.query.items() if k not in ("sig", "exp")})
    logged = session_member(settings.server.secret_key, request.cookies.get(COOKIE, ""), now)
    if "sig" in request.query:
        params = _signed_params(request, settings, now)
        bound = params.pop("viewer", "")
        if bound and logged is not None and str(logged) != bound:
            raise Refusal(403, "这不是你的链接", "这个链接是发给另一位同事的，你登录的账号不能打开它。",
                          "在聊天里自己发一次指令，拿你自己的链接。")
        if not bound:  # signed for exactly this page: the signature decides, whoever is logged in
            return _unbound(params)
        viewer = await session.get(Member, as_id(bound)) if as_id(bound) is not None else None
        if viewer is None or not viewer.active:
            raise Refusal(403, "链接无效", "这个链接的主人已不在成员名单里。")
        return Access(viewer, params)
    if logged is None:
        raise Refusal(403, *_NOBODY, "在聊天里发指令拿链接，或从企业微信/钉钉/飞书工作台进入。")
    viewer = await session.get(Member, logged)
    if viewer is None or not viewer.active:
        raise Refusal(403, *_NOBODY)
    return Access(viewer, dict(request.query))


def _unbound(params: dict[str, str]) -> Access:
    """A link signed before member binding: it opens exactly what it was signed for, as an admin would."""
    return Access(None, params)


async def visible_members(session: AsyncSession, access: Access) -> list[int] | None:
    """Return the member ids whose data the viewer may see (None: everyone)."""
    viewer = access.viewer
    if viewer is None or viewer.role == "admin":
        return None
    if viewer.role == "manager":
        return await team_member_ids(session, viewer)
    return [viewer.id]


async def check_member(session: AsyncSession, access: Access, member_id: int) -> None:
    """Raise Refusal unless the viewer may see this member's data."""
    ids = await visible_members(session, access)
    if ids is not None and member_id not in ids:
        raise Refusal(403, "没有权限", "这是别人的数据：销售只能看自己的，主管只能看本团队的。",
                      "在聊天里发指令，拿你自己的链接。")


def require_manager(access: Access) -> None:
    """Raise Refusal unless the viewer is a manager or an admin."""
    if access.viewer is not None and access.viewer.role not in MANAGERS and not access.is_admin:
        raise Refusal(403, "没有权限", "这个页面只给主管和管理员看。", "有需要请找你的主管。")


async def check_team(session: AsyncSession, access: Access, team_id: int) -> None:
    """Raise Refusal unless the viewer is an admin or a manager of this team."""
    require_manager(access)
    if access.viewer is not None and not access.is_admin and access.viewer.team_id != team_id:
        raise Refusal(403, "没有权限", "这是别的团队的数据，主管只能看本团队的。", "在聊天里发指令，拿你团队的链接。")


def link_for(settings: Settings, access: Access, path: str, params: dict[str, str], now: datetime) -> str:
    """Link another page for the same viewer: member-bound for members, plainly signed for the admin token."""
    if access.viewer is not None:
        return member_link(settings, path, params, access.viewer.id, now)
    return signed_url(settings, path, params, now, LINK_TTL)
