"""The message-resource part of the fake Feishu: GET /open-apis/im/v1/messages/{id}/resources/{key}?type=….

`add(message_id, key, data, kind)` puts a resource into a message; a download needs the tenant token, the
matching message id and key and `type` = the resource's kind, else it answers Feishu's JSON error
(234003 not in that message, 99992402 a bad type) with HTTP 400, as the real API does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from tests.fakes.feishu import FakeFeishu


class FakeResources:
    """`.downloads` lists (message_id, key, type) of every resource served."""

    def __init__(self, feishu: FakeFeishu) -> None:
        self.feishu = feishu
        self.files: dict[tuple[str, str], tuple[bytes, str, str]] = {}
        self.downloads: list[tuple[str, str, str]] = []

    def mount(self, router: web.UrlDispatcher) -> None:
        """Add the resource route to the fake's app."""
        router.add_get("/open-apis/im/v1/messages/{message_id}/resources/{key}", self.get)

    def add(self, message_id: str, key: str, data: bytes, kind: str = "image",
            content_type: str = "image/jpeg") -> None:
        """Make `key` a resource of message `message_id`."""
        self.files[(message_id, key)] = (data, kind, content_type)

    async def get(self, request: web.Request) -> web.StreamResponse:
        if (refused := self.feishu._guard(request)) is not None:
            return refused
        kind = request.query.get("type")
        if kind not in ("image", "file"):
            return web.json_response({"code": 99992402, "msg": f"field validation failed: type {kind!r}"},
                                     status=400)
        found = self.files.get((request.match_info["message_id"], request.match_info["key"]))
        if found is None or found[1] != kind:
            return web.json_response({"code": 234003, "msg": "File not in msg."}, status=400)
        self.downloads.append((request.match_info["message_id"], request.match_info["key"], kind))
        return web.Response(body=found[0], content_type=found[2])
