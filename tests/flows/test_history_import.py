"""History in, data out: `salesbot import customers|orders|interactions` (CSV, XLSX) with every bad input the
issue lists, idempotent re-import, and `salesbot export` round trips into an empty database."""

from __future__ import annotations

import asyncio
import csv
import os
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from bot.cli import main
from storage.db import Database
from storage.models import Contact, Customer, CustomerEvent, Interaction, Order

MEMBERS = ("name,role,team,manager,region,industries,capacity,mobile,wecom_userid,dingtalk_userid,feishu_open_id\n"
           "李娜,rep,华东,,,,,,,,\n王强,rep,华东,,,,,,,,\n")
CUSTOMERS = [["customer", "industry", "region", "owner", "mobile", "contact", "source", "created_at"],
             ["华东医疗", "医疗", "上海", "李娜", "13800138000", "王经理", "展会", "2025-03-01"],
             ["华北物流", "物流", "北京", "", "", "", "官网", ""],
             ["", "医疗", "", "", "", "", "", ""],
             ["西南能源", "", "", "不存在", "", "", "", ""],
             ["东方科技", "", "", "", "12345", "", "", ""],
             ["华东医疗有限公司", "医疗", "", "李娜", "", "", "", ""],
             ["南方制造", "", "", "", "", "", "", "昨天"]]
ORDERS = [["customer", "amount", "ordered_at", "product", "accepted_at"],
          ["华东医疗", "128,000", "2025-05-01", "影像设备", "2025-06-01"],
          ["华东医疗", "1.5万", "2025-09-01", "维保", ""],
          ["不存在的客户", "100", "2025-05-01", "", ""],
          ["华北物流", "很多", "2025-05-01", "", ""],
          ["华北物流", "100", "2025-05-01", "", "2025-04-01"],
          ["华东医疗", "128,000", "2025-05-01", "影像设备", "2025-06-01"]]
INTERACTIONS = [["customer", "member", "kind", "at", "note"],
                ["华东医疗", "李娜", "拜访", "2025-05-02", "上门"],
                ["华东医疗", "王强", "demo", "2025-05-03T10:00", ""],
                ["华东医疗", "李娜", "喝茶", "2025-05-02", ""], ["华东医疗", "没这人", "电话", "2025-05-02", ""]]


@pytest.fixture
def cli(tmp_path, monkeypatch):
    for name in list(os.environ):
        if name.startswith("SALESBOT__"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)

    def make(db_name: str):
        path = tmp_path / f"{db_name}.toml"
        path.write_text(f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path}/{db_name}.db"\n', "utf-8")
        assert main(["--config", str(path), "db", "upgrade"]) == 0
        (tmp_path / "members.csv").write_text(MEMBERS, "utf-8")
        assert main(["--config", str(path), "import", "members", str(tmp_path / "members.csv")]) == 0
        return lambda *argv: main(["--config", str(path), *argv])
    return make


def _csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def _xlsx(path: Path, rows: list[list[str]]) -> Path:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def _count(tmp_path: Path, db_name: str, model) -> int:
    async def run() -> int:
        db = Database(f"sqlite+aiosqlite:///{tmp_path}/{db_name}.db")
        try:
            async with db.session() as s:
                return (await s.execute(select(func.count()).select_from(model))).scalar_one()
        finally:
            await db.close()
    return asyncio.run(run())


def test_customers_csv_rejects_each_bad_row_with_its_line(cli, tmp_path, capsys):
    run = cli("a")
    capsys.readouterr()
    assert run("import", "customers", str(_csv(tmp_path / "c.csv", CUSTOMERS))) == 3
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "created 2, updated 0, rejected 5"
    assert out[1] == "  line 4: customer is empty; write the customer's (company's) name"
    assert out[2].startswith("  line 5: owner '不存在' is not a member")
    assert out[3] == "  line 6: mobile '12345' is not an 11-digit mainland mobile number"
    assert out[4] == "  line 7: duplicate of line 2 (the same customer twice)"
    assert out[5].startswith("  line 8: created_at '昨天' is not a date")
    assert _count(tmp_path, "a", Contact) == 1 and _count(tmp_path, "a", CustomerEvent) == 2
    capsys.readouterr()
    assert run("import", "customers", str(_csv(tmp_path / "c.csv", CUSTOMERS))) == 3  # same file again
    assert capsys.readouterr().out.splitlines()[0] == "created 0, updated 2, rejected 5"
    assert _count(tmp_path, "a", Customer) == 2 and _count(tmp_path, "a", Contact) == 1


def test_one_customer_one_owner_and_wrong_header(cli, tmp_path, capsys):
    run = cli("a")
    run("import", "customers", str(_csv(tmp_path / "c.csv", CUSTOMERS[:2])))
    capsys.readouterr()
    other = [CUSTOMERS[0], ["华东医疗", "", "", "王强", "", "", "", ""]]
    assert run("import", "customers", str(_csv(tmp_path / "d.csv", other))) == 3
    assert "already has another owner (one customer, one owner)" in capsys.readouterr().out
    assert run("import", "orders", str(_csv(tmp_path / "e.csv", [["客户", "金额"], ["a", "1"]]))) == 3
    assert "line 1: missing columns: customer, amount, ordered_at, product, accepted_at" in capsys.readouterr().out


def test_xlsx_history_orders_and_interactions_idempotent(cli, tmp_path, capsys):
    run = cli("a")
    assert run("import", "customers", str(_xlsx(tmp_path / "c.xlsx", CUSTOMERS[:3]))) == 0
    capsys.readouterr()
    assert run("import", "orders", str(_xlsx(tmp_path / "o.xlsx", ORDERS))) == 3
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "created 2, updated 0, rejected 4"
    assert [line.split(":")[0] for line in out[1:]] == ["  line 4", "  line 5", "  line 6", "  line 7"]
    assert "amount '很多' is not a number" in out[2] and "accepted_at is before ordered_at" in out[3]
    assert run("import", "orders", str(_xlsx(tmp_path / "o.xlsx", ORDERS))) == 3
    assert capsys.readouterr().out.splitlines()[0] == "created 0, updated 2, rejected 4"
    assert _count(tmp_path, "a", Order) == 2
    assert run("import", "interactions", str(_xlsx(tmp_path / "i.xlsx", INTERACTIONS))) == 3
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "created 2, updated 0, rejected 2" and "kind '喝茶'" in out[1] and "没这人" in out[2]
    assert _count(tmp_path, "a", Interaction) == 2


def test_broken_xlsx_and_unknown_type_are_one_clear_reject(cli, tmp_path, capsys):
    run = cli("a")
    (tmp_path / "bad.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    capsys.readouterr()
    assert run("import", "customers", str(tmp_path / "bad.xlsx")) == 3
    out = capsys.readouterr().out
    assert "not a readable .xlsx file" in out and "Traceback" not in out
    (tmp_path / "c.json").write_text("{}", "utf-8")
    assert run("import", "customers", str(tmp_path / "c.json")) == 3
    assert "use .csv (UTF-8) or .xlsx" in capsys.readouterr().out
    assert _count(tmp_path, "a", Customer) == 0


def test_many_bad_rows_are_counted_not_all_listed(cli, tmp_path, capsys):
    run = cli("a")
    rows = [CUSTOMERS[0]] + [["", "医疗", "", "", "", "", "", ""] if i % 2 else [f"客户{i}", "", "", "", "", "", "", ""]
                             for i in range(2500)]
    capsys.readouterr()
    assert run("import", "customers", str(_csv(tmp_path / "big.csv", rows))) == 3
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "created 1250, updated 0, rejected 1250"
    assert out[-1] == "  … and 250 more rejected rows (fix the ones above first)"


def test_gbk_csv_from_chinese_excel_is_read(cli, tmp_path, capsys):
    run = cli("a")
    path = tmp_path / "gbk.csv"
    path.write_bytes("\n".join(",".join(r) for r in CUSTOMERS[:2]).encode("gb18030"))
    capsys.readouterr()
    assert run("import", "customers", str(path)) == 0


def _read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def test_export_then_import_into_an_empty_database_gives_the_same_records(cli, tmp_path, capsys):
    first, second = cli("a"), cli("b")
    first("import", "customers", str(_csv(tmp_path / "c.csv", CUSTOMERS)))
    first("import", "orders", str(_csv(tmp_path / "o.csv", ORDERS)))
    assert first("export", "customers", "--out", str(tmp_path / "c1.csv")) == 0
    assert first("export", "orders", "--out", str(tmp_path / "o1.xlsx")) == 0
    assert (tmp_path / "c1.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert second("import", "customers", str(tmp_path / "c1.csv")) == 0
    assert second("import", "orders", str(tmp_path / "o1.xlsx")) == 0
    second("export", "customers", "--out", str(tmp_path / "c2.csv"))
    second("export", "orders", "--format", "xlsx", "--out", str(tmp_path / "o2.xlsx"))
    assert _read_csv(tmp_path / "c1.csv") == _read_csv(tmp_path / "c2.csv")
    sheets = [list(load_workbook(tmp_path / f, read_only=True).active.iter_rows(values_only=True))
              for f in ("o1.xlsx", "o2.xlsx")]
    assert sheets[0] == sheets[1] and len(sheets[0]) == 3
    for name in ("leads", "opportunities"):
        assert second("export", name, "--out", str(tmp_path / f"{name}.csv")) == 0
    assert _read_csv(tmp_path / "leads.csv")[0][:3] == ["id", "status", "status_label"]
    capsys.readouterr()
    assert second("export", "nothing") == 2
    assert "choose one of: customers, leads, opportunities, orders" in capsys.readouterr().err
