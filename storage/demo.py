"""Seed a deterministic demo company (teams, reps, leads, deals, history) relative to `now`."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel

from sales.names import normalize_company
from sales.parsing import parse_amount
from sales.stages import STAGES
from storage import demo_life, demo_orders
from storage import models as m
from storage.db import Database
from storage.repos._sql import table_of

Row = dict[str, Any]
H, D = timedelta(hours=1), timedelta(days=1)
# name, cities covered, industries, reps, of whom new
TEAMS = (("华东大客户部", "上海 杭州 南京 苏州", "医疗 制造 金融", 7, 2),
         ("华南渠道部", "广州 深圳 东莞 厦门", "零售 制造 物流", 7, 1),
         ("华北行业部", "北京 天津 济南 石家庄", "教育 金融 医疗", 6, 1))
TRADES = {"医疗": "医疗器械 生物医药 医院管理 健康科技", "制造": "精密制造 机械 汽车零部件 新材料",
          "教育": "教育科技 职业培训 教育装备 在线教育", "零售": "连锁零售 商贸 便利店 电商",
          "金融": "金融服务 融资租赁 保险代理 投资管理", "物流": "供应链 物流 冷链运输 国际货运"}
_BRAND_CHARS = ("华东宏达恒信金桥瑞丰中科博雅天成安泰鼎盛永辉新元汇通众诚远航明德德润嘉禾思远同创"
                "海川星辰君和正泰东方泰和启明华瑞长青联创九州盛世卓越华信恒通广源兴业凯达伟业蓝海")
SURNAMES = "王wang 李li 张zhang 刘liu 陈chen 杨yang 黄huang 赵zhao 吴wu 周zhou 徐xu 孙sun 马ma 朱zhu 胡hu 郭guo"
GIVEN = ("伟wei 芳fang 娜na 敏min 静jing 磊lei 洋yang 勇yong 艳yan 杰jie 涛tao 明ming 超chao 霞xia 平ping 刚gang"
         " 华hua 军jun 丽li 强qiang 鹏peng 辉hui 婷ting 欣xin 宇yu 浩hao 晨chen 佳jia 雪xue 凯kai 琳lin 博bo")
CHANNELS = {"web_form": ("官网-免费试用", "官网-产品报价页", "官网-白皮书下载"),
            "phone_400": ("400热线", "400热线-转销售"),
            "douyin": ("抖音-信息流广告", "抖音-直播间留资", "抖音-企业号私信"),
            "expo": ("上海医疗器械展", "广州制造业博览会", "北京教育装备展")}
NEEDS = ("想看产品演示", "咨询报价", "需要私有化部署方案", "要对接现有 ERP", "门店 50+ 想统一管理",
         "预算已批，年底前上线", "替换老系统", "先做试点再推广")
TITLES = ("采购经理", "IT负责人", "总经理", "副总裁", "设备科主任", "信息中心主任", "运营总监", "财务总监", "项目经理")
LEAD_LOST = ("联系不上", "没有需求", "已选竞品", "空号错号", "其他")  # sales.lead_life.LOST_REASONS
DEAL_LOST = ("价格超预算", "选了竞品", "项目延期", "预算被砍", "决策人变更", "需求不匹配")
TOUCHES = {"call": "电话沟通，确认了下一步", "wechat": "微信发了案例资料", "visit": "上门拜访，见了业务负责人",
           "followup": "跟进上次提到的问题", "demo": "线上演示核心功能", "email": "邮件发送方案和资料"}
KEEP_ON_RESET = {"rejected_request"}  # refused inbound bodies are an audit trail, not demo data
BRANDS = [_BRAND_CHARS[i:i + 2] for i in range(0, len(_BRAND_CHARS), 2)]
SURNAME_PY = [(tok[0], tok[1:]) for tok in SURNAMES.split()]
GIVEN_PY = [(tok[0], tok[1:]) for tok in GIVEN.split()]
STAGE_AT = {st.key: i for i, st in enumerate(STAGES)}


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
        w = _Writer(s, db.dialect)
        reps = await _seed_org(w, rng, now)
        leads = await _seed_leads(w, rng, now, reps)
        opps = await _seed_deals(w, rng, now, leads)
        touches = await _seed_history(w, rng, now, leads, opps)
        await demo_orders.seed_orders(w, rng, now, opps)
        await demo_life.seed_timeline(w, leads, opps)
        await demo_life.seed_pool(w, now, leads, opps, touches)
        return w.counts


async def _wipe(s: AsyncSession) -> None:
    """Delete the rows of every table we own except the audit ones."""
    # Children before parents, and every table we own, so tables added later (approval, order) go too.
    for table in reversed(m.metadata.sorted_tables):
        if table.name not in KEEP_ON_RESET:
            await s.execute(delete(table))


class _Writer:
    """Bulk-insert rows with one executemany per batch, numbering them so children can point at them."""

    def __init__(self, session: AsyncSession, dialect: str) -> None:
        self.s, self.dialect = session, dialect
        self.counts: dict[str, int] = {}

    async def number(self, model: type[SQLModel], rows: list[Row]) -> None:
        """Give rows explicit ids after the table's largest (RETURNING would insert one row at a time on SQLite)."""
        table = table_of(model)
        top = (await self.s.execute(select(func.coalesce(func.max(table.c.id), 0)))).scalar_one()
        for i, row in enumerate(rows, top + 1):
            row["id"] = i

    async def add(self, model: type[SQLModel], rows: list[Row], ids: bool = False) -> None:
        """Insert rows, dropping keys that start with "_"; with ids, number them first."""
        table = table_of(model)
        self.counts[table.name] = self.counts.get(table.name, 0) + len(rows)
        if not rows:
            return
        if ids:
            await self.number(model, rows)
        await self.s.execute(insert(table), [{k: v for k, v in r.items() if not k.startswith("_")} for r in rows])
        if "id" in rows[0] and self.dialect == "postgresql":  # explicit ids leave the sequence behind
            await self.s.execute(text("SELECT setval(pg_get_serial_sequence(:t, 'id'), :v)"),
                                 {"t": table.name, "v": max(r["id"] for r in rows)})


def _person(rng: random.Random, taken: set[str]) -> tuple[str, str]:
    """Return a fresh (Chinese name, pinyin) pair whose name and pinyin are both unused."""
    while True:
        parts = [rng.choice(SURNAME_PY), *rng.sample(GIVEN_PY, rng.choice((1, 2)))]
        name, py = "".join(p[0] for p in parts), "".join(p[1] for p in parts)
        if name not in taken and py not in taken:
            taken.update((name, py))
            return name, py


def _mobile(rng: random.Random) -> str:
    """Return a fake but valid-looking mainland mobile number."""
    return f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"


async def _seed_org(w: _Writer, rng: random.Random, now: datetime) -> list[Row]:
    """Insert teams, the admin, managers, reps and their identities; return the reps."""
    teams: list[Row] = [{"name": t[0], "group_platform": "playground"} for t in TEAMS]
    await w.number(m.Team, teams)
    await w.add(m.Team, [{**t, "group_chat_id": f"group:{t['id']}"} for t in teams])
    taken = {"王总", "wangzong"}
    admin = _member(rng, now, ("王总", "wangzong"), "admin", None, None, "上海", list(TRADES))
    await w.add(m.Member, [admin], ids=True)
    bosses = [_member(rng, now, _person(rng, taken), "manager", t["id"], admin["id"], spec[1].split()[0],
                      spec[2].split()) for t, spec in zip(teams, TEAMS, strict=True)]
    await w.add(m.Member, bosses, ids=True)
    reps = []
    for boss, (_, cities, trades, size, new) in zip(bosses, TEAMS, strict=True):
        for j in range(size):
            reps.append(_member(rng, now, _person(rng, taken), "rep", boss["team_id"], boss["id"],
                                cities.split()[j % 4], rng.sample(trades.split(), rng.choice((1, 2))),
                                is_new=j >= size - new))
    await w.add(m.Member, reps, ids=True)
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
        return now - timedelta(minutes=1 + 359 * rng.random() ** 1.5)  # skewed towards "just arrived"
    while True:
        at = now - timedelta(hours=rng.uniform(6, 90 * 24))
        if 8 <= (at.hour + 8) % 24 <= 21 or rng.random() < .1:
            return at


def _sla(rng: random.Random, now: datetime, received: datetime) -> Row:
    """Decide assignment, acceptance, first response and breach for one lead."""
    row: Row = {"status": "new", "assigned_at": None, "accepted_at": None, "first_response_due_at": None,
                "first_response_at": None, "breached_at": None}
    if now - received < timedelta(minutes=20) and rng.random() < .7:
        return row
    assigned = received + timedelta(minutes=rng.uniform(1, 15))
    due, roll = assigned + 4 * H, rng.random()
    row.update(status="assigned", assigned_at=assigned, first_response_due_at=due)
    if now - received < 6 * H and roll < .5:
        return _calm(rng, now, row)  # still waiting for a first response
    if roll < .05:
        return {**row, "status": "breached", "breached_at": due}
    late = roll < .12
    answered = due + H * rng.uniform(.2, 20) if late else assigned + timedelta(minutes=rng.triangular(3, 235, 30))
    if answered > now:
        return _calm(rng, now, row)
    accepted = min(answered, assigned + timedelta(minutes=rng.uniform(1, 30)))
    return {**row, "status": "accepted", "accepted_at": accepted, "first_response_at": answered,
            "breached_at": due if late else None}


def _calm(rng: random.Random, now: datetime, row: Row) -> Row:
    """A calm start: what the scans would already have done is done — a lead older than the accept window was
    accepted, one past its deadline is flagged breached — so the first scan sends no burst of reassignments
    and breach warnings."""
    if now - row["assigned_at"] > 25 * timedelta(minutes=1):
        row = {**row, "status": "accepted",
               "accepted_at": min(row["assigned_at"] + timedelta(minutes=rng.uniform(1, 20)), now)}
    if row["first_response_due_at"] <= now:
        row = {**row, "status": "breached", "breached_at": row["first_response_due_at"]}
    return row


def _outcome(rng: random.Random, now: datetime, lead: Row) -> None:
    """Close older accepted leads as converted or lost; recent ones stay in progress."""
    age = (now - lead["received_at"]) / D
    roll = rng.random()
    if lead["status"] != "accepted" or age < 2:
        return
    if roll < .22:
        lead["status"] = "converted"
    elif roll < .22 + min(.6, .1 + age / 60):
        lead.update(status="lost", extra={"lost_reason": rng.choice(LEAD_LOST)},
                    _closed_at=min(lead["accepted_at"] + D * rng.uniform(1, age), now))


def _customer(rng: random.Random, received: datetime, assigned: bool, teams: dict[str, list[Row]],
              turns: Counter[str], seen: set[str]) -> tuple[Row, str]:
    """Invent a customer and route it to the team covering its city, round robin over the industry's reps."""
    cities = rng.choice(list(teams))
    city, trade = rng.choice(cities.split()), rng.choice(list(TRADES))
    name, reason, owner = _company(rng, trade, city, seen), "", {"id": None, "team_id": None}
    if assigned:
        pool = [r for r in teams[cities] if trade in r["industries"]] or teams[cities]
        turns[cities] += 1
        owner, reason = pool[turns[cities] % len(pool)], f"{city}·{trade} round_robin #{turns[cities]}"
    return {"name": name, "normalized_name": normalize_company(name), "industry": trade, "region": city,
            "owner_id": owner["id"], "_team": owner["team_id"], "grade": "",  # grading fills it
            "in_pool": False, "owned_since": received if owner["id"] else None,
            "created_at": received, "_contact": _person(rng, set())[0], "_mobile": _mobile(rng)}, reason


async def _seed_leads(w: _Writer, rng: random.Random, now: datetime, reps: list[Row]) -> list[Row]:
    """Insert about 2,000 leads with their customers and contacts; return the leads."""
    total, seen, customers, leads = 2000, set[str](), list[Row](), list[Row]()
    teams, turns = {spec[1]: [r for r in reps if r["region"] in spec[1].split()] for spec in TEAMS}, Counter[str]()
    for received in sorted(_received(rng, now, i, total) for i in range(total)):
        channel = rng.choices(list(CHANNELS), (35, 20, 35, 10))[0]
        lead = {"channel": channel, "source": rng.choice(CHANNELS[channel]), "received_at": received,
                "need": "，".join(rng.sample(NEEDS, 2)), "extra": {}, **_sla(rng, now, received)}
        cust = rng.choice(customers) if customers and rng.random() < .08 else None
        if cust and cust["owner_id"] and lead["assigned_at"]:
            lead["assign_reason"] = "existing_owner"  # one customer, one owner
        else:
            cust, lead["assign_reason"] = _customer(rng, received, lead["assigned_at"] is not None, teams, turns, seen)
            customers.append(cust)
        lead.update(_cust=cust, contact_name=cust["_contact"], mobile=cust["_mobile"],
                    owner_id=cust["owner_id"] if lead["assigned_at"] else None)
        _outcome(rng, now, lead)
        leads.append(lead)
    await w.add(m.Customer, customers, ids=True)
    await w.add(m.Contact, [{"customer_id": c["id"], "name": c["_contact"], "mobile": c["_mobile"],
                             "title": rng.choice(TITLES), "wecom_external_userid":
                             f"wm{rng.getrandbits(120):030x}" if rng.random() < .3 else None} for c in customers])
    for lead in leads:
        lead["customer_id"] = lead["_cust"]["id"]
    await w.add(m.Lead, leads, ids=True)
    return leads


def _budget(rng: random.Random) -> Row:
    """Say a budget the way customers do ("50万", "30-50万", "还没定") and parse it like the bot would."""
    low = rng.choice((10, 20, 30, 50, 80, 100, 150, 200))
    roll = rng.random()
    text = f"{low}万" if roll < .4 else f"{low}-{low * 3 // 2}万" if roll < .9 else "还没定"
    budget = parse_amount(text)
    return {"budget_text": text, "budget_low": budget.low, "budget_high": budget.high}


def _path(rng: random.Random, now: datetime, created: datetime) -> Row:
    """Walk a deal through the stages; return stage, status, close date and when each stage began."""
    entries, t = [], created
    for st in STAGES:
        entries.append(t)
        t += D * rng.uniform(2, st.benchmark_days * 1.8)
    fate, lost_at = rng.random(), rng.randrange(len(STAGES))
    lost_close = entries[lost_at] + D * rng.uniform(1, STAGES[lost_at].benchmark_days)
    if fate < .45 and t <= now:
        return {"stage": "quote", "status": "won", "closed_at": t, "_entries": entries}
    if .55 < fate < .85 and lost_close <= now:
        return {"stage": STAGES[lost_at].key, "status": "lost", "closed_at": lost_close,
                "lost_reason": rng.choice(DEAL_LOST), "_entries": entries}
    k = max(i for i, at in enumerate(entries) if at <= now)
    return {"stage": STAGES[k].key, "status": "open", "closed_at": None, "_entries": entries}


async def _seed_deals(w: _Writer, rng: random.Random, now: datetime, leads: list[Row]) -> list[Row]:
    """Insert an opportunity per converted lead plus its stage evidence; return the opportunities."""
    opps = []
    for lead in (x for x in leads if x["status"] == "converted"):
        created = min(lead["accepted_at"] + D * rng.uniform(.5, 5), now - 2 * H)
        path = _path(rng, now, created)
        opp = {"_lead": lead["id"], "customer_id": lead["customer_id"], "owner_id": lead["owner_id"],
               "chat_platform": "playground",
               "chat_id": f"group:{lead['_cust']['_team']}", "need": f"{lead['_cust']['industry']}：{lead['need']}",
               "discount": None, "created_at": created, "lost_reason": "", "_name": lead["_cust"]["name"],
               **_budget(rng), **path}
        opp["stage_entered_at"] = path["_entries"][STAGE_AT[opp["stage"]]]
        mid = ((opp["budget_low"] or 300_000) + (opp["budget_high"] or 300_000)) // 2
        opp["amount"] = int(round(mid * rng.uniform(.8, 1.05), -3)) if opp["stage"] != "needs" else None
        if opp["stage"] == "quote":
            opp["discount"] = round((1 - rng.uniform(.8, 1)) * 100, 1)  # percent off the list price
        opps.append(opp)
    await w.add(m.Opportunity, opps, ids=True)
    evidence = []
    for opp in opps:
        current = STAGE_AT[opp["stage"]]
        bounds = [*opp["_entries"][1:current + 1], opp["closed_at"] or now]
        for i, st in enumerate(STAGES[: current + 1]):
            if i < current or opp["status"] == "won" or rng.random() < .35:
                at = opp["_entries"][i] + (bounds[i] - opp["_entries"][i]) * rng.uniform(.3, .95)
                evidence.append({"opportunity_id": opp["id"], "stage": st.key, "kind": st.evidence[0],
                                 "content": f"{st.evidence[0]}：{opp['_name']}，{st.next_step}",
                                 "member_id": opp["owner_id"], "created_at": at})
    await w.add(m.Evidence, evidence)
    return opps


async def _seed_history(w: _Writer, rng: random.Random, now: datetime, leads: list[Row],
                        opps: list[Row]) -> list[Row]:
    """Insert interactions and tasks: first calls on leads, touches and follow-ups on deals."""
    touches = [{"customer_id": x["customer_id"], "member_id": x["owner_id"], "kind": "call",
                "note": f"首次电话：{x['need']}", "at": x["first_response_at"]}
               for x in leads if x["first_response_at"]]
    tasks = [_task("follow_up", f"跟进线索：{x['_cust']['name']}", x["owner_id"], x["accepted_at"] + 2 * D,
                   f"lead:{x['id']}", rng, now) for x in leads if x["status"] == "accepted"]
    for opp in opps:
        end = opp["closed_at"] or now
        kinds = list(TOUCHES) if opp["stage"] != "needs" else [k for k in TOUCHES if k != "demo"]
        for _ in range(rng.randint(5, 11)):
            kind = rng.choice(kinds)
            touches.append({"customer_id": opp["customer_id"], "member_id": opp["owner_id"], "kind": kind,
                            "note": TOUCHES[kind], "at": opp["created_at"] + (end - opp["created_at"]) * rng.random()})
        step, ref = STAGES[STAGE_AT[opp["stage"]]].next_step, f"opportunity:{opp['id']}"
        tasks.append(_task("follow_up", f"{opp['_name']}：{step}", opp["owner_id"],
                           opp["created_at"] + (end - opp["created_at"]) * rng.uniform(.2, .6), ref, rng, now))
        if opp["status"] == "open":
            tasks.append(_task("follow_up", f"{opp['_name']}：{step}", opp["owner_id"],
                               now + D * rng.uniform(-3, 3), ref, rng, now))
            if now - opp["stage_entered_at"] > 14 * D:
                tasks.append(_task("attack_action", f"攻坚：{opp['_name']} 约决策人面谈，推进{step}",
                                   opp["owner_id"], now + D * rng.uniform(-2, 4), ref, rng, now))
    await w.add(m.Interaction, touches)
    await w.add(m.Task, tasks)
    return touches


def _task(kind: str, title: str, owner: int, due: datetime, ref: str, rng: random.Random, now: datetime) -> Row:
    """Build a task; most past-due ones were done on time, some are still overdue."""
    done = due - H * rng.uniform(1, 30) if due < now and rng.random() < .88 else None
    created = min(due - 2 * D, now)
    return {"kind": kind, "title": title[:200], "owner_id": owner, "due_at": due,
            "done_at": max(done, created) if done else None, "ref": ref, "created_at": created}
