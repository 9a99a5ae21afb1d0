"""No English reaches a rep or manager: every card the bot sent in a scripted day and every page they open is
scanned for Latin-script words outside an allow-list (product names, URLs, command aliases, units)."""

from __future__ import annotations

import re

from bot.core.cards import Card
from bot.core.links import me_link
from cards.facts import facts
from scheduler import registry
from scheduler.core import run_job
from storage.repos import outbox
from tests.cards.catalog import catalog, help_entries
from tests.handlers.opp_helpers import Chat
from tests.helpers import run_queues
from tests.scheduler.push_helpers import build_org

URL = re.compile(r"(?:https?|dingtalk)://\S+|/[\w./-]*\?\S*|/(?:a|v|dash|intake|m)/\S*")
WORD = re.compile(r"[A-Za-z][A-Za-z_\-]*[A-Za-z]|[A-Za-z]")
PRODUCTS = {"WeCom", "DingTalk", "Feishu", "salesbot", "Top", "OA", "ERP", "CRM", "KPI", "SLA", "ID", "QR"}
UNITS = {"x", "YYYY", "MM", "YYYY-MM", "SaaS", "IT", "AI", "A", "B", "C", "D"}  # A类客户: grade letters
ALIASES = {a.lower() for e in help_entries() for a in e.aliases}
# Admin-facing config and CLI names quoted so the admin can type them: kept verbatim on purpose.
ADMIN = {"import", "scripts", "intake", "replay", "channel", "channels", "field_map", "api", "v", "rejects",
         "intake_rejects", "mobile_phone"}


def latin_words(text: str) -> list[str]:
    """Latin-script words left after URLs and allowed names are removed."""
    words = WORD.findall(URL.sub(" ", text))
    return [w for w in words if w not in PRODUCTS | UNITS | ADMIN and w.lower() not in ALIASES]


def _leaks(name: str, card: Card) -> list[tuple[str, str, list[str]]]:
    return [(name, f, bad) for f in facts(card) if (bad := latin_words(f))]


def test_the_scanner_finds_leaks_and_spares_the_allow_list():
    assert latin_words("为什么分给你：rule default (everyone) round_robin") == ["rule", "default", "everyone",
                                                                              "round_robin"]
    assert latin_words("完整周报：https://x.test/weekly?a=1 · 发 help 或 WeCom") == []


def test_every_catalog_card_is_chinese():
    assert [x for n, c in catalog() for x in _leaks(n, c)] == []


async def test_a_scripted_day_sends_no_english_to_anyone(client, rt):
    org = await build_org(rt)
    group, dm = Chat(client, rt), Chat(client, rt, f"dm:{org.rep}")
    script = ["新建商机 华东医疗 预算50万 需求 影像设备", "卡在哪", "凭证 会议纪要 https://m.test/1", "推进", "话术",
              "报价 30万 折扣 30%", "推进", "攻坚", "今日必做", "断点", "日报", "帮助", "随便说点什么", "赢单"]
    for text in script:
        await group.say(org.rep, text)
    for text in ("今日必做", "断点", "强制推进", "话术统计", "催一下 1"):
        await dm.say(org.rep, text)
    for job in registry.names():
        await run_job(rt, job)
    await run_queues(rt)
    rows = await outbox.recent(rt.db, "playground", 0, limit=500)
    cards = [(r.idempotency_key, Card.from_dict(r.payload["card"])) for r in rows if r.payload.get("card")]
    assert len(cards) > 20
    leaks = [x for k, c in cards for x in _leaks(k, c)]
    assert leaks == [], "\n".join(map(str, leaks))


async def test_the_pages_a_rep_opens_are_chinese(client, rt):
    org = await build_org(rt)
    rt.settings.intake.channels = {"expo": {"form": True}}
    for url in (me_link(rt.settings, org.rep, rt.clock.now()).split("127.0.0.1:8080", 1)[-1], "/intake/expo/form"):
        html = await (await client.get(url)).text()
        text = re.sub(r"<style.*?</style>|<script.*?</script>|<[^>]+>", " ", html, flags=re.S)
        assert latin_words(text) == [], url
