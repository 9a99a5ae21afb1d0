"""流失分析: a planted pattern (lost customers share an industry and a stalled stage) is named; files and page."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from bot.core.signing import member_link
from flows.churn import print_churn_features
from tests.bot.web.conftest import path_of
from tests.helpers import add_member, message, sent_cards
from tests.report_seed import Seed, days_ago

KEPT = ("医疗", "零售", "教育", "物流", "制造业")


async def _plant(rt) -> tuple[int, int]:
    """12 manufacturers lost at 方案演示 this month; 40 customers of every industry kept."""
    now, seed = rt.clock.now(), Seed(rt)
    team = await seed.team("华东一部")
    mgr = await seed.member("韩总", team, role="manager")
    reps = [await seed.member(n, team) for n in ("李娜", "王强", "张伟")]
    for i in range(12):
        c = await seed.customer(reps[i % 3], "制造业", created=days_ago(now, 120))
        await seed.touch(c, reps[i % 3], days_ago(now, 10 + i))
        await seed.deal(reps[i % 3], c, "demo", days_ago(now, 40), status="lost", closed=days_ago(now, i + 1))
    for i in range(40):
        c = await seed.customer(reps[i % 3], KEPT[i % len(KEPT)], created=days_ago(now, 120))
        await seed.touch(c, reps[i % 3], days_ago(now, 3 + i))
        await seed.deal(reps[i % 3], c, ("needs", "quote")[i % 2], days_ago(now, 2))
    other = await seed.team("华北二部")
    stranger = await seed.member("赵六", other)
    c = await seed.customer(stranger, "秘密行业", created=days_ago(now, 100))
    await seed.event(c, "reclaimed", days_ago(now, 2), owner_from=stranger)
    return mgr, reps[0]


async def test_planted_pattern_is_named_in_the_conclusions(rt, tmp_path):
    await _plant(rt)
    out = io.StringIO()
    a = await print_churn_features(rt.db, 30, tmp_path / "churn.csv", "csv", now=rt.clock.now(), stream=out)
    text = out.getvalue()
    assert a.lost == 13 and 3 <= len(a.conclusions) <= 5
    first = a.conclusions[0] + a.conclusions[1]
    assert "制造业" in first and "方案演示" in first
    assert any("制造业" in c and "方案演示" in c for c in a.conclusions)  # the combination
    assert "行业=制造业：流失 12 / 保留 8" in text and "提升" in text
    raw = (tmp_path / "churn.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and "流失客户数" in raw.decode("utf-8-sig")
    assert "z=" not in text and "n=" not in text


async def test_xlsx_export_has_factors_and_conclusions(rt, tmp_path):
    await _plant(rt)
    await print_churn_features(rt.db, 30, tmp_path / "churn.xlsx", "xlsx", now=rt.clock.now(), stream=io.StringIO())
    book = load_workbook(tmp_path / "churn.xlsx")
    rows = list(book["流失因素"].values)
    assert rows[0][0] == "因素" and any(r[:3] == ("行业", "制造业", 12) for r in rows)
    assert "制造业" in str(list(book["结论"].values))


async def test_thin_data_gives_no_conclusions(rt):
    a = await print_churn_features(rt.db, 30, None, now=rt.clock.now(), stream=io.StringIO())
    assert a.lost == 0 and a.conclusions == []


async def test_manager_page_and_download_show_only_the_team(client, rt):
    mgr, rep = await _plant(rt)
    html = await (await client.get(path_of(member_link(rt.settings, "/dash/churn", {"days": "30"}, mgr,
                                                       rt.clock.now())))).text()
    assert "制造业" in html and "class=\"alarm\"" in html and "秘密行业" not in html
    assert 'href="#lost"' in html and html.count("/dash/customer/") == 12  # each lost customer links to its page
    csv = await client.get(path_of(member_link(rt.settings, "/dash/churn", {"days": "30", "fmt": "csv"}, mgr,
                                               rt.clock.now())))
    assert csv.status == 200 and "秘密行业" not in (await csv.read()).decode("utf-8-sig")
    denied = await client.get(path_of(member_link(rt.settings, "/dash/churn", {}, rep, rt.clock.now())))
    assert denied.status == 403


async def test_chat_command_names_the_pattern_with_a_link(client, rt):
    await _plant(rt)
    boss = await add_member(rt, "钱总", role="manager", team="华东一部")
    await client.post("/playground/api/message", json=message(boss, "@销售助手 流失分析 30"))
    (payload,) = await sent_cards(rt)
    text = str(payload["card"])
    assert "流失分析：近 30 天" in text and "制造业" in text and "/dash/churn?" in text
