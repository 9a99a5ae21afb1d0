"""The robot-file part of the fake DingTalk (mixed into FakeDingTalk): messageFiles/download and the file URL.

POST /v1.0/robot/messageFiles/download `{downloadCode, robotCode}` with the access token answers
`{"downloadUrl": "<base>/files/<ticket>"}`; an unknown code or robotCode answers 400 with the reason.
The file URL needs no token (the ticket is the secret) and serves the bytes.
"""

from __future__ import annotations

import itertools
from collections import deque
from typing import Any

from aiohttp import web

ROBOT_CODE = "dingtestrobot"  # = tests.fakes.dingtalk.ROBOT_CODE (that module imports this one)
_tickets = itertools.count(1)


class FakeRobotFiles:
    """`add_file(code, data)`; `.file_gets` counts URL downloads; `fail_file_next(status)` breaks the next one."""

    def setup_files(self, r: web.UrlDispatcher) -> None:
        self.robot_files: dict[str, bytes] = {}
        self.file_urls: dict[str, bytes] = {}
        self.file_gets = 0
        self.download_bodies: list[dict[str, Any]] = []
        self._file_failures: deque[int] = deque()
        r.add_post("/v1.0/robot/messageFiles/download", self.download)
        r.add_get("/files/{ticket}", self.file)

    def add_file(self, download_code: str, data: bytes) -> None:
        """A file a member sent to the robot, fetched with `download_code`."""
        self.robot_files[download_code] = data

    def fail_file_next(self, status: int = 503) -> None:
        """Make the next GET of a download URL answer `status`."""
        self._file_failures.append(status)

    async def download(self, request: web.Request) -> web.Response:
        body, failed = await self._authorised(request)
        if failed:
            return failed
        self.download_bodies.append(body)
        if set(body) != {"downloadCode", "robotCode"} or body["robotCode"] != ROBOT_CODE:
            return web.json_response({"code": "InvalidParameter", "message": "robotCode and downloadCode only"},
                                     status=400)
        data = self.robot_files.get(body["downloadCode"])
        if data is None:
            return web.json_response({"code": "invalidParameter.downloadCode", "message": "downloadCode无效"},
                                     status=400)
        ticket = f"t{next(_tickets)}"
        self.file_urls[ticket] = data
        return web.json_response({"downloadUrl": f"{self.base}/files/{ticket}"})

    async def file(self, request: web.Request) -> web.Response:
        if "x-acs-dingtalk-access-token" in request.headers:
            return web.Response(status=400, text="the signed URL must not get the access token")
        if self._file_failures:
            return web.Response(status=self._file_failures.popleft())
        data = self.file_urls.get(request.match_info["ticket"])
        if data is None:
            return web.Response(status=404)
        self.file_gets += 1
        return web.Response(body=data, content_type="application/octet-stream")
