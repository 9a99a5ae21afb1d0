"""A fake of the three platforms' web-login (OAuth code) APIs, checking the request shapes each one needs.

WeCom: GET /cgi-bin/gettoken, GET /cgi-bin/auth/getuserinfo?access_token&code → {"userid"}.
DingTalk: POST /v1.0/oauth2/accessToken, POST /topapi/v2/user/getuserinfo?access_token {code} → result.userid.
Feishu: POST /open-apis/auth/v3/app_access_token/internal, POST /open-apis/authen/v1/oidc/access_token
(Bearer app token, grant_type authorization_code) → a user token, GET /open-apis/authen/v1/user_info → open_id.
Each code works once, as on the real platforms.
"""

from __future__ import annotations

from aiohttp import web


class FakeOAuth:
    """codes: platform → {code: platform user id}; `calls` records (platform, path) in order."""

    def __init__(self, codes: dict[str, dict[str, str]]) -> None:
        self.codes = {p: dict(c) for p, c in codes.items()}
        self.calls: list[tuple[str, str]] = []
        self.app = web.Application()
        r = self.app.router
        r.add_get("/cgi-bin/gettoken", self.wecom_token)
        r.add_get("/cgi-bin/auth/getuserinfo", self.wecom_user)
        r.add_post("/v1.0/oauth2/accessToken", self.ding_token)
        r.add_post("/topapi/v2/user/getuserinfo", self.ding_user)
        r.add_post("/open-apis/auth/v3/app_access_token/internal", self.feishu_app_token)
        r.add_post("/open-apis/authen/v1/oidc/access_token", self.feishu_grant)
        r.add_get("/open-apis/authen/v1/user_info", self.feishu_user)

    def _take(self, platform: str, code: str) -> str | None:
        return self.codes.get(platform, {}).pop(code, None)

    async def wecom_token(self, request: web.Request) -> web.Response:
        assert request.query["corpid"] and request.query["corpsecret"]
        return web.json_response({"errcode": 0, "access_token": "wx-token", "expires_in": 7200})

    async def wecom_user(self, request: web.Request) -> web.Response:
        self.calls.append(("wecom", request.path))
        assert request.query["access_token"] == "wx-token"
        user = self._take("wecom", request.query.get("code", ""))
        if not user:
            return web.json_response({"errcode": 40029, "errmsg": "invalid code"})
        return web.json_response({"errcode": 0, "userid": user})

    async def ding_token(self, request: web.Request) -> web.Response:
        body = await request.json()
        assert body["appKey"] and body["appSecret"]
        return web.json_response({"accessToken": "dd-token", "expireIn": 7200})

    async def ding_user(self, request: web.Request) -> web.Response:
        self.calls.append(("dingtalk", request.path))
        assert request.query["access_token"] == "dd-token"
        user = self._take("dingtalk", (await request.json()).get("code", ""))
        return web.json_response({"errcode": 0, "result": {"userid": user}} if user
                                 else {"errcode": 40078, "errmsg": "不存在的临时授权码"})

    async def feishu_app_token(self, request: web.Request) -> web.Response:
        body = await request.json()
        assert body["app_id"] and body["app_secret"]
        return web.json_response({"code": 0, "app_access_token": "fs-app", "expire": 7200})

    async def feishu_grant(self, request: web.Request) -> web.Response:
        self.calls.append(("feishu", request.path))
        assert request.headers["Authorization"] == "Bearer fs-app"
        body = await request.json()
        assert body["grant_type"] == "authorization_code"
        user = self._take("feishu", body.get("code", ""))
        if not user:
            return web.json_response({"code": 20003, "msg": "invalid code"})
        return web.json_response({"code": 0, "data": {"access_token": f"u-{user}", "token_type": "Bearer"}})

    async def feishu_user(self, request: web.Request) -> web.Response:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        assert token.startswith("u-")
        return web.json_response({"code": 0, "data": {"open_id": token[2:], "name": "?"}})
