"""Feishu message resources: download an image or file a member sent (evidence), within a size limit.

An attachment's platform_id is ``"<message_id>:<image|file>:<key>"`` (built by `media_ref`): the resource
API needs the message id, the image_key/file_key and the type together —
GET /open-apis/im/v1/messages/{message_id}/resources/{key}?type=image|file with the tenant token. It answers
the bytes, or JSON `{"code", "msg"}` (234003 the key is not in that message, 234004 the bot is not in the chat,
234037 over Feishu's 100 MB). A rejected token is renewed once; 429/5xx, throttling and timeouts are transient.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import aiohttp

from bot.core.errors import BadRequest, DeliveryError, TransientDeliveryError
from bot.core.payloads import json_object, text
from bot.platforms.download import ERROR_BYTES, json_error, read_capped
from bot.platforms.feishu.extras.client import RATE_LIMITED, TOKEN_INVALID

if TYPE_CHECKING:
    from bot.core.clock import Clock
    from storage.db import Database

MAX_MEDIA = 100 * 1024 * 1024  # Feishu's own limit for message resources
KINDS = ("image", "file")
HINT = "ask for the file again (234003: not in that message; 234004: add the bot to the chat; 234037: over 100 MB)"


def media_ref(message_id: str, kind: str, key: str) -> str:
    """Encode what a download needs into one platform_id: "<message_id>:<image|file>:<key>"."""
    return f"{message_id}:{kind}:{key}"


def parse_ref(ref: str) -> tuple[str, str, str]:
    """Split a platform_id made by media_ref into (message_id, type, key); refuse anything else."""
    message_id, _, rest = ref.partition(":")
    kind, _, key = rest.partition(":")
    if not message_id or kind not in KINDS or not key:
        raise DeliveryError(f"Feishu media ref {ref[:80]!r} is not <message_id>:<image|file>:<key>; "
                            "it was not made by the Feishu adapter, ask for the file again")
    return message_id, kind, key


def attachments_of(msg: dict[str, Any], message_id: str,
                   content: dict[str, Any] | None = None) -> list[dict[str, str]]:
    """Images and files of an image, file, media (video) or post message, as bot/core/events.py attachments
    (`content`: the message's content already parsed)."""
    kind = msg.get("message_type")
    if kind == "text":
        return []
    if content is None:
        raw = msg.get("content")
        try:
            content = json_object(raw, "event.message.content") if isinstance(raw, str) and raw else {}
        except BadRequest:
            return []
    if kind == "post":
        lines = got if isinstance(got := content.get("content"), list) else []
        items = [el for line in lines if isinstance(line, list) for el in line if isinstance(el, dict)]
    else:
        items = [{**content, "tag": {"image": "img", "file": "media", "media": "media"}.get(str(kind), "")}]
    found = []
    for el in items:  # post runs: "img" has an image_key, "media" (a video) a file_key
        if el.get("tag") == "img" and text(el, "image_key", "image"):
            found.append(_attachment(message_id, "image", text(el, "image_key", "image"), ""))
        elif el.get("tag") == "media" and text(el, "file_key", "file"):
            found.append(_attachment(message_id, "file", text(el, "file_key", "file"), text(el, "file_name", "file")))
    return found


def _attachment(message_id: str, kind: str, key: str, name: str) -> dict[str, str]:
    return {"kind": kind, "platform_id": media_ref(message_id, kind, key), "name": name}


class FeishuMedia:
    """The media download half of FeishuAPI (needs its token(), _http() and base)."""

    db: Database | None = None  # set by build_api(rt): the fetch_media task records the stored file
    clock: Clock | None = None
    base: str

    async def token(self, force: bool = False) -> str:
        """The tenant access token (FeishuAPI's)."""
        raise NotImplementedError

    def _http(self) -> aiohttp.ClientSession:
        """The HTTP session (FeishuAPI's)."""
        raise NotImplementedError

    async def fetch_media(self, ref: str, max_bytes: int = MAX_MEDIA) -> bytes:
        """Download a message's image or file; refuse more than max_bytes."""
        message_id, kind, key = parse_ref(ref)
        url = f"{self.base}/open-apis/im/v1/messages/{quote(message_id, safe='')}/resources/{quote(key, safe='')}"
        error: dict[str, Any] = {}
        for attempt in (1, 2):
            headers = {"Authorization": f"Bearer {await self.token(force=attempt == 2)}"}
            data, error = await self._get(url, {"type": kind}, headers, max_bytes)
            if not error:
                return data
            if error.get("code") not in TOKEN_INVALID:
                break
        code = error.get("code")
        if code in RATE_LIMITED or code in TOKEN_INVALID:
            raise TransientDeliveryError(f"Feishu message resource: code {code} {error.get('msg', '')}")
        raise DeliveryError(f"Feishu message resource refused: code {code} {error.get('msg', '')}; {HINT}")

    async def _get(self, url: str, params: dict[str, str], headers: dict[str, str],
                   max_bytes: int) -> tuple[bytes, dict[str, Any]]:
        """GET the resource; return (bytes, {}) or (b"", the JSON error Feishu answered instead)."""
        try:
            async with self._http().get(url, params=params, headers=headers) as resp:
                if resp.status == 429 or resp.status >= 500:
                    raise TransientDeliveryError(f"Feishu HTTP {resp.status} on the message resource")
                kind = resp.headers.get("Content-Type", "")
                if resp.status != 200:
                    body = await resp.content.read(ERROR_BYTES)
                    return b"", json_error(body, "json") or {"code": resp.status, "msg": body[:200].decode(
                        "utf-8", "replace")}
                data = await read_capped(resp, max_bytes, "Feishu message resource")
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise TransientDeliveryError(f"Feishu unreachable ({type(exc).__name__}) on the message resource") from exc
        error = json_error(data, kind)
        if error and isinstance(error.get("code"), int) and error["code"] != 0 and "msg" in error:
            return b"", error
        return data, {}
