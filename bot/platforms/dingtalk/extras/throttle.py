"""DingTalk's throttling answers, recognised so the sender waits and retries instead of dead-lettering.

From DingTalk's "调用频率限制" page (help.dingtalk.io/open/development/call-frequency-limit): errcode
90002 = the API's global rate limit (retry after about a second, with back-off); an IP over 10,000
calls in 20 s is denied for 5 minutes with a body like {"status": 1111, "wait": 5, "punish": "deny"}
instead of an error code; 90019 = a third-party app's per-organisation limit (40/s). 90018 (an internal
app's per-API limit) and the new API's HTTP 403 `Forbidden.AccessDenied.QpsLimitForApi` /
`…QpsLimitForAppkeyAndApi` are seen in SDKs and community code (UNCONFIRMED); HTTP 429 is treated
the same. 90020 / `Forbidden.AccessDenied.ApiCountLimitForOrg` is the monthly call quota: retried
hourly, so messages go out once the quota is raised. Custom robots answer 90030/130101/410100 when over
20 a minute and are muted for 10 minutes (dingtalk.md §3).
"""

from __future__ import annotations

import json
from typing import Any

from bot.core.errors import Throttled

QPS_ERRCODES = {90002, 90018, 90019, -1}
ROBOT_ERRCODES = {90030, 130101, 410100}
QUOTA_ERRCODES = {90020}
QPS_CODES = {"Forbidden.AccessDenied.QpsLimitForApi", "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi",
             "Throttling", "Throttling.User", "Throttling.Api"}
QUOTA_CODES = {"Forbidden.AccessDenied.ApiCountLimitForOrg"}
ROBOT_MUTE = 600.0  # seconds a custom robot stays muted after going over its limit


def _body(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def throttled(what: str, status: int, text: str) -> Throttled | None:
    """Return the Throttled error for a throttling answer (any HTTP status), else None."""
    data = _body(text)
    code, errcode = str(data.get("code") or ""), data.get("errcode")
    if data.get("punish") == "deny" or data.get("status") == 1111:
        return Throttled(f"DingTalk denied this IP for now ({what})", 60.0 * float(data.get("wait") or 5))
    if errcode in QUOTA_ERRCODES or code in QUOTA_CODES:
        return Throttled(f"DingTalk monthly API quota used up ({what}); raise it in the developer console", 3600.0)
    if errcode in ROBOT_ERRCODES:
        return Throttled(f"DingTalk {what} is over 20 messages a minute (errcode {errcode})", ROBOT_MUTE)
    if status == 429 or errcode in QPS_ERRCODES or code in QPS_CODES:
        return Throttled(f"DingTalk {what} throttled (HTTP {status}, {code or errcode})", 1.0)
    return None
