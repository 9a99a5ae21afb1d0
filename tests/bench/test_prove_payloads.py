"""Recorded platform payloads (tests/payloads) replayed, signed as each platform signs, through every adapter."""

from __future__ import annotations

from bench import prove_payloads


def test_every_platform_has_recorded_payloads_tagged_with_their_event_kind_and_payload():
    found = {platform for platform, _, _ in prove_payloads.cases()}
    assert found == {"wecom", "dingtalk", "feishu", "playground", "intake"}
    kinds = {"message", "card_action", "platform", "approval", "none", "lead"}
    gets = {"Message", "CardClick", "MediaReceived", "ContactChanged", "GroupChanged", "ApprovalDecided",
            "LeadSubmitted", "none"}
    cases = prove_payloads.cases()
    assert all(case["kind"] in kinds and case["gets"] in gets and case["source"] for _, _, case in cases)


async def test_each_recorded_payload_produces_the_event_its_tag_says():
    results = await prove_payloads.replay_all()
    problems = {f"{p}/{name}": err for p, rows in results.items() for name, err in rows if err}
    assert problems == {}
    assert sum(len(rows) for rows in results.values()) == len(prove_payloads.cases())
