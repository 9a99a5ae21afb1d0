"""Assignment reasons in words a rep reads ("为什么分给你"), built from distribution's internal labels (no I/O).

Distribution keeps its internal pool labels (they key the rotations); this module turns them into the
sentence stored on the lead and shown on its card. `in_words` also reads reasons stored before, so an
old lead's card never shows "rule default (everyone) round_robin turn #3".
"""

from __future__ import annotations

import re

STRATEGIES = {"round_robin": "轮流分配", "weighted": "按权重轮流", "rule_based": "按地区/行业匹配",
              "least_loaded": "谁手上线索少给谁"}
SKIPS = [(re.compile(r"^inactive$"), "已停用"), (re.compile(r"^on leave$"), "休假中"),
         (re.compile(r"^cooling down after a reclaim$"), "刚被收回线索，冷却中"),
         (re.compile(r"^at capacity \((\d+)/(\d+) open\)$"), r"已满（在跟进 \1/\2 条）"),
         (re.compile(r"^daily cap \((\d+)/(\d+) today\)$"), r"今天已分满（\1/\2 条）"),
         (re.compile(r"^outside working hours (\S+)-(\S+)$"), r"不在工作时间（\1-\2）")]
EXISTING = "老客户，仍归原负责人（一个客户只有一个负责人）"
_OLD = re.compile(r"^rule (\S+) \((.*?)\)(?::| (\w+))(.*)$")


def pool_words(how: str) -> str:
    """`everyone` → 全员; `team 华东` → 华东团队; `region=华东 industry=医疗` → 地区华东、行业医疗."""
    if how == "everyone":
        return "全员"
    if how.startswith("no region/industry match"):
        return "没有匹配地区/行业的人，改为全员"
    if how.startswith("members "):
        return "指定成员 " + how.removeprefix("members ")
    if how.startswith("team "):
        team = how.removeprefix("team ")
        return team if team.endswith(("团队", "部", "组")) else team + "团队"
    words = {"region": "地区", "industry": "行业"}
    return "、".join(words.get(k, k) + v for k, _, v in (p.partition("=") for p in how.split()))


def detail_words(detail: str) -> str:
    """`turn #3` → 第 3 轮; `load 2/5` → 手上 2/5 条; `position #2/4` → 权重序列第 2/4 位."""
    for pattern, words in ((r"^turn #(\d+)$", r"第 \1 轮"), (r"^load (\d+)/(\d+)$", r"手上 \1/\2 条"),
                           (r"^position #(\d+)/(\d+)$", r"权重序列第 \1/\2 位")):
        if re.match(pattern, detail):
            return re.sub(pattern, words, detail)
    return detail


def skip_words(why: str) -> str:
    """Why a rep was passed over, in words."""
    return next((p.sub(w, why) for p, w in SKIPS if p.match(why)), why)


def rule_words(name: str) -> str:
    """The rule's name as shown: the built-in default reads 默认规则."""
    return "默认规则" if name == "default" else f"规则“{name}”"


def assigned(rule: str, how: str, strategy: str, detail: str) -> str:
    """The reason of a normal assignment."""
    return f"{rule_words(rule)} · {pool_words(how)} · {STRATEGIES.get(strategy, strategy)}（{detail_words(detail)}）"


def nobody(rule: str, how: str, skipped: dict[str, str], fallback: bool) -> str:
    """The reason when nobody in the pool could take the lead: who was skipped and why, then where it went."""
    summary = "；".join(f"{n}{skip_words(w)}" for n, w in list(skipped.items())[:5]) or "池里没有人"
    where = "交给兜底负责人" if fallback else "先放在线索池等人领取"
    return f"{rule_words(rule)} · {pool_words(how)}：没有可分配的人（{summary}），{where}"


def in_words(stored: str) -> str:
    """A stored reason as words: reasons written before this module existed are translated too."""
    if stored in ("existing_owner", "existing customer's owner (one customer, one owner)"):
        return EXISTING
    m = _OLD.match(stored)
    if m is None:
        return stored
    rule, how, strategy, rest = m.groups()
    if strategy:
        return assigned(rule, how, strategy, rest.strip())
    return f"{rule_words(rule)} · {pool_words(how)}：没有可分配的人，" + (
        "交给兜底负责人" if "fallback" in rest else "先放在线索池等人领取")
