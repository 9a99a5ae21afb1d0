"""An imported history shows on the customer page's one timeline and in the read API (customers, orders)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from openpyxl import Workbook

from bot.core.links import customer_link
from flows.history_import import Importer
from tests.flows.test_history_import import CUSTOMERS, INTERACTIONS, ORDERS
from tests.handlers.lead_helpers import new_lead
from tests.helpers import add_member

AUTH = {"Authorization": "Bearer test-admin-token"}


def _xlsx(path, rows):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


async def _import(rt, kind, path):
    async with rt.db.session() as s:
        return await Importer(s, rt.settings, kind, rt.clock.now()).run(path)


async def test_xlsx_history_on_the_customer_page_and_in_the_read_api(client, rt, tmp_path):
    await add_member(rt, "李娜")
    await add_member(rt, "王强")
    assert (await _import(rt, "customers", _xlsx(tmp_path / "c.xlsx", CUSTOMERS[:3]))).created == 2
    assert (await _import(rt, "orders", _xlsx(tmp_path / "o.xlsx", ORDERS[:3]))).created == 2
    assert (await _import(rt, "interactions", _xlsx(tmp_path / "i.xlsx", INTERACTIONS[:3]))).created == 2
    await new_lead(rt, "13800138000", "华东医疗")  # the imported mobile: the lead merges into the customer
    customers = (await (await client.get("/api/v1/customers", headers=AUTH)).json())["items"]
    first = customers[0]
    assert (first["name"], first["owner"], first["in_pool"], first["activity_score"]) == ("华东医疗", "李娜", False,
                                                                                         None)
    assert customers[1]["in_pool"] is True and customers[1]["owner"] is None
    orders = (await (await client.get("/api/v1/orders", headers=AUTH)).json())["items"]
    assert [(o["customer"], o["amount"]) for o in orders] == [("华东医疗", 128000), ("华东医疗", 15000)]
    url = urlsplit(customer_link(rt.settings, first["id"], rt.clock.now()))
    page = await (await client.get(f"{url.path}?{url.query}")).text()
    for text in ("订单", "12.8万 影像设备，已验收", "拜访", "上门", "演示", "线索 #1", "建档"):
        assert text in page, text
    assert page.index("线索 #1") < page.index("维保") < page.index("影像设备")  # newest first


async def test_import_on_each_backend_is_whole_and_idempotent(rt_any, tmp_path):
    rt = rt_any
    await add_member(rt, "李娜")
    await add_member(rt, "王强")
    files = {"customers": _xlsx(tmp_path / "c.xlsx", CUSTOMERS), "orders": _xlsx(tmp_path / "o.xlsx", ORDERS),
             "interactions": _xlsx(tmp_path / "i.xlsx", INTERACTIONS)}
    first = [(await _import(rt, k, p)).lines()[0] for k, p in files.items()]
    assert first == ["created 2, updated 0, rejected 5", "created 2, updated 0, rejected 4",
                     "created 2, updated 0, rejected 2"]
    again = [(await _import(rt, k, p)).lines()[0] for k, p in files.items()]
    assert again == ["created 0, updated 2, rejected 5", "created 0, updated 2, rejected 4",
                     "created 0, updated 2, rejected 2"]


async def test_rows_written_then_a_failure_leave_nothing_on_each_backend(rt_any, tmp_path):
    rt = rt_any  # PostgreSQL writes by COPY on the session's own connection: it must roll back with the rest
    await add_member(rt, "李娜")
    await _import(rt, "customers", _xlsx(tmp_path / "c.xlsx", CUSTOMERS))
    orders = _xlsx(tmp_path / "o.xlsx", ORDERS)
    with pytest.raises(RuntimeError):
        async with rt.db.session() as s:
            assert (await Importer(s, rt.settings, "orders", rt.clock.now()).run(orders)).created == 2
            raise RuntimeError("the connection broke after the rows were written")
    assert (await _import(rt, "orders", orders)).lines()[0] == "created 2, updated 0, rejected 4"
