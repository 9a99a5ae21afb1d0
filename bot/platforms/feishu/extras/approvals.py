"""Quote approvals in Feishu approval v4: create the instance, subscribe to its events, read who decided.

handlers/approvals.start queues a `create_approval` task (key `approval_create:<id>`); the task worker runs
FeishuApprovals.create: POST /open-apis/approval/v4/instances with a `uuid` derived from our approval (a
retried create is refused with 60012, and the instance is then read back by that uuid), then
storage.repos.approvals.attach_instance. A refusal that retrying cannot fix posts the in-chat approval card
instead (through the one outbox) and dead-letters the task with the fix. Results arrive as `approval_instance`
events (approval_events.py); with_decider adds the approver before the event is stored.

The approval definition needs one single-line text widget per WIDGETS key (ids: see the README).
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import TYPE_CHECKING, Any

from bot.config.platform_sections import FEISHU_APPROVAL_WIDGETS as WIDGETS
from bot.core.clock import Clock
from bot.core.errors import DeliveryError, TransientDeliveryError
from bot.core.events import ChatRef, Event
from bot.core.ports import TaskRun
from bot.core.stopping import within
from bot.platforms.feishu.extras import approval_events
from bot.platforms.feishu.extras.client import Refused
from bot.platforms.feishu.render import FeishuRenderer
from cards.views import ApprovalView, approval_card
from storage.db import Database
from storage.models import Approval
from storage.repos import approvals as repo

if TYPE_CHECKING:
    from bot.platforms.feishu.api import FeishuAPI
    from bot.runtime import Runtime

log = logging.getLogger("salesbot.feishu.approvals")
PLATFORM = "feishu"
INSTANCES = "/open-apis/approval/v4/instances"
UUID_TAKEN, SUBSCRIBED, TRY_LATER = 60012, 1390007, 1395001
SCOPE = "grant the app approval:approval or approval:instance and publish a new version"
FIXES = {1390001: "the definition needs single-line text widgets with the IDs " + ", ".join(WIDGETS)
                  + " or feishu.approval_widgets mapping them (README, Feishu)",
         1390002: "feishu.approval_code names no approval definition; copy it from the approval admin URL",
         1390004: "the requester's feishu_open_id is not a user of this tenant; fix the members CSV",
         1390015: "the approval definition is disabled; enable it in the approval admin",
         99991672: SCOPE, 99991679: SCOPE}
LOOKUP_WAIT = 1.5  # seconds to read who decided, inside Feishu's 3 s; a slower answer gets 503 and a retry


def instance_uuid(approval: Approval) -> str:
    """Feishu's idempotency key for an approval: stable across retries, new after a database reset."""
    stamp = int(approval.created_at.timestamp()) if approval.created_at else 0
    return f"salesbot-approval-{approval.id}-{stamp}"


def form_json(form: dict[str, Any], ids: dict[str, str] | None = None) -> str:
    """The instance form: a JSON array, as a string, of one input widget per WIDGETS key (id mapped by `ids`)."""
    ids = ids or {}
    widgets = [{"id": ids.get(w) or w, "type": "input", "value": str(form.get(w) or "—")[:500]} for w in WIDGETS]
    return json.dumps(widgets, ensure_ascii=False, separators=(",", ":"))


def requester(form: dict[str, Any]) -> dict[str, str]:
    """Who files the approval: open_id for ou_… ids, else user_id; refused when nobody is linked."""
    user = str(form.get("originator_user_id") or "")
    if not user:
        raise Refused("the requester has no Feishu account linked, so Feishu cannot file the approval in their "
                      "name; add their feishu_open_id to the members CSV and import it", 0)
    return {"open_id" if user.startswith("ou_") else "user_id": user}


class FeishuApprovals:
    """Approval v4 calls made through one FeishuAPI, with the database for linking instances."""

    def __init__(self, api: FeishuAPI, db: Database, clock: Clock, renderer: FeishuRenderer) -> None:
        self.api, self.db, self.clock, self.renderer = api, db, clock, renderer  # renderer: the fallback card
        self.task: asyncio.Task | None = None  # the start-up subscription

    async def create(self, task: TaskRun) -> None:
        """The `create_approval` task: create the instance once and link it; on a refusal post the card instead."""
        payload = task.payload
        async with self.db.session() as s:
            approval = await repo.get(s, int(payload.get("approval_id") or 0))
        if approval is None:
            raise DeliveryError(f"approval {payload.get('approval_id')} no longer exists; nothing to create")
        if approval.instance_id or approval.status != "pending":
            return  # created by an earlier attempt, or decided in chat meanwhile
        form = payload.get("form") or {}
        try:
            code = await self._instance(approval, form)
        except TransientDeliveryError:
            raise
        except DeliveryError as exc:
            await self._fallback(approval, form, task)
            raise DeliveryError(f"{exc}; posted the in-chat approval card instead") from exc
        async with self.db.session() as s:
            await repo.attach_instance(s, approval.id, code)

    async def _instance(self, approval: Approval, form: dict[str, Any]) -> str:
        cfg = self.api.cfg
        body = {"approval_code": cfg.approval_code, **requester(form), "form": form_json(form, cfg.approval_widgets),
                "uuid": instance_uuid(approval)}
        try:
            data = await self.api.call("POST", INSTANCES, body)
        except Refused as exc:
            if exc.code == TRY_LATER:
                raise TransientDeliveryError(str(exc)) from exc
            if exc.code != UUID_TAKEN:
                raise Refused(f"{exc}; fix: {FIXES.get(exc.code, 'see the message above')}", exc.code) from exc
            data = await self.api.call("GET", f"{INSTANCES}/{body['uuid']}")  # made before; its answer was lost
        code = str((data.get("data") or {}).get("instance_code") or "")
        if not code:
            raise TransientDeliveryError("Feishu answered the approval create without an instance_code")
        return code

    async def _fallback(self, approval: Approval, form: dict[str, Any], task: TaskRun) -> None:
        """Queue the in-chat approval card (the key handlers/approvals.start would have used)."""
        if not approval.chat_id:
            log.error("Feishu approval failed and the approval has no chat", extra={"approval_id": approval.id})
            return
        view = ApprovalView(approval.id, approval.opportunity_id, *(str(form.get(k) or "—") for k in (
            "customer", "requester", "stage", "amount", "discount", "reason", "budget")))
        await task.send(ChatRef(PLATFORM, approval.chat_id, True), approval_card(view), f"approval:{approval.id}:card")

    async def subscribe(self) -> None:
        """Subscribe the app to the definition's events; "subscription existed" (1390007) counts as done."""
        try:
            await self.api.call("POST", f"/open-apis/approval/v4/approvals/{self.api.cfg.approval_code}/subscribe")
        except Refused as exc:
            if exc.code != SUBSCRIBED:
                raise Refused(f"{exc}; fix: {FIXES.get(exc.code, 'see the message above')}", exc.code) from exc

    async def subscribe_at_start(self, attempts: int = 5, pause: float = 30.0) -> None:
        """Subscribe in the background; retry network trouble, log what only an admin can fix."""
        for attempt in range(1, attempts + 1):
            try:
                await self.subscribe()
                log.info("subscribed to Feishu approval events")
                return
            except TransientDeliveryError as exc:
                log.warning("Feishu approval subscribe failed; retrying", extra={"error": str(exc)[:300]})
                if attempt < attempts:
                    await asyncio.sleep(pause * attempt)
            except DeliveryError as exc:
                log.error("cannot subscribe to Feishu approval events; results will not arrive",
                          extra={"error": str(exc)[:500]})
                return


async def with_decider(rt: Runtime, event: Event) -> Event:
    """Add the approver and comment to a final approval event; one of another definition acts on nothing."""
    if not rt.settings.feishu.approval_code or event.raw.get("approval_code") != rt.settings.feishu.approval_code:
        return Event(PLATFORM, "platform", event.dedupe_key, raw=event.raw)
    api = rt.apis.get(PLATFORM)
    if api is None:
        return event
    try:
        data = await within(api.call("GET", f"{INSTANCES}/{event.raw['approval_id']}"), LOOKUP_WAIT)
    except TimeoutError as exc:
        raise TransientDeliveryError("reading the Feishu approval instance took too long") from exc
    except TransientDeliveryError:
        raise
    except DeliveryError as exc:  # stored without an approver: the chat hears that it did not take effect
        log.error("cannot read who decided a Feishu approval", extra={"error": str(exc)[:500]})
        return event
    open_id, comment = approval_events.decider(data.get("data") or {}, str(event.raw.get("status")))
    return approval_events.with_decider(event, open_id, comment)
