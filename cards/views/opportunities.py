"""The opportunity card (the most-seen card) and its scripts, close reasons, approvals and evidence prompt."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.actions import (
    AcceptDelivery,
    AdvanceStage,
    AskClose,
    AskEvidence,
    CloseOpportunity,
    DecideApproval,
    ShowOpportunity,
    ShowScripts,
    UseScript,
)
from bot.core.cards import Button, Card, Field, Form, Level, Section
from cards.views.common import notice_card


@dataclass(frozen=True)
class OpportunityView:
    """What the opportunity card shows, computed by the handler from storage and sales rules."""

    id: int
    customer: str
    owner: str
    stage_name: str
    budget: str
    need: str
    days_label: str
    missing: Sequence[str]
    evidence: Sequence[str]
    next_step: str
    overdue: bool = False
    phase: str = "open"  # open | close (last stage: 赢单/输单) | approval (waiting for a manager) | closed
    quote: str = ""
    notes: Sequence[str] = ()
    scripts: Sequence[str] = ()
    awaiting_acceptance: bool = False  # a won deal whose customer has an order not yet accepted


def opportunity_card(v: OpportunityView, title_prefix: str = "") -> Card:
    """The most-seen card: where the customer is stuck and the single next step, within one glance."""
    fields = [Field("客户现在卡在哪", v.stage_name), Field("客户自己说的预算范围", v.budget),
              Field("负责人", v.owner), Field("停留", v.days_label)]
    if v.quote:
        fields.append(Field("报价", v.quote))
    sections = [Section(fields=fields)]
    if v.need:
        sections.append(Section(title="客户要什么", text=v.need))
    if v.missing:
        sections.append(Section(title="推进前还缺", items=list(v.missing)))
    if v.evidence:
        sections.append(Section(title="已交凭证", items=list(v.evidence)))
    if v.notes:
        sections.append(Section(title="最近变化", items=list(v.notes)))
    sections.append(Section(title="下一步", text=v.next_step))
    if v.scripts and v.phase != "closed":
        sections.append(Section(title="推荐话术", items=list(v.scripts)))
    if v.phase in ("open", "close"):
        sections.append(Section(title="遇到难题？", text=ATTACK_HINT))
    level = Level.WARNING if v.overdue else Level.INFO
    return Card(title=f"{title_prefix}{v.customer}", subtitle=f"商机 #{v.id}", level=level,
                sections=sections, buttons=_opportunity_buttons(v))


# Text commands, not a button: the buttons stay the stage's next step (≤ 2 clicks); `攻坚 <场景>` opens the
# scenario's strategies at once, and a name the playbook does not know answers with the scenario buttons.
ATTACK_HINT = "直接发：攻坚 预算不足 · 攻坚 竞品 · 攻坚 决策链 · 攻坚 不回复 · 攻坚 降价（只发“攻坚”看全部场景）"


def _opportunity_buttons(v: OpportunityView) -> list[Button]:
    """The single next step first (primary), one alternative, and the scripts when there are some."""
    oid = v.id
    if v.phase == "closed":
        return [Button("客户已验收", AcceptDelivery(opportunity_id=oid), "primary")] if v.awaiting_acceptance else []
    if v.phase == "approval":
        buttons = [Button("刷新审批进度", ShowOpportunity(opportunity_id=oid), "primary")]
    elif v.missing:
        second = (Button("输单", AskClose(opportunity_id=oid, outcome="lost")) if v.phase == "close"
                  else Button("推进到下一阶段", AdvanceStage(opportunity_id=oid)))
        buttons = [Button("补凭证", AskEvidence(opportunity_id=oid), "primary"), second]
    elif v.phase == "close":
        buttons = [Button("赢单", AskClose(opportunity_id=oid, outcome="won"), "primary"),
                   Button("输单", AskClose(opportunity_id=oid, outcome="lost"))]
    else:
        buttons = [Button("推进到下一阶段", AdvanceStage(opportunity_id=oid), "primary"),
                   Button("刷新", ShowOpportunity(opportunity_id=oid))]
    if v.scripts:
        buttons.append(Button("看话术", ShowScripts(opportunity_id=oid)))
    return buttons


@dataclass(frozen=True)
class ScriptLine:
    """One offered script: its id (for 用了这条), title, words and why it was picked."""

    id: int
    title: str
    text: str
    why: str


def scripts_card(opp_id: int, customer: str, stage_name: str, lines: Sequence[ScriptLine]) -> Card:
    """The three best-matching scripts, each with why it was picked and a 用了这条 button."""
    if not lines:
        return notice_card("还没有合适的话术", f"{customer}（{stage_name}）暂时没有匹配的话术。"
                           "管理员可以用 salesbot import scripts 导入话术库。")
    sections = [Section(title=f"{i}. {line.title}", text=line.text, items=[f"为什么推荐：{line.why}"])
                for i, line in enumerate(lines, start=1)]
    buttons = [Button(f"用了第{i}条", UseScript(opportunity_id=opp_id, script_id=line.id),
                      "primary" if i == 1 else "default") for i, line in enumerate(lines, start=1)]
    return Card(title=f"话术：{customer}", subtitle=f"{stage_name} · 商机 #{opp_id}", sections=sections,
                buttons=buttons, footer="用了哪条就点哪条，团队会据此优化话术库")


def close_reasons_card(opp_id: int, customer: str, outcome: str, reasons: Sequence[str]) -> Card:
    """Pick the reason for 赢单/输单: one click on a reason closes the deal."""
    word = "赢单" if outcome == "won" else "输单"
    buttons = [Button(r, CloseOpportunity(opportunity_id=opp_id, outcome=outcome, reason=r),
                      "primary" if outcome == "won" and i == 0 else "default")
               for i, r in enumerate(reasons[:6])]  # WeCom shows at most 6 buttons
    return Card(title=f"{word}原因：{customer}", subtitle=f"商机 #{opp_id}",
                level=Level.SUCCESS if outcome == "won" else Level.WARNING,
                sections=[Section(text=f"点一个原因就标记{word}；也可以发“{word} 原因”。", items=list(reasons))],
                buttons=buttons)


@dataclass(frozen=True)
class ApprovalView:
    """What a manager needs to decide a quote."""

    id: int
    opportunity_id: int
    customer: str
    requester: str
    to_stage: str
    amount: str
    discount: str
    reason: str
    budget: str


def approval_card(v: ApprovalView) -> Card:
    """The in-chat quote approval: only the owner's manager or an admin may click."""
    fields = [Field("客户", v.customer), Field("申请人", v.requester), Field("报价", v.amount),
              Field("折扣", v.discount), Field("客户自己说的预算范围", v.budget)]
    text = f"{v.reason}。同意后商机进入“{v.to_stage}”；驳回会退回给 {v.requester} 并附上你的意见。"
    return Card(title=f"报价审批：{v.customer}", subtitle=f"审批 #{v.id} · 商机 #{v.opportunity_id}",
                level=Level.WARNING, sections=[Section(fields=fields), Section(text=text)],
                buttons=[Button("同意", DecideApproval(approval_id=v.id, approve=True), "primary"),
                         Button("驳回：折扣太大", DecideApproval(approval_id=v.id, approve=False, remark="折扣太大")),
                         Button("驳回：写原因", DecideApproval(approval_id=v.id, approve=False))],
                footer="只有负责人的主管或管理员能审批；要写备注就发“同意 备注”或“驳回 原因”")


def approval_decided_card(approval_id: int, customer: str, approved: bool, by: str, remark: str) -> Card:
    """The approval card after the decision: the result and who decided, no live buttons."""
    word = "已同意" if approved else "已驳回"
    text = f"{by}{word}这次报价。" + (f"意见：{remark}" if remark else "")
    return Card(title=f"报价审批：{customer}（{word}）", subtitle=f"审批 #{approval_id}",
                level=Level.SUCCESS if approved else Level.WARNING, sections=[Section(text=text)])


def script_stats_card(by_script: Sequence[tuple[str, int, int]], by_rep: Sequence[tuple[str, int, int]]) -> Card:
    """Adoption per script and per rep: used / shown."""
    def line(name: str, shown: int, used: int) -> str:
        rate = f"{used / shown:.0%}" if shown else "—"
        return f"{name}：采用 {used} / 推荐 {shown}（{rate}）"

    sections = [Section(title="按话术", items=[line(*r) for r in by_script] or ["还没有推荐记录"]),
                Section(title="按销售", items=[line(*r) for r in by_rep] or ["还没有推荐记录"])]
    return Card(title="话术采用率", sections=sections,
                footer="采用 = 点了“用了这条”；推荐 = 出现在前三条里（每人每单每天计一次）")


def evidence_prompt_card(opp_id: int, missing: Sequence[str]) -> Card:
    """补凭证: what to send in chat, plus (where the platform has forms) a box whose text is attached directly."""
    card = notice_card("怎么补凭证", "在群里 @我 发：凭证 <链接或一句说明>，也可以直接发图片或文件。",
                       items=[f"还缺：{m}" for m in missing])
    card.form = Form(AskEvidence(opportunity_id=opp_id), "提交凭证", "贴链接或写一句说明，例：会议纪要 https://…")
    return card
