"""DingTalk robot message files: evidence pictures and files, from the message to the stored bytes.

A picture, file or video sent to the robot (and each picture in a richText message) carries a
`downloadCode`; it is the attachment's platform_id. POST {api_base}/v1.0/robot/messageFiles/download
`{downloadCode, robotCode}` answers `{"downloadUrl"}`, a short-lived URL fetched without our token (only
http(s) is followed). A refused code (4xx) is permanent; 401, 429, 5xx and timeouts are retried, and each
retry asks for a fresh URL. How long a downloadCode stays valid is not documented (UNCONFIRMED).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import aiohttp

from bot.core.errors import DeliveryError, TransientDeliveryError
from bot.core.payloads import items, objects, text
from bot.platforms.download import read_capped

if TYPE_CHECKING:
    from storage.db import Database

MAX_MEDIA = 20 * 1024 * 1024
KINDS = {"picture": "image", "file": "file", "video": "file"}  # msgtype -> attachment kind


def attachments_of(data: dict[str, Any]) -> list[dict[str, str]]:
    """The pictures/files of a robot message as bot/core/events.py attachments (platform_id = downloadCode)."""
    what = "DingTalk robot message"
    content = got if isinstance(got := data.get("content"), dict) else {}  # a text's content is a str
    msgtype = text(data, "msgtype", what)
    if msgtype in KINDS and text(content, "downloadCode", what + ".content"):
        return [{"kind": KINDS[msgtype], "platform_id": text(content, "downloadCode", what + ".content"),
                 "name": text(content, "fileName", what + ".content")}]
    if msgtype != "richText":
        return []
    parts = objects(items(content, "richText", what + ".content"))
    return [{"kind": "image", "platform_id": text(p, "downloadCode", what), "name": ""} for p in parts
            if p.get("type") == "picture" and text(p, "downloadCode", what)]


class DingTalkMedia:
    """The download half of DingTalkAPI (needs its call(), _session(), robot_code and clock)."""

    db: Database | None = None  # set by build_api(rt): the fetch_media task records the stored file
    robot_code: str

    async def call(self, method: str, path: str, body: dict) -> dict:
        """Call the open API (DingTalkAPI's)."""
        raise NotImplementedError

    def _session(self) -> aiohttp.ClientSession:
        """The HTTP session (DingTalkAPI's)."""
        raise NotImplementedError

    async def fetch_media(self, download_code: str, max_bytes: int = MAX_MEDIA) -> bytes:
        """Trade the downloadCode for a download URL and fetch it; refuse more than max_bytes."""
        try:
            data = await self.call("POST", "/v1.0/robot/messageFiles/download",
                                   {"downloadCode": download_code, "robotCode": self.robot_code})
        except TransientDeliveryError:
            raise
        except DeliveryError as exc:
            raise DeliveryError(f"{exc}; the download code is unknown or expired, ask for the file again") from exc
        url = str(data.get("downloadUrl") or "")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise DeliveryError(f"DingTalk gave no usable downloadUrl (scheme {parts.scheme!r}); "
                                "ask for the file again")
        return await self._get_file(url, max_bytes)

    async def _get_file(self, url: str, max_bytes: int) -> bytes:
        what = f"DingTalk file download from {urlsplit(url).hostname}"
        try:
            async with self._session().get(url) as resp:  # a signed URL: no token header goes there
                if resp.status in (408, 429) or resp.status >= 500:
                    raise TransientDeliveryError(f"{what} answered HTTP {resp.status}")
                if resp.status != 200:
                    raise DeliveryError(f"{what} answered HTTP {resp.status}; ask for the file again")
                return await read_capped(resp, max_bytes, what)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise TransientDeliveryError(f"{what}: {type(exc).__name__}") from exc
