"""Card builders shared by handlers and scheduled jobs; they take plain data, never sessions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cards.actions import (
    AcceptLead,
    AdvanceStage,
    AskClose,
    AskEvidence,
    CloseOpportunity,
    DecideApproval,
    MustDoDone,
    MustDoSnooze,
    NudgeOwner,
    ReportReason,
    ShowHelp,
    ShowLead,
    ShowOpportunity,
    ShowScripts,
    SubmitReport,
    UseScript,
)
from cards.model import Button, Card, Field, Level, Section
from sales.breakpoints import Breakpoint as BreakpointLine
from sales.mustdo import Item as MustDoItem
from sales.reports import DayNumbers, ReportItem, WeekNumbers


@dataclass(frozen=True)
class HelpEntry:
    """One line of the help card."""

    usage: str
    summary: str
    aliases: tuple[str, ...] = ()


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


def help_card(entries: Sequence[HelpEntry], bot_name: str, short: bool = False, heard: str = "") -> Card:
    """List what the bot can do here; the short form answers text it did not understand."""
    lines = [f"**{e.usage}** — {e.summary}" for e in entries]
    if short:
        intro = f"没听懂“{heard[:30]}”。可以这样说：" if heard else "可以这样说："
        return Card(title="我能帮你做这些", level=Level.INFO,
                    sections=[Section(text=intro, items=lines[:4])],
                    buttons=[Button("看全部指令", ShowHelp(topic="all"))],
                    footer=f"在群里 @{bot_name} 加指令即可")
    aliases = ", ".join(a for e in entries for a in e.aliases)
    return Card(title=f"{bot_name}能做什么", level=Level.INFO, sections=[Section(items=lines)],
                footer=f"英文别名：{aliases}" if aliases else "")


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
        return []
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


def notice_card(title: str, text: str, level: Level = Level.INFO, items: Sequence[str] = (),
                buttons: Sequence[Button] = ()) -> Card:
    """A short message card: a result, a refusal, or how to do something."""
    return Card(title=title, level=level, sections=[Section(text=text, items=list(items))], buttons=list(buttons))


def error_card() -> Card:
    """What a user sees when something broke on our side: short, friendly, no internals."""
    return notice_card("刚才没处理成功", "我这边出了点问题，已经记下来了。稍后再试一次，或发“帮助”看看能做什么。",
                       Level.WARNING, buttons=[Button("帮助", ShowHelp(topic="all"))])


@dataclass(frozen=True)
class LeadView:
    """The owner's lead card: who the customer is, the SLA countdown and the timeline."""

    id: int
    customer: str
    contact: str
    mobile_masked: str
    channel: str
    need: str
    owner: str
    status_label: str
    countdown: str
    reason: str
    timeline: Sequence[str]
    accepted: bool = False
    overdue: bool = False


def lead_card(v: LeadView, title_prefix: str = "新线索：") -> Card:
    """The owner's card: customer summary, the golden-4-hours countdown, accept button, timeline."""
    fields = [Field("联系人", f"{v.contact} {v.mobile_masked}".strip()), Field("来源", v.channel),
              Field("首次响应", v.countdown), Field("状态", v.status_label)]
    sections = [Section(fields=fields)]
    if v.need:
        sections.append(Section(title="客户要什么", text=v.need[:300]))
    sections.append(Section(title="为什么分给你", text=v.reason))
    sections.append(Section(title="时间线", items=list(v.timeline)[-8:]))
    buttons = [] if v.accepted else [Button("接单", AcceptLead(lead_id=v.id), "primary")]
    buttons.append(Button("刷新", ShowLead(lead_id=v.id)))
    level = Level.DANGER if v.overdue else (Level.SUCCESS if v.accepted else Level.WARNING)
    return Card(title=f"{title_prefix}{v.customer}", subtitle=f"线索 #{v.id} · 负责人 {v.owner}", level=level,
                sections=sections, buttons=buttons,
                footer="4 小时内跟进：发“跟进 内容”、推进阶段或加企业微信都算首次响应")


def sla_reminder_card(lead_id: int, customer: str, countdown: str) -> Card:
    """Remind the owner before the first-response deadline."""
    return notice_card(f"还没跟进：{customer}", f"线索 #{lead_id} 首次响应{countdown}。发“跟进 内容”即可。",
                       Level.WARNING, buttons=[Button("看线索", ShowLead(lead_id=lead_id), "primary")])


def sla_breach_card(lead_id: int, customer: str, owner: str, elapsed: str) -> Card:
    """Warn the owner's manager: a lead went past the golden 4 hours unanswered."""
    return notice_card(f"超时未跟进：{customer}", f"线索 #{lead_id} 由 {owner} 负责，收到后 {elapsed} 仍无首次响应。",
                       Level.DANGER, buttons=[Button("看线索", ShowLead(lead_id=lead_id), "primary")])


def came_back_card(lead_id: int, customer: str, channel: str) -> Card:
    """Tell the owner their customer came back through another channel (one customer, one owner)."""
    return notice_card(f"老客户回来了：{customer}", f"这个客户又通过“{channel}”来了，仍归你负责。",
                       Level.INFO, buttons=[Button("看线索", ShowLead(lead_id=lead_id), "primary")])


# --- opportunities: scripts, close reasons, approvals, script stats ------------------------------------


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


def script_stats_card(by_script: Sequence[tuple[str, int, int]], by_rep: Sequence[tuple[str, int, int]]) -> Card:
    """Adoption per script and per rep: used / shown."""
    def line(name: str, shown: int, used: int) -> str:
        rate = f"{used / shown:.0%}" if shown else "—"
        return f"{name}：采用 {used} / 推荐 {shown}（{rate}）"

    sections = [Section(title="按话术", items=[line(*r) for r in by_script] or ["还没有推荐记录"]),
                Section(title="按销售", items=[line(*r) for r in by_rep] or ["还没有推荐记录"])]
    return Card(title="话术采用率", sections=sections,
                footer="采用 = 点了“用了这条”；推荐 = 出现在前三条里（每人每单每天计一次）")


# --- scheduled pushes: 今日必做, 断点, 催一下, daily and weekly reports, insight -------------------------

_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩"


def mustdo_card(name: str, day: str, items: Sequence[MustDoItem], footer: str = "") -> Card:
    """今日必做三件事: what, why and how long is left; one click to finish or snooze each."""
    if not items:
        return notice_card("今日必做：暂无到期事项",
                           f"{name}，今天没有快到期的线索、报价或攻坚动作。可以主动回访重点客户。", Level.SUCCESS)
    sections = [Section(title=f"{_CIRCLED[i]} {it.text}", text=f"为什么：{it.why}") for i, it in enumerate(items)]
    buttons = []
    for i, it in enumerate(items):
        buttons += [Button(f"完成{_CIRCLED[i]}", MustDoDone(key=it.key), "primary" if i == 0 else "default"),
                    Button(f"明天再做{_CIRCLED[i]}", MustDoSnooze(key=it.key))]
    return Card(title="今日必做三件事", subtitle=f"{name} · {day}", level=Level.WARNING, sections=sections,
                buttons=buttons, footer=footer or "做完点“完成”；今天实在做不了点“明天再做”。随时发“今日必做”看最新。")


def breakpoints_card(team: str, day: str, lines: Sequence[BreakpointLine], nudgeable: int = 5) -> Card:
    """The morning meeting's only list: where each item is stuck, who owns it, since when, when to solve it."""
    if not lines:
        return notice_card(f"断点：{team}", "昨天没有卡住的线索或商机。", Level.SUCCESS)
    sections = [Section(title=f"{_CIRCLED[i]} {b.subject}",
                        fields=[Field("卡在哪一阶", b.where), Field("谁负责", b.owner), Field("停了多久", b.since),
                                Field("何时解", b.solve_by)], text=f"建议：{b.step}") for i, b in enumerate(lines)]
    buttons = [Button(f"催一下{_CIRCLED[i]}", NudgeOwner(key=b.key), "primary" if i == 0 else "default")
               for i, b in enumerate(lines[:nudgeable])]
    return Card(title=f"断点 Top {len(lines)}：{team}", subtitle=f"截至 {day} 0 点 · 按金额 × 停滞程度排序",
                level=Level.DANGER, sections=sections, buttons=buttons,
                footer="其余的发“催一下 序号”，负责人会收到提醒卡")


def nudge_card(text: str, key: str) -> Card:
    """What the owner gets when a manager clicks 催一下: the item and a button to open it."""
    kind, _, ident = key.partition(":")
    open_it = (Button("看商机", ShowOpportunity(opportunity_id=int(ident)), "primary") if kind == "opp"
               else Button("看线索", ShowLead(lead_id=int(ident)), "primary"))
    return notice_card("主管催一下", text, Level.WARNING, buttons=[open_it])


def daily_report_card(name: str, day: str, numbers: DayNumbers, items: Sequence[ReportItem],
                      submitted: bool, reasons: Sequence[str]) -> Card:
    """The rep's daily report: confirm the generated summary; every undone must-do item needs a reason first."""
    done = sum(i.done for i in items)
    fields = [Field("跟进", f"{numbers.followups} 次"), Field("阶段推进", f"{numbers.stage_moves} 次"),
              Field("完成动作", f"{numbers.actions_done} 个"), Field("今日必做", f"完成 {done}/{len(items)}")]
    sections = [Section(title="今天做了", fields=fields)]
    undone = [i for i in items if not i.done]
    if undone:
        lines = [f"{n}. {i.text} — 原因：{i.reason or '待填写'}" for n, i in enumerate(undone, 1)]
        sections.append(Section(title="没做完的必做（每项写原因才能提交）", items=lines))
    buttons: list[Button] = []
    waiting = next((i for i in undone if not i.reason), None)
    if submitted:
        pass
    elif waiting is not None:
        sections.append(Section(text=f"第 {undone.index(waiting) + 1} 项为什么没做完？点一个原因："))
        buttons = [Button(r, ReportReason(day=day, key=waiting.key, reason=r)) for r in reasons[:5]]
    else:
        buttons = [Button("确认提交", SubmitReport(day=day), "primary")]
    state = "已提交" if submitted else "待确认"
    return Card(title=f"今日日报（{state}）", subtitle=f"{name} · {day}",
                level=Level.SUCCESS if submitted else Level.INFO, sections=sections, buttons=buttons,
                footer="" if submitted else "补充说明：发“日报 序号 原因”，如“日报 1 客户改期 下周二再约”")


def team_rollup_card(team: str, day: str, rows: Sequence[tuple[str, DayNumbers, str, str]]) -> Card:
    """The manager's roll-up of the team's day: per rep follow-ups, stage moves, actions, must-do, report state."""
    lines = [f"{name}：跟进 {n.followups} · 推进 {n.stage_moves} · 动作 {n.actions_done} · 必做 {mustdo} · {state}"
             for name, n, mustdo, state in rows]
    total = DayNumbers(*(sum(getattr(r[1], f) for r in rows) for f in ("followups", "stage_moves", "actions_done")))
    fields = [Field("跟进", f"{total.followups} 次"), Field("阶段推进", f"{total.stage_moves} 次"),
              Field("完成动作", f"{total.actions_done} 个")]
    return Card(title=f"团队日报：{team}", subtitle=day, sections=[Section(fields=fields), Section(items=lines)],
                footer="发“日报”看最新提交情况和没做完的原因")


def weekly_card(title: str, subtitle: str, w: WeekNumbers, rows: Sequence[tuple[str, WeekNumbers]] = (),
                link: str = "") -> Card:
    """The weekly report: leads, conversion, stage velocity, wins and losses, SLA breaches, action completion."""
    fields = [Field("新线索", str(w.leads)), Field("转化", w.conversion()), Field("阶段速度", w.velocity()),
              Field("赢单", f"{w.won} 单 · {w.won_amount / 10_000:g} 万"), Field("输单", f"{w.lost} 单"),
              Field("超时未跟进", f"{w.breaches} 条"), Field("动作完成", w.completion())]
    sections = [Section(fields=fields)]
    if rows:
        sections.append(Section(title="每个人", items=[
            f"{name}：线索 {r.leads} · 转化 {r.conversion()} · 赢 {r.won} 输 {r.lost} · 超时 {r.breaches}"
            f" · 动作 {r.completion()}" for name, r in rows]))
    return Card(title=title, subtitle=subtitle, sections=sections, footer=f"完整周报：{link}" if link else "")


def insight_card(team: str, text: str, n: int, detail: str) -> Card:
    """One suggestion mined from the org's own history, with its sample size and effect."""
    return Card(title=f"本周建议：{team}", level=Level.INFO, sections=[Section(text=text, items=[detail])],
                footer=f"来自本公司历史数据（n={n}）；证据不足时不会给建议")


# --- attack task cards (攻坚任务卡): scenario → strategy → checklist, offers, manager summaries -------------

from cards.actions import ChooseStrategy, ShowAttack, StartAttack, TickAttack  # noqa: E402  (section-local)
from cards.model import Check, Form  # noqa: E402  (section-local: tickable checklists, the evidence form)


@dataclass(frozen=True)
class StrategyOption:
    """A strategy offered for a scenario: its key, name, why, and the actions it will put on the checklist."""

    key: str
    name: str
    why: str
    steps: Sequence[str]


def attack_scenarios_card(opp_id: int, customer: str, scenarios: Sequence[tuple[str, str]],
                          active: Sequence[str] = ()) -> Card:
    """Pick the hard situation this deal is in; one button per scenario (key, name)."""
    sections = [Section(text="客户现在卡在哪种情况？点一个，再选打法，我把要做的动作列成清单。")]
    if active:
        sections.append(Section(title="进行中的攻坚", items=list(active)))
    buttons = [Button(name, StartAttack(opportunity_id=opp_id, scenario=key), "primary" if i == 0 else "default")
               for i, (key, name) in enumerate(scenarios[:6])]
    return Card(title=f"攻坚：{customer}", subtitle=f"商机 #{opp_id}", sections=sections, buttons=buttons,
                footer="也可以直接发“攻坚 预算不足”")


def attack_strategies_card(opp_id: int, customer: str, scenario_key: str, scenario_name: str,
                           options: Sequence[StrategyOption], intro: str = "") -> Card:
    """Choose a strategy: each one with why it works and its actions; one click creates the checklist."""
    sections = [Section(text=intro or f"“{scenario_name}”有 {len(options)} 种打法，选一个：")]
    sections += [Section(title=f"{i}. {o.name}", text=o.why, items=list(o.steps)) for i, o in enumerate(options, 1)]
    buttons = [Button(o.name, ChooseStrategy(opportunity_id=opp_id, scenario=scenario_key, strategy=o.key),
                      "primary" if i == 0 else "default") for i, o in enumerate(options[:6])]
    return Card(title=f"{scenario_name}：{customer}", subtitle=f"选策略 · 商机 #{opp_id}", level=Level.WARNING,
                sections=sections, buttons=buttons)


@dataclass(frozen=True)
class AttackLine:
    """One checklist line: the action, its due label, and (when done) who, when and the evidence."""

    id: int
    title: str
    due: str
    done: bool = False
    overdue: bool = False
    note: str = ""
    number: int = 0  # its place in the checklist, for "攻坚完成 2"


@dataclass(frozen=True)
class AttackView:
    """What an attack task card shows; `lines` are in checklist order."""

    card_id: int
    opportunity_id: int
    customer: str
    scenario: str
    strategy: str
    why: str
    owner: str
    lines: Sequence[AttackLine]


def attack_card(v: AttackView, title_prefix: str = "") -> Card:
    """The checklist: the next undone action first, completed with one click; progress and due dates."""
    undone, done = [a for a in v.lines if not a.done], [a for a in v.lines if a.done]
    fields = [Field("进度", f"{len(done)}/{len(v.lines)}"), Field("负责人", v.owner)]
    sections = [Section(fields=fields)]
    if undone:
        nxt = undone[0]
        sections.append(Section(title="下一步", text=f"{nxt.title}（{nxt.due}）"))
    items = ([f"⬜ {a.number}. {a.title} — {a.due}" for a in undone]
             + [f"✅ {a.number}. {a.title} — {a.note}" for a in done])
    checks = ([Check(f"{a.number}. {a.title} — {a.due}", False, TickAttack(card_id=v.card_id, action_id=a.id))
               for a in undone] + [Check(f"{a.number}. {a.title} — {a.note}", True) for a in done])
    sections.append(Section(title="清单", items=items, checks=checks))
    if v.why:
        sections.append(Section(title="为什么这样打", text=v.why))
    subtitle = f"策略：{v.strategy} · 攻坚卡 #{v.card_id}"
    title = f"{title_prefix}{v.scenario}：{v.customer}"
    if not undone:
        return Card(title=title, subtitle=subtitle, level=Level.SUCCESS, sections=sections,
                    buttons=[Button("看商机", ShowOpportunity(opportunity_id=v.opportunity_id), "primary")],
                    footer="清单全部完成。客户有进展就发“推进”。")
    level = Level.WARNING if any(a.overdue for a in undone) else Level.INFO
    buttons = [Button(f"完成：{undone[0].title}", TickAttack(card_id=v.card_id, action_id=undone[0].id), "primary"),
               Button("刷新", ShowAttack(card_id=v.card_id))]
    return Card(title=title, subtitle=subtitle, level=level, sections=sections, buttons=buttons,
                footer="做完点“完成”；要附凭证就发“攻坚完成 凭证内容”（或“攻坚完成 2 凭证”完成第2项）")


def attack_heatmap_card(scope: str, period: str, done: int, due: int, skips: Sequence[str], link: str) -> Card:
    """The heatmap as a card: overall completion and the actions skipped most, with counts."""
    rate = f"{done / due:.0%}（{done}/{due}）" if due else "—"
    sections = [Section(fields=[Field("动作完成率", rate), Field("范围", scope), Field("期间", period)])]
    sections.append(Section(title="跳过最多的动作", items=list(skips) or ["样本还不够（每项至少 5 次到期才统计）"]))
    return Card(title=f"攻坚动作热力图：{scope}", subtitle=period, sections=sections,
                footer=f"完整热力图（销售 × 动作）：{link}" if link else "")


def attack_report_card(month: str, scope: str, strategies: Sequence[str], actions: Sequence[str], link: str) -> Card:
    """The monthly action-compliance report: completion per strategy and action against the deals' win rate."""
    sections = [Section(title="按策略（完成率 · 赢单率）", items=list(strategies) or ["本月还没有攻坚卡"]),
                Section(title="完成率最低的动作（完成时赢单率 vs 跳过时赢单率）", items=list(actions)[:5])]
    return Card(title=f"攻坚月报：{month}", subtitle=scope, sections=[s for s in sections if s.items],
                footer="括号里是（分子/分母），样本少于 5 的标“样本少”，别据此下结论。"
                       + (f" 完整报告：{link}" if link else ""))


def evidence_prompt_card(opp_id: int, missing: Sequence[str]) -> Card:
    """补凭证: what to send in chat, plus (where the platform has forms) a box whose text is attached directly."""
    card = notice_card("怎么补凭证", "在群里 @我 发：凭证 <链接或一句说明>，也可以直接发图片或文件。",
                       items=[f"还缺：{m}" for m in missing])
    card.form = Form(AskEvidence(opportunity_id=opp_id), "提交凭证", "贴链接或写一句说明，例：会议纪要 https://…")
    return card


# --- 反馈周报: the admins' weekly digest of reps' feedback ------------------------------------------------

DIGEST_LINES = 15  # entries shown; the rest are counted (a card is read in one glance)


def feedback_digest_card(period: str, entries: Sequence[tuple[str, str, str]]) -> Card:
    """Last week's 反馈 (who, team, text), oldest first: how many, from how many people, and what they said."""
    people = len({who for who, _, _ in entries})
    lines = [f"{who}{f'（{team}）' if team else ''}：{text[:80]}{'…' if len(text) > 80 else ''}"
             for who, team, text in entries[:DIGEST_LINES]]
    rest = len(entries) - len(lines)
    return Card(title="反馈周报", subtitle=period, level=Level.INFO,
                sections=[Section(fields=[Field("反馈", f"{len(entries)} 条"), Field("提出人", f"{people} 人")]),
                          Section(title="大家说", items=lines)],
                footer=f"还有 {rest} 条没列出（按时间先后只列前 {DIGEST_LINES} 条）。" if rest else "")
