"""The parsers the fuzz runner drives directly: each takes one generated input and must either return
or raise the refusal it declares (BadRequest, ActionError, ValueError for frames, IntakeInvalid)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

from bench import harness
from bench.fuzz_inputs import bodies, deep, json_bytes, json_values, mutated, seeds, xml_bytes
from bot.core.errors import ActionError, BadRequest
from bot.core.packing import unpack
from bot.core.payloads import json_object
from bot.platforms.dingtalk import adapter as dingtalk
from bot.platforms.dingtalk.extras.crypto import EventCrypto
from bot.platforms.feishu import adapter as feishu
from bot.platforms.feishu.extras import crypto as feishu_crypto
from bot.platforms.feishu.extras import frames
from bot.platforms.playground import adapter as playground
from bot.platforms.wecom import adapter as wecom
from bot.platforms.wecom.extras import robot, safexml
from bot.platforms.wecom.extras.crypto import WecomCrypto
from sales import intake

Check = Callable[[Any], None]
NOW = 1_795_741_200
_WECOM = WecomCrypto(harness.WECOM_TOKEN, harness.WECOM_KEY, harness.CORP_ID)
_DT = EventCrypto(harness.DT_EVENT_TOKEN, harness.DT_EVENT_KEY, harness.DT_ID)


def _json(data: bytes) -> None:
    json_object(data, "fuzz")


def _xml(data: bytes) -> None:
    safexml.fields(safexml.parse(data))


def _wecom_app(fields: Any) -> None:
    wecom.to_event(fields if isinstance(fields, dict) else {"x": fields})


def _wecom_robot(payload: Any) -> None:
    robot.to_event(_obj(payload), "销售助手", NOW)


def _dingtalk(payload: Any) -> None:
    dingtalk.robot_event(_obj(payload), "销售助手")


def _dingtalk_card(payload: Any) -> None:
    dingtalk.card_event(_obj(payload), "k")


def _feishu(payload: Any) -> None:
    data = _obj(payload)
    feishu.needs_bot_id(data)
    feishu.to_event(data, "ou_bot" if len(str(data)) % 2 else None, "销售助手")


def _playground(payload: Any) -> None:
    data = _obj(payload)
    (playground.click_event(data) if "value" in data else playground.message_event(data, "销售助手"))


def _intake(payload: Any) -> None:
    raw = json.dumps(payload).encode()
    intake.validate("web", intake.parse_body(raw, "application/json"), {"电话": "mobile_phone"})


def _crypto(text: str) -> None:
    for decrypt in (_WECOM.decrypt, _DT.decrypt, lambda t: feishu_crypto.decrypt(harness.FS_KEY, t)):
        with contextlib.suppress(BadRequest):
            decrypt(text)


def _obj(payload: Any) -> dict:
    if not isinstance(payload, dict):
        raise BadRequest("not an object")  # the routes refuse these before the adapter (json_object)
    return payload


# name -> (strategy, check, exceptions that are a declared refusal)
PARSERS: dict[str, tuple[st.SearchStrategy, Check, tuple[type[BaseException], ...]]] = {
    "parse/json_object": (st.one_of(bodies, json_bytes, deep), _json, (BadRequest,)),
    "parse/safexml": (st.one_of(xml_bytes, st.binary(max_size=512)), _xml, (BadRequest,)),
    "parse/wecom_app": (mutated(seeds("wecom", "app")), _wecom_app, (BadRequest,)),
    "parse/wecom_robot": (mutated(seeds("wecom", "bot")), _wecom_robot, (BadRequest,)),
    "parse/dingtalk_robot": (mutated(seeds("dingtalk", "robot")), _dingtalk, (BadRequest,)),
    "parse/dingtalk_card": (mutated(seeds("dingtalk", "card")), _dingtalk_card, (BadRequest,)),
    "parse/feishu": (mutated(seeds("feishu", "events")), _feishu, (BadRequest,)),
    "parse/playground": (mutated(seeds("playground", "message") + seeds("playground", "click")), _playground,
                         (BadRequest,)),
    "parse/intake": (st.one_of(mutated(seeds("intake", "intake")), json_values), _intake, (intake.IntakeInvalid,)),
    "parse/actions": (st.one_of(st.text(max_size=60), st.sampled_from(["help|", "lead.claim|"]).flatmap(
        lambda p: st.text(max_size=30).map(lambda t: p + t))), unpack, (ActionError,)),
    "parse/feishu_frames": (st.binary(max_size=256), frames.decode, (ValueError,)),
    "parse/crypto": (st.text(max_size=200), _crypto, ()),
}
