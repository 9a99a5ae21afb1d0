"""Seed a deterministic demo company (teams, reps, leads, deals, history) relative to `now`."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from sales.names import normalize_company
from storage import models as m
from storage.db import Database

Row = dict[str, Any]
H, D = timedelta(hours=1), timedelta(days=1)
TEAMS = (("华东大客户部", "上海 杭州 南京 苏州", "医疗 制造 金融"), ("华南渠道部", "广州 深圳 东莞 厦门", "零售 制造 物流"),
         ("华北行业部", "北京 天津 济南 石家庄", "教育 金融 医疗"))
TRADES = {"医疗": "医疗器械 生物医药 医院管理 健康科技", "制造": "精密制造 机械 汽车零部件 新材料",
          "教育": "教育科技 职业培训 教育装备 在线教育", "零售": "连锁零售 商贸 便利店 电商",
          "金融": "金融服务 融资租赁 保险代理 投资管理", "物流": "供应链 物流 冷链运输 国际货运"}
BRANDS = ["华东", "宏达", "恒信", "金桥", "瑞丰", "中科", "博雅", "天成", "安泰", "鼎盛", "永辉", "新元", "汇通", "众诚", "远航", "明德", "德润", "嘉禾", "思远", "同创"]
BRANDS += ["海川", "星辰", "君和", "正泰", "东方", "泰和", "启明", "华瑞", "长青", "联创", "九州", "盛世", "卓越", "华信", "恒通", "广源", "兴业", "凯达", "伟业", "蓝海"]
SURNAMES = "王wang 李li 张zhang 刘liu 陈chen 杨yang 黄huang 赵zhao 吴wu 周zhou 徐xu 孙sun 马ma 朱zhu 胡hu 郭guo"
GIVEN = "伟wei 芳fang 娜na 敏min 静jing 磊lei 洋yang 勇yong 艳yan 杰jie 涛tao 明ming 超chao 霞xia 平ping 刚gang"
GIVEN += " 华hua 军jun 丽li 强qiang 鹏peng 辉hui 婷ting 欣xin 宇yu 浩hao 晨chen 佳jia 雪xue 凯kai 琳lin 博bo"
CHANNELS = {"web_form": "官网-免费试用 官网-产品报价页 官网-白皮书下载", "phone_400": "400热线 400热线-转销售",
            "douyin": "抖音-信息流广告 抖音-直播间留资 抖音-企业号私信", "expo": "上海医疗器械展 广州制造业博览会 北京教育装备展"}
NEEDS = ("想看产品演示", "咨询报价", "需要私有化部署方案", "要对接现有 ERP", "门店 50+ 想统一管理", "预算已批，年底前上线",
         "替换老系统", "先做试点再推广")
TITLES = ["采购经理", "IT负责人", "总经理", "副总裁", "设备科主任", "信息中心主任", "运营总监", "财务总监", "项目经理"]
LEAD_LOST = ("联系不上", "只是询价", "预算不足", "已选其他供应商", "需求不匹配")
DEAL_LOST = ("价格超预算", "选了竞品", "项目延期", "预算被砍", "决策人变更", "需求不匹配")
TOUCHES = {"call": "电话沟通，确认了下一步", "wechat": "微信发了案例资料", "visit": "上门拜访，见了业务负责人",
           "followup": "跟进上次提到的问题", "demo": "线上演示核心功能", "email": "邮件发送方案和资料"}
RESET_EXTRA = ("inbox", "outbox", "job_run")


async def is_empty(db: Database) -> bool:
    """Return True when no member exists yet."""
    async with db.session() as s:
        return not await s.scalar(select(func.count()).select_from(m.Member))


async def seed_demo(db: Database, now: datetime, reset: bool = False, seed: int = 7) -> dict[str, int]:
    """Seed the demo company relative to now; return rows per table, or {} when members already exist."""
    if now.tzinfo is None:
        raise ValueError("seed_demo needs an aware datetime: pass datetime.now(UTC)")
    now, rng = now.astimezone(UTC), random.Random(seed)
    async with db.session() as s:
        if reset:
            await _wipe(s)
        elif await s.scalar(select(func.count()).select_from(m.Member)):
            return {}
        w = _Writer(s)
        reps = await _seed_org(w, rng, now)
        leads = await _seed_leads(w, rng, now, reps)
        opps = await _seed_deals(w, rng, now, leads)
        await _seed_history(w, rng, now, leads, opps)
        return w.counts


async def _wipe(s: AsyncSession) -> None:
    # Children before parents; every table of ours, so later tables (approval, order) are covered too.
    for table in reversed(m.metadata.sorted_tables):
        await s.execute(delete(table))


class _Writer:
    """Bulk-insert rows through Core (one statement per batch) and count them per table."""

    def __init__(self, session: AsyncSession) -> None:
        self.s, self.counts = session, {}

    async def add(self, model: Any, rows: list[Row]) -> list[int]:
        """Insert rows, dropping keys that start with "_"; return the new ids in row order."""
        table = model.__table__
        self.counts[table.name] = self.counts.get(table.name, 0) + len(rows)
        clean = [{k: v for k, v in r.items() if not k.startswith("_")} for r in rows]
        stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        ids = list((await self.s.execute(stmt, clean)).scalars()) if clean else []
        for row, new_id in zip(rows, ids, strict=True):
            row["id"] = new_id
        return ids


def _pairs(text: str) -> list[tuple[str, str]]:
    return [(tok[0], tok[1:]) for tok in text.split()]


def _person(rng: random.Random, taken: set[str]) -> tuple[str, str]:
    """Return a fresh (Chinese name, pinyin) pair whose name and pinyin are both unused."""
    while True:
        parts = [rng.choice(_pairs(SURNAMES))] + rng.sample(_pairs(GIVEN), rng.choice((1, 2)))
        name, py = "".join(p[0] for p in parts), "".join(p[1] for p in parts)
        if name not in taken and py not in taken:
            taken.update((name, py))
            return name, py


def _mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"


async def _seed_org(w: _Writer, rng: random.Random, now: datetime) -> list[Row]:
    """Insert teams, the admin, managers, reps and their identities; return the reps."""
    teams = [{"name": t[0], "group_platform": "playground", "group_chat_id": None} for t in TEAMS]
    for team in teams:
        await w.add(m.Team, [team])
        await w.s.execute(update(m.Team.__table__).where(m.Team.__table__.c.id == team["id"])
                          .values(group_chat_id=f"group:{team['id']}"))
    taken = {"王总", "wangzong"}
    admin = _member(rng, now, ("王总", "wangzong"), "admin", None, None, "上海", list(TRADES))
    await w.add(m.Member, [admin])
    bosses = [_member(rng, now, _person(rng, taken), "manager", t["id"], admin["id"], spec[1].split()[0],
                      spec[2].split()) for t, spec in zip(teams, TEAMS, strict=True)]
    await w.add(m.Member, bosses)
    reps = []
    for i, (boss, spec) in enumerate(zip(bosses, TEAMS, strict=True)):
        cities, trades = spec[1].split(), spec[2].split()
        for j in range(7 if i < 2 else 6):
            rep = _member(rng, now, _person(rng, taken), "rep", boss["team_id"], boss["id"], cities[j % 4],
                          rng.sample(trades, rng.choice((1, 2))), is_new=j >= (6 if i < 2 else 5))
            reps.append(rep)
    await w.add(m.Member, reps)
    people = [admin, *bosses, *reps]
    ids = [{"platform": p, "platform_user_id": uid, "member_id": x["id"]} for x in people for p, uid in (
        ("playground", str(x["id"])), ("wecom", f"wc_{x['_py']}"), ("dingtalk", f"dt_{x['_py']}"),
        ("feishu", f"ou_{rng.getrandbits(128):032x}"))]
    await w.add(m.Identity, ids)
    return reps


def _member(rng: random.Random, now: datetime, person: tuple[str, str], role: str, team_id: int | None,
            manager_id: int | None, region: str, industries: list[str], is_new: bool = False) -> Row:
    """Build one member row; new reps joined within the last two months and carry less."""
    joined = now - D * (rng.randint(10, 60) if is_new else rng.randint(120, 1500))
    return {"name": person[0], "_py": person[1], "role": role, "team_id": team_id, "manager_id": manager_id,
            "region": region, "industries": industries, "capacity": rng.randint(15, 25) if is_new else
            rng.choice((40, 50, 60)), "mobile": _mobile(rng), "is_new": is_new, "created_at": joined}


def _company(rng: random.Random, trade: str, city: str, seen: set[str]) -> str:
    """Invent a company name whose normalized form is still unused."""
    for attempt in range(50):
        core = rng.choice(BRANDS) + rng.choice(TRADES[trade].split()) + (f"（{city}）" if rng.random() < .4 else "")
        name = core + (str(attempt) if attempt > 20 else "") + rng.choice(("有限公司", "股份有限公司", "集团", ""))
        if normalize_company(name) not in seen:
            seen.add(normalize_company(name))
            return name
    raise RuntimeError("ran out of demo company names; add BRANDS")


def _received(rng: random.Random, now: datetime, i: int, total: int) -> datetime:
    """Spread leads over 90 days (the last few inside 6 hours), mostly in Beijing office hours."""
    if i >= total - 40:
        return now - timedelta(minutes=rng.uniform(1, 360))
    while True:
        at = now - timedelta(hours=rng.uniform(6, 90 * 24))
        if 8 <= (at.hour + 8) % 24 <= 21 or rng.random() < .1:
            return at


def _sla(rng: random.Random, now: datetime, received: datetime) -> Row:
    """Decide assignment, acceptance, first response and breach for one lead."""
    row: Row = {"status": "new", "assigned_at": None, "accepted_at": None, "first_response_due_at": None,
                "first_response_at": None, "breached_at": None}
    if now - received < timedelta(minutes=15) and rng.random() < .6:
        return row
    assigned = received + timedelta(minutes=rng.uniform(1, 15))
    due, roll = assigned + 4 * H, rng.random()
    row.update(status="assigned", assigned_at=assigned, first_response_due_at=due)
    if now - received < 6 * H and roll < .5:
        return row  # still waiting; the oldest of these are already past due for the SLA scan to find
    if roll < .05:
        return {**row, "status": "breached", "breached_at": due}
    late = roll < .12
    answered = due + H * rng.uniform(.2, 20) if late else assigned + timedelta(minutes=rng.triangular(3, 235, 30))
    if answered > now:
        return row
    accepted = min(answered, assigned + timedelta(minutes=rng.uniform(1, 30)))
    return {**row, "status": "accepted", "accepted_at": accepted, "first_response_at": answered,
            "breached_at": due if late else None}


def _outcome(rng: random.Random, now: datetime, lead: Row) -> None:
    """Close older accepted leads as converted or lost; recent ones stay in progress."""
    age = (now - lead["received_at"]) / D
    roll = rng.random()
    if lead["status"] != "accepted" or age < 2:
        return
    if roll < .24:
        lead["status"] = "converted"
    elif roll < .24 + min(.55, age / 120):
        lead.update(status="lost", extra={"lost_reason": rng.choice(LEAD_LOST)})


async def _seed_leads(w: _Writer, rng: random.Random, now: datetime, reps: list[Row]) -> list[Row]:
    """Insert about 2,000 leads with their customers and contacts; return the leads."""
    total, seen, customers, leads = 2000, set(), [], []
    teams = {spec[1]: [r for r in reps if r["region"] in spec[1].split()] for spec in TEAMS}
    turns = dict.fromkeys(teams, 0)
    for i, received in enumerate(sorted(_received(rng, now, i, total) for i in range(total))):
        channel = rng.choice(list(CHANNELS))
        lead = {"channel": channel, "source": rng.choice(CHANNELS[channel].split()), "received_at": received,
                "need": "，".join(rng.sample(NEEDS, 2)), "extra": {}, **_sla(rng, now, received)}
        if customers and rng.random() < .08:
            cust = rng.choice(customers)
            lead["assign_reason"] = "existing_owner"
        else:
            cities = rng.choice(list(teams))
            city, trade = rng.choice(cities.split()), rng.choice(list(TRADES))
            pool = [r for r in teams[cities] if trade in r["industries"]] or teams[cities]
            turns[cities] += 1
            cust = {"name": _company(rng, trade, city, seen), "industry": trade, "region": city,
                    "owner_id": pool[turns[cities] % len(pool)]["id"], "grade": rng.choice("AABBBCCCCD"),
                    "created_at": received, "_contact": _person(rng, set())[0], "_mobile": _mobile(rng)}
            cust["normalized_name"] = normalize_company(cust["name"])
            customers.append(cust)
            lead["assign_reason"] = f"{city}·{trade} round_robin #{turns[cities]}"
        lead.update(_cust=cust, contact_name=cust["_contact"], mobile=cust["_mobile"],
                    owner_id=cust["owner_id"] if lead["assigned_at"] else None)
        if not lead["assigned_at"]:
            lead["assign_reason"] = ""
        _outcome(rng, now, lead)
        leads.append(lead)
    await w.add(m.Customer, customers)
    await w.add(m.Contact, [{"customer_id": c["id"], "name": c["_contact"], "mobile": c["_mobile"],
                             "title": rng.choice(TITLES), "wecom_external_userid":
                             f"wm{rng.getrandbits(120):030x}" if rng.random() < .3 else None} for c in customers])
    for lead in leads:
        lead["customer_id"] = lead["_cust"]["id"]
    await w.add(m.Lead, leads)
    return leads
