"""The OA-approval and contacts part of the fake DingTalk (mixed into FakeDingTalk).

Shapes per ../shared/platforms/dingtalk.md §5 (processInstances, forms) and the contacts API
(gettoken, topapi/v2/department/listsubid, topapi/v2/user/list). A wrong shape answers 400 with the reason.
"""

from __future__ import annotations

import itertools
import time
from typing import Any

from aiohttp import web

PROCESS_CODE = "PROC-QUOTE-1"
_ids = itertools.count(1)


def _bad(reason: str, code: str = "InvalidParameter") -> web.Response:
    return web.json_response({"code": code, "message": reason}, status=400)


def _oapi(result: dict | None = None, errcode: int = 0, errmsg: str = "ok") -> web.Response:
    return web.json_response({"errcode": errcode, "errmsg": errmsg, "request_id": "r1",
                              **({"result": result} if result is not None else {})})


class FakeOA:
    """Approval instances (.instances), forms (.forms), users by department (.departments)."""

    def setup_oa(self, r: web.UrlDispatcher) -> None:
        self.process_codes = {PROCESS_CODE}
        self.known_users: set[str] = {"u001", "u002", "u009"}
        self.instances: dict[str, dict[str, Any]] = {}
        self.creates: list[dict] = []  # every accepted create body, duplicates included
        self.forms: list[dict] = []
        self.lose_next_create = False  # create the instance, then answer 503 (the answer got lost)
        self.departments: dict[int, dict[str, Any]] = {1: {"subs": [], "users": []}}
        self.user_pages: list[dict] = []
        self.now_ms = lambda: int(time.time() * 1000)  # tests point it at their ManualClock
        r.add_post("/v1.0/workflow/processInstances", self.create_instance)
        r.add_get("/v1.0/workflow/processInstances", self.get_instance)
        r.add_post("/v1.0/workflow/processes/instanceIds/query", self.list_instances)
        r.add_post("/v1.0/workflow/forms", self.create_form)
        r.add_get("/gettoken", self.gettoken)
        r.add_post("/topapi/v2/department/listsubid", self.list_subdepartments)
        r.add_post("/topapi/v2/user/list", self.list_users)

    async def create_instance(self, request: web.Request) -> web.Response:
        body, failed = await self._authorised(request)
        if failed:
            return failed
        values = body.get("formComponentValues")
        if not isinstance(values, list) or not values or not all(
                isinstance(v, dict) and v.get("name") and isinstance(v.get("value"), str) and v["value"]
                for v in values):
            return _bad("formComponentValues: [{name, value}] with non-empty string values")
        if not isinstance(body.get("deptId"), int):
            return _bad("deptId is required in practice (root = -1)")
        if body.get("processCode") not in self.process_codes:
            return _bad("processCode 不存在", "processCodeNotExist")
        if body.get("originatorUserId") not in self.known_users:
            return _bad("originatorUserId 用户不存在", "userNotExist")
        pid = f"pi-{next(_ids)}"
        self.creates.append(body)
        self.instances[pid] = {"processCode": body["processCode"], "originatorUserId": body["originatorUserId"],
                               "status": "RUNNING", "createMs": self.now_ms(), "formComponentValues": values,
                               "operationRecords": [{"userId": body["originatorUserId"], "type":
                                                     "START_PROCESS_INSTANCE", "result": "NONE"}], "tasks": []}
        if self.lose_next_create:
            self.lose_next_create = False
            return web.json_response({"code": "ServiceUnavailable"}, status=503)
        return web.json_response({"instanceId": pid})

    async def get_instance(self, request: web.Request) -> web.Response:
        failed = await self._fail()
        if failed:
            return failed
        found = self.instances.get(request.query.get("processInstanceId", ""))
        if found is None:
            return _bad("processInstanceId unknown")
        result = {k: v for k, v in found.items() if k != "createMs"}
        return web.json_response({"success": "true", "result": result})

    async def list_instances(self, request: web.Request) -> web.Response:
        body, failed = await self._authorised(request)
        if failed:
            return failed
        users = body.get("userIds") or []
        if not (isinstance(body.get("startTime"), int) and isinstance(body.get("endTime"), int)
                and body.get("nextToken") == 0 and 0 < body.get("maxResults", 0) <= 20 and len(users) <= 10):
            return _bad("startTime/endTime (ms), nextToken, maxResults ≤ 20, userIds ≤ 10")
        found = [pid for pid, i in self.instances.items() if i["processCode"] == body.get("processCode")
                 and (not users or i["originatorUserId"] in users)
                 and body["startTime"] <= i["createMs"] <= body["endTime"]]
        return web.json_response({"success": True, "result": {"list": found[:20]}})

    async def create_form(self, request: web.Request) -> web.Response:
        body, failed = await self._authorised(request)
        if failed:
            return failed
        comps = body.get("formComponents") or []
        labels = [(c.get("props") or {}).get("label") for c in comps]
        ids = [(c.get("props") or {}).get("componentId") for c in comps]
        if not body.get("name") or not comps or not all(c.get("componentType") for c in comps) \
                or not all(labels) or len(set(labels)) != len(labels) or len(set(ids)) != len(ids) or not all(ids):
            return _bad("name and formComponents [{componentType, props{componentId, label}}], unique")
        self.forms.append(body)
        code = body.get("processCode") or f"PROC-NEW-{next(_ids)}"
        self.process_codes.add(code)
        return web.json_response({"result": {"processCode": code}})

    def finish(self, pid: str, result: str, approver: str, remark: str = "") -> dict[str, Any]:
        """An approver decides the last task: the instance completes; return the bpms_instance_change data."""
        inst = self.instances[pid]
        inst.update(status="COMPLETED", result=result)
        record = {"userId": approver, "type": "EXECUTE_TASK_NORMAL", "result": result.upper(), "date": "2026-11-27"}
        inst["operationRecords"].append({**record, **({"remark": remark} if remark else {})})
        inst["tasks"].append({"taskId": next(_ids), "userId": approver, "status": "COMPLETED",
                              "result": result.upper()})
        return {"processInstanceId": pid, "processCode": inst["processCode"], "type": "finish", "result": result,
                "staffId": inst["originatorUserId"], "title": "报价审批", "businessId": "2026112700001"}

    # ---- contacts (oapi) ----
    async def gettoken(self, request: web.Request) -> web.Response:
        from tests.fakes.dingtalk import CLIENT_ID, CLIENT_SECRET

        if (request.query.get("appkey"), request.query.get("appsecret")) != (CLIENT_ID, CLIENT_SECRET):
            return web.json_response({"errcode": 40089, "errmsg": "不合法的corpid或corpsecret"})
        token = f"oat-{next(_ids)}"
        self.tokens.add(token)
        return web.json_response({"errcode": 0, "access_token": token, "expires_in": 7200})

    async def _oapi_body(self, request: web.Request) -> tuple[dict | None, web.Response | None]:
        if request.query.get("access_token") not in self.tokens:
            return None, _oapi(errcode=88, errmsg="不合法的access_token")
        return await request.json(), None

    async def list_subdepartments(self, request: web.Request) -> web.Response:
        body, failed = await self._oapi_body(request)
        if failed:
            return failed
        dept = self.departments.get(body.get("dept_id"))
        if dept is None:
            return _oapi(errcode=60003, errmsg="部门不存在")
        return _oapi({"dept_id_list": dept["subs"]})

    async def list_users(self, request: web.Request) -> web.Response:
        body, failed = await self._oapi_body(request)
        if failed:
            return failed
        dept, cursor, size = self.departments.get(body.get("dept_id")), body.get("cursor"), body.get("size")
        if dept is None or not isinstance(cursor, int) or not isinstance(size, int) or not 0 < size <= 100:
            return _oapi(errcode=400002, errmsg="dept_id, cursor and size (1–100) are required")
        self.user_pages.append(body)
        users = dept["users"][cursor:cursor + size]
        more = cursor + size < len(dept["users"])
        return _oapi({"has_more": more, "list": users, **({"next_cursor": cursor + size} if more else {})})
