"""Intake mapping: the shipped packs on realistic samples, aliases, validation and body parsing."""

from __future__ import annotations

from pathlib import Path

import pytest

from sales.intake import IntakeInvalid, flatten, intake_key, parse_body, parse_pack, validate

PACKS = Path(__file__).resolve().parents[2] / "packs" / "mappings"


def pack(name: str):
    return parse_pack((PACKS / f"{name}.toml").read_text("utf-8"), name)


def test_website_form_pack_maps_contact_form_7_fields():
    p = pack("website_form")
    body = {"your-name": "张伟", "your-phone": "138 0013 8000", "your-company": "华东医疗（上海）有限公司",
            "your-message": "想了解影像设备报价", "_wpcf7": "42", "utm_campaign": "双11"}
    lead = validate(p.channel, body, p.field_map, p.default_source)
    assert lead.mobile == "13800138000" and lead.company_key == "华东医疗上海"
    assert lead.get("need") == "想了解影像设备报价" and lead.get("source") == "官网"
    assert lead.unmapped == {"utm_campaign": "双11"}


def test_phone_400_pack_keeps_the_caller_and_drops_our_number():
    p = pack("phone_400")
    record = {"call_id": "c-88", "caller_number": "+8613912345678", "called_number": "4008001234",
              "city": "杭州", "start_time": "2026-11-27 10:03:11", "duration": 95, "record_url": "https://r/1.mp3"}
    lead = validate(p.channel, record, p.field_map, p.default_source)
    assert lead.mobile == "13912345678" and lead.get("region") == "杭州" and lead.get("source") == "400电话"
    assert "called_number" not in lead.unmapped and lead.unmapped["record_url"] == "https://r/1.mp3"


def test_douyin_pack_reads_nested_remark_dict():
    p = pack("douyin")
    clue = {"clue_id": "7301", "advertiser_id": 1688, "name": "李工", "telephone": "13700001111",
            "province_name": "广东", "city_name": "深圳", "remark_dict": {"公司名称": "宏达制造", "行业": "制造",
                                                                         "意向产品": "MES"},
            "create_time": "2026-11-27 10:00:00", "module_name": "表单-秋季"}
    lead = validate(p.channel, clue, p.field_map, p.default_source)
    assert (lead.get("company"), lead.get("industry"), lead.get("product_line")) == ("宏达制造", "制造", "MES")
    assert lead.get("region") == "深圳" and lead.unmapped["clue_id"] == "7301"


def test_expo_pack_and_label_value_lists():
    p = pack("expo")
    body = {"_csrf": "1.ab", "姓名": "王", "公司": "东方教育", "手机号": "13600001234", "需求": "智慧教室"}
    assert validate(p.channel, body, p.field_map).unmapped == {}
    form = {"fields": [{"label": "手机号", "value": "13600001234"}, {"label": "公司", "value": "东方"}]}
    assert flatten(form) == {"手机号": "13600001234", "公司": "东方"}


def test_builtin_aliases_map_手机号_without_any_config():
    lead = validate("web", {"手机号": "13800138000", "联系人": "赵"}, {})
    assert lead.mobile == "13800138000" and lead.get("contact_name") == "赵" and lead.get("source") == "web"


def test_invalid_payloads_say_which_field_and_how_to_fix():
    with pytest.raises(IntakeInvalid) as err:
        validate("web", {"客户手机": "13800138000"}, {})
    assert "客户手机" in err.value.fields["mobile_phone"] and "intake replay" in err.value.fields["mobile_phone"]
    with pytest.raises(IntakeInvalid) as err:
        validate("web", {"手机号": "5551234", "公司": "x" * 200}, {})
    assert set(err.value.fields) == {"mobile_phone", "company"}


def test_wecom_external_userid_alone_is_enough():
    lead = validate("wecom", {"external_userid": "wmAbc"}, {})
    assert lead.mobile is None and lead.get("wecom_external_userid") == "wmAbc"


def test_pack_errors_name_the_key():
    with pytest.raises(ValueError, match="field_map targets"):
        parse_pack('name = "x"\nchannel = "c"\n[field_map]\n"a" = "phone_number"\n')
    with pytest.raises(ValueError, match="`channel`"):
        parse_pack('name = "x"\n[field_map]\n"a" = "need"\n')


def test_body_parsing_and_keys():
    assert parse_body(b'{"a": 1}', "application/json") == {"a": 1}
    assert parse_body("手机号=138&x=".encode(), "application/x-www-form-urlencoded") == {"手机号": "138", "x": ""}
    with pytest.raises(IntakeInvalid):
        parse_body(b"[1]", "application/json")
    with pytest.raises(IntakeInvalid):
        parse_body(b"\xff\xfe", "text/plain")
    assert intake_key("a", b"x") == intake_key("a", b"x") != intake_key("b", b"x")
