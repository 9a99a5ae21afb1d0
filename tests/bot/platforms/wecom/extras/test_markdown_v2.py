"""Team pushes that are lists of rows go to group robots as markdown_v2 tables, within 4096 bytes."""

from __future__ import annotations

from bot.core.cards import Card, Field, Section
from bot.core.clock import ManualClock
from bot.core.events import ChatRef
from bot.platforms.wecom.extras import markdown_v2, preview
from bot.platforms.wecom.render import WecomRenderer
from cards.views.pushes import breakpoints_card, weekly_card
from sales.breakpoints import Breakpoint
from sales.reports import WeekNumbers
from tests.bot.platforms.wecom.conftest import deliver
from tests.conftest import make_settings
from tests.fakes.wecom import check_webhook

HOOK = ChatRef("wecom", "webhook:east", True)
render = WecomRenderer(make_settings("sqlite://"), ManualClock())


def _team_week(people: int) -> Card:
    rows = [(f"同事{i}", WeekNumbers(leads=i, won=1, lost=2, breaches=3)) for i in range(people)]
    return weekly_card("团队周报：华东", "11-17 至 11-23", WeekNumbers(leads=people), rows,
                       "https://bot.example.com/weekly?team=1&week=2026-11-17")


def _breakpoints(n: int) -> Card:
    lines = [Breakpoint(f"opp:{i}", 1, f"华东医疗 | 扩容二期项目第{i}号，名字很长很长很长", "方案确认", "李娜",
                        "11-12 起，停 15 天（标准 10 天）", "今天", "约客户技术负责人做方案评审", 1.0)
             for i in range(n)]
    return breakpoints_card("华东大客户部", "2026-11-27", lines)


def _content(payload: dict) -> str:
    assert payload["kind"] == "webhook" and check_webhook(payload["body"]) == ""
    return payload["body"]["markdown_v2"]["content"]


def test_the_team_weekly_report_is_a_table_of_people_with_a_link_to_the_full_page():
    text = _content(render.render(HOOK, _team_week(5), "", {}))
    assert text.startswith("# 团队周报：华东\n> 11-17 至 11-23")
    assert "| 每个人 | 线索 | 转化 | 赢 | 输 | 超时 | 动作 |\n| --- |" in text
    assert "| 同事4 | 4 | 0%（0/4） | 1 | 2 | 3 | — |" in text and "- **新线索**：5" in text
    assert text.endswith("[完整周报](https://bot.example.com/weekly?team=1&week=2026-11-17)")
    assert "<font" not in text


def test_breakpoints_become_one_row_each_with_long_cells_cut_and_pipes_kept_out():
    text = _content(render.render(HOOK, _breakpoints(10), "", {}))
    assert "| 事项 | 卡在哪一阶 | 谁负责 | 停了多久 | 何时解 | 建议 |" in text
    assert text.count("| 方案确认 | 李娜 |") == 10
    assert "| ① 华东医疗 ｜ 扩容二期项目第0号，名字很长…" in text  # 24 characters, then "…"


def test_a_table_too_big_for_4096_bytes_drops_whole_rows_and_counts_them():
    text = _content(render.render(HOOK, _team_week(300), "", {}))
    shown = text.count("\n| 同事")
    assert len(text.encode()) <= 4096 and 20 < shown < 300
    assert f"…另有 {300 - shown} 行未列出" in text and "&week=2026-11-17)" in text  # the link survives
    assert text.endswith(")") and "[查看完整内容](http" in text  # and the rest is one tap away (full view)


def test_cards_without_rows_stay_markdown_and_the_chat_can_choose():
    personal = weekly_card("上周周报：李娜", "11-17 至 11-23", WeekNumbers())
    assert render.render(HOOK, personal, "", {})["body"]["msgtype"] == "markdown"
    assert render.render(HOOK, _breakpoints(2), "", {})["body"]["msgtype"] == "markdown"  # 2 rows: a list will do
    assert render.render(HOOK, None, "文字", {})["body"]["msgtype"] == "markdown"
    legacy = ChatRef("wecom", "webhook:east", True, {"format": "markdown"})
    assert render.render(legacy, _team_week(5), "", {})["body"]["msgtype"] == "markdown"
    forced = _content(render.render(ChatRef("wecom", "webhook:east", True, {"format": "markdown_v2"}),
                                    personal, "", {}))
    assert "- **新线索**：0" in forced
    assert render.render(ChatRef("wecom", "dm:lina", False), _team_week(5), "", {})["kind"] == "app"  # apps: cards


def test_items_that_are_not_uniform_rows_stay_a_list():
    card = Card(title="t", sections=[Section(title="事项", items=["甲：线索 1 · 赢 2", "乙：线索 1", "丙：x 1 · y 2"])])
    assert not markdown_v2.tabular(card)
    same = Card(title="t", sections=[Section(fields=[Field("a", "1")]) for _ in range(3)])
    assert markdown_v2.tabular(same)


def test_the_fake_refuses_what_markdown_v2_would_show_wrongly():
    def body(content: str) -> dict:
        return {"msgtype": "markdown_v2", "markdown_v2": {"content": content}}

    assert "markdown-only" in check_webhook(body('<font color="info">3</font>'))
    assert "separator" in check_webhook(body("| a | b |\n| c | d |"))
    assert "different numbers" in check_webhook(body("| a | b |\n| --- | --- |\n| c |"))
    assert "1-4096 bytes" in check_webhook(body("表" * 1366))
    assert check_webhook(body("| a | b |\n| :--- | ---: |\n| c | d |")) == ""


def test_the_playground_preview_draws_the_table_and_the_link():
    html = preview.preview_html(render.render(HOOK, _team_week(3), "", {}))
    assert "<table class='wc-md-table'><tr><th>每个人</th>" in html and "<td>同事2</td>" in html
    assert '<a href="https://bot.example.com/weekly?team=1&amp;week=2026-11-17"' in html


async def test_a_team_push_reaches_the_group_robot_as_markdown_v2(wrt, fake):
    async with wrt.db.session() as s:
        ctx = await wrt.context(s)
        await ctx.outbox.send(HOOK, _breakpoints(5), "breakpoints:2026-11-27:team1")
    await deliver(wrt)
    [push] = fake.webhooks
    assert push["msgtype"] == "markdown_v2" and "| ⑤ 华东医疗" in push["markdown_v2"]["content"]
