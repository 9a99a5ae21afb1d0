"""One chat line -> structured opportunity fields; amounts the way sales people say them."""

from __future__ import annotations

import pytest

from sales.parsing import Budget, format_budget, format_yuan, parse_amount, parse_new_opportunity


@pytest.mark.parametrize(("text", "low", "high"), [
    ("50万", 500_000, 500_000),
    ("50-80万", 500_000, 800_000),
    ("50 - 80 万", 500_000, 800_000),
    ("5万~8万", 50_000, 80_000),
    ("5万到8万", 50_000, 80_000),
    ("5至8万", 50_000, 80_000),
    ("50万-1亿", 500_000, 100_000_000),
    ("1.2亿", 120_000_000, 120_000_000),
    ("500000", 500_000, 500_000),
    ("500,000", 500_000, 500_000),
    ("50，000", 50_000, 50_000),
    ("30w", 300_000, 300_000),
    ("30W", 300_000, 300_000),
    ("8k", 8_000, 8_000),
    ("5千", 5_000, 5_000),
    ("8000元", 8_000, 8_000),
    ("1.5-2万", 15_000, 20_000),
    (" 50万 ", 500_000, 500_000),
])
def test_parse_amount(text, low, high):
    assert parse_amount(text) == Budget(text, low, high)


@pytest.mark.parametrize("text", ["看情况", "大概五十万", "50万左右", "", "万"])
def test_unparsed_amount_keeps_the_words_without_a_range(text):
    assert parse_amount(text) == Budget(text, None, None)


def test_wan_yuan_is_understood():
    assert parse_amount("50万元") == Budget("50万元", 500_000, 500_000)
    assert parse_amount("50-80万元") == Budget("50-80万元", 500_000, 800_000)


@pytest.mark.parametrize(("args", "customer", "low", "high"), [
    ("华东医疗 预算50万", "华东医疗", 500_000, 500_000),
    ("华东医疗 预算 50-80万", "华东医疗", 500_000, 800_000),
    ("华东医疗 预算5万~8万", "华东医疗", 50_000, 80_000),
    ("华东医疗 预算1.2亿", "华东医疗", 120_000_000, 120_000_000),
    ("华东医疗 预算 500000", "华东医疗", 500_000, 500_000),
    ("华东医疗 预算：30w", "华东医疗", 300_000, 300_000),
    ("华东医疗 预算: 30w", "华东医疗", 300_000, 300_000),
    ("  星河科技有限公司   预算 5万  ", "星河科技有限公司", 50_000, 50_000),
])
def test_parse_new_opportunity_budgets(args, customer, low, high):
    got = parse_new_opportunity(args)
    assert got is not None
    assert got.customer == customer
    assert (got.budget.low, got.budget.high) == (low, high)
    assert got.industry == "" and got.need == ""


def test_budget_keeps_the_customers_own_words():
    got = parse_new_opportunity("华东医疗 预算 50-80万")
    assert got.budget.text == "50-80万"


def test_customer_only():
    got = parse_new_opportunity("华东医疗")
    assert got.customer == "华东医疗" and got.budget == Budget("", None, None)


@pytest.mark.parametrize("args", ["", "   ", "预算50万", "预算50万 行业 医疗", "budget 50k"])
def test_missing_customer_gives_none(args):
    assert parse_new_opportunity(args) is None


def test_industry_and_need_keywords():
    got = parse_new_opportunity("华东医疗 预算50万 行业 医疗 需求 要一套CRM，下月上线")
    assert (got.customer, got.industry, got.need) == ("华东医疗", "医疗", "要一套CRM，下月上线")
    assert got.budget.low == 500_000


def test_keywords_in_any_order_with_full_width_colons():
    got = parse_new_opportunity("华东医疗 需求：电子病历 行业：医疗 预算：80万")
    assert (got.need, got.industry, got.budget.low) == ("电子病历", "医疗", 800_000)


def test_english_aliases():
    got = parse_new_opportunity("Acme Corp budget 50k industry retail need a CRM pilot")
    assert got.customer == "Acme Corp"
    assert got.budget.low == 50_000
    assert got.industry == "retail" and got.need == "a CRM pilot"
    upper = parse_new_opportunity("Acme Budget: 5万 NEED: demo")
    assert (upper.customer, upper.budget.low, upper.need) == ("Acme", 50_000, "demo")


def test_unparsed_budget_is_kept_as_said():
    got = parse_new_opportunity("华东医疗 预算 看情况")
    assert got.budget == Budget("看情况", None, None)


def test_keywords_inside_an_english_customer_name():
    got = parse_new_opportunity("Needham Capital budget 50k")
    assert got is not None and got.customer == "Needham Capital"


@pytest.mark.parametrize(("value", "shown"), [
    (None, "未知"), (0, "0元"), (8_000, "8000元"), (9_999, "9999元"), (10_000, "1万"), (15_000, "1.5万"),
    (500_000, "50万"), (800_000, "80万"), (100_000_000, "1亿"), (120_000_000, "1.2亿"),
])
def test_format_yuan(value, shown):
    assert format_yuan(value) == shown


def test_format_budget():
    assert format_budget(Budget("", None, None)) == "客户还没说预算"
    assert format_budget(Budget("看情况", None, None)) == "客户原话：看情况"
    assert format_budget(parse_amount("50万")) == "50万"  # the parsed value equals what was said
    assert format_budget(parse_amount("50-80万")) == "50万–80万（客户原话：50-80万）"
    assert format_budget(parse_amount("500000")) == "50万（客户原话：500000）"
