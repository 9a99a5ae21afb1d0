"""Every card the product can build, with realistic and worst-case data (the no-content-lost property's input)."""

from __future__ import annotations

from bot.core.cards import Card
from bot.core.routing import RouteTable
from cards.views import attack as A
from cards.views import common as C
from cards.views import entry as E
from cards.views import leads as LV
from cards.views import opportunities as O
from cards.views import pushes as P
from handlers import ROUTERS
from sales.breakpoints import Breakpoint
from sales.mustdo import Item
from sales.reports import DayNumbers, ReportItem, WeekNumbers

REPS = ["王芳", "李强", "张伟", "刘洋", "陈静", "杨帆", "赵磊"]
LONG = "客户希望在下季度之前完成影像设备的整体替换，并要求提供三年维保、驻场培训和分期付款方案，预算需要走两级审批。"


def help_entries() -> list[C.HelpEntry]:
    """The help lines of every command of every router (all features on)."""
    table = RouteTable(ROUTERS, lambda _feature: True)
    return [C.HelpEntry(c.usage, c.summary, c.names[1:]) for c in table.help_commands()]


def _opp(n: int, text: str) -> O.OpportunityView:
    return O.OpportunityView(id=n, customer=f"华东医疗{text[:n % 7]}", owner="王芳", stage_name="需求确认",
                             budget="50-80万", need=text, days_label="本阶段第 3 天（标准 10 天）",
                             missing=["会议纪要", "需求清单"] * (1 + n % 3),
                             evidence=[f"凭证{i}" for i in range(n % 5)],
                             next_step="约客户技术负责人做方案演示", quote="62 万 · 9 折", notes=[text] * (n % 3),
                             scripts=["价格异议话术"])


def _week(i: int) -> WeekNumbers:
    return WeekNumbers(leads=10 + i, converted=i, stage_moves=3 + i, stage_days=12.5, won=i % 3,
                       won_amount=150_000 * i, lost=i % 2, breaches=i % 4, tasks_due=8, tasks_done=5)


def _scripts(text: str) -> list[O.ScriptLine]:
    return [O.ScriptLine(i, f"应对价格异议{i}", f"{text}（第{i}条）", f"客户所在行业：医疗 · 需求：{text[:10]}")
            for i in (1, 2, 3)]


def _attack(n: int, text: str) -> A.AttackView:
    lines = [A.AttackLine(i, f"{text[:12 + i]}动作{i}", f"{i} 天内", done=i % 3 == 0, overdue=i == 1,
                          note="已发送方案" if i % 3 == 0 else "", number=i) for i in range(1, n + 1)]
    return A.AttackView(7, 3, "华东医疗", "预算不足", "分期付款", text, "王芳", lines)


def cards(text: str = LONG, n: int = 7) -> list[tuple[str, Card]]:
    """Every card builder once with the given text and list size."""
    entries = help_entries()
    out = [("help", C.help_card(entries, "销售助手")),
           ("help.short", C.help_card(entries, "销售助手", short=True, heard=text)),
           ("notice", C.notice_card("已记下", text, items=[text] * (n % 4))), ("error", C.error_card()),
           ("lead", LV.lead_card(LV.LeadView(1, "华东医疗", "张先生", "138****0000", "官网表单", text, "王芳",
                                             "待跟进", "还剩 3 小时 20 分", "按行业分配：医疗 · 王芳负责医疗行业",
                                             [f"11-2{i} 10:0{i} {text[:20]}" for i in range(n)]))),
           ("lead.sla", LV.sla_reminder_card(1, "华东医疗", "还剩 30 分钟")),
           ("lead.breach", LV.sla_breach_card(1, "华东医疗", "王芳", "4 小时 10 分")),
           ("lead.back", LV.came_back_card(1, "华东医疗", "400 电话")),
           ("lead.rejects", LV.intake_rejects_card("11-23", [LV.ChannelRejects(
               f"渠道{i}", 10 + i, i, [("手机号", text[:30], 3)] * 3) for i in range(n)])),
           ("opp", O.opportunity_card(_opp(n, text))),
           ("opp.scripts", O.scripts_card(3, "华东医疗", "需求确认", _scripts(text))),
           ("opp.close", O.close_reasons_card(3, "华东医疗", "lost", ["价格太高", "选了竞品", "预算取消", "需求变了",
                                                                   "决策人换了", "时间不合适", "其他原因"][:n])),
           ("opp.approval", O.approval_card(O.ApprovalView(9, 3, "华东医疗", "王芳", "报价反馈", "62 万", "8.5 折",
                                                           text, "50-80万"))),
           ("opp.stats", O.script_stats_card([(f"话术{i}", 10, i) for i in range(n)],
                                             [(r, 10, i) for i, r in enumerate(REPS[:n])])),
           ("opp.evidence", O.evidence_prompt_card(3, ["会议纪要", "需求清单"])),
           ("atk.scenarios", A.attack_scenarios_card(3, "华东医疗", [(f"s{i}", f"场景{i}") for i in range(n)],
                                                     [text[:20]])),
           ("atk.strategies", A.attack_strategies_card(3, "华东医疗", "s1", "预算不足", [A.StrategyOption(
               f"k{i}", f"打法{i}", text, [f"步骤{j}：{text[:15]}" for j in range(4)]) for i in range(min(n, 4))])),
           ("atk.card", A.attack_card(_attack(n, text))),
           ("atk.heatmap", A.attack_heatmap_card("华东", "11 月", 30, 40, [text[:20]] * n, "https://x.test/h")),
           ("atk.report", A.attack_report_card("11 月", "华东", [text[:30]] * n, [text[:30]] * n, "https://x.test/r")),
           ("mustdo", P.mustdo_card("王芳", "11-23", [Item(f"k{i}", "lead", f"{text[:25]}{i}", text[:40], 1.0)
                                                    for i in range(min(n, 3))])),
           ("breakpoints", P.breakpoints_card("华东", "11-23", [Breakpoint(
               f"opp:{i}", i, f"华东医疗{i}号项目", "需求确认", REPS[i % 7], "11-12 起，停 15 天（标准 10 天）",
               "今天", text[:30], 1.0) for i in range(n)])),
           ("nudge", P.nudge_card(text, "opp:3")),
           ("daily", P.daily_report_card("王芳", "11-23", DayNumbers(3, 1, 2),
                                         [ReportItem(f"k{i}", text[:20], i % 2 == 0) for i in range(n)], False,
                                         ["客户改期", "没联系上", "优先级调整"])),
           ("daily.team", P.team_rollup_card("华东", "11-23", [(r, DayNumbers(i, 1, 2), "2/3", "已提交")
                                                            for i, r in enumerate(REPS[:n])])),
           ("weekly", P.weekly_card("团队周报：华东", "11-17 至 11-23", _week(n),
                                    [(r, _week(i)) for i, r in enumerate(REPS[:n])], "https://x.test/weekly")),
           ("insight", P.insight_card("华东", text, 42, text[:40])),
           ("feedback", P.feedback_digest_card("11-17 至 11-23", [(r, "华东", text) for r in REPS[:n]] * 3))]
    out += [("entry.lead", E.lead_form_card("医疗", "上海", [text[:8] + str(i) for i in range(n)], ["上海"], text)),
            ("entry.customers", E.customer_pick_card([(i, f"华东医疗{text[:12]}{i}") for i in range(n)])),
            ("entry.customer", E.with_customer_form(C.notice_card(f"客户：{text[:20]}", text), 3, text[:20], "", "",
                                                    [text[:8] + str(i) for i in range(n)], ["上海"]))]
    return out


def catalog() -> list[tuple[str, Card]]:
    """Realistic data, then worst cases: long texts and many lines."""
    return ([(f"{k}:real", c) for k, c in cards()] + [(f"{k}:long", c) for k, c in cards(LONG * 6, 7)]
            + [(f"{k}:short", c) for k, c in cards("好", 1)])
