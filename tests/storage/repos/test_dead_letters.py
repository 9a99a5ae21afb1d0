"""Dead letters a human can act on: the read API, the admins' daily card, `salesbot outbox retry`."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.cli import main
from scheduler.core import run_job
from storage.db import Database
from storage.repos import dead_letters, outbox, outbox_claims, task_queue
from tests.helpers import add_member, sent_cards
from tests.schema import migrate

AUTH = {"Authorization": "Bearer test-admin-token"}
FIRE = datetime(2026, 11, 28, 8, 50, tzinfo=ZoneInfo("Asia/Shanghai"))


async def _dead(rt, key: str, platform: str, reason: str) -> int:
    async with rt.db.session() as s:
        await outbox.enqueue(s, key, platform, "dm:1", {"text": key}, rt.clock.now())
    [row] = [r for r in await outbox_claims.claim_due(rt.db, rt.clock.now(), per_target=9) if r.idempotency_key == key]
    await outbox_claims.mark_dead(rt.db, row.id, row.claim_token, 8, reason)
    return row.id


async def test_dead_letters_are_listed_paged_behind_the_admin_token(client, rt):
    ids = [await _dead(rt, f"k{i}", "feishu", f"permanent: Feishu refused: code 230002 #{i}") for i in range(3)]
    assert (await client.get("/api/v1/dead_letters")).status == 401
    page = await (await client.get("/api/v1/dead_letters?limit=2", headers=AUTH)).json()
    assert [i["id"] for i in page["items"]] == ids[:2] and page["next"]
    item = page["items"][0]
    assert item["platform"] == "feishu" and "230002" in item["reason"]
    assert item["retry"] == f"salesbot outbox retry {ids[0]}"
    rest = await (await client.get(page["next"], headers=AUTH)).json()
    assert [i["id"] for i in rest["items"]] == ids[2:] and rest["next"] is None


async def test_a_retried_dead_letter_is_sent_again(rt):
    first = await _dead(rt, "a", "playground", "gave up after 8 attempts: timeout")
    await _dead(rt, "b", "playground", "permanent: nobody there")
    assert await dead_letters.retry(rt.db, [first], rt.clock.now()) == 1
    assert await rt.sender.run_once() == 1
    rows = {r.idempotency_key: r for r in await outbox.recent(rt.db)}
    assert rows["a"].status == "sent" and rows["b"].status == "dead"
    assert await dead_letters.retry(rt.db, None, rt.clock.now()) == 1


async def _three_dead(url: str, clock) -> list[int]:
    db = Database(url)
    await migrate(db)
    ids = []
    for i in range(3):
        async with db.session() as s:
            await outbox.enqueue(s, f"c{i}", "playground", "dm:1", {}, clock.now())
        [row] = await outbox_claims.claim_due(db, clock.now())
        await outbox_claims.mark_dead(db, row.id, row.claim_token, 8, "permanent: x")
        ids.append(row.id)
    await db.close()
    return ids


def test_the_cli_retries_by_id_or_all(tmp_path, clock, capsys):
    url = f"sqlite+aiosqlite:///{tmp_path}/cli.db"
    ids = asyncio.run(_three_dead(url, clock))
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "{url}"\n', "utf-8")
    assert main(["--config", str(config), "outbox", "retry", str(ids[0])]) == 0
    assert "queued again: 1" in capsys.readouterr().out
    assert main(["--config", str(config), "outbox", "retry", "--all"]) == 0
    assert "queued again: 2" in capsys.readouterr().out
    assert main(["--config", str(config), "outbox", "retry"]) == 2
    assert "--all" in capsys.readouterr().err
    assert main(["--config", str(config), "outbox", "retry", "999"]) == 3


async def _dead_task(url: str, clock) -> int:
    db = Database(url)
    await migrate(db)
    async with db.session() as s:
        await task_queue.add_many(s, [("fetch_media", "wecom", "media_fetch:1", {})], clock.now())
    [row] = await task_queue.claim(db, clock.now(), [("wecom", "fetch_media")], 1, timedelta(seconds=30))
    await task_queue.mark_dead(db, row.id, row.claim_token, "permanent: 40007")
    await db.close()
    return row.id


def test_the_cli_reruns_dead_tasks(tmp_path, clock, capsys):
    url = f"sqlite+aiosqlite:///{tmp_path}/cli.db"
    task_id = asyncio.run(_dead_task(url, clock))
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "{url}"\n', "utf-8")
    assert main(["--config", str(config), "outbox", "retry-tasks", str(task_id + 1)]) == 3
    assert "not dead tasks" in capsys.readouterr().out
    assert main(["--config", str(config), "outbox", "retry-tasks", "--all"]) == 0
    assert "queued again: 1" in capsys.readouterr().out


async def test_admins_get_a_daily_card_of_dead_letters_once(rt):
    admin = await add_member(rt, "王总", role="admin")
    quiet = await run_job(rt, "dead_letters", FIRE)
    assert "没有未送达的消息" in quiet.summary
    await _dead(rt, "x1", "wecom", "permanent: WeCom message/send: 81013 user not found")
    await _dead(rt, "x2", "wecom", "gave up after 8 attempts: WeCom HTTP 503")
    await _dead(rt, "x3", "feishu", "platform is not enabled; enable it")
    result = await run_job(rt, "dead_letters", FIRE.replace(day=29))
    assert result.summary.startswith("未送达消息日报：已推送 1 人") and "3 条未送达" in result.summary
    [card] = [c["card"] for c in await sent_cards(rt, f"dm:{admin}")]
    assert card["title"] == "未送达消息日报" and card["sections"][0]["title"] == "共 3 条消息没有送达"
    assert sorted(f[0] for f in card["sections"][0]["fields"]) == ["企业微信", "飞书"]
    assert card["sections"][1]["items"][0].endswith("平台未启用（在配置里启用后重试）")
    async with rt.db.session() as s:  # a download that can never succeed is reported too
        await task_queue.add_many(s, [("fetch_media", "wecom", "media_fetch:1", {})], rt.clock.now())
    [row] = await task_queue.claim(rt.db, rt.clock.now(), [("wecom", "fetch_media")], 1, timedelta(seconds=30))
    await task_queue.mark_dead(rt.db, row.id, row.claim_token, "permanent: 40007")
    result = await run_job(rt, "dead_letters", FIRE.replace(day=30))
    assert result.summary.endswith("3 条未送达，1 个后台任务失败")
    card = [c["card"] for c in await sent_cards(rt, f"dm:{admin}")][-1]
    assert card["sections"][2]["title"] == "1 个后台任务没有完成" and "retry-tasks" in card["sections"][2]["text"]
    again = await run_job(rt, "dead_letters", FIRE.replace(day=29, hour=12))
    assert again.status == "already claimed" or "已推送 0 人" in (again.summary or "")
