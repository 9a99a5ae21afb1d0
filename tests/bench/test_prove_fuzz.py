"""A small fixed-seed sample of the fuzz runner (make prove runs ≥ 100,000 cases): no crash, no 5xx."""

from __future__ import annotations

import asyncio

from bench import prove_fuzz


async def test_a_fixed_seed_fuzz_sample_over_every_route_and_parser_finds_nothing():
    rows = await asyncio.to_thread(prove_fuzz.run, 300)
    names = {name for name, *_ in rows}
    assert {"parse/json_object", "parse/safexml", "route/signed/feishu", "route/signed/wecom_app",
            "route/signed/dingtalk_robot", "route/any", "dispatch/handlers"} <= names
    failures = {name: prove_fuzz.LAST[name].examples for name, _, _, failed in rows if failed}
    assert failures == {}
    assert sum(tried for _, tried, _, _ in rows) >= 300
    passed_signature = {path for path, status in prove_fuzz.STATUSES if status == 200}
    assert len(passed_signature & {"/feishu/events", "/wecom/app", "/wecom/bot", "/dingtalk/robot"}) >= 2
