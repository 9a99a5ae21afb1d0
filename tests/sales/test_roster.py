"""Members CSV rows: the header check and a reason for every reject."""

from __future__ import annotations

import pytest

from sales.roster import COLUMNS, MemberRow, check_header, parse_row


def _row(**values: str) -> dict[str, str]:
    base = {c: "" for c in COLUMNS}
    base.update(name="李雷", role="rep", team="华东大客户部")
    base.update(values)
    return base


def test_header_ok_in_any_order_and_with_extra_columns():
    assert check_header(list(COLUMNS)) is None
    assert check_header([*reversed(COLUMNS), "notes"]) is None


def test_header_names_the_missing_columns_and_the_expected_header():
    problem = check_header(["name", "role", "team"])
    assert problem.startswith("missing columns: manager, region, industries, capacity, mobile")
    assert ",".join(COLUMNS) in problem
    assert check_header([]).startswith("missing columns: name, role")


def test_a_full_valid_row():
    row = parse_row(_row(manager="王经理", region=" 华东 ", industries="医疗; 教育;;", capacity="30",
                         mobile="+86 139-0013-9000", wecom_userid="lilei", dingtalk_userid="",
                         feishu_open_id="ou_1"), {"王经理"})
    assert row == MemberRow("李雷", "rep", "华东大客户部", "王经理", "华东", ("医疗", "教育"), 30,
                            "13900139000", {"wecom": "lilei", "feishu": "ou_1"})


def test_defaults_for_empty_and_missing_cells():
    row = parse_row({"name": " 韩梅梅 ", "role": "manager"}, set())
    assert isinstance(row, MemberRow)
    assert (row.name, row.capacity, row.mobile, row.industries, row.identities, row.manager) == (
        "韩梅梅", 50, "", (), {}, "")


@pytest.mark.parametrize("role", ["rep", "manager", "admin"])
def test_every_role_is_accepted(role):
    assert isinstance(parse_row(_row(role=role), set()), MemberRow)


@pytest.mark.parametrize(("values", "reason"), [
    ({"name": ""}, "name is empty"),
    ({"name": "   "}, "name is empty"),
    ({"role": "boss"}, "role 'boss' must be one of rep|manager|admin"),
    ({"role": ""}, "role '' must be one of rep|manager|admin"),
    ({"role": "Rep"}, "role 'Rep' must be one of rep|manager|admin"),
    ({"capacity": "ten"}, "capacity 'ten' must be a whole number"),
    ({"capacity": "-1"}, "capacity '-1' must be a whole number"),
    ({"capacity": "2.5"}, "capacity '2.5' must be a whole number"),
    ({"mobile": "12345"}, "mobile is not an 11-digit mainland mobile number"),
    ({"mobile": "021-62345678"}, "mobile is not an 11-digit mainland mobile number"),
    ({"manager": "不存在"}, "manager '不存在' is neither in this file nor an existing member"),
    ({"manager": "李雷"}, "a member cannot be their own manager"),
])
def test_each_reject_reason(values, reason):
    assert parse_row(_row(**values), {"李雷", "王经理"}) == reason


def test_odd_unicode_digit_capacity_is_rejected_not_a_crash():
    assert isinstance(parse_row(_row(capacity="²"), set()), str)
