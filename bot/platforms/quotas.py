"""Each platform's documented send caps as shared rate scopes (see /work/shared/platforms/*.md).

WeCom message/send: ≤ 30/min and ≤ 1000/h per member per app, excess silently dropped (wecom.md §5,
doc 90236); older global mirror: 2000/min per corp per API. WeCom group-robot webhook: 20/min per
robot (wecom.md §4, doc 91770/99110). Feishu send/reply: 1000/min and 50/s per app, 5 QPS per user
and per group; PATCH 5 QPS per message (feishu.md §2, "发送消息"/"回复消息"/"Rate limits"); approval
create 100/min (feishu.md §5). DingTalk custom robot: 20/min per robot, then muted 10 min (dingtalk.md
§3); robot OpenAPI limits are not documented (UNCONFIRMED), so we hold 20/min per conversation and
20 QPS per app, DingTalk's standard-edition per-API rate (help.dingtalk.io call-frequency-limit).

A send's slots are stamped with the moment its answer came (storage/repos/send_slots.py), and the platform
counted it before answering, so a window measured at our end never undercounts the platform's on one clock.
The margins cover what one clock does not: replicas on different hosts stamp with their own clocks, so a second
window carries 10 ms (NTP keeps a data centre's hosts far closer), 1 % of the cap rather than the 3 % that a
30 ms margin cost (50 / 1.03 s = 48.5 sends a second at most). Minute and hour windows keep a wider margin:
WeCom drops what exceeds them silently, so there a lost reply is the price of a window too short.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from storage.repos.send_slots import Limit

MINUTE, HOUR, SECOND = 60.0 + 1.5, 3600.0 + 2.0, 1.0 + 0.01
Quota = Callable[[str, str, dict[str, Any]], list[Limit]]


def wecom(app: str, target: str, payload: dict[str, Any]) -> list[Limit]:
    """WeCom: per member (app messages and card updates), per webhook key, per corp for message/send."""
    kind = payload.get("kind")
    if kind == "webhook":
        return [Limit(f"wecom:webhook:{payload.get('name', '')}", 20, MINUTE)]
    if kind in ("app", "app_update") or (kind == "robot" and payload.get("fallback_user")):
        users = str(payload.get("touser") or payload.get("fallback_user") or "").split("|")
        per_member = [Limit(f"wecom:{app}:{scope}:{u}", n, w) for u in users if u
                      for scope, n, w in (("member", 30, MINUTE), ("member_hour", 1000, HOUR))]
        return [*per_member, Limit(f"wecom:{app}:corp", 2000, MINUTE)]
    return []


def feishu(app: str, target: str, payload: dict[str, Any]) -> list[Limit]:
    """Feishu: 50/s and 1000/min per app, 5/s per chat or user, 5/s per PATCHed message."""
    app_caps = [Limit(f"feishu:{app}:app", 50, SECOND, lane=True),
                Limit(f"feishu:{app}:app_min", 1000, MINUTE, lane=True)]
    if payload.get("update_message_id"):
        return [*app_caps, Limit(f"feishu:{app}:message:{payload['update_message_id']}", 5, SECOND)]
    return [*app_caps, Limit(f"feishu:{app}:chat:{target.removeprefix('dm:')}", 5, SECOND)]


def feishu_approvals(app: str) -> list[Limit]:
    """Feishu approval instance create: 100/min per app (a `create_approval` task's cap)."""
    return [Limit(f"feishu:{app}:approval", 100, MINUTE)]


def dingtalk(app: str, target: str, payload: dict[str, Any]) -> list[Limit]:
    """DingTalk: custom robots 20/min each; robot replies 20/min per conversation and 20/s per app."""
    if target.startswith("webhook:"):
        return [Limit(f"dingtalk:robot:{target.removeprefix('webhook:')}", 20, MINUTE)]
    return [Limit(f"dingtalk:{app}:chat:{target.removeprefix('dm:')}", 20, MINUTE),
            Limit(f"dingtalk:{app}:app", 20, SECOND)]


QUOTAS: dict[str, Quota] = {"wecom": wecom, "feishu": feishu, "dingtalk": dingtalk}


def limits_for(platform: str, api: Any, target: str, payload: dict[str, Any], default: int = 0) -> list[Limit]:
    """The caps one send counts against; other platforms get `per_minute` (or `default`) per target."""
    quota = QUOTAS.get(platform)
    if quota is not None:
        return quota(str(getattr(api, "app_key", "") or "app"), target, payload)
    per_minute = getattr(api, "per_minute", None) or default
    return [Limit(f"{platform}:target:{target}", per_minute, MINUTE)] if per_minute else []
