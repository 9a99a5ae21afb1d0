"""Normalization behind "one customer, one owner"."""

from __future__ import annotations

import pytest

from sales.names import mask_mobile, normalize_company, normalize_mobile


@pytest.mark.parametrize(("raw", "normalized"), [
    ("华东医疗（上海）有限公司", "华东医疗上海"),
    ("华东医疗(上海)有限公司", "华东医疗上海"),
    ("华东医疗 （上海） 有限公司", "华东医疗上海"),
    ("  华东医疗有限公司  ", "华东医疗"),
    ("华东医疗股份有限公司", "华东医疗"),
    ("华东医疗有限责任公司", "华东医疗"),
    ("华东医疗集团", "华东医疗"),
    ("华东医疗公司", "华东医疗"),
    ("华东医疗", "华东医疗"),
    ("ＡＢＣ科技", "abc科技"),           # full-width letters fold to ASCII
    ("Ａｃｍｅ　Ｉｎｃ．", "acme"),         # full-width space and dot
    ("ACME Co., Ltd.", "acme"),
    ("Acme Co.,Ltd.", "acme"),
    ("Acme Ltd", "acme"),
    ("Acme, Inc.", "acme"),
    ("Acme Corp", "acme"),
    ("A-C_M·E【中国】", "acme中国"),
    ("公司", "公司"),                        # a bare suffix is kept, never emptied
])
def test_normalize_company(raw, normalized):
    assert normalize_company(raw) == normalized


def test_variants_of_one_company_collide():
    variants = ["华东医疗（上海）有限公司", "华东医疗(上海)", "华东医疗 上海 有限公司", "华东医疗·上海"]
    assert {normalize_company(v) for v in variants} == {"华东医疗上海"}


def test_suffix_variants_of_one_company_collide():
    assert normalize_company("ABC Co., Ltd") == normalize_company("ABC Co., Ltd.") == "abc"
    assert normalize_company("万科集团有限公司") == normalize_company("万科集团")


@pytest.mark.parametrize("raw", [
    "13800138000", "138 0013 8000", "138-0013-8000", "+86 138 0013 8000", "+86-13800138000",
    "0086 13800138000", "008613800138000", "8613800138000", "(+86) 138.0013.8000", "１３８００１３８０００",
])
def test_normalize_mobile(raw):
    assert normalize_mobile(raw) == "13800138000"


@pytest.mark.parametrize("raw", [
    "", None, "12345", "1380013800", "138001380001", "23800138000", "12800138000",
    "021-62345678", "abc", "0086 23800138000", "+1 138 0013 8000",
])
def test_invalid_mobile_is_none(raw):
    assert normalize_mobile(raw) is None


def test_foreign_country_code_is_not_a_mainland_mobile():
    assert normalize_mobile("+1 415 555 0100") is None


def test_mask_mobile():
    assert mask_mobile("13800138000") == "138****8000"
    assert mask_mobile("12345678") == "123****5678"
    assert mask_mobile("1234567") == "****"
    assert mask_mobile("") == "****"
