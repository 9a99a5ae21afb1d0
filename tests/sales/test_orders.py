"""The order rules: a won deal's amount and reading `验收 <客户> [日期]`."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sales.orders import BAD_DATE, FUTURE, AcceptText, accepted_at, order_amount, parse_accept

TODAY = date(2026, 11, 27)
SH = ZoneInfo("Asia/Shanghai")


def test_amount_is_the_deal_amount_else_the_middle_of_the_budget_else_zero():
    assert order_amount(450_000, 300_000, 500_000) == 450_000
    assert order_amount(None, 300_000, 500_000) == 400_000
    assert order_amount(None, None, 500_000) == 500_000
    assert order_amount(None, None, None) == 0


def test_parse_accept_reads_the_customer_and_an_optional_past_day():
    assert parse_accept("华东医疗", TODAY) == AcceptText("华东医疗")
    assert parse_accept("华东 医疗集团 2026-11-01", TODAY) == AcceptText("华东 医疗集团", date(2026, 11, 1))
    assert parse_accept("华东医疗 11月20日", TODAY) == AcceptText("华东医疗", date(2026, 11, 20))
    assert parse_accept("华东医疗 昨天", TODAY) == AcceptText("华东医疗", date(2026, 11, 26))
    assert parse_accept("华东医疗 12-01", TODAY) == AcceptText("华东医疗", date(2026, 12, 1), FUTURE)
    assert parse_accept("华东医疗 13-45", TODAY) == AcceptText("华东医疗 13-45", problem=BAD_DATE.format("13-45"))
    assert parse_accept("", TODAY) == AcceptText("")


def test_accepted_at_is_now_for_today_else_the_local_start_of_the_day():
    now = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
    assert accepted_at(None, now, SH) == now and accepted_at(TODAY, now, SH) == now
    assert accepted_at(date(2026, 11, 20), now, SH) == datetime(2026, 11, 19, 16, 0, tzinfo=UTC)
