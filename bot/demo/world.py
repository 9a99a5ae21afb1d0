"""What the demo company's customers and reps say: lead bodies, company names, follow-up notes, evidence (no I/O).

Everything is drawn from one seeded `random.Random`, so the same seed tells the same story.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

TRADES = {"医疗": "医疗器械 生物医药 医院管理 健康科技", "制造": "精密制造 机械 汽车零部件 新材料",
          "教育": "教育科技 职业培训 教育装备 在线教育", "零售": "连锁零售 商贸 便利店 电商",
          "金融": "金融服务 融资租赁 保险代理 投资管理", "物流": "供应链 物流 冷链运输 国际货运"}
CITIES = ("上海", "杭州", "南京", "苏州", "广州", "深圳", "东莞", "厦门", "北京", "天津", "济南", "石家庄")
_BRAND_CHARS = ("远景启航晨光博远金石宏图锦程创新汇丰和信睿智万通长河益达鸿运鑫源立信至诚天成"
                "华章东升安信瑞康众合普惠新锐光华聚力通达海纳云帆志远时代恒丰明远")
BRANDS = [_BRAND_CHARS[i:i + 2] for i in range(0, len(_BRAND_CHARS), 2)]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = "伟芳娜敏静磊洋勇艳杰涛明超霞平刚华军丽强鹏辉婷欣宇浩晨佳雪凯琳博"
# channel -> (share of leads, sources as the form or ad platform names them)
CHANNELS = {"web_form": (35, ("官网-免费试用", "官网-产品报价页", "官网-白皮书下载")),
            "phone_400": (20, ("400热线", "400热线-转销售")),
            "douyin": (35, ("抖音-信息流广告", "抖音-直播间留资", "抖音-企业号私信")),
            "expo": (10, ("上海医疗器械展", "广州制造业博览会", "北京教育装备展"))}
NEEDS = ("想看产品演示", "咨询报价", "需要私有化部署方案", "要对接现有 ERP", "门店 50+ 想统一管理",
         "预算已批，年底前上线", "替换老系统", "先做试点再推广")
FIRST_CALLS = ("电话沟通了需求，客户想先看演示", "加了微信，发了产品介绍和案例", "电话打通了，约了下周详聊",
               "客户在比较三家，先发了报价区间", "确认了决策人和预算范围")
LATER_CALLS = ("回访了一次，客户还在内部评估", "发了同行业案例，客户说月底前给答复", "客户把方案转给了 IT 负责人")
VISITS = ("上门拜访，见了业务负责人和 IT", "拜访客户总部，现场梳理了业务流程", "陪客户去样板客户参观")
DEMOS = ("线上演示核心功能，客户比较关心报表", "给客户 IT 团队做了部署方案演示", "现场演示了移动端")
MINUTES = ("客户确认了需求：{need}，预算{budget}，决策人是{title}，希望一个月内看到方案",
           "需求沟通会纪要：{need}；现有系统用了五年，{title}牵头选型，预算{budget}")
TITLES = ("采购经理", "IT负责人", "总经理", "副总裁", "设备科主任", "信息中心主任", "运营总监", "财务总监")
BUDGETS = ("20万", "30万", "50万", "30-50万", "80万", "50-80万", "100万", "还没定")


@dataclass
class Names:
    """Company and person names already handed out (normalized), so every new customer is a new one."""

    taken: set[str] = field(default_factory=set)

    def company(self, rng: random.Random, trade: str, city: str) -> str:
        """Invent a company name nobody has yet."""
        for attempt in range(60):
            core = rng.choice(BRANDS) + rng.choice(TRADES[trade].split())
            name = core + (f"（{city}）" if rng.random() < .3 else "") + (str(attempt) if attempt > 30 else "")
            name += rng.choice(("有限公司", "股份有限公司", "集团", ""))
            if name not in self.taken:
                self.taken.add(name)
                return name
        raise RuntimeError("ran out of demo company names; add BRANDS")


def person(rng: random.Random) -> str:
    """A plausible Chinese full name."""
    return rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2))))


def mobile(rng: random.Random) -> str:
    """A fake but valid-looking mainland mobile number."""
    return f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"


@dataclass(frozen=True)
class Prospect:
    """Who fills in a lead form: the customer, their contact and what they want."""

    company: str
    trade: str
    city: str
    contact: str
    mobile: str
    need: str


def prospect(rng: random.Random, names: Names) -> Prospect:
    """A new customer asking for the first time."""
    trade, city = rng.choice(list(TRADES)), rng.choice(CITIES)
    return Prospect(names.company(rng, trade, city), trade, city, person(rng), mobile(rng),
                    "，".join(rng.sample(NEEDS, 2)))


def channel(rng: random.Random) -> tuple[str, str]:
    """Pick a lead channel by its share, and one of its sources."""
    name = rng.choices(list(CHANNELS), [share for share, _ in CHANNELS.values()])[0]
    return name, rng.choice(CHANNELS[name][1])


def lead_body(p: Prospect, source: str) -> dict[str, str]:
    """The form fields as posted: the common Chinese names every channel understands (sales.intake.ALIASES)."""
    return {"姓名": p.contact, "手机号": p.mobile, "公司": p.company, "需求": p.need, "地区": p.city,
            "行业": p.trade, "来源": source}


def minutes(rng: random.Random, p: Prospect, budget: str) -> str:
    """A meeting-minutes note long enough to count as evidence of the needs meeting."""
    return rng.choice(MINUTES).format(need=p.need, budget=budget, title=rng.choice(TITLES))
