"""What the opportunity card shows: stage, evidence still missing, the next step, the manager's notes, the best
scripts; and the card a deal that cannot move answers with."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.events import Reply
from cards.views import OpportunityView, opportunity_card
from handlers.opp_common import local, owner_of, pipeline
from sales import approvals as rules
from sales import scripts as matcher
from sales.parsing import Budget, format_budget, format_yuan
from storage.models import Approval, Opportunity
from storage.repos import approvals as approvals_repo
from storage.repos import members as members_repo
from storage.repos import opportunities as repo
from storage.repos import orders as orders_repo
from storage.repos import script_cache
from storage.repos import scripts as scripts_repo

QUOTE_ITEM = "报价和折扣（发“报价 金额 折扣”）"


async def missing_items(ctx: Context, opp: Opportunity) -> list[str]:
    """Evidence still missing for the current stage, plus the quote when the next stage needs approval rules."""
    evidence = await repo.evidence_of(ctx.session, opp.id, opp.stage)
    return _missing(ctx, opp, [e.kind for e in evidence])


def _missing(ctx: Context, opp: Opportunity, kinds: list[str]) -> list[str]:
    """missing_items for the evidence kinds already read."""
    pipe, cfg = pipeline(ctx), ctx.settings.opportunities
    missing = pipe.missing_evidence(opp.stage, kinds)
    nxt = pipe.next_stage(opp.stage)
    if nxt and nxt.key == cfg.approval_stage and rules.quote_needed(cfg.approval) and opp.discount is None:
        missing.append(QUOTE_ITEM)
    return missing


def quote_label(opp: Opportunity) -> str:
    """Show the quote on the card ("" before there is one)."""
    if opp.amount is None and opp.discount is None:
        return ""
    return f"{format_yuan(opp.amount)}，折扣 {rules.format_discount(opp.discount)}"


async def top_matches(ctx: Context, opp: Opportunity, customer) -> list[matcher.Match]:
    """The three best scripts for this customer and stage; shown ones are recorded for adoption rates."""
    # the recorded industry first; then words in the name, then in the need ("影像设备 医院" → 医疗)
    industry = customer.industry or matcher.infer_industry(customer.name) or matcher.infer_industry(opp.need or "")
    rows = await script_cache.candidates(ctx.session, opp.stage, industry)
    if not rows:
        return []
    plain = [matcher.Script(r.id, r.title, r.stage, r.industry, r.band, r.scenario, tuple(r.keywords)) for r in rows]
    target = matcher.Target(opp.stage, industry, opp.budget_low, opp.budget_high, opp.need)
    adoption = await script_cache.adoption(ctx.session, [r.id for r in rows])
    matches = matcher.top(plain, target, adoption)
    if ctx.member is not None and matches:
        now = ctx.now()
        await scripts_repo.record(ctx.session, "shown", [m.script.id for m in matches], opp.id,
                                  ctx.member.id, now, now.astimezone(ctx.settings.tz).date().isoformat())
    return matches


async def view_of(ctx: Context, opp: Opportunity, fresh: bool = False) -> OpportunityView:
    """Compute what the opportunity card shows; `fresh`: created in this transaction (no evidence, approvals
    or stage history to read yet)."""
    customer = await repo.get_customer(ctx.session, opp.customer_id)
    assert customer is not None  # customer_id is a foreign key and customers are never deleted
    owner = await owner_of(ctx, opp)
    owner_name = owner.name if owner else "未分配"
    budget = format_budget(Budget(opp.budget_text, opp.budget_low, opp.budget_high))
    pipe = pipeline(ctx)
    if opp.status != "open":
        reason = opp.won_reason if opp.status == "won" else opp.lost_reason
        return OpportunityView(opp.id, customer.name, owner_name, pipe.stage_name(opp.status), budget, opp.need,
                               f"{local(ctx, opp.closed_at)} 结束", [], [],
                               f"这单已经结束了（原因：{reason or '未填'}）", phase="closed", quote=quote_label(opp),
                               awaiting_acceptance=await _awaiting_acceptance(ctx, opp))
    stage = pipe.stage(opp.stage)
    evidence = [] if fresh else await repo.evidence_with_names(ctx.session, opp.id, opp.stage)
    missing = _missing(ctx, opp, [e.kind for e, _ in evidence])
    pending, decided = (None, None) if fresh else await approvals_repo.pending_and_decided(ctx.session, opp.id)
    days = max(0, (ctx.now() - (opp.stage_entered_at or ctx.now())).days)
    phase = "approval" if pending else "close" if pipe.is_last(opp.stage) else "open"
    matches = await top_matches(ctx, opp, customer)
    return OpportunityView(
        opp.id, customer.name, owner_name, stage.name, budget, opp.need, pipe.days_in_stage_label(days, opp.stage),
        missing, [_evidence_line(ctx, e, who) for e, who in evidence],
        await _next_step(ctx, opp, missing, pending), overdue=days > stage.benchmark_days, phase=phase,
        quote=quote_label(opp), notes=[] if fresh else await _notes(ctx, opp, decided),
        scripts=[m.script.title for m in matches])


async def _awaiting_acceptance(ctx: Context, opp: Opportunity) -> bool:
    """A won deal whose customer still has an order waiting for its delivery to be accepted."""
    if opp.status != "won":
        return False
    return await orders_repo.oldest_unaccepted(ctx.session, opp.customer_id) is not None


def _evidence_line(ctx: Context, e, who: str) -> str:
    media = {"image": "图片", "file": "文件"}.get(e.media_kind, "")
    what = f"[{media}] {e.content[:60]}" if media else e.content[:80]
    return f"{e.kind}：{what} — {who or '?'} {local(ctx, e.created_at)}"


async def _next_step(ctx: Context, opp: Opportunity, missing: list[str], pending) -> str:
    pipe = pipeline(ctx)
    if pending is not None and ctx.tasks.runs("create_approval", pending.platform):
        return f"报价审批中（{pending.reason}），主管会在审批应用里处理，结果会自动同步到这里"
    if pending is not None:
        return f"报价审批中（{pending.reason}），等主管点“同意”或“驳回”"
    evidence_missing = [m for m in missing if m != QUOTE_ITEM]
    if evidence_missing:
        return f"补上{'、'.join(evidence_missing)}：发“凭证 链接或说明”，或直接把图片/文件发给我"
    if missing:
        return "发“报价 金额 折扣”记下报价，例：报价 45万 折扣 15%"
    nxt = pipe.next_stage(opp.stage)
    if nxt is None:
        return "拿到客户结论后点“赢单”或“输单”，选一个原因"
    cfg = ctx.settings.opportunities
    needs_ok = nxt.key == cfg.approval_stage and rules.approval_reason(cfg.approval, cfg.discount_threshold,
                                                                       opp.discount)
    return f"凭证齐了，点“推进到下一阶段”进入{nxt.name}" + ("（会先请主管审批报价）" if needs_ok else "")


async def _notes(ctx: Context, opp: Opportunity, decided: Approval | None) -> list[str]:
    """The latest approval decision and override of this stage, so the rep sees the manager's words."""
    notes = []
    if decided is not None and opp.stage in (decided.from_stage, decided.to_stage):
        who = await members_repo.get(ctx.session, decided.decided_by) if decided.decided_by else None
        word = "同意了报价" if decided.status == "approved" else "退回了报价"
        remark = decided.remark or "（无备注）"
        notes.append(f"{who.name if who else '审批人'}{word}：{remark} {local(ctx, decided.decided_at)}")
    for change in reversed(await repo.stage_history(ctx.session, opp.id)):
        if change.via == "override" and change.to_stage == opp.stage:
            who = await members_repo.get(ctx.session, change.member_id) if change.member_id else None
            notes.append(f"{who.name if who else '主管'}强制推进：{change.reason} {local(ctx, change.at)}")
            break
    return notes


async def blocked(ctx: Context, opp: Opportunity) -> Reply | None:
    """Closed deals and deals waiting for an approval cannot move."""
    if opp.status != "open":
        return Reply(card=opportunity_card(await view_of(ctx, opp), "这单已经结束了："))
    if await approvals_repo.pending_for(ctx.session, opp.id):
        return Reply(card=opportunity_card(await view_of(ctx, opp), "报价审批中："))
    return None
