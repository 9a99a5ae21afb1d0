"""Stream handlers: robot messages, card clicks and events, each stored in the inbox before the ack."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import TYPE_CHECKING, Any

import dingtalk_stream
from dingtalk_stream import AckMessage, CallbackHandler, CallbackMessage, EventHandler, EventMessage
from dingtalk_stream.frames import Headers

from bot.core.errors import BadRequest
from bot.core.events import Event
from bot.platforms.dingtalk import adapter
from bot.platforms.dingtalk.extras import approval_results
from bot.platforms.dingtalk.routes import answer_card
from storage.repos import requests as archive

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger("salesbot.dingtalk.stream")
STORE_WAIT = 2.0  # ack after the inbox insert, but never later than this


class _Base:
    def __init__(self, rt: Runtime) -> None:
        super().__init__()
        self.rt = rt

    async def store(self, event: Event) -> int:
        """Put the event in the inbox and return the ack code (500 asks DingTalk to push it again)."""
        task = asyncio.ensure_future(self.rt.dispatcher.ingest(event))
        done, _ = await asyncio.wait({task}, timeout=STORE_WAIT)
        if done and task.exception() is not None:
            log.error("could not store a DingTalk stream event", exc_info=task.exception())
            return AckMessage.STATUS_SYSTEM_EXCEPTION
        return AckMessage.STATUS_OK

    async def refuse(self, topic: str, exc: BadRequest, data: dict) -> tuple[int, str]:
        """Archive a frame we cannot use; ack it so it is not pushed again forever."""
        log.warning("refused a DingTalk stream frame", extra={"topic": topic, "reason": exc.reason})
        body = json.dumps(data, ensure_ascii=False).encode()
        await archive.archive(self.rt.db, f"stream:{topic}", exc.status, exc.reason, "application/json", body,
                              self.rt.clock.now())
        return AckMessage.STATUS_OK, exc.reason


class RobotHandler(_Base, CallbackHandler):
    """/v1.0/im/bot/messages/get: store the message and ack at once."""

    async def process(self, message: CallbackMessage) -> tuple[int, Any]:
        try:
            event = adapter.robot_event(message.data, self.rt.settings.org.bot_name)
        except BadRequest as exc:
            return await self.refuse(dingtalk_stream.ChatbotMessage.TOPIC, exc, message.data)
        return await self.store(event), None


class CardHandler(_Base, CallbackHandler):
    """/v1.0/card/instances/callback: answer with the card update within 2 s."""

    async def process(self, message: CallbackMessage) -> tuple[int, Any]:
        try:
            event = adapter.card_event(message.data, str(message.headers.message_id))
        except BadRequest as exc:
            return await self.refuse(CallbackHandler.TOPIC_CARD_CALLBACK, exc, message.data)
        return AckMessage.STATUS_OK, await answer_card(self.rt, event)


class EventsHandler(_Base, EventHandler):
    """EVENT frames (approvals and others): store, then ack with the protocol's status body."""

    async def process(self, event: EventMessage) -> tuple[int, str]:
        h = event.headers
        data = event.data if isinstance(event.data, dict) else {}
        found = adapter.subscription_event(str(h.event_type or ""), data, str(h.event_id or h.message_id))
        code = await self.store(found)
        if code == AckMessage.STATUS_OK:
            try:
                await approval_results.queue_result(self.rt, str(h.event_type or ""), data)
            except Exception:  # 500 makes DingTalk push it again; the stored event is deduplicated
                log.exception("could not queue the DingTalk approval result")
                code = AckMessage.STATUS_SYSTEM_EXCEPTION
        return code, "OK"

    async def raw_process(self, event_message: EventMessage) -> AckMessage:
        """Ack like the protocol says ({"status": "SUCCESS"}), not with an echo of the event (0.24.3)."""
        code, message = await self.process(event_message)
        ack = AckMessage()
        ack.code, ack.message = code, message
        ack.headers.message_id = event_message.headers.message_id
        ack.headers.content_type = Headers.CONTENT_TYPE_APPLICATION_JSON
        ack.data = {"status": "SUCCESS" if code == AckMessage.STATUS_OK else "LATER", "message": message}
        return ack
