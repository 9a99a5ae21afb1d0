"""When a quote needs approval, and how a quote line is read."""

from __future__ import annotations

import pytest

from sales.approvals import Quote, approval_reason, discount_percent, format_discount, parse_quote, quote_needed


@pytest.mark.parametrize(("text", "quote"), [
    ("45万 折扣 15%", Quote(450_000, 15.0)),
    ("45万 85折", Quote(450_000, 15.0)),
    ("45万 8.5折", Quote(450_000, 15.0)),
    ("45万 折扣：20", Quote(450_000, 20.0)),
    ("45万", Quote(450_000, None)),
    ("折扣 10%", Quote(None, 10.0)),
    ("看情况", Quote(None, None)),
])
def test_parse_quote(text, quote):
    assert parse_quote(text) == quote


def test_discount_percent_rejects_nonsense():
    assert discount_percent("120", "%") is None
    assert discount_percent("9", "折") == 10.0
    assert discount_percent("95", "折") == 5.0


def test_approval_reason_by_mode():
    assert approval_reason("never", 15, 50) is None
    assert approval_reason("discount", 15, 15) is None  # at the line is fine
    assert approval_reason("discount", 15, None) is None
    assert approval_reason("discount", 15, 20) == "折扣 20% 超过了 15% 的审批线"
    assert "每次报价" in approval_reason("always", 15, 0)
    assert quote_needed("discount") and not quote_needed("always") and not quote_needed("never")


def test_format_discount():
    assert format_discount(15) == "15%（8.5折）"
    assert format_discount(None) == "未填"
