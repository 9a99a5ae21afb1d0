"""Structured (JSON) logs with secrets and phone numbers masked before they are written."""

from __future__ import annotations

import json
import logging
import re
import sys

_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
_SECRET = re.compile(r"(?i)((?:secret|token|password|aes_key|encoding_aes_key|access_token|sign)"
                     r"[\"']?\s*[=:]\s*[\"']?)([^\s\"'&,}]+)")


def mask(text: str) -> str:
    """Mask mobiles (138****5678) and values that follow secret-looking keys."""
    text = _MOBILE.sub(r"\1****\2", text)
    return _SECRET.sub(r"\1***", text)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and any `extra` fields."""

    _std = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}

    def format(self, record: logging.LogRecord) -> str:
        data = {"ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"), "level": record.levelname,
                "logger": record.name, "msg": record.getMessage()}
        data.update({k: v for k, v in record.__dict__.items() if k not in self._std})
        if record.exc_info:
            data["exc"] = self.formatException(record.exc_info)
        return mask(json.dumps(data, ensure_ascii=False, default=str))


def setup(level: str = "INFO", json_lines: bool = True) -> None:
    """Configure the root logger once."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if json_lines else logging.Formatter("%(levelname)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("aiohttp.access", "apscheduler", "alembic"):
        logging.getLogger(noisy).setLevel("WARNING")
