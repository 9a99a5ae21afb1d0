"""Logs are JSON lines with phone numbers and secrets masked."""

from __future__ import annotations

import json
import logging

from bot.logs import JsonFormatter, mask


def test_mask_hides_mobiles_and_secret_values():
    text = mask("call 13800138000 or +86 13912345678; secret=abc123 token: 'xyz' access_token=t0k")
    assert "13800138000" not in text and "138****8000" in text
    assert "139****5678" in text
    assert "abc123" not in text and "xyz" not in text and "t0k" not in text


def test_long_digit_runs_are_not_mistaken_for_mobiles():
    assert mask("msgid 4561255354251345929") == "msgid 4561255354251345929"


def test_formatter_writes_json_with_extras_masked():
    record = logging.LogRecord("salesbot", logging.INFO, __file__, 1, "lead from %s", ("13800138000",), None)
    record.mobile = "13700001111"
    line = JsonFormatter().format(record)
    data = json.loads(line)
    assert data["msg"] == "lead from 138****8000" and data["mobile"] == "137****1111"
    assert data["level"] == "INFO" and data["logger"] == "salesbot"
