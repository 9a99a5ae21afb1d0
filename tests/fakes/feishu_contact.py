"""The contact v3 part of the fake Feishu: the department tree and each department's direct users.

Shapes follow the contact v3 reference (departments/:id/children, users/find_by_department): ids are
chosen by user_id_type (open_id) and department_id_type (open_department_id), pages hold at most 50
items, `page_token` is opaque and only valid for the listing that issued it, and the answer is
`{"code": 0, "data": {"items": [...], "has_more": bool, "page_token"?: str}}`. A wrong parameter answers
HTTP 400 with code 99992402; `denied = True` plays an app without contacts permission.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from tests.fakes.feishu import FakeFeishu

ROOT = "0"
MAX_PAGE = 50


class FakeContact:
    """`departments` maps open_department_id -> parent id; `users` maps a department id -> its direct users."""

    def __init__(self, feishu: FakeFeishu) -> None:
        self.feishu = feishu
        self.departments: dict[str, str] = {}
        self.users: dict[str, list[dict[str, Any]]] = {}
        self.phone_scope = True  # without contact:user.phone:readonly, mobiles are left out
        self.denied = False
        self.pages: list[tuple[str, str, str]] = []  # (listing, department id, page_token) of every page served
        self._tokens: dict[str, tuple[str, int]] = {}
        self._ids = itertools.count(1)

    def mount(self, router: web.UrlDispatcher) -> None:
        """Add the contact routes to the fake's app."""
        router.add_get("/open-apis/contact/v3/departments/{department_id}/children", self.children)
        router.add_get("/open-apis/contact/v3/users/find_by_department", self.find_by_department)

    def _below(self, dept: str, recursive: bool) -> list[str]:
        direct = [d for d, parent in self.departments.items() if parent == dept]
        return direct + [x for d in direct for x in self._below(d, True)] if recursive else direct

    async def children(self, request: web.Request) -> web.Response:
        if (refused := self.feishu._guard(request)) is not None:
            return refused
        dept = request.match_info["department_id"]
        fetch_child = request.query.get("fetch_child", "false")
        if fetch_child not in ("true", "false"):
            return _invalid(f"fetch_child must be true or false, got {fetch_child!r}")
        items = [{"open_department_id": d, "parent_department_id": self.departments[d], "name": f"部门{d}"}
                 for d in self._below(dept, fetch_child == "true")]
        return self._page(request, "children", dept, items)

    async def find_by_department(self, request: web.Request) -> web.Response:
        if (refused := self.feishu._guard(request)) is not None:
            return refused
        dept = request.query.get("department_id", "")
        if not dept:
            return _invalid("department_id is required")
        users = [u if self.phone_scope else {k: v for k, v in u.items() if k != "mobile"}
                 for u in self.users.get(dept, [])]
        return self._page(request, "users", dept, users)

    def _page(self, request: web.Request, listing: str, dept: str, items: list[dict]) -> web.Response:
        """Check the shared query parameters and answer one page of `items`."""
        q = request.query
        if problem := _check_query(q):
            return _invalid(problem)
        if self.denied:
            return web.json_response({"code": 40004, "msg": "no dept authority error"}, status=400)
        if dept != ROOT and dept not in self.departments:
            return web.json_response({"code": 40003, "msg": "department not found"}, status=400)
        token = q.get("page_token", "")
        start = 0
        if token:
            issued = self._tokens.pop(token, None)
            if issued is None or issued[0] != f"{listing}:{dept}":
                return _invalid("page_token is not one this listing issued")
            start = issued[1]
        self.pages.append((listing, dept, token))
        end = start + int(q.get("page_size", "10"))
        data: dict[str, Any] = {"items": items[start:end], "has_more": end < len(items)}
        if data["has_more"]:
            data["page_token"] = f"pt_{next(self._ids)}"
            self._tokens[data["page_token"]] = (f"{listing}:{dept}", end)
        return web.json_response({"code": 0, "msg": "success", "data": data})


def _check_query(q: Any) -> str:
    if q.get("user_id_type", "open_id") not in ("open_id", "union_id", "user_id"):
        return f"user_id_type {q.get('user_id_type')!r} is not open_id, union_id or user_id"
    if q.get("department_id_type", "open_department_id") != "open_department_id":
        return "the fake knows open_department_id only"
    size = q.get("page_size", "10")
    if not size.isdigit() or not 1 <= int(size) <= MAX_PAGE:
        return f"page_size must be 1-{MAX_PAGE}, got {size!r}"
    return ""


def _invalid(msg: str) -> web.Response:
    return web.json_response({"code": 99992402, "msg": f"field validation failed: {msg}"}, status=400)


def user(open_id: str, name: str, mobile: str = "", resigned: bool = False) -> dict[str, Any]:
    """A find_by_department item as Feishu returns it."""
    return {"open_id": open_id, "union_id": "on_" + open_id.removeprefix("ou_"), "name": name, "mobile": mobile,
            "status": {"is_activated": not resigned, "is_resigned": resigned, "is_frozen": False, "is_exited": False}}
