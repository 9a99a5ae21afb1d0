"""The approval v4 part of the fake Feishu: create instances, read them, subscribe, and decide them.

Shapes follow ../shared/platforms/feishu.md §5 and the approval v4 reference: `form` is a JSON array
serialized to a string, one of user_id/open_id is required, `uuid` is 1–64 characters and a reused uuid
is refused with 60012. Widget ids must belong to the definition (1390001 otherwise).
"""

from __future__ import annotations

import itertools
import json
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from tests.fakes.feishu import FakeFeishu

APPROVAL_CODE = "7C468A54-8745-2245-9675-08B7C63E7A85"
WIDGETS = {"customer", "requester", "stage", "amount", "discount", "reason", "budget"}
TIMELINE = {"APPROVED": "PASS", "REJECTED": "REJECT", "CANCELED": "CANCEL"}


class FakeApproval:
    """Instances by code; `creates` counts accepted creates, `refused_uuids` the 60012 answers."""

    def __init__(self, feishu: FakeFeishu) -> None:
        self.feishu = feishu
        self.instances: dict[str, dict[str, Any]] = {}
        self.subscribed: set[str] = set()
        self.subscribe_calls = 0
        self.creates = 0
        self.refused_uuids = 0
        self.lose_next_answer = False  # create the instance, then answer 504 as if the reply was lost
        self.widgets = set(WIDGETS)  # the definition's widget ids
        self._ids = itertools.count(1)

    def mount(self, router: web.UrlDispatcher) -> None:
        """Add the approval routes to the fake's app."""
        router.add_post("/open-apis/approval/v4/instances", self.create)
        router.add_get("/open-apis/approval/v4/instances/{instance_id}", self.get)
        router.add_post("/open-apis/approval/v4/approvals/{approval_code}/subscribe", self.subscribe)

    async def create(self, request: web.Request) -> web.Response:
        if (refused := self.feishu._guard(request)) is not None:
            return refused
        body = await request.json()
        problem = _check_create(body, self.widgets)
        if problem:
            return _fail(1390001, f"param is invalid: {problem}")
        if body["approval_code"] != APPROVAL_CODE:
            return _fail(1390002, "approval code not found")
        if any(i["uuid"] == body.get("uuid") for i in self.instances.values() if body.get("uuid")):
            self.refused_uuids += 1
            return _fail(60012, "uuid conflict")
        code = f"INST-{next(self._ids):04d}"
        self.instances[code] = {"instance_code": code, "approval_code": APPROVAL_CODE, "status": "PENDING",
                                "uuid": body.get("uuid", ""), "open_id": body.get("open_id", ""),
                                "user_id": body.get("user_id", ""), "form": body["form"], "timeline": [
                                    {"type": "START", "create_time": "1", "open_id": body.get("open_id", "")}]}
        self.creates += 1
        if self.lose_next_answer:
            self.lose_next_answer = False
            return web.json_response({"code": 1, "msg": "gateway timeout"}, status=504)
        return web.json_response({"code": 0, "msg": "success", "data": {"instance_code": code}})

    async def get(self, request: web.Request) -> web.Response:
        if (refused := self.feishu._guard(request)) is not None:
            return refused
        key = request.match_info["instance_id"]
        found = self.instances.get(key) or next((i for i in self.instances.values() if i["uuid"] == key), None)
        if found is None:
            return _fail(1390003, "instance code not found")
        return web.json_response({"code": 0, "msg": "success", "data": found})

    async def subscribe(self, request: web.Request) -> web.Response:
        if (refused := self.feishu._guard(request)) is not None:
            return refused
        self.subscribe_calls += 1
        code = request.match_info["approval_code"]
        if code != APPROVAL_CODE:
            return _fail(1390002, "approval code not found")
        if code in self.subscribed:
            return _fail(1390007, "subscription existed")
        self.subscribed.add(code)
        return web.json_response({"code": 0, "msg": "success", "data": {}})

    def decide(self, code: str, status: str, open_id: str, comment: str = "", uuid: str = "ev-apv-1") -> dict:
        """Finish an instance as a person in Feishu would; return the approval_instance push (v1 envelope)."""
        instance = self.instances[code]
        instance["status"] = status
        instance["timeline"].append({"type": TIMELINE[status], "create_time": str(len(instance["timeline"]) + 1),
                                     "open_id": open_id, "comment": comment})
        return {"ts": "1700000000.1", "uuid": uuid, "token": "vtoken", "type": "event_callback",
                "event": {"app_id": self.feishu.app_id, "tenant_key": "tk", "type": "approval_instance",
                          "approval_code": instance["approval_code"], "instance_code": code, "status": status,
                          "instance_operate_time": "1700000000000", "uuid": instance["uuid"]}}

    def form_of(self, code: str) -> dict[str, str]:
        """The created instance's form as {widget id: value}."""
        return {w["id"]: w["value"] for w in json.loads(self.instances[code]["form"])}


def _check_create(body: dict[str, Any], known: set[str]) -> str:
    """Return what is wrong with a create body, or ""."""
    if not isinstance(body.get("approval_code"), str) or not body["approval_code"]:
        return "approval_code is required"
    if not (body.get("user_id") or body.get("open_id")):
        return "one of user_id or open_id is required"
    uuid = body.get("uuid")
    if uuid is not None and (not isinstance(uuid, str) or not 1 <= len(uuid) <= 64):
        return "uuid must be 1-64 characters"
    if not isinstance(body.get("form"), str):
        return "form must be a JSON array serialized to a string"
    try:
        widgets = json.loads(body["form"])
    except ValueError:
        return "form is not valid JSON"
    if not isinstance(widgets, list) or not all(isinstance(w, dict) and {"id", "type", "value"} <= set(w)
                                                 for w in widgets):
        return "form must be an array of {id, type, value}"
    unknown = {w["id"] for w in widgets} - known
    return f"控件= {sorted(unknown)[0]} is not in the definition" if unknown else ""


def _fail(code: int, msg: str) -> web.Response:
    return web.json_response({"code": code, "msg": msg}, status=400)
