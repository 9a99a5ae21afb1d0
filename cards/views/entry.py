"""Quick card forms for the 90-second entry: a new lead, a customer's fields, with defaults and quick picks.

Feishu shows a real form (one text box, submit); on platforms without forms the quick picks re-render the
card with the value chosen and the card says the one line to send, with the picks already in it.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.actions import CustomerForm, LeadForm
from bot.core.cards import Button, Card, Form, Level, Section

LEAD_EXAMPLE = "王经理 13800138000 华东医疗 想了解影像设备"
CUSTOMER_EXAMPLE = "行业 医疗 地区 上海 联系人 张三 手机 13800138000"
PICKS = 3  # quick picks per kind: a phone card stays one screen


def lead_form_card(industry: str, region: str, industries: Sequence[str], regions: Sequence[str],
                   problem: str = "") -> Card:
    """The new-lead form: one line of 姓名 手机 [公司] [需求], with industry/region defaults and quick picks."""
    tail = "".join(f" {k} {v}" for k, v in (("行业", industry), ("地区", region)) if v)
    text = (f"{problem}\n" if problem else "") + f"在框里写：姓名 手机 [公司] [需求]，例：{LEAD_EXAMPLE}"
    picks = [Button(f"行业：{i}", LeadForm(i, region)) for i in industries if i != industry][:PICKS]
    picks += [Button(f"地区：{r}", LeadForm(industry, r)) for r in regions if r != region][:PICKS]
    card = Card("录新线索", Level.WARNING if problem else Level.INFO, [
        Section(text=text, items=[f"行业：{industry or '未选'}", f"地区：{region or '未选'}"])], picks)
    card.form = Form(LeadForm(industry, region), "录入", LEAD_EXAMPLE)
    card.footer = f"没有输入框时直接发：新线索 <姓名> <手机> [公司] [需求]{tail}"
    return card


def customer_pick_card(customers: Sequence[tuple[int, str]]) -> Card:
    """Which customer to update: the rep's most recently touched ones, one button each."""
    buttons = [Button(name[:20], CustomerForm(cid, "", "")) for cid, name in customers[:6]]
    text = "点一个客户改资料；也可以发：客户 <客户> [行业 …] [地区 …] [联系人 …] [手机 …]"
    return Card("改哪个客户的资料？", Level.INFO, [Section(text=text if buttons else "你还没有客户。" + text)],
                buttons)


def with_customer_form(card: Card, customer_id: int, name: str, industry: str, region: str,
                       industries: Sequence[str], regions: Sequence[str]) -> Card:
    """Add the one-submit form and the one-click quick picks (the rep's own industries and region)."""
    picks = [Button(f"行业：{i}", CustomerForm(customer_id, i, "")) for i in industries if i != industry][:PICKS]
    picks += [Button(f"地区：{r}", CustomerForm(customer_id, "", r)) for r in regions if r != region][:PICKS]
    card.buttons = picks
    card.form = Form(CustomerForm(customer_id, "", ""), "保存", CUSTOMER_EXAMPLE)
    card.footer = f"点上面的按钮一下就改；或在框里写要改的项；或发：客户 {name} {CUSTOMER_EXAMPLE}"
    return card
