"""Quote approvals in DingTalk OA: create the instance, fall back to the in-chat card, create the form.

The `create_approval` task (queued by handlers/approvals.start, key `approval_create:<id>`) →
`POST /v1.0/workflow/processInstances` with our fields by label. DingTalk has no idempotency key for this
call, so before creating, we look for an instance that an earlier, unanswered try may have made: the
requester's instances of our form since the approval was opened (`/v1.0/workflow/processes/instanceIds/query`)
whose "salesbot 单号" is ours. The instance id is linked at once (attach_instance). A refusal (bad process
code, unknown user, missing permission), or DingTalk failing for two minutes, posts the in-chat approval card
instead (through the one outbox), so the rep is never stuck.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from bot.core.clock import Clock, as_utc
from bot.core.errors import DeliveryError, TransientDeliveryError, UserError
from bot.core.ports import TaskRun
from bot.platforms.dingtalk.adapter import chat_for_target
from bot.platforms.dingtalk.api import DingTalkAPI
from bot.platforms.dingtalk.extras import approval_results
from cards.views import ApprovalView, approval_card
from storage.models import Approval
from storage.repos import approvals as repo

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.platforms.dingtalk.api import DingTalkAPI
    from storage.db import Database

log = logging.getLogger("salesbot.dingtalk.approvals")
# (form key, label); the label is the name formComponentValues are matched by, so never rename one.
# "客户档案" is the signed customer page (/dash/customer/<id>): forms made before it need
# `salesbot dingtalk create-approval-form` once more (with approval_process_code set, it updates the form).
FIELDS = (("customer", "客户"), ("requester", "申请人"), ("stage", "申请进入阶段"), ("amount", "报价金额"),
          ("discount", "折扣"), ("budget", "客户预算"), ("reason", "申请理由"), ("customer_url", "客户档案"))
REF = "salesbot 单号"
LOOKBACK = timedelta(minutes=2)  # clock skew between us and DingTalk when looking for an earlier try
GIVE_UP = timedelta(minutes=2)  # DingTalk down this long: decide in the chat (the task's retries last ~4 min)
FIX = ("check [dingtalk] approval_process_code (`salesbot dingtalk create-approval-form` prints it), the app's "
       "Workflow.Instance.Write/Read permissions, and the requester's DingTalk userid "
       "(`salesbot sync members --platform dingtalk`)")


def ref_of(approval_id: int) -> str:
    """The value of the form's "salesbot 单号" field: how an instance is traced back to our approval."""
    return f"SB-{approval_id}"


def form_values(form: dict[str, Any], approval_id: int) -> list[dict[str, str]]:
    """formComponentValues: every value a non-empty string (DingTalk rejects empty required fields)."""
    values = [{"name": label, "value": str(form.get(key) or "") or "无"} for key, label in FIELDS]
    return [*values, {"name": REF, "value": ref_of(approval_id)}]


class OAApprovals:
    """The approval tasks of one DingTalkAPI (which carries the database and the clock)."""

    def __init__(self, api: DingTalkAPI) -> None:
        self.api = api

    @property
    def db(self) -> Database:
        """The database build_api bound to the API client."""
        if self.api.db is None:
            raise DeliveryError("DingTalk approvals need the database; build the client with build_api(rt)")
        return self.api.db

    async def read(self, task: TaskRun) -> None:
        """The `read_approval` task: read a finished instance and ingest its decision."""
        await approval_results.apply_result(self.api, self.db, task, str(task.payload["instance_id"]))

    async def create(self, task: TaskRun) -> None:
        """The `create_approval` task: create the instance once and link it; on a refusal post the card instead."""
        approval_id, form = int(task.payload["approval_id"]), task.payload.get("form") or {}
        async with self.db.session() as session:
            approval = await repo.get(session, approval_id)
        if approval is None:
            raise DeliveryError(f"approval #{approval_id} no longer exists; nothing to create in DingTalk")
        if approval.instance_id or approval.status != "pending":
            return  # created by an earlier try, or decided in the chat meanwhile
        try:
            instance_id = await self._earlier_try(approval, form, task) or await self._start(approval, form)
        except TransientDeliveryError as exc:
            if task.now() - as_utc(approval.created_at or task.now()) < GIVE_UP:
                raise
            await self._fallback(approval, form, task)  # before the retries end: the rep must not wait on an outage
            raise DeliveryError(f"DingTalk kept failing for {GIVE_UP} ({exc}); posted the approval card "
                                "in the chat instead") from exc
        except DeliveryError as exc:
            await self._fallback(approval, form, task)
            raise DeliveryError(f"{exc}; posted the approval card in the chat instead") from exc
        async with self.db.session() as session:
            await repo.attach_instance(session, approval.id, instance_id)

    async def _start(self, approval: Approval, form: dict[str, Any]) -> str:
        originator = str(form.get("originator_user_id") or "")
        if not originator:
            raise DeliveryError("the requester has no DingTalk userid linked, so DingTalk cannot start the approval; "
                                "run `salesbot sync members --platform dingtalk` or fill dingtalk_userid")
        body = {"processCode": self.api.cfg.approval_process_code, "originatorUserId": originator,
                "deptId": -1, "formComponentValues": form_values(form, approval.id)}
        try:
            data = await self.api.call("POST", "/v1.0/workflow/processInstances", body)
        except TransientDeliveryError:
            raise
        except DeliveryError as exc:
            raise DeliveryError(f"DingTalk refused to start the quote approval ({exc}); {FIX}") from exc
        if not data.get("instanceId"):  # created or not, the next try's lookup will tell
            raise TransientDeliveryError(f"DingTalk answered no instanceId: {str(data)[:200]}")
        return str(data["instanceId"])

    async def _earlier_try(self, approval: Approval, form: dict[str, Any], task: TaskRun) -> str | None:
        """The instance an earlier unanswered try created, if any (the requester's recent ones, by our ref)."""
        originator = str(form.get("originator_user_id") or "")
        if not originator or approval.created_at is None:
            return None
        start = as_utc(approval.created_at) - LOOKBACK
        body = {"processCode": self.api.cfg.approval_process_code, "startTime": int(start.timestamp() * 1000),
                "endTime": int((task.now() + LOOKBACK).timestamp() * 1000), "nextToken": 0,
                "maxResults": 20, "userIds": [originator]}
        try:
            data = await self.api.call("POST", "/v1.0/workflow/processes/instanceIds/query", body)
        except TransientDeliveryError:
            raise
        except DeliveryError as exc:
            raise DeliveryError(f"DingTalk refused to list approval instances ({exc}); {FIX}") from exc
        for instance_id in (data.get("result") or {}).get("list") or []:
            detail = await approval_results.instance(self.api, str(instance_id))
            values = {v.get("name"): v.get("value") for v in detail.get("formComponentValues") or []}
            if values.get(REF) == ref_of(approval.id):
                log.info("found the DingTalk instance of an earlier try", extra={"approval": approval.id})
                return str(instance_id)
        return None

    async def _fallback(self, approval: Approval, form: dict[str, Any], task: TaskRun) -> None:
        """Post the in-chat approval card (the same one, under the same key, platforms without an approval app get)."""
        if not approval.chat_id:
            return
        view = ApprovalView(approval.id, approval.opportunity_id, str(form.get("customer") or ""),
                            str(form.get("requester") or ""), str(form.get("stage") or approval.to_stage),
                            str(form.get("amount") or ""), str(form.get("discount") or ""),
                            approval.reason, str(form.get("budget") or ""))
        await task.send(chat_for_target(approval.chat_id), approval_card(view), f"approval:{approval.id}:card")
        log.warning("DingTalk OA approval not created; the in-chat card was posted", extra={"approval": approval.id})


def form_body(process_code: str = "") -> dict[str, Any]:
    """The POST /v1.0/workflow/forms body for the quote-approval form (with processCode: update it)."""
    components = []
    for key, label in FIELDS:
        kind = "TextareaField" if key == "reason" else "TextField"
        components.append({"componentType": kind, "props": {"componentId": f"{kind}-SB{key.upper()}", "label": label,
                                                            "required": key in ("customer", "amount")}})
    components.append({"componentType": "TextField",
                       "props": {"componentId": "TextField-SBREF", "label": REF, "required": True}})
    body: dict[str, Any] = {"name": "报价审批（销售助手）", "formComponents": components,
                            "description": "销售助手发起的报价审批：客户、报价、折扣、预算和理由。"
                                           "审批结果会自动回到商机群。"}
    if process_code:
        body["processCode"] = process_code
    return body


async def create_form(api: DingTalkAPI) -> str:
    """Create (or, with approval_process_code set, update) the form in DingTalk; return its processCode."""
    data = await api.call("POST", "/v1.0/workflow/forms", form_body(api.cfg.approval_process_code))
    code = str((data.get("result") or {}).get("processCode") or "")
    if not code:
        raise DeliveryError(f"DingTalk answered without a processCode: {str(data)[:200]}")
    return code


async def cli_create_form(settings: Settings, db: Database, clock: Clock) -> list[str]:
    """`salesbot dingtalk create-approval-form`: create the form and say what to configure."""
    api = DingTalkAPI(settings.dingtalk, clock)
    try:
        code = await create_form(api)
    except DeliveryError as exc:
        raise UserError(f"could not create the approval form: {exc}. The app needs the Workflow.Form.Write "
                        "permission; check [dingtalk] client_id/client_secret") from None
    finally:
        await api.close()
    return [code, f'set [dingtalk] approval_process_code = "{code}" (or SALESBOT__DINGTALK__APPROVAL_PROCESS_CODE) '
                  "and subscribe the app to bpms_instance_change events"]
